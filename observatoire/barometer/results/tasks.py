"""Background task: recompute an edition's results after its responses changed."""

from django_tasks import task

from observatoire.barometer.models import Edition

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
                done.append(weighted)
    return {"edition": edition_id, "recomputed": done}
