"""Background tasks, run by `observatoire db_worker --backend background` (django-tasks' database-backed queue)."""

from django.utils import timezone
from django_tasks import task

from .models import Wave
from .services import BarometerError, send_invitation_wave


@task(backend="background")
def run_wave(wave_id: int) -> dict:
    """Send one wave of invitations or reminders created by `services.queue_wave`."""
    wave = Wave.objects.select_related("edition").get(pk=wave_id)
    if wave.status != Wave.Status.QUEUED:
        return {"wave": wave_id, "skipped": wave.status}
    try:
        wave = send_invitation_wave(
            edition=wave.edition,
            reminder=wave.kind == Wave.Kind.REMINDER,
            limit=wave.limit,
            wave=wave,
        )
    except BarometerError as error:
        # Refused before sending anything (the edition closed meanwhile...): say why.
        Wave.objects.filter(pk=wave_id).update(
            status=Wave.Status.FAILED, error=str(error), finished_at=timezone.now()
        )
        return {"wave": wave_id, "error": str(error)}
    return {"wave": wave_id, "sent": wave.sent, "failed": wave.failed}
