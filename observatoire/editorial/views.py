from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from taggit.models import Tag

from observatoire.ratelimit import count_hit

from . import services
from .forms import ContactForm, PublicationFilterForm, RegistrationForm, SearchForm, SubscribeForm
from .ics import calendar_bytes
from .models import (
    AboutPage,
    CommitteeMember,
    EventIndexPage,
    EventPage,
    Partner,
    PublicationIndexPage,
    PublicationPage,
    Registration,
    Resource,
    ResourceIndexPage,
    Subscriber,
    organization_json_ld,
)
from .search import site_search

PAGE_SIZE = 20
PARTNER_GROUPS = [
    (Partner.Kind.FINANCIAL, gettext_lazy("Partenaires financiers")),
    (Partner.Kind.OPERATIONAL, gettext_lazy("Partenaires opérationnels")),
]
TOO_MANY = gettext_lazy("Trop d'envois depuis votre connexion : réessayez dans une heure.")


def allow_post(request, scope: str) -> bool:
    """Count one post of a public form; False once over EDITORIAL_POSTS_PER_HOUR this hour."""
    count = count_hit(f"editorial:{scope}", request, window=3600)
    return count <= settings.EDITORIAL_POSTS_PER_HOUR


def _page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Publications ------------------------------------------------------------------------------


@require_GET
def publications(request, section=None):
    visible = PublicationPage.objects.visible().for_language()
    years = sorted({day.year for day in visible.dates("date", "year")}, reverse=True)
    tags = (
        Tag.objects.filter(editorial_publicationtag_items__content_object__in=visible)
        .distinct()
        .order_by("name")
    )
    form = PublicationFilterForm(request.GET or None, years=years, tags=tags)
    found = visible
    if form.is_bound and not form.is_valid():
        found = found.none()  # a stale link (unknown tag...): say so rather than list everything
    elif form.is_bound:
        if form.cleaned_data["kind"]:
            found = found.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["year"]:
            found = found.filter(date__year=form.cleaned_data["year"])
        if form.cleaned_data["tag"]:
            found = found.filter(tags__slug=form.cleaned_data["tag"])
    found = found.order_by("-date", "title").select_related("locale").prefetch_related("authors")
    context = {
        "page": section or PublicationIndexPage.for_active_language(),
        "form": form,
        "filtered": form.is_bound,
        "results": _page_of(request, found.distinct()),
        "query_string": _query_without_page(request),
        "subscribe_form": SubscribeForm(),
    }
    return render(request, "editorial/publication_index_page.html", context)


# --- Events ------------------------------------------------------------------------------------


@require_GET
def events(request, section=None):
    visible = EventPage.objects.visible().for_language().select_related("locale")
    context = {
        "page": section or EventIndexPage.for_active_language(),
        "upcoming": visible.upcoming(),
        "past": _page_of(request, visible.past()),
        "subscribe_form": SubscribeForm(),
    }
    return render(request, "editorial/event_index_page.html", context)


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def events_calendar(request):
    events = EventPage.objects.visible().for_language().on_calendar().order_by("start")
    name = _("Événements de l'Observatoire des civic tech")
    return _ics_response(calendar_bytes(events, name=name, request=request), "evenements.ics")


@require_GET
def event_calendar(request, slug):
    candidates = EventPage.objects.visible().on_calendar().filter(slug=slug)
    event = candidates.filter(locale__language_code=get_language()).first() or candidates.first()
    if event is None:
        raise Http404("No such event on the calendar")
    content = calendar_bytes([event], name=event.title, request=request)
    return _ics_response(content, f"{event.slug}.ics")


def _render_event(request, event, form, status=200):
    context = event.get_context(request)
    context["registration_form"] = form
    return TemplateResponse(request, event.get_template(request), context, status=status)


def register_for_event(request, event):
    """POST on an event page (EventPage.serve sends it here)."""
    form = RegistrationForm(request.POST)
    if not event.accepts_registrations:
        messages.error(request, _("Les inscriptions à cet événement sont closes."))
        return redirect(event.url)
    if not allow_post(request, "registration"):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return _render_event(request, event, form, status=429)
    if not form.is_valid():
        return _render_event(request, event, form)
    if not form.is_spam():
        registration = services.register_for_event(
            event=event,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            organisation=form.cleaned_data["organisation"],
            language=get_language(),
        )
        if registration.status == Registration.Status.WAITING:
            messages.success(
                request,
                _(
                    "L'événement est complet : vous êtes sur la liste d'attente (rang %(position)s). "
                    "Nous vous écrivons si une place se libère."
                )
                % {"position": registration.waiting_position()},
            )
            return redirect(event.url + "#inscription")
    messages.success(
        request,
        _(
            "Votre inscription est enregistrée. Un e-mail de confirmation, avec le lien d'annulation, vient de partir."
        ),
    )
    return redirect(event.url + "#inscription")


@require_http_methods(["GET", "POST"])
def registration(request, token):
    """A registrant's own page, reached from the e-mail: status and a button to cancel."""
    found = Registration.from_token(token)
    if found is None:
        raise Http404("Unknown registration link")
    if request.method == "POST":
        was_active = found.status != Registration.Status.CANCELLED
        services.cancel_registration(registration=found)
        if was_active:
            messages.success(
                request, _("Votre inscription est annulée. Merci de nous avoir prévenus.")
            )
        return redirect(request.path)
    return render(
        request, "editorial/registration.html", {"registration": found, "event": found.event}
    )


# --- Resources and about -----------------------------------------------------------------------


@require_GET
def resources(request, section=None):
    groups = []
    everything = Resource.objects.order_by("sort_order", "title")
    for value, label in Resource.Category.choices:
        items = [resource for resource in everything if resource.category == value]
        if items:
            groups.append({"key": value, "label": label, "resources": items})
    context = {"page": section or ResourceIndexPage.for_active_language(), "groups": groups}
    return render(request, "editorial/resource_index_page.html", context)


@require_http_methods(["GET", "POST"])
def about(request, section=None):
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not allow_post(request, "contact"):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            mailed = True  # a robot is told it worked
            if not form.is_spam():
                _record, mailed = services.receive_contact_message(
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    subject=form.cleaned_data["subject"],
                    message=form.cleaned_data["message"],
                    language=get_language(),
                )
            if mailed:
                messages.success(request, _("Merci, votre message est bien parvenu à l'équipe."))
            else:
                messages.warning(
                    request,
                    _(
                        "Votre message est enregistré, mais l'e-mail qui prévient l'équipe n'a "
                        "pas pu partir : elle le lira dans son espace d'administration, avec "
                        "du retard. Pour une demande urgente, écrivez-lui directement."
                    ),
                )
            return redirect(request.path + "#contact")
    partners = list(Partner.objects.filter(is_active=True).select_related("logo"))
    organization = {
        "@context": "https://schema.org",
        **organization_json_ld(request),
        "foundingDate": "2018-09",
        "sponsor": [
            partner.json_ld() for partner in partners if partner.kind == Partner.Kind.FINANCIAL
        ],
    }
    context = {
        "page": section or AboutPage.for_active_language(),
        "committee": CommitteeMember.objects.filter(is_active=True).select_related("partner"),
        "partner_groups": [
            (label, [partner for partner in partners if partner.kind == kind])
            for kind, label in PARTNER_GROUPS
        ],
        "organization_json_ld": organization,
        "form": form,
    }
    return render(request, "editorial/about_page.html", context, status=status)


# --- Newsletter --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def newsletter(request):
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not allow_post(request, "newsletter"):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            if not form.is_spam():
                services.subscribe_to_newsletter(
                    email=form.cleaned_data["email"], language=get_language()
                )
            messages.success(
                request,
                _(
                    "C'est presque fini : ouvrez l'e-mail que nous venons d'envoyer et cliquez sur "
                    "le lien pour confirmer votre inscription."
                ),
            )
            return redirect("editorial:newsletter")
    return render(request, "editorial/newsletter.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def newsletter_confirm(request, token):
    """Second step of the double opt-in. GET only shows a button: mail scanners that open links
    must not subscribe anyone."""
    subscriber = Subscriber.from_confirm_token(token)
    if request.method == "POST" and subscriber is not None:
        services.confirm_subscription(subscriber=subscriber)
        messages.success(
            request, _("Inscription confirmée : vous recevrez la lettre de l'Observatoire.")
        )
        return redirect("editorial:newsletter")
    status = 200 if subscriber else 400
    return render(
        request, "editorial/newsletter_confirm.html", {"subscriber": subscriber}, status=status
    )


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" without a form
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request, token):
    subscriber = Subscriber.from_unsubscribe_token(token)
    if subscriber is None:
        return render(
            request, "editorial/newsletter_unsubscribe.html", {"subscriber": None}, status=400
        )
    if request.method == "POST":
        services.unsubscribe(subscriber=subscriber)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=204)
    return render(request, "editorial/newsletter_unsubscribe.html", {"subscriber": subscriber})


# --- Search ------------------------------------------------------------------------------------


@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    only = request.GET.get("type", "")
    sections = site_search(query, only=only, limit=100 if only else 20) if query else []
    context = {
        "form": form,
        "query": query,
        "only": only,
        "sections": sections,
        "total": sum(section.total for section in sections),
    }
    return render(request, "editorial/search.html", context)
