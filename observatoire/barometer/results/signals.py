"""Recompute the results when responses change, without touching the collection's code.

The collection engineer's services write answers with `QuerySet.update()` (optimistic
locking), which sends no post_save for Response; every such write also creates a PageSave,
so both are listened to. The task runs after the transaction commits.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _queue(edition_id: int) -> None:
    from .tasks import refresh_results

    transaction.on_commit(lambda: refresh_results.enqueue(edition_id))


def response_saved(sender, instance, **kwargs):
    if instance.status == instance.Status.SUBMITTED:
        _queue(instance.edition_id)


def page_saved(sender, instance, **kwargs):
    if kwargs.get("created"):
        from observatoire.barometer.models import Response

        row = (
            Response.objects.filter(pk=instance.response_id).values("edition_id", "status").first()
        )
        if row and row["status"] == Response.Status.SUBMITTED:
            _queue(row["edition_id"])


def invalidate(edition_id: int) -> None:
    """Mark the edition's cached results stale and queue their recomputation.

    For what the responses' fingerprint does not cover (an edited recoding, a question link, the
    editorial introduction): the stale cache is still served until the task has run.
    """
    from .models import ResultsCache

    ResultsCache.objects.filter(edition_id=edition_id).update(responses_version="")
    _queue(edition_id)


def table_changed(sender, instance, **kwargs):
    invalidate(instance.edition_id)


def connect() -> None:
    from observatoire.barometer.models import PageSave, Response

    from .models import EditionReport, QuestionLink, Recode

    post_save.connect(response_saved, sender=Response, dispatch_uid="results-response-saved")
    post_save.connect(page_saved, sender=PageSave, dispatch_uid="results-page-saved")
    for model in (Recode, QuestionLink, EditionReport):
        uid = f"results-{model._meta.model_name}"
        post_save.connect(table_changed, sender=model, dispatch_uid=f"{uid}-saved")
        post_delete.connect(table_changed, sender=model, dispatch_uid=f"{uid}-deleted")
