"""Staff page of the results in the Wagtail admin: their state, and a button to recompute."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.barometer.admin_views import _render
from observatoire.barometer.models import Edition

from .status import results_status


def _edition_for_staff(request, year) -> Edition:
    if not request.user.has_perm("barometer.change_edition"):
        raise PermissionDenied
    return get_object_or_404(Edition.objects.select_related("frame", "questionnaire"), year=year)


def status(request, year):
    edition = _edition_for_staff(request, year)
    context = {
        "status": results_status(edition),
        "ready": edition.frame_id is not None and edition.questionnaire_id is not None,
    }
    return _render(
        request,
        "barometer/results/admin/status.html",
        _("Résultats %(year)s") % {"year": edition.year},
        context,
        edition=edition,
    )


@require_POST
def refresh(request, year):
    from .tasks import refresh_results

    edition = _edition_for_staff(request, year)
    if edition.frame_id is None or edition.questionnaire_id is None:
        messages.error(request, _("Pas de base de sondage ou de questionnaire : rien à calculer."))
    else:
        refresh_results.enqueue(edition.pk)
        messages.success(
            request,
            _("Le calcul des résultats est en file : le travailleur de tâches s'en charge."),
        )
    return redirect("barometer_results_admin:status", year=edition.year)
