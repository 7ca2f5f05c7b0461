"""Charts rendered once: vl-convert's SVG kept in the database, keyed by the spec's content.

Rendering a spec takes 0.1 s (a bar chart) to 1.7 s (a cross-tab by région), so every page of
the results renders through here. The key is the sha256 of the canonical JSON of the spec, the
locale and vl-convert's version (another version may draw differently). The stored SVG is the
raw one: the title, the description and the ids that `make_accessible` adds differ from one
page to another, and are added on each call (a string operation).

    svg = render_cached(spec, title=estimate.label, chart_id="chart-x")
    svgs = render_many([Chart(spec, title, chart_id), ...])   # one query, duplicates once
"""

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import vl_convert
from django.core.cache import cache as django_cache
from django.utils import timezone

from observatoire.lib.charts import chart_for, specs
from observatoire.lib.charts.render import label_svg, render_raw
from observatoire.lib.stats import QuestionEstimate

from .models import RenderedChart

LOCALE = "fr-FR"
# used_at is written at most once a day per chart: a read must not always write.
TOUCH_AFTER = timedelta(days=1)
KEEP_UNUSED = timedelta(days=30)
_CHUNK = 500  # digests per query (SQLite limits the number of parameters)
SPEC_TIMEOUT = 24 * 3600
_SPECS = hashlib.sha256(Path(specs.__file__).read_bytes()).hexdigest()[:16]


class Chart(NamedTuple):
    spec: dict[str, Any]
    title: str
    chart_id: str
    description: str | None = None
    details_id: str | None = None  # the id of its data table (aria-details)


def digest_of(spec: dict[str, Any], locale: str = LOCALE) -> str:
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = f"{vl_convert.__version__}\n{locale}\n{canonical}"
    return hashlib.sha256(key.encode()).hexdigest()


def raw_svgs(specs: Sequence[dict[str, Any]], *, budget: float | None = None) -> list[str | None]:
    """vl-convert's SVG of each spec, rendered only when no stored one has its digest; a
    spec given twice (or two equal specs) is rendered once.

    With a `budget` (seconds), no new rendering starts once it is spent: the specs left are
    None (the caller shows their data table and queues them, see benchmark.py).
    """
    deadline = None if budget is None else time.monotonic() + budget
    digests = [digest_of(spec) for spec in specs]
    wanted = list(dict.fromkeys(digests))
    found: dict[str, str] = {}
    old: list[str] = []
    touch_before = timezone.now() - TOUCH_AFTER
    for start in range(0, len(wanted), _CHUNK):
        rows = RenderedChart.objects.filter(digest__in=wanted[start : start + _CHUNK])
        for digest, svg, used_at in rows.values_list("digest", "svg", "used_at"):
            found[digest] = svg
            if used_at < touch_before:
                old.append(digest)
    if old:
        RenderedChart.objects.filter(digest__in=old).update(used_at=timezone.now())
    missing = {d: spec for d, spec in zip(digests, specs, strict=True) if d not in found}
    if missing:
        rendered = {}
        # Under a budget the smallest specs first: more charts in the time, and the slowest
        # (many labels to measure) are the ones left to the background.
        order = sorted(missing, key=lambda d: len(json.dumps(missing[d])))
        for digest in order if deadline is not None else missing:
            spec = missing[digest]
            if deadline is not None and time.monotonic() >= deadline:
                break
            rendered[digest] = render_raw(spec, locale=LOCALE)
        # Another process may store the same digest meanwhile: its SVG is the same.
        RenderedChart.objects.bulk_create(
            [RenderedChart(digest=d, svg=svg) for d, svg in rendered.items()],
            ignore_conflicts=True,
        )
        found.update(rendered)
    return [found.get(digest) for digest in digests]


def render_many(charts: Iterable[Chart], *, budget: float | None = None) -> list[str]:
    """The accessible SVG of each chart (role="img", <title>, <desc>), rendered at most once;
    "" for a chart left out by the `budget` (seconds, see raw_svgs)."""
    charts = list(charts)
    svgs = raw_svgs([chart.spec for chart in charts], budget=budget)
    return [
        ""
        if svg is None
        else label_svg(
            svg,
            chart.spec,
            title=chart.title,
            description=chart.description,
            chart_id=chart.chart_id,
            details_id=chart.details_id,
        )
        for chart, svg in zip(charts, svgs, strict=True)
    ]


def render_cached(
    spec: dict[str, Any], *, title: str, chart_id: str, description: str | None = None
) -> str:
    """`observatoire.lib.charts.render_svg`, through the render cache."""
    return render_many([Chart(spec, title, chart_id, description)])[0]


def estimate_spec(data: dict[str, Any]) -> dict[str, Any]:
    """`chart_for` of an estimate's dict, kept in Django's cache by the dict's content.

    Building a cross-tab's spec with altair takes 0.1-0.3 s, longer than reading its SVG back:
    a question page would spend most of its time there. The key holds a fingerprint of
    lib/charts/specs.py, so a new version of the charts is not served from an old spec.
    """
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = "barometer-spec:" + hashlib.sha256(f"{_SPECS}\n{canonical}".encode()).hexdigest()
    spec = django_cache.get(key)
    if spec is None:
        spec = chart_for(QuestionEstimate.from_dict(data))
        django_cache.set(key, spec, SPEC_TIMEOUT)
    return spec


def prune(*, older_than: timedelta = KEEP_UNUSED) -> int:
    """Forget the charts nobody has shown for a while; returns how many."""
    deleted, _ = RenderedChart.objects.filter(used_at__lt=timezone.now() - older_than).delete()
    return deleted
