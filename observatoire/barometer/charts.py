"""A small SVG line chart as plain data: coordinates computed here, drawn by a template."""

from __future__ import annotations

import math
from typing import Any


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2, 5 × 10^n) giving about `ticks` intervals up to `maximum`."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(1, factor * magnitude)
    return 10 * magnitude


def line_chart(
    points: list[tuple[str, float]],
    *,
    width: int = 640,
    height: int = 240,
    margin: tuple[int, int, int, int] = (16, 16, 36, 48),  # top, right, bottom, left
    x_labels: int = 6,
) -> dict[str, Any]:
    """The paths and axis ticks of a line chart of (label, value) points, in SVG units."""
    top, right, bottom, left = margin
    inner_w, inner_h = width - left - right, height - top - bottom
    values = [value for _label, value in points]
    step = nice_step(max(values, default=0))
    y_max = step * max(1, math.ceil(max(values, default=0) / step))
    count = len(points)

    def x(index: int) -> float:
        return left + (inner_w * index / (count - 1) if count > 1 else inner_w / 2)

    def y(value: float) -> float:
        return top + inner_h - inner_h * value / y_max

    coords = [(round(x(i), 1), round(y(v), 1)) for i, (_label, v) in enumerate(points)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{cx},{cy}" for i, (cx, cy) in enumerate(coords))
    area = ""
    if coords:
        base = round(y(0), 1)
        area = f"{path} L{coords[-1][0]},{base} L{coords[0][0]},{base} Z"
    y_ticks = []
    tick = 0.0
    while tick <= y_max + 1e-9:
        y_ticks.append(
            {"value": int(tick) if float(tick).is_integer() else tick, "y": round(y(tick), 1)}
        )
        tick += step
    every = max(1, math.ceil(count / x_labels)) if count else 1
    # Every `every`-th label, and the last one unless it would overlap the one before it.
    shown = [i for i in range(count) if i % every == 0]
    if count and shown[-1] != count - 1:
        if count - 1 - shown[-1] < every / 2:
            shown.pop()
        shown.append(count - 1)
    x_ticks = [{"label": points[i][0], "x": round(x(i), 1)} for i in shown]
    return {
        "width": width,
        "height": height,
        "path": path,
        "area": area,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "left": left,
        "right": width - right,
        "bottom": top + inner_h,
        "top": top,
        "label_y": top + inner_h + 20,
    }
