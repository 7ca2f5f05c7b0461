"""One chart of the results as a file: its SVG, a PNG, its data table as CSV.

The SVG comes from the render cache (the same drawing as the page, standalone); the PNG is
drawn by vl-convert from the same spec (2× for sharp prints) and kept in Django's cache by the
spec's digest; the CSV is the chart's data table, headers and rows as the page shows them.
"""

import csv
import io

import vl_convert
from django.core.cache import cache as django_cache
from django.http import HttpResponse
from django.utils.text import slugify

from . import presentation
from .charts import LOCALE, digest_of, estimate_spec

PNG_SCALE = 2
PNG_SECONDS = 24 * 3600
FORMATS = {
    "svg": "image/svg+xml; charset=utf-8",
    "png": "image/png",
    "csv": "text/csv; charset=utf-8",
}


def table_csv(table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table["headers"])
    writer.writerows(table["rows"])
    for note in table.get("notes") or []:
        writer.writerow([note])
    return out.getvalue()


def png_of(spec) -> bytes:
    key = f"barometer-png:{PNG_SCALE}:{digest_of(spec)}"
    found = django_cache.get(key)
    if found is None:
        found = vl_convert.vegalite_to_png(
            spec, scale=PNG_SCALE, format_locale=LOCALE, allowed_base_urls=[]
        )
        django_cache.set(key, found, PNG_SECONDS)
    return found


def chart_response(payload, form, name, fmt, dimension=None) -> HttpResponse | None:
    """The file, or None when there is no such chart (unknown question, format, stratum, or
    nothing publishable: no image of an empty chart)."""
    if fmt not in FORMATS or dimension not in (None, *presentation.DIMENSION_LABELS):
        return None
    block = presentation.block_of(payload, name, form, dimension=dimension)
    if block is None:
        return None
    if fmt == "csv":
        content: bytes | str = table_csv(block["table"])
    elif block["suppressed"]:
        return None
    elif fmt == "svg":
        presentation.draw([block])
        content = str(block["svg"])
    else:
        content = png_of(estimate_spec(block["_data"]))
    response = HttpResponse(content, content_type=FORMATS[fmt])
    filename = slugify(f"{payload['year']}-{block['slug']}") + f".{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
