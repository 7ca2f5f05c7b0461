"""Where the results of an edition stand, for staff: cached analyses and background jobs.

Computing an edition's results, drawing its charts and a respondent's peer benchmark run as
background tasks (tasks.py, run by `observatoire db_worker --backend background`); this reads
their state from the task queue's table so the admin can say "à jour", "en file", "en cours"
or "échec" without a console.
"""

from typing import Any

from django_tasks_db.models import DBTaskResult

from observatoire.barometer.models import Edition

from .data import responses_version
from .models import ResultsCache

TASKS = "observatoire.barometer.results.tasks."
TASK_LABELS = {
    "refresh_results": "Calcul des résultats",
    "warm_charts": "Graphiques des croisements",
    "render_benchmark": "Comparaison d'un répondant",
}
STATUS_LABELS = {
    "READY": "en file",
    "RUNNING": "en cours",
    "SUCCESSFUL": "terminé",
    "FAILED": "échec",
}
RECENT = 200  # task rows read; an edition's own are a handful of them


def _edition_of(task: DBTaskResult) -> int | None:
    args = (task.args_kwargs or {}).get("args") or []
    kwargs = (task.args_kwargs or {}).get("kwargs") or {}
    value = args[0] if args else kwargs.get("edition_id")
    return value if isinstance(value, int) else None


def edition_tasks(edition: Edition, *, limit: int = 10) -> list[dict[str, Any]]:
    """The latest background jobs of this edition's results, newest first."""
    rows = DBTaskResult.objects.filter(task_path__startswith=TASKS).order_by("-enqueued_at")
    out = []
    for task in rows[:RECENT]:
        if _edition_of(task) != edition.pk:
            continue
        name = task.task_path.removeprefix(TASKS)
        seconds = (
            (task.finished_at - task.started_at).total_seconds()
            if task.finished_at and task.started_at
            else None
        )
        out.append(
            {
                "label": TASK_LABELS.get(name, name),
                "status": task.status,
                "status_label": STATUS_LABELS.get(task.status, task.status.lower()),
                "enqueued_at": task.enqueued_at,
                "started_at": task.started_at,
                "finished_at": task.finished_at,
                "seconds": seconds,
                "error": task.exception_class_path.rsplit(".", 1)[-1]
                if task.status == "FAILED"
                else "",
            }
        )
        if len(out) >= limit:
            break
    return out


def results_status(edition: Edition) -> dict[str, Any]:
    """The cached analyses (weighted, unweighted) against the current responses, and the jobs."""
    current = responses_version(edition)
    analyses = []
    for cache in ResultsCache.objects.filter(edition=edition).order_by("-weighted"):
        analyses.append(
            {
                "weighted": cache.weighted,
                "computed_at": cache.computed_at,
                "seconds": cache.seconds,
                "respondents": cache.respondents,
                "up_to_date": cache.responses_version == current,
            }
        )
    tasks = edition_tasks(edition)
    return {
        "analyses": analyses,
        "tasks": tasks,
        "busy": any(task["status"] in ("READY", "RUNNING") for task in tasks),
    }
