"""The analysis of an edition, from the database to the cached JSON the pages read.

`results_for(edition, weighted=...)` returns the cached payload when it matches the current
responses (see data.responses_version), otherwise recomputes it. The signal handlers queue
`tasks.refresh_results` after each save, so visitors rarely wait.
"""

import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from observatoire.barometer.models import Edition
from observatoire.lib.charts import chart_for, data_table, format_percent
from observatoire.lib.stats import (
    QuestionEstimate,
    WeightingResult,
    analyse_edition,
    compute_weights,
    cost_ranges,
    design_diagnostics,
    repeat_weighting,
)
from observatoire.lib.xlsform.model import iter_elements

from .charts import Chart, render_many
from .data import KIND_LABELS, REPEAT, EditionData, load_edition, responses_version
from .models import ResultsCache

DIMENSIONS = ("kind", "band", "region")
DIMENSION_LABELS = {
    "kind": "Type de collectivité",
    "band": "Taille (population)",
    "region": "Région",
}


def threshold() -> int:
    return settings.BAROMETER_RESULTS_THRESHOLD


def weigh(data: EditionData) -> WeightingResult:
    return compute_weights(
        data.respondents[["kind", "band", "region"]],
        data.frame,
        cells=("kind", "band"),
        margins=("kind", "region"),
        min_cell=settings.BAROMETER_RESULTS_MIN_CELL,
        trim_factor=float(settings.BAROMETER_RESULTS_TRIM_FACTOR),
    )


def repeats_of(data: EditionData, weighting: WeightingResult) -> dict[str, Any]:
    if data.schemes.empty:
        return {}
    return {REPEAT: (data.schemes, repeat_weighting(weighting, data.schemes))}


def sections_of(data: EditionData) -> list[dict[str, Any]]:
    """The questionnaire's pages, each with the names of the estimated questions it holds."""
    form = data.edition.form
    estimated = {spec.name for spec in data.specs}
    sections = []
    for page in form.pages:
        names = [
            element.name for element in iter_elements(page.children) if element.name in estimated
        ]
        if page.element.name in estimated and page.element.name not in names:
            names.insert(0, page.element.name)
        if names:
            label = form.text(page.label, "fr") or page.name
            sections.append({"name": page.name, "label": label, "questions": names})
    return sections


def _stratum_table(data: EditionData) -> list[dict[str, Any]]:
    frame_counts = data.frame.groupby(["kind", "band"]).size()
    respondent_counts = data.respondents.groupby(["kind", "band"]).size()
    rows = []
    for (kind, band), population in frame_counts.items():
        n = int(respondent_counts.get((kind, band), 0))
        rows.append(
            {
                "kind": kind,
                "kind_label": KIND_LABELS.get(kind, kind),
                "band": band,
                "population": int(population),
                "respondents": n,
                "rate": n / population if population else None,
                "rate_percent": format_percent(n / population) if population else "—",
            }
        )
    return rows


def methodology(data: EditionData, weighting: WeightingResult, weighted: bool) -> dict[str, Any]:
    summary = weighting.to_dict()
    for key in ("weights", "cell"):
        summary.pop(key, None)
    n_frame = len(data.frame)
    n = len(data.respondents)
    by_kind = []
    for kind, label in KIND_LABELS.items():
        population = int((data.frame["kind"] == kind).sum())
        if population:
            responded = int((data.respondents["kind"] == kind).sum())
            by_kind.append(
                {
                    "kind": kind,
                    "label": label,
                    "population": population,
                    "respondents": responded,
                    "rate": responded / population,
                    "rate_percent": format_percent(responded / population),
                }
            )
    return {
        "frame_year": data.edition.frame.year if data.edition.frame else None,
        "frame_vintage": data.edition.frame.vintage if data.edition.frame else None,
        "frame_size": n_frame,
        "respondents": n,
        "schemes": len(data.schemes),
        "response_rate": n / n_frame if n_frame else None,
        "response_rate_percent": format_percent(n / n_frame) if n_frame else "—",
        "by_kind": by_kind,
        "strata": _stratum_table(data),
        "weighted": weighted,
        "threshold": threshold(),
        "min_cell": settings.BAROMETER_RESULTS_MIN_CELL,
        "trim_factor": settings.BAROMETER_RESULTS_TRIM_FACTOR,
        "weighting": summary,
        "weights_min": float(weighting.weights.min()) if n else None,
        "weights_max": float(weighting.weights.max()) if n else None,
        "notes": list(data.notes),
        # For staff (methodology page): Kish, R-indicator, balance before and after weighting.
        "diagnostics": design_diagnostics(
            data.frame,
            data.respondents,
            weighting,
            labels=data.group_labels,
            member="territory_id",
        )
        if n
        else None,
    }


def _costs(data: EditionData, weighting: WeightingResult, weighted: bool) -> dict[str, Any] | None:
    budget = data.spec("fd_budget")
    if data.schemes.empty or budget is None:
        return None
    options = {
        "budget": budget,
        "effect": data.spec("fd_effet_decisions"),
        "weighted": weighted,
        "threshold": threshold(),
    }
    out = {"overall": cost_ranges(data.schemes, weighting, **options).to_dict()}
    if data.spec("fd_fonction") is not None:
        out["fd_fonction"] = cost_ranges(
            data.schemes,
            weighting,
            by="fd_fonction",
            by_question=data.spec("fd_fonction"),
            **options,
        ).to_dict()
    for stratum in ("kind", "band"):
        out[stratum] = cost_ranges(data.schemes, weighting, by=stratum, **options).to_dict()
    return out


def chart_of(estimate: QuestionEstimate, chart_id: str) -> Chart:
    return Chart(chart_for(estimate), estimate.label, chart_id)


def analyse(data: EditionData, *, weighted: bool = True, charts: bool = True) -> dict[str, Any]:
    """The whole JSON payload of an edition: estimates, cross-tabs, charts, tables, method."""
    weighting = weigh(data)
    analysis = analyse_edition(
        data.specs,
        data.answers,
        weighting,
        by=DIMENSIONS,
        repeats=repeats_of(data, weighting),
        weighted=weighted,
        threshold=threshold(),
        tests=True,
        group_labels=data.group_labels,
    )
    payload: dict[str, Any] = {
        "year": data.edition.year,
        "weighted": weighted,
        "analysis": analysis.to_dict(),
        "sections": sections_of(data),
        "methodology": methodology(data, weighting, weighted),
        "costs": _costs(data, weighting, weighted),
        "charts": {},
        "tables": {},
    }
    for name, estimate in analysis.estimates.items():
        payload["tables"][name] = data_table(estimate)
    if charts:
        names = list(analysis.estimates)
        svgs = render_many(chart_of(analysis.estimates[name], f"chart-{name}") for name in names)
        payload["charts"] = dict(zip(names, svgs, strict=True))
    return payload


def compute_results(*, edition: Edition, weighted: bool = True) -> ResultsCache:
    """Analyse the edition and store it; the question pages' cross-tab charts are then drawn
    by a background task (`tasks.warm_charts`), queued once this transaction commits."""
    from .tasks import queue_warm_charts

    version = responses_version(edition)
    started = time.perf_counter()
    data = load_edition(edition)
    payload = analyse(data, weighted=weighted)
    seconds = time.perf_counter() - started
    values = {
        "responses_version": version,
        "respondents": len(data.respondents),
        "payload": payload,
        "seconds": seconds,
        "computed_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            cache, _created = ResultsCache.objects.update_or_create(
                edition=edition, weighted=weighted, defaults=values
            )
    except IntegrityError:  # computed at the same time by the worker: theirs is as good
        cache = ResultsCache.objects.get(edition=edition, weighted=weighted)
    queue_warm_charts(edition.pk, weighted)
    return cache


def results_for(edition: Edition, *, weighted: bool = True) -> ResultsCache:
    """The cached results; computed now only if there are none yet.

    When responses changed since, the stale results are served (marked `stale`) while the
    background task recomputes them: rendering every chart takes seconds, a page must not.
    """
    from .tasks import refresh_results

    version = responses_version(edition)
    cache = ResultsCache.objects.filter(edition=edition, weighted=weighted).first()
    if cache is None:
        cache = compute_results(edition=edition, weighted=weighted)
    elif cache.responses_version != version:
        refresh_results.enqueue(edition.pk)  # the immediate backend (tests) computes it here
        cache.refresh_from_db()
    cache.stale = cache.responses_version != version
    return cache
