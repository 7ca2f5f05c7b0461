"""Background tasks, run by `observatoire db_worker --backend background` (django-tasks' database-backed queue)."""

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from .models import Wave
from .services import BarometerError, resume_stalled_waves, send_wave


@task(backend="background", takes_context=True)
def run_wave(context, wave_id: int) -> dict:
    """Send one wave of invitations or reminders created by `services.queue_wave`, or resume it."""
    wave = Wave.objects.select_related("edition").get(pk=wave_id)
    try:
        wave = send_wave(wave=wave, task_id=str(context.task_result.id))
    except BarometerError as error:
        # Refused before sending anything (the edition closed meanwhile...): the wave says why.
        return {"wave": wave_id, "error": str(error)}
    return {"wave": wave_id, "status": wave.status, "sent": wave.sent, "failed": wave.failed}


@task(backend="background", takes_context=True)
def watch_waves(context) -> dict:
    """While a wave is unfinished, every BAROMETER_WAVE_STALLED_AFTER seconds: resume the waves
    whose worker stopped beating. It waits in the queue, so a restarted worker runs it."""
    if Wave.objects.filter(status__in=[Wave.Status.QUEUED, Wave.Status.RUNNING]).exists():
        schedule_watch()
    return {"resumed": resume_stalled_waves(task_id=str(context.task_result.id))}


def schedule_watch() -> None:
    """Put the next watch in the queue, unless one is waiting already."""
    backend = watch_waves.get_backend()
    if not backend.supports_defer:
        return  # the immediate backend of the tests: nothing to watch over
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=watch_waves.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return
    delay = timezone.timedelta(seconds=settings.BAROMETER_WAVE_STALLED_AFTER)
    watch_waves.using(run_after=timezone.now() + delay).enqueue()
