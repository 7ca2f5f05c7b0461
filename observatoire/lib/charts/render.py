"""Server-side SVG rendering of Vega-Lite specs, made accessible.

vl-convert (https://github.com/vega/vl-convert) embeds Vega and renders without a browser.
`allowed_base_urls=[]` forbids any data request: specs carry their data inline, so rendering
never touches the network (checked in the tests with a network-less namespace). Text is measured
with the fonts installed on the machine.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

import vl_convert

_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_ROLE = re.compile(r'\srole="[^"]*"')
_ARIA = re.compile(r'\saria-[a-z]+="[^"]*"')
# Vega names every mark for assistive technologies (role="graphics-symbol", aria-label...):
# inside one named image these are noise, and axe reports the marks as unnamed images.
_INNER_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')


def render_svg(
    spec: dict[str, Any],
    *,
    title: str,
    description: str | None = None,
    chart_id: str | None = None,
    locale: str = "fr-FR",
) -> str:
    """The SVG of a spec, with role="img", a <title> and a <desc> that name it for screen
    readers (`description` defaults to the spec's own). Numbers follow `locale`."""
    svg = render_raw(spec, locale=locale)
    return label_svg(svg, spec, title=title, description=description, chart_id=chart_id)


def render_raw(spec: dict[str, Any], *, locale: str = "fr-FR") -> str:
    """vl-convert's SVG of a spec, not yet accessible: what a cache may keep and share."""
    return vl_convert.vegalite_to_svg(spec, format_locale=cast(Any, locale), allowed_base_urls=[])


def label_svg(
    svg: str,
    spec: dict[str, Any],
    *,
    title: str,
    description: str | None = None,
    chart_id: str | None = None,
    details_id: str | None = None,
) -> str:
    """`make_accessible` with render_svg's defaults: the spec's description, an id from the
    title and the description."""
    description = description or str(spec.get("description") or "")
    digest = hashlib.sha1(f"{title}\n{description}".encode(), usedforsecurity=False).hexdigest()[
        :10
    ]
    base = chart_id or f"chart-{digest}"
    return make_accessible(
        svg, title=title, description=description, chart_id=base, details_id=details_id
    )


def make_accessible(
    svg: str, *, title: str, description: str, chart_id: str, details_id: str | None = None
) -> str:
    """One named image: role="img", its title as aria-label (and <title>), its description
    as <desc>, its data table as the long description (aria-details); the marks inside lose
    their own ARIA roles (an image's content is presentational)."""
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ValueError("not an SVG document")
    opening = _ROLE.sub("", match.group(0))
    opening = _ARIA.sub("", opening)
    labelled = f"{chart_id}-title {chart_id}-desc" if description else f"{chart_id}-title"
    details = f" aria-details={quoteattr(details_id)}" if details_id else ""
    opening = opening[:-1].rstrip("/") + (
        f' role="img" aria-label={quoteattr(title)} aria-labelledby={quoteattr(labelled)}'
        f'{details} focusable="false">'
    )
    head = f'<title id="{chart_id}-title">{escape(title)}</title>'
    if description:
        head += f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    body = _INNER_ARIA.sub("", svg[match.end() :])
    return svg[: match.start()] + opening + head + body
