"""Staff: list the frozen releases and cut a new one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatoire.barometer.models import Edition

from .models import Release
from .releases import ReleaseError, cut_release

VIEW = "api.view_release"
ADD = "api.add_release"
# Who may freeze which data: the team that owns it.
CUT = {
    Release.Kind.CARTOGRAPHY: (ADD, "directory.change_organisation"),
    Release.Kind.EDITION: (ADD, "barometer.change_edition"),
}


def release_list(request):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    user = request.user
    context = {
        "releases": Release.objects.select_related("edition"),
        "can_cut_cartography": user.has_perms(CUT[Release.Kind.CARTOGRAPHY]),
        "editions": Edition.objects.filter(status=Edition.Status.PUBLISHED).order_by("-year")
        if user.has_perms(CUT[Release.Kind.EDITION])
        else [],
    }
    return TemplateResponse(request, "api/admin/releases.html", context)


@require_POST
def cut(request, kind):
    if kind not in CUT:
        raise PermissionDenied
    if not request.user.has_perms(CUT[kind]):
        raise PermissionDenied
    edition = None
    if kind == Release.Kind.EDITION:
        edition = get_object_or_404(Edition, year=request.POST.get("year") or 0)
    try:
        release = cut_release(kind=kind, edition=edition, by=request.user)
    except ReleaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Version publiée : %(title)s.") % {"title": release.title})
    return redirect("releases_admin:list")


admin_urls = (
    [
        path("", release_list, name="list"),
        path("publier/<str:kind>/", cut, name="cut"),
    ],
    "releases_admin",
)
