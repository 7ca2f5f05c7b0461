"""Public pages of the barometer: the editions, the respondent's journey, unsubscribing.

Survey pages live under a personal link, /barometre/repondre/<token>/; staff enter answers on
a territory's behalf through the same pages under /barometre/saisie/ (see `_staff_journey`).
"""

import json
import re
from dataclasses import dataclass, field
from functools import partial, wraps
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from observatoire.accounts import permissions
from observatoire.badinput import reports_nul_characters
from observatoire.lib.xlsform import Form, evaluate, validate
from observatoire.ratelimit import client_hash
from observatoire.territories.models import Territory

from . import answer_files, survey
from .access import RateLimited, TokenProblem, open_token_for
from .answer_files import AnswerFiles
from .forms import RegistrationForm
from .mail import contact_from_unsubscribe_token
from .models import Contact, Edition, PageSave, Response, ResponseFile
from .services import (
    Actor,
    BarometerError,
    InvalidAnswers,
    ResponseClosed,
    VersionConflict,
    register,
    save_page,
    start_response,
    submit_response,
)
from .services import (
    unsubscribe as unsubscribe_contact,
)


def survey_page(view, referrer_policy="no-referrer"):
    """Headers of every survey page, and the pages shown when a link does not open."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except RateLimited:
            response = render(
                request, "barometer/respond/link_problem.html", {"reason": "rate"}, status=429
            )
            response["Retry-After"] = "900"
        except TokenProblem as problem:
            status = {"unknown": 404, "revoked": 403, "closed": 410}[problem.reason]
            context = {"reason": problem.reason, "invitation": problem.invitation}
            response = render(
                request, "barometer/respond/link_problem.html", context, status=status
            )
        response["Referrer-Policy"] = referrer_policy
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    # The survey pages report a NUL character at the field, keeping the person's answers.
    return reports_nul_characters(never_cache(wrapper))


def token_page(view):
    """A page under a personal link: no referrer, no cache, and no CSRF cookie check.

    With `Referrer-Policy: no-referrer` browsers post forms with `Origin: null`, which
    Django's CSRF check refuses. These forms need no CSRF token: their URL carries the
    personal token, a 256-bit secret a forging site cannot know, which is what a CSRF token
    provides (https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html).
    """
    return csrf_exempt(survey_page(view))


def index(request):
    editions = list(Edition.objects.public().select_related("questionnaire"))
    context = {
        "editions": editions,
        "published_count": sum(e.status == Edition.Status.PUBLISHED for e in editions),
        "can_see_results": permissions.can(request.user, permissions.SEE_UNPUBLISHED_RESULTS),
    }
    return render(request, "barometer/index.html", context)


# --- The journey ------------------------------------------------------------------------------


@dataclass
class Journey:
    """One response seen by one actor, and how to build the URLs of its pages."""

    response: Response
    actor: Actor
    prefix: str
    kwargs: dict[str, Any]
    contact: Contact | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def edition(self) -> Edition:
        return self.response.edition

    @property
    def form(self) -> Form:
        return self.response.edition.form

    @property
    def is_staff(self) -> bool:
        return self.actor.is_staff

    @property
    def read_only(self) -> bool:
        if self.is_staff:
            return False
        return self.response.is_locked or not self.edition.accepts_answers()

    def url(self, name: str = "", **extra) -> str:
        view = f"barometer:{self.prefix}-{name}" if name else f"barometer:{self.prefix}"
        return reverse(view, kwargs={**self.kwargs, **extra})

    def page_url(self, page: str) -> str:
        return self.url("page", page=page)


def _get_invitation_for_token(request, token):
    """The access a personal link gives, or TokenProblem / RateLimited (unknown links only)."""
    return open_token_for(client_hash(request), token)


def _token_journey(request, token) -> Journey:
    access = _get_invitation_for_token(request, token)
    if access.edition.questionnaire_id is None:
        raise TokenProblem("closed", access.invitation)
    response = start_response(edition=access.edition, territory=access.territory)
    response.edition = access.edition
    response.territory = access.territory
    return Journey(
        response=response,
        actor=Actor(contact=access.contact),
        prefix="respond",
        kwargs={"token": token},
        contact=access.contact,
    )


def _staff_journey(request, year, kind, code, channel) -> Journey:
    if channel not in (PageSave.Channel.PHONE, PageSave.Channel.PAPER):
        raise Http404("Unknown channel")
    edition = get_object_or_404(Edition.objects.select_related("questionnaire"), year=year)
    if edition.questionnaire_id is None:
        raise Http404("No questionnaire")
    territory = get_object_or_404(Territory, kind=kind, code=code)
    response = start_response(edition=edition, territory=territory)
    response.edition, response.territory = edition, territory
    return Journey(
        response=response,
        actor=Actor(user=request.user, channel=channel),
        prefix="staff",
        kwargs={"year": year, "kind": kind, "code": code, "channel": channel},
    )


def _language(journey: Journey) -> str:
    return get_language() or "fr"


def _visible_pages(journey: Journey, evaluation) -> list[tuple[str, str]]:
    form = journey.form
    language = _language(journey)
    return [
        (name, form.text(form.page(name).label, language) or name)
        for name in evaluation.visible_pages
    ]


def _progress(pages, current: str | None) -> dict[str, Any]:
    names = [name for name, _label in pages]
    total = len(names) + 1  # the summary is the last step
    number = names.index(current) + 1 if current in names else total
    return {"number": number, "total": total, "percent": round(100 * number / total)}


def _context(journey: Journey, **extra) -> dict[str, Any]:
    return {
        "journey": journey,
        "response": journey.response,
        "edition": journey.edition,
        "territory": journey.response.territory,
        "form_title": journey.form.title,
        "start_url": journey.url(),
        "summary_url": journey.url("summary"),
        **extra,
    }


@token_page
def respond(request, token):
    return _start(request, _token_journey(request, token))


@token_page
def respond_page(request, token, page):
    return _page(request, _token_journey(request, token), page)


@token_page
def respond_summary(request, token):
    return _summary(request, _token_journey(request, token))


@token_page
def respond_saved(request, token):
    return _saved(request, _token_journey(request, token))


@token_page
def respond_done(request, token):
    return _done(request, _token_journey(request, token))


@token_page
def respond_file(request, token, file_id):
    return _file(request, _token_journey(request, token), file_id)


def _staff(view):
    # Staff pages carry no secret in their URL: they keep CSRF protection, hence a referrer
    # policy under which browsers send the Origin header Django checks.
    @permissions.permission_required(permissions.ENTER_RESPONSES)
    @partial(survey_page, referrer_policy="same-origin")
    @wraps(view)
    def wrapper(request, year, kind, code, channel, **kwargs):
        return view(request, _staff_journey(request, year, kind, code, channel), **kwargs)

    return wrapper


staff = _staff(lambda request, journey: _start(request, journey))
staff_page = _staff(lambda request, journey, page: _page(request, journey, page))
staff_summary = _staff(lambda request, journey: _summary(request, journey))
staff_saved = _staff(lambda request, journey: _saved(request, journey))
staff_done = _staff(lambda request, journey: _done(request, journey))
staff_file = _staff(lambda request, journey, file_id: _file(request, journey, file_id))


@require_http_methods(["GET"])
def _file(request, journey: Journey, file_id: int):
    """A file answered by this response, to its own respondent or to staff: never to anyone
    else, never shown inline (an uploaded page or SVG could then run in our origin)."""
    stored = get_object_or_404(ResponseFile, pk=file_id, response=journey.response)
    try:
        handle = stored.file.open("rb")
    except OSError:
        raise Http404("File missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=stored.name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _start(request, journey: Journey):
    form = journey.form
    evaluation = evaluate(form, journey.response.answers)
    pages = _visible_pages(journey, evaluation)
    saved_pages = set(journey.response.saves.values_list("page", flat=True))
    resume = (
        journey.response.current_page
        if journey.response.current_page in evaluation.visible_pages
        else None
    )
    first = pages[0][0] if pages else None
    context = _context(
        journey,
        pages=[(name, label, name in saved_pages, journey.page_url(name)) for name, label in pages],
        resume_url=journey.page_url(resume or first) if pages else journey.url("summary"),
        resuming=bool(resume),
    )
    return render(request, "barometer/respond/start.html", context)


def _page_state(journey: Journey, page: str, errors=None, answers=None):
    form = journey.form
    answers = journey.response.answers if answers is None else answers
    evaluation = evaluate(form, answers)
    language = _language(journey)
    context = survey.PageContext(form, answers, evaluation, errors=errors, language=language)
    blocks = survey.page_blocks(context, page)
    return evaluation, blocks


def _render_page(
    request, journey: Journey, page: str, *, errors=None, answers=None, status=200, **extra
):
    form = journey.form
    answers = journey.response.answers if answers is None else answers
    evaluation, blocks = _page_state(journey, page, errors, answers)
    pages = _visible_pages(journey, evaluation)
    names = survey.page_names(form, page)
    shown = survey.shown_keys(blocks)
    error_list = [
        (key, message, survey.html_id(key))
        for key, message in (errors or {}).items()
        if key in shown or key in names
    ]
    label = form.text(form.page(page).label, _language(journey)) or page
    page_fields = survey.fields(blocks)
    stored_files = {
        stored.key: stored.pk
        for stored in ResponseFile.objects.filter(response_id=journey.response.pk).order_by("pk")
    }
    for page_field in page_fields:
        if page_field.widget == "file" and page_field.key in stored_files:
            page_field.file_url = journey.url("file", file_id=stored_files[page_field.key])
    context = _context(
        journey,
        has_files=any(page_field.widget == "file" for page_field in page_fields),
        has_filters=any(page_field.refreshes for page_field in page_fields),
        page=page,
        page_label=label,
        page_hint=form.text(form.page(page).element.hint, _language(journey)),
        blocks=blocks,
        shown=" ".join(shown),
        repeat_counts=_repeat_counts(blocks, answers),
        # The merge base is what is stored at this version, not what is shown (a page refused
        # on a submitted response shows the person's unsaved answers).
        base=json.dumps(
            {name: journey.response.answers.get(name) for name in names}, ensure_ascii=False
        ),
        errors=error_list,
        action_url=journey.page_url(page),
        progress=_progress(pages, page),
        is_first=bool(pages) and pages[0][0] == page,
        **extra,
    )
    return render(request, "barometer/respond/page.html", context, status=status)


def _repeat_counts(blocks, answers):
    counts = []
    for key in survey.repeat_keys(blocks):
        value = answers.get(key)
        counts.append((survey.count_field(key), len(value) if isinstance(value, list) else 0))
    return counts


def _neighbour(journey: Journey, page: str, step: int) -> str:
    evaluation = evaluate(journey.form, journey.response.answers)
    names = evaluation.visible_pages
    if page not in names:
        # The page is no longer shown (an answer made it irrelevant): go from its position.
        order = [p.name for p in journey.form.pages]
        later = [n for n in names if order.index(n) > order.index(page)]
        earlier = [n for n in names if order.index(n) < order.index(page)]
        target = (later[:1] if step > 0 else earlier[-1:]) or [None]
        return (
            journey.page_url(target[0])
            if target[0]
            else (journey.url("summary") if step > 0 else journey.url())
        )
    index = names.index(page) + step
    if index >= len(names):
        return journey.url("summary")
    if index < 0:
        return journey.url()
    return journey.page_url(names[index])


def _apply_repeat_action(action: str, page_answers: dict[str, Any]) -> str:
    """Add or remove a repeat instance; returns the anchor to go back to."""
    verb, _sep, rest = action.partition(":")
    if verb == "add" and isinstance(page_answers.get(rest), list):
        page_answers[rest].append({})
        return survey.html_id(f"{rest}[{len(page_answers[rest])}]")
    if verb == "remove":
        name, _sep, number = rest.rpartition(":")
        instances = page_answers.get(name)
        if isinstance(instances, list) and re.fullmatch(r"[0-9]{1,4}", number):
            if 1 <= int(number) <= len(instances):
                del instances[int(number) - 1]
        return survey.html_id(name)
    return ""


# A save that finds the response changed is merged with what was saved meanwhile and tried
# again; each round at least one of the people saving at once wins, so four at once need three.
MERGE_ATTEMPTS = 5

MERGE_CHOICES = {"mine", "theirs", "both"}


class PageConflict(Exception):
    """A save left to the person: the same questions answered differently, or a race lost
    MERGE_ATTEMPTS times (`conflicts` is then empty). Carries everything they typed."""

    def __init__(self, current: Response, merged, mine, theirs, conflicts) -> None:
        super().__init__("conflict")
        self.current, self.merged, self.mine = current, merged, mine
        self.theirs, self.conflicts = theirs, conflicts


def _read_merge_post(request, names, base):
    """The person's answers after the choices of the conflict page, or None if malformed."""
    mine = survey.page_answers_of(survey.json_object(request.POST.get("mine")), names)
    conflicts = request.POST.getlist("conflict")
    if mine is None or not set(conflicts) <= set(names):
        return None
    for name in conflicts:
        choice = request.POST.get(f"merge::{name}", "mine")
        if choice not in MERGE_CHOICES:
            return None
        if choice == "theirs":
            mine[name] = base.get(name)
        elif choice == "both":
            theirs, own = base.get(name) or [], mine.get(name) or []
            if not (isinstance(theirs, list) and isinstance(own, list)):
                return None
            mine[name] = theirs + own
    return mine


def _save_merging(
    request, journey: Journey, page, names, mine, base, base_version, language
) -> Response:
    """Save the page; when others saved meanwhile, merge with their answers and try again.

    Raises PageConflict when the person must choose, never dropping what they typed.
    """
    response = journey.response
    for attempt in range(MERGE_ATTEMPTS):
        try:
            saved = save_page(
                response=response,
                page=page,
                answers=mine,
                base_version=base_version,
                by=journey.actor,
                language=language,
            )
        except VersionConflict as conflict:
            current = conflict.current
            theirs = {name: current.answers.get(name) for name in names}
            merged, conflicts = survey.merge_page(names, base, mine, theirs)
            journey.response = current
            if conflicts:
                raise PageConflict(current, merged, mine, theirs, conflicts) from None
            response, base, mine, base_version = current, theirs, merged, current.version
        except InvalidAnswers as invalid:
            invalid.answers = survey.apply_page(response.answers, names, mine)
            raise
        else:
            if attempt:  # a message, not a notice: the page usually redirects after a save
                messages.info(
                    request,
                    _(
                        "Une autre personne a enregistré des réponses entre-temps : elles ont été conservées avec les vôtres."
                    ),
                )
            return saved
    raise PageConflict(response, mine, mine, {}, [])


def _refused(request, journey: Journey, page: str, message: str, answers=None):
    journey.notices.append(message)
    return _render_page(request, journey, page, answers=answers, status=400)


@require_http_methods(["GET", "POST"])
def _page(request, journey: Journey, page: str):
    form = journey.form
    if page not in {p.name for p in form.pages}:
        raise Http404("Unknown page")
    if request.method == "GET" or journey.read_only:
        if journey.read_only and request.method == "POST":
            return redirect(journey.url())
        return _render_page(request, journey, page)

    response = journey.response
    language = _language(journey)
    action = request.POST.get("action", "next")
    names = survey.page_names(form, page)
    altered = _(
        "Le formulaire envoyé est incomplet ou a été modifié : rien n'a été enregistré. "
        "Vérifiez la page et enregistrez à nouveau."
    )
    base = survey.page_answers_of(survey.json_object(request.POST.get("base")), names)
    version = request.POST.get("version", "")
    if base is None or not re.fullmatch(r"[0-9]{1,9}", version):
        return _refused(request, journey, page, altered)
    base_version = int(version)
    if request.POST.get("merge"):
        page_answers = _read_merge_post(request, names, base)
        if page_answers is None:
            return _refused(request, journey, page, altered)
    else:
        page_answers = survey.read_page(form, page, request.POST, response.answers)
    problems = {**survey.input_errors(form, base), **survey.input_errors(form, page_answers)}
    files = AnswerFiles.from_request(request, form, page)
    problems.update(files.errors)
    if problems:
        answers = survey.apply_page(response.answers, names, survey.without_nul(page_answers))
        return _render_page(request, journey, page, errors=problems, answers=answers, status=400)
    for key, checked in files.checked.items():
        survey.set_answer(page_answers, key, checked.name)
    anchor = _apply_repeat_action(action, page_answers)
    try:
        files.store(response)
    except OSError as error:
        files.errors = dict.fromkeys(files.checked, answer_files.storage_error(error))
        answers = survey.apply_page(response.answers, names, page_answers)
        return _render_page(request, journey, page, errors=files.errors, answers=answers)
    try:
        try:
            response = _save_merging(
                request, journey, page, names, page_answers, base, base_version, language
            )
        except BaseException:  # nothing saved: the new files go too
            files.discard()
            raise
        files.saved(response)
    except PageConflict as conflict:
        journey.response = conflict.current
        if conflict.conflicts:
            return _render_conflicts(
                request,
                journey,
                page,
                conflict.merged,
                conflict.mine,
                conflict.theirs,
                conflict.conflicts,
            )
        journey.notices.append(
            _(
                "D'autres personnes enregistrent cette page en même temps que vous : vos réponses "
                "ci-dessous ne sont pas encore enregistrées. Vérifiez-les et enregistrez à nouveau."
            )
        )
        answers = survey.apply_page(conflict.current.answers, names, conflict.mine)
        return _render_page(request, journey, page, answers=answers, status=409)
    except InvalidAnswers as invalid:
        return _render_page(request, journey, page, errors=invalid.errors, answers=invalid.answers)
    except ResponseClosed as closed:
        messages.error(request, str(closed))
        return redirect(journey.url())
    journey.response = response

    if anchor:
        return HttpResponseRedirect(f"{journey.page_url(page)}#{anchor}")
    if action == "save":
        return redirect(journey.url("saved"))
    if action == "stay":
        return redirect(journey.page_url(page))
    if action == "previous":
        return redirect(_neighbour(journey, page, -1))
    target = action.removeprefix("goto:") if action.startswith("goto:") else None
    if target == "summary":
        return redirect(journey.url("summary"))
    if target in {p.name for p in form.pages}:
        return redirect(journey.page_url(target))
    # Any other action (an unknown page in goto:, a tampered value) is the default: next.
    evaluation, blocks = _page_state(journey, page)
    posted = set((request.POST.get(survey.SHOWN_FIELD) or "").split())
    appeared = [key for key in survey.shown_keys(blocks) if key not in posted]
    if request.POST.get("merge") or page not in evaluation.visible_pages:
        appeared = []
    errors = {
        key: message
        for key, message in validate(form, response.answers, page=page, language=language).items()
        if key not in appeared
    }
    if appeared:
        journey.notices.append(
            _("Vos réponses font apparaître de nouvelles questions sur cette page.")
        )
    if errors or appeared:
        return _render_page(request, journey, page, errors=errors)
    return redirect(_neighbour(journey, page, +1))


def _render_conflicts(request, journey, page, merged, mine, theirs, conflicts):
    form = journey.form
    language = _language(journey)
    rows = []
    for conflict in conflicts:
        element = form.element(conflict.name)
        label = form.text(element.label, language) or conflict.name
        rows.append(
            {
                "name": conflict.name,
                "label": label,
                "mine": _display(journey, conflict.name, conflict.mine),
                "theirs": _display(journey, conflict.name, conflict.theirs),
                "is_repeat": element.kind == "repeat",
                "id": survey.html_id(f"merge-{conflict.name}"),
            }
        )
    mine_merged = {**merged, **{c.name: c.mine for c in conflicts}}
    last = journey.response.saves.exclude(version__lte=0).order_by("-pk").first()
    context = _context(
        journey,
        page=page,
        page_label=form.text(form.page(page).label, language) or page,
        conflicts=rows,
        action_url=journey.page_url(page),
        mine=json.dumps(mine_merged, ensure_ascii=False),
        base=json.dumps(theirs, ensure_ascii=False),
        last_save=last,
    )
    return render(request, "barometer/respond/conflict.html", context, status=409)


def _display(journey, name, value):
    """A value of a top-level name as text (choices as labels, repeats as a count)."""
    if value is None or value == [] or value == "":
        return _("(sans réponse)")
    element = journey.form.element(name)
    if element.kind == "repeat":
        count = len(value) if isinstance(value, list) else 0
        return _("%(count)d fiche(s)") % {"count": count}
    context = survey.PageContext(
        journey.form, {name: value}, evaluate(journey.form, {}), language=_language(journey)
    )
    block = survey.question_block(context, element, name, "", {name: value})
    return block.field.display if block and block.field else str(value)


def _summary_pages(journey: Journey, errors=None):
    form = journey.form
    answers = journey.response.answers
    evaluation = evaluate(form, answers)
    language = _language(journey)
    context = survey.PageContext(form, answers, evaluation, errors=errors, language=language)
    pages = []
    for name in evaluation.visible_pages:
        blocks = survey.page_blocks(context, name)
        if not survey.shown_keys(blocks) and not survey.repeat_keys(blocks):
            continue  # a page of notes only (the welcome page): nothing to read back
        pages.append(
            {
                "name": name,
                "label": form.text(form.page(name).label, language) or name,
                "blocks": blocks,
                "url": journey.page_url(name),
            }
        )
    return pages


def _summary(request, journey: Journey):
    form = journey.form
    language = _language(journey)
    response = journey.response
    errors = validate(form, response.answers, language=language)
    version = request.POST.get("version", "")
    if request.method == "POST" and not journey.read_only:
        try:
            response = submit_response(
                response=response,
                # A missing or garbled version is a stale page: the person rereads the summary.
                base_version=int(version) if re.fullmatch(r"[0-9]{1,9}", version) else -1,
                by=journey.actor,
                language=language,
            )
        except VersionConflict:
            messages.warning(
                request,
                _(
                    "La réponse a été modifiée entre-temps : relisez le récapitulatif avant d'envoyer."
                ),
            )
            return redirect(journey.url("summary"))
        except InvalidAnswers as invalid:
            errors = invalid.errors
        except ResponseClosed as closed:
            messages.error(request, str(closed))
            return redirect(journey.url())
        else:
            return redirect(journey.url("done"))
    pages_of = survey.page_of_names(form)
    error_list = []
    for key, message in errors.items():
        page = survey.page_of_key(form, key, pages_of)
        label = _label_of(form, key, language)
        error_list.append((f"{journey.page_url(page)}#{survey.html_id(key)}", label, message))
    evaluation = evaluate(form, response.answers)
    context = _context(
        journey,
        pages=_summary_pages(journey, errors),
        errors=error_list,
        progress=_progress(_visible_pages(journey, evaluation), None),
        consent=_consent_text(journey),
    )
    return render(
        request,
        "barometer/respond/summary.html",
        context,
        status=200 if request.method == "GET" or not errors else 400,
    )


def _label_of(form, key, language):
    name = key.rsplit("/", 1)[-1].split("[", 1)[0]
    try:
        element = form.element(name)
    except KeyError:
        return key
    label = form.text(element.label, language) or name
    if "[" in key:
        number = key.split("[", 1)[1].split("]", 1)[0]
        repeat = form.element(key.split("[", 1)[0])
        label = f"{form.text(repeat.label, language)} {number} — {label}"
    return label


def _consent_text(journey):
    consent = journey.response.consent_to_name
    if not journey.edition.consent_question:
        return ""
    if consent is None:
        value = journey.response.answers.get(journey.edition.consent_question)
        if value is None:
            return ""
        consent = value == journey.edition.consent_yes
    if consent:
        return _(
            "Vous acceptez que votre collectivité soit nommée dans les publications de l'Observatoire."
        )
    return _(
        "Votre collectivité ne sera pas nommée : ses réponses n'apparaîtront que dans des résultats agrégés."
    )


def _saved(request, journey: Journey):
    return render(request, "barometer/respond/saved.html", _context(journey))


def _done(request, journey: Journey):
    if not journey.response.is_submitted:
        return redirect(journey.url("summary"))
    context = _context(
        journey, pages=_summary_pages(journey), consent=_consent_text(journey), now=timezone.now()
    )
    if "token" in journey.kwargs:  # the personal link also opens the peer comparison
        context["benchmark_url"] = reverse(
            "barometer_results:benchmark", args=[journey.kwargs["token"]]
        )
    return render(request, "barometer/respond/done.html", context)


# --- Open link and unsubscribe ----------------------------------------------------------------


@never_cache
def registration(request, year):
    edition = get_object_or_404(Edition, year=year)
    if not edition.accepts_answers():
        return render(
            request, "barometer/registration_closed.html", {"edition": edition}, status=410
        )
    form = RegistrationForm(request.POST or None, edition=edition)
    if request.method == "POST" and form.is_valid():
        try:
            register(
                edition=edition,
                territory=form.cleaned_data["territory"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                language=get_language() or "fr",
            )
        except BarometerError as error:
            form.add_error(None, str(error))
        else:
            return redirect("barometer:registration-thanks", year=year)
    return render(request, "barometer/registration.html", {"edition": edition, "form": form})


def registration_thanks(request, year):
    edition = get_object_or_404(Edition, year=year)
    return render(request, "barometer/registration_thanks.html", {"edition": edition})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a CSRF token
@never_cache
def unsubscribe(request, signed):
    contact_id = contact_from_unsubscribe_token(signed)
    contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
    if contact_id is None:
        raise Http404("Bad unsubscribe link")
    done = False
    if request.method == "POST" and contact is not None:
        unsubscribe_contact(contact=contact)
        done = True
    response = render(
        request,
        "barometer/unsubscribe.html",
        {
            "contact": contact,
            "done": done or (contact is not None and contact.opted_out_at),
            "signed": signed,
        },
    )
    response["Referrer-Policy"] = "no-referrer"
    return response
