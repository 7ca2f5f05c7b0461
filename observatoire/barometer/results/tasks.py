"""Background tasks: recompute an edition's results after its responses changed, then draw
the charts its question pages will need."""

from django.db import transaction
from django_tasks import task

from observatoire.barometer.models import Edition

from . import charts
from .compute import compute_results
from .data import responses_version
from .models import ResultsCache


@task(backend="background")
def refresh_results(edition_id: int) -> dict:
    edition = Edition.objects.select_related("frame", "questionnaire").get(pk=edition_id)
    if edition.frame_id is None or edition.questionnaire_id is None:
        return {"edition": edition_id, "skipped": "no frame or questionnaire"}
    version = responses_version(edition)
    done = []
    # Only the analyses someone has looked at are kept warm (the unweighted one is staff's).
    for weighted in (True, False):
        cache = ResultsCache.objects.filter(edition=edition, weighted=weighted).first()
        if weighted or cache is not None:
            if cache is None or cache.responses_version != version:
                compute_results(edition=edition, weighted=weighted)
                done.append(weighted)  # compute_results queues tasks.warm_charts
    pruned = charts.prune()
    return {"edition": edition_id, "recomputed": done, "charts_pruned": pruned}


def queue_warm_charts(edition_id: int, weighted: bool) -> None:
    """After the commit, as a task of its own: the results are served meanwhile."""
    transaction.on_commit(lambda: warm_charts.enqueue(edition_id, weighted))


@task(backend="background")
def warm_charts(edition_id: int, weighted: bool = True) -> dict:
    """Render every question's cross-tabs (by type, band, région) into the render cache, so
    that the first visit of a question page renders nothing (a cross-tab takes 0.5-1.7 s)."""
    from .presentation import warm_crossings

    cache = ResultsCache.objects.filter(edition_id=edition_id, weighted=weighted).first()
    if cache is None:
        return {"edition": edition_id, "skipped": "no results"}
    return {"edition": edition_id, "weighted": weighted, "charts": warm_crossings(cache.payload)}


def queue_benchmark_charts(edition_id: int, respondent: int) -> None:
    transaction.on_commit(lambda: render_benchmark.enqueue(edition_id, respondent))


@task(backend="background")
def render_benchmark(edition_id: int, respondent: int) -> dict:
    """Render the peer benchmark's charts a first visit had no time for (benchmark.py)."""
    from .benchmark import comparison_of

    edition = Edition.objects.select_related("frame", "questionnaire").get(pk=edition_id)
    comparison = comparison_of(edition, respondent)
    if comparison is None:
        return {"edition": edition_id, "skipped": "not in the frame"}
    specs = [row["chart"][0] for row in comparison["rows"] if row["chart"]]
    charts.raw_svgs(specs)
    return {"edition": edition_id, "charts": len(specs)}
