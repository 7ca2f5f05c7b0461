"""Staff pages of the barometer in the Wagtail admin (registered in wagtail_hooks.py)."""

import csv
import json
import uuid
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from observatoire.accounts import audit
from observatoire.lib.formulas import neutralise_row
from observatoire.lib.xlsform import XLSFormError
from observatoire.territories.models import Territory
from observatoire.uploads import storage_error_message

from . import charts, tracking
from .access import issue_token, revoke_invitation
from .forms import StaffEntryForm, UploadForm, WaveForm
from .mail import personal_url
from .models import (
    Contact,
    Edition,
    Invitation,
    Message,
    PageSave,
    Questionnaire,
    Registration,
    Response,
    Wave,
)
from .services import (
    BarometerError,
    activate_questionnaire,
    confirm_registration,
    erase_contact,
    export_contact,
    export_questionnaire,
    import_contacts,
    import_questionnaire,
    lock_response,
    queue_wave,
    reject_registration,
    resolve_doubt,
    resume_wave,
    unlock_response,
)
from .survey import PageContext, page_blocks
from .tracking import STATUS_LABELS

UPLOAD_DIR = "barometer-uploads"


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("barometer.change_edition"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _render(request, template, title, context, *, edition=None, status=200):
    crumbs = [{"url": reverse("wagtailadmin_home"), "label": _("Tableau de bord")}]
    crumbs.append({"url": reverse("barometer_edition:index"), "label": _("Éditions du baromètre")})
    if edition is not None:
        crumbs.append(
            {
                "url": reverse("barometer_admin:dashboard", args=[edition.year]),
                "label": str(edition),
            }
        )
    crumbs.append({"url": "", "label": title})
    context = {
        "header_title": title,
        "page_title": title,
        "breadcrumbs_items": crumbs,
        "header_icon": "clipboard-list",
        "edition": edition,
        **context,
    }
    return render(request, template, context, status=status)


def _edition(year):
    return get_object_or_404(Edition.objects.select_related("questionnaire", "frame"), year=year)


# --- Dashboard ---------------------------------------------------------------------------------


@staff_required
def dashboard(request, year):
    edition = _edition(year)
    filters = {key: request.GET.get(key, "") for key in ("kind", "band", "region", "status")}
    summary = tracking.edition_summary(edition, {k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="barometre-{year}-territoires.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
        writer = csv.writer(response)
        writer.writerows(neutralise_row(row) for row in tracking.csv_rows(summary["rows"]))
        return response
    all_rows, _outside = tracking.territory_rows(edition)
    curve = summary["curve"]
    chart = (
        charts.line_chart([(p["day"].strftime("%d/%m"), p["total"]) for p in curve])
        if curve
        else None
    )
    paginator = Paginator(summary["rows"], 100)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "summary": summary,
        "chart": chart,
        "curve": curve,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "status_labels": STATUS_LABELS,
        "kinds": Territory.Kind.choices,
        "bands": sorted({row["band"] for row in all_rows}),
        "regions": sorted({row["region"] for row in all_rows}),
        "waves": edition.waves.all()[:5],
        "messages_in_doubt": edition.messages.filter(status=Message.Status.DOUBT).count(),
        "pending_registrations": edition.registrations.filter(
            status=Registration.Status.PENDING
        ).count(),
    }
    return _render(
        request,
        "barometer/admin/dashboard.html",
        _("Tableau de bord %(year)s") % {"year": year},
        context,
        edition=edition,
    )


# --- Questionnaire -----------------------------------------------------------------------------


@staff_required
def questionnaire(request, year):
    edition = _edition(year)
    form = UploadForm(request.POST or None, request.FILES or None, extensions=(".xlsx",))
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # The CSV files the form reads (select_one_from_file, pulldata), checked by the import.
        attachments = {item.name: item.read() for item in request.FILES.getlist("attachments")}
        try:
            imported = import_questionnaire(
                edition=edition,
                source=upload.read(),
                filename=upload.name,
                by=request.user,
                activate=False,
                attachments=attachments,
            )
        except XLSFormError as error:
            problems = error.errors
        except BarometerError as error:
            form.add_error("file", str(error))
        else:
            return redirect("barometer_admin:questionnaire-preview", year=year, pk=imported.pk)
    context = {
        "form": form,
        "problems": problems,
        "versions": edition.questionnaires.select_related("imported_by"),
        "responses": edition.responses.count(),
    }
    status = 400 if problems or form.errors else 200
    return _render(
        request,
        "barometer/admin/questionnaire.html",
        _("Questionnaire %(year)s") % {"year": year},
        context,
        edition=edition,
        status=status,
    )


def _structure(form, language="fr"):
    """The form as rows for the preview: indentation, type, label, conditions."""
    rows = []
    for element in form.elements():
        rows.append(
            {
                "depth": len(element.parents),
                "kind": element.kind,
                "name": element.name,
                "type": getattr(element, "type", element.kind),
                "label": form.text(element.label, language),
                "relevant": element.relevant or "",
                "required": getattr(element, "required", None) or "",
                "constraint": getattr(element, "constraint", None) or "",
                "calculation": getattr(element, "calculation", None) or "",
                "choices": len(getattr(element, "choices", []) or []),
                "appearance": element.appearance or "",
                "row": element.row,
            }
        )
    return rows


@staff_required
def questionnaire_preview(request, year, pk):
    edition = _edition(year)
    version = get_object_or_404(Questionnaire, pk=pk, edition=edition)
    if request.method == "POST":
        try:
            activate_questionnaire(questionnaire=version)
        except BarometerError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Ce questionnaire est désormais celui de l'édition %(year)s.") % {"year": year},
            )
            return redirect("barometer_admin:questionnaire", year=year)
    form = version.form
    evaluation_pages = [
        {
            "name": page.name,
            "label": form.text(page.label, "fr") or page.name,
            "questions": len([q for q in page.questions if q.is_input]),
        }
        for page in form.pages
    ]
    page_name = request.GET.get("page") or (form.pages[0].name if form.pages else "")
    blocks = []
    if page_name in {p.name for p in form.pages}:
        from observatoire.lib.xlsform import evaluate

        blocks = page_blocks(PageContext(form, {}, evaluate(form, {}), language="fr"), page_name)
    context = {
        "version": version,
        "form_model": form,
        "pages": evaluation_pages,
        "structure": _structure(form),
        "is_active": edition.questionnaire_id == version.pk,
        "preview_page": page_name,
        "blocks": blocks,
        "journey": {"read_only": True},
    }
    return _render(
        request,
        "barometer/admin/questionnaire_preview.html",
        _("Aperçu : %(title)s") % {"title": version},
        context,
        edition=edition,
    )


@staff_required
def questionnaire_export(request, year, pk=None):
    edition = _edition(year)
    if pk is not None:
        version = get_object_or_404(Questionnaire, pk=pk, edition=edition)
        data, name = bytes(version.source), version.source_name or f"barometre-{year}-{pk}.xlsx"
    else:
        try:
            data, name = export_questionnaire(edition=edition), f"barometre-{year}.xlsx"
        except BarometerError as error:
            raise Http404(str(error)) from None
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(Path(name).stem)}.xlsx"'
    return response


# --- Contacts ----------------------------------------------------------------------------------


def _upload_storage():
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / UPLOAD_DIR)


def _upload_key(key):
    if not key or not all(c in "0123456789abcdef-" for c in key):
        raise Http404("Bad upload key")
    return key


@staff_required
def contacts_import(request, year):
    """Upload, check (dry run, nothing written), then confirm the same file."""
    edition = _edition(year)
    form = UploadForm(request.POST or None, request.FILES or None, extensions=(".csv", ".xlsx"))
    report = key = None
    if request.method == "POST" and request.POST.get("confirm"):
        key = _upload_key(request.POST.get("key", ""))
        storage = _upload_storage()
        if not storage.exists(key):
            messages.error(
                request, _("Le fichier vérifié n'est plus disponible : déposez-le à nouveau.")
            )
            return redirect("barometer_admin:contacts", year=year)
        name = request.POST.get("filename", "contacts.csv")
        try:
            with storage.open(key) as source:
                report = import_contacts(
                    edition=edition, source=source, filename=name, dry_run=False
                )
        except BarometerError as error:
            messages.error(request, str(error))
            return redirect("barometer_admin:contacts", year=year)
        storage.delete(key)
        if report.ok:
            audit.record(
                edition,
                "observatoire.contacts.import",
                user=request.user,
                filename=name,
                summary=report.lines(),
            )
            messages.success(request, " ".join(report.lines()))
            return redirect("barometer_admin:contacts", year=year)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_contacts(
                edition=edition, source=upload.file, filename=upload.name, dry_run=True
            )
        except BarometerError as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                # Kept for the confirmation, which imports this very file.
                upload.seek(0)
                try:
                    key = _upload_storage().save(str(uuid.uuid4()), upload)
                except OSError as error:
                    form.add_error("file", storage_error_message(error))
                    report = key = None
    invitations = edition.invitations.select_related("contact", "territory").order_by(
        "territory__name"
    )
    paginator = Paginator(invitations, 50)
    context = {
        "form": form,
        "report": report,
        "key": key,
        "filename": report.filename if report else "",
        "invitations": paginator.get_page(request.GET.get("page")),
        "invitation_count": paginator.count,
    }
    status = 400 if (report and not report.ok) or form.errors else 200
    return _render(
        request,
        "barometer/admin/contacts.html",
        _("Contacts %(year)s") % {"year": year},
        context,
        edition=edition,
        status=status,
    )


@staff_required
def contact_export(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    data = json.dumps(export_contact(email=contact.email), ensure_ascii=False, indent=2)
    audit.record(
        contact, "observatoire.contact.export", user=request.user, title=f"Contact {contact.pk}"
    )
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


@staff_required
def contact_erase(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    if request.method == "POST":
        # Logged before erasing, and by number only: the log must not keep the person's name.
        audit.record(
            contact, "observatoire.contact.erase", user=request.user, title=f"Contact {contact.pk}"
        )
        summary = erase_contact(email=contact.email)
        messages.success(
            request,
            _(
                "Données de la personne effacées (%(invitations)d invitation(s) anonymisée(s), %(messages)d message(s) anonymisé(s)) ; les réponses de la collectivité sont conservées."
            )
            % summary,
        )
        return redirect("barometer_contact:index")
    return _render(
        request,
        "barometer/admin/contact_erase.html",
        _("Effacer %(contact)s") % {"contact": contact},
        {"contact": contact},
    )


# --- Campaign ----------------------------------------------------------------------------------


def _campaign_action(request, edition):
    """A stalled wave resumed, a message in doubt decided: staff's answers to a crash."""
    action = request.POST["action"]
    try:
        if action == "resume":
            wave = get_object_or_404(Wave, pk=request.POST.get("wave"), edition=edition)
            with transaction.atomic():
                resume_wave(wave=wave)
            messages.success(
                request,
                _("Vague n° %(pk)d reprise : le worker de tâches envoie les messages restants.")
                % {"pk": wave.pk},
            )
        elif action in ("doubt-sent", "doubt-resend"):
            message = get_object_or_404(Message, pk=request.POST.get("message"), edition=edition)
            resolve_doubt(message=message, delivered=action == "doubt-sent")
            text = (
                _("Message à %(email)s compté comme envoyé.")
                if action == "doubt-sent"
                else _("Message à %(email)s : la prochaine vague le renverra.")
            )
            messages.success(request, text % {"email": message.to_email})
    except BarometerError as error:
        messages.error(request, str(error))
    return redirect("barometer_admin:campaign", year=edition.year)


@staff_required
def campaign(request, year):
    edition = _edition(year)
    if request.method == "POST" and request.POST.get("action"):
        return _campaign_action(request, edition)
    form = WaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                wave = queue_wave(
                    edition=edition,
                    reminder=form.cleaned_data["kind"] == "reminder",
                    limit=form.cleaned_data["limit"],
                    by=request.user,
                )
                audit.record(
                    wave,
                    "observatoire.wave.queue",
                    user=request.user,
                    edition=edition.year,
                    kind=wave.kind,
                    limit=wave.limit,
                )
        except BarometerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Vague n° %(pk)d lancée : elle est envoyée par le worker de tâches (observatoire db_worker --backend background)."
                )
                % {"pk": wave.pk},
            )
            return redirect("barometer_admin:campaign", year=year)
    status_filter = request.GET.get("status", "")
    log = Message.objects.filter(edition=edition).select_related("invitation__territory")
    if status_filter in Message.Status.values:
        log = log.filter(status=status_filter)
    counts = {
        row["status"]: row["n"]
        for row in Message.objects.filter(edition=edition).values("status").annotate(n=Count("pk"))
    }
    waves = list(edition.waves.all()[:20])
    due = {
        "invitations": Invitation.objects.filter(edition=edition).due_for_invitation().count(),
        "reminders": Invitation.objects.due_for_reminder(edition).count(),
    }
    doubt = dict(
        Message.objects.filter(wave__in=waves, status=Message.Status.DOUBT)
        .values_list("wave")
        .annotate(n=Count("pk"))
    )
    for wave in waves:
        wave.doubt_count = doubt.get(wave.pk, 0)
    context = {
        "form": form,
        "waves": waves,
        "running": any(w.status in (Wave.Status.QUEUED, Wave.Status.RUNNING) for w in waves),
        "stalled_after": settings.BAROMETER_WAVE_STALLED_AFTER,
        "in_doubt": Message.objects.filter(edition=edition, status=Message.Status.DOUBT)
        .select_related("invitation__territory")
        .order_by("pk")[:100],
        "log": Paginator(log, 50).get_page(request.GET.get("page")),
        "counts": [
            (status, label, counts.get(status, 0)) for status, label in Message.Status.choices
        ],
        "status_filter": status_filter,
        "due": due,
    }
    return _render(
        request,
        "barometer/admin/campaign.html",
        _("Campagne %(year)s") % {"year": year},
        context,
        edition=edition,
    )


# --- Responses and territories -----------------------------------------------------------------


@staff_required
def territory(request, year, kind, code):
    edition = _edition(year)
    place = get_object_or_404(Territory, kind=kind, code=code)
    response = Response.objects.filter(edition=edition, territory=place).first()
    invitations = Invitation.objects.filter(edition=edition, territory=place).select_related(
        "contact"
    )
    new_links = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "lock" and response:
            lock_response(response=response, by=request.user)
            messages.success(request, _("Réponse verrouillée."))
        elif action == "unlock" and response:
            unlock_response(response=response, by=request.user)
            messages.success(request, _("Réponse déverrouillée."))
        elif action.startswith(("revoke:", "link:")):
            verb, _sep, pk = action.partition(":")
            invitation = get_object_or_404(invitations, pk=pk)
            if verb == "revoke":
                revoke_invitation(invitation=invitation)
                messages.success(request, _("Liens personnels révoqués."))
            else:
                new_links[invitation.pk] = personal_url(
                    issue_token(invitation=invitation), invitation.contact.language
                )
        if not new_links:
            return redirect("barometer_admin:territory", year=year, kind=kind, code=code)
        response = Response.objects.filter(edition=edition, territory=place).first()
    pages = []
    if response and edition.questionnaire_id:
        from observatoire.lib.xlsform import evaluate

        form = edition.form
        evaluation = evaluate(form, response.answers)
        context = PageContext(form, response.answers, evaluation, language="fr")
        pages = [
            {
                "label": form.text(form.page(name).label, "fr") or name,
                "blocks": page_blocks(context, name),
            }
            for name in evaluation.visible_pages
        ]
    saves = (
        PageSave.objects.filter(response=response).select_related("contact", "user")
        if response
        else []
    )
    context = {
        "place": place,
        "response": response,
        "invitations": invitations,
        "new_links": new_links,
        "saves": saves,
        "pages": pages,
        "phone_url": reverse(
            "barometer:staff", kwargs={"year": year, "kind": kind, "code": code, "channel": "phone"}
        ),
        "paper_url": reverse(
            "barometer:staff", kwargs={"year": year, "kind": kind, "code": code, "channel": "paper"}
        ),
    }
    return _render(request, "barometer/admin/territory.html", place.label, context, edition=edition)


@staff_required
def staff_entry(request, year):
    edition = _edition(year)
    form = StaffEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        place = form.cleaned_data["territory"]
        return redirect(
            "barometer:staff",
            year=year,
            kind=place.kind,
            code=place.code,
            channel=form.cleaned_data["channel"],
        )
    return _render(
        request,
        "barometer/admin/staff_entry.html",
        _("Saisir une réponse"),
        {"form": form},
        edition=edition,
    )


# --- Registrations -----------------------------------------------------------------------------


@staff_required
def registrations(request, year):
    edition = _edition(year)
    if request.method == "POST":
        registration = get_object_or_404(
            Registration, pk=request.POST.get("registration"), edition=edition
        )
        try:
            if request.POST.get("action") == "confirm":
                confirm_registration(registration=registration, by=request.user)
                messages.success(
                    request,
                    _("Inscription confirmée : le lien personnel a été envoyé à %(email)s.")
                    % {"email": registration.email},
                )
            else:
                reject_registration(registration=registration, by=request.user)
                messages.success(request, _("Inscription refusée."))
        except BarometerError as error:
            messages.error(request, str(error))
        return redirect("barometer_admin:registrations", year=year)
    items = edition.registrations.select_related("territory", "decided_by")
    context = {
        "pending": items.filter(status=Registration.Status.PENDING),
        "decided": items.exclude(status=Registration.Status.PENDING)[:50],
    }
    return _render(
        request,
        "barometer/admin/registrations.html",
        _("Inscriptions %(year)s") % {"year": year},
        context,
        edition=edition,
    )
