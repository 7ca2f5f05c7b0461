"""Trends across editions: a question keeps its name, or a QuestionLink joins the two names."""

import hashlib
from typing import Any

from django.core.cache import cache as django_cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from observatoire.lib.charts import trend_lines, trend_table
from observatoire.lib.stats import QuestionEstimate, trend

from .charts import render_cached
from .compute import results_for
from .models import QuestionLink

# Bumped when the trends' tables change shape, so that a cached page is not served as before.
TRENDS_FORMAT = 2


def trend_context(editions, *, weighted: bool = True) -> dict[str, Any]:
    """Every question of the latest edition followed back through the earlier ones."""
    caches = [(edition, results_for(edition, weighted=weighted)) for edition in editions]
    locale = get_language() or "fr"
    key = (
        "barometer-trends:"
        + ":".join(f"{e.pk}-{c.responses_version}" for e, c in caches)
        + f":{weighted}:{_links_fingerprint()}:{locale}:{TRENDS_FORMAT}"
    )
    found = django_cache.get(key)
    if found is None:
        found = _trends(caches, locale=locale)
        django_cache.set(key, found, 3600)
    return {"editions": editions, "trends": [{**t, "svg": mark_safe(t["svg"])} for t in found]}


def _links_fingerprint() -> str:
    """Changes whenever a link is added, edited (comparability, note) or deleted."""
    rows = QuestionLink.objects.order_by("pk").values_list(
        "pk", "edition_id", "name", "previous_edition_id", "previous_name", "comparable", "note"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def _trends(caches, *, locale: str = "fr") -> list[dict[str, Any]]:
    if len(caches) < 2:
        return []
    links = [
        link.as_link()
        for link in QuestionLink.objects.select_related("edition", "previous_edition")
    ]
    renamed = {(int(link.edition), link.name): link.previous_name for link in links}
    _latest_edition, latest = caches[-1]
    out = []
    for name, data in latest.payload["analysis"]["estimates"].items():
        if data.get("unit", "respondent") != "respondent":
            continue
        series, current = [], name
        for edition, cache in reversed(caches):
            estimates = cache.payload["analysis"]["estimates"]
            if current not in estimates:
                break
            series.insert(0, (str(edition.year), QuestionEstimate.from_dict(estimates[current])))
            current = renamed.get((edition.year, current), current)
        if len(series) < 2:
            continue
        result = trend(series, links=links)
        out.append(
            {
                "name": name,
                "label": data["label"],
                "svg": render_cached(
                    trend_lines(result, locale=locale),
                    title=data["label"],
                    chart_id=f"trend-{name}",
                ),
                "table": trend_table(result, locale=locale),
            }
        )
    return out
