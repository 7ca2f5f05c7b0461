"""Staff review of harvests in the Wagtail admin: the report of each batch, and its undo."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.auth import permission_denied

from .harvest import rollback_batch
from .importing import ImportFileError
from .models import HarvestBatch

PERMISSION = "directory.change_harvestbatch"
PER_PAGE = 50
COUNT_LABELS = [
    ("created", _("créées")),
    ("updated", _("mises à jour")),
    ("unchanged", _("inchangées")),
    ("rejected", _("rejetées")),
    ("possible_duplicates", _("doublons possibles")),
    ("proposed", _("modifications proposées")),
    ("filtered", _("écartées")),
]


def _staff_only(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return permission_denied(request)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Tableau de bord")},
        {"url": reverse("directory_harvests:index"), "label": _("Moissonnages")},
        *items,
    ]


@_staff_only
def index(request):
    batches = [
        (
            batch,
            " · ".join(
                f"{label} : {batch.counts[key]}"
                for key, label in COUNT_LABELS
                if batch.counts.get(key)
            ),
        )
        for batch in HarvestBatch.objects.all()[:PER_PAGE]
    ]
    return TemplateResponse(
        request,
        "directory/admin/harvest_index.html",
        {
            "page_title": _("Moissonnages"),
            "header_title": _("Moissonnages"),
            "header_icon": "download",
            "breadcrumbs_items": _breadcrumbs(),
            "batches": batches,
        },
    )


@_staff_only
def detail(request, pk):
    batch = get_object_or_404(HarvestBatch, pk=pk)
    changed = [action for action in batch.actions if action["action"] != "unchanged"]
    return TemplateResponse(
        request,
        "directory/admin/harvest_detail.html",
        {
            "page_title": str(batch),
            "header_title": str(batch),
            "header_icon": "download",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": str(batch)}),
            "batch": batch,
            "counts": [(label, batch.counts.get(key, 0)) for key, label in COUNT_LABELS],
            "actions": changed,
        },
    )


@require_POST
@_staff_only
def rollback(request, pk):
    batch = get_object_or_404(HarvestBatch, pk=pk)
    try:
        rollback_batch(batch)
    except ImportFileError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Moissonnage annulé : la cartographie est revenue à son état d'avant.")
        )
    return redirect("directory_harvests:detail", pk=pk)
