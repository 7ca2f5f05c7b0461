"""Staff moderation of public contributions, inside the Wagtail admin."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.auth import permission_denied

from .models import Contribution
from .schema import LIST_SEPARATOR, spec_by_name
from .services import ContributionError, approve_contribution, reject_contribution

PERMISSION = "directory.change_contribution"
PER_PAGE = 50


def _moderator_only(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return permission_denied(request)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Tableau de bord")},
        {"url": reverse("directory_contributions:index"), "label": _("Contributions")},
        *items,
    ]


@_moderator_only
def index(request):
    status = request.GET.get("status", Contribution.Status.PENDING)
    if status not in Contribution.Status.values:
        status = Contribution.Status.PENDING
    contributions = (
        Contribution.objects.filter(status=status)
        .select_related("target_content_type", "decided_by")
        .order_by("created_at" if status == Contribution.Status.PENDING else "-decided_at")
    )
    return TemplateResponse(
        request,
        "directory/admin/contribution_index.html",
        {
            "page_title": _("Contributions à modérer"),
            "header_title": _("Contributions"),
            "header_icon": "mail",
            "breadcrumbs_items": _breadcrumbs(),
            "contributions": contributions[:PER_PAGE],
            "total": contributions.count(),
            "status": status,
            "statuses": Contribution.Status.choices,
        },
    )


def _edit_rows(contribution):
    """One editable row per proposed field, with the value written as the moderator types it."""
    specs = spec_by_name(contribution.entity)
    current = {name: (old, new) for name, _label, old, new in contribution.changes()}
    rows = []
    for name, value in contribution.data.items():
        spec = specs.get(name)
        text = LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list) else str(value or "")
        rows.append(
            {
                "name": name,
                "label": spec.label if spec else name,
                "value": text,
                "current": current.get(name, ("", ""))[0],
                "is_list": bool(spec and spec.is_list),
                "changed": name in current,
            }
        )
    return rows


def _render_detail(request, contribution, errors=None, status=200):
    finder = AdminURLFinder(request.user)
    duplicates = [
        {"duplicate": duplicate, "edit_url": finder.get_edit_url(duplicate.entry)}
        for duplicate in (contribution.likely_duplicates() if contribution.is_pending else [])
    ]
    target = contribution.target_entry
    return TemplateResponse(
        request,
        "directory/admin/contribution_detail.html",
        {
            "page_title": str(contribution),
            "header_title": str(contribution),
            "header_icon": "mail",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": str(contribution)}),
            "contribution": contribution,
            "rows": _edit_rows(contribution),
            "duplicates": duplicates,
            "target": target,
            "target_edit_url": finder.get_edit_url(target) if target else None,
            "errors": errors or {},
        },
        status=status,
    )


@_moderator_only
def detail(request, pk):
    contribution = get_object_or_404(Contribution, pk=pk)
    return _render_detail(request, contribution)


@require_POST
@_moderator_only
def approve(request, pk):
    contribution = get_object_or_404(Contribution, pk=pk)
    specs = spec_by_name(contribution.entity)
    edits = {}
    for row in _edit_rows(contribution):
        key = f"field-{row['name']}"
        if key not in request.POST:
            continue
        text = request.POST[key].strip()
        if text == row["value"]:
            continue
        spec = specs.get(row["name"])
        if spec and spec.is_list:
            edits[row["name"]] = [
                item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()
            ]
        else:
            edits[row["name"]] = text
    try:
        entry = approve_contribution(contribution=contribution, by=request.user, edits=edits)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        messages.error(
            request, _("La contribution n'a pas pu être appliquée : corrigez les champs signalés.")
        )
        return _render_detail(request, contribution, errors=errors, status=422)
    except ContributionError as error:
        messages.error(request, str(error))
        return redirect("directory_contributions:detail", pk=pk)
    messages.success(
        request, _("Contribution acceptée : « %(entry)s » est à jour.") % {"entry": entry}
    )
    return redirect("directory_contributions:index")


@require_POST
@_moderator_only
def reject(request, pk):
    contribution = get_object_or_404(Contribution, pk=pk)
    try:
        reject_contribution(
            contribution=contribution, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _render_detail(request, contribution, errors=error.message_dict, status=422)
    except ContributionError as error:
        messages.error(request, str(error))
        return redirect("directory_contributions:detail", pk=pk)
    messages.success(request, _("Contribution refusée."))
    return redirect("directory_contributions:index")
