"""Workflows of the barometer that touch several models, as keyword-only functions."""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from observatoire.accounts import audit, permissions
from observatoire.lib.tabular import TabularError, check_size
from observatoire.lib.xlsform import (
    Form,
    FormProblem,
    Question,
    Repeat,
    XLSFormError,
    drop_non_relevant,
    evaluate,
    export_xlsform,
    parse_xlsform,
    validate,
)
from observatoire.lib.xlsform.engine import apply_triggers
from observatoire.territories.models import FrameMember, Territory

from . import survey
from .access import new_token
from .contacts import ContactFileError, Row, read_rows
from .mail import Templates, build_email
from .models import (
    AccessToken,
    Contact,
    Edition,
    Invitation,
    Message,
    MessageTemplate,
    PageSave,
    Registration,
    Response,
    Suppression,
    Wave,
    hash_email,
    hash_token,
    normalize_email,
    stalled_cutoff,
)

SEND_CHUNK = 200


class BarometerError(Exception):
    """A workflow refused for a reason the user can act on (the message says which)."""


# --- Questionnaires ---------------------------------------------------------------------------


def barometer_problems(form: Form, edition: Edition) -> list[FormProblem]:
    """What the barometer pages need beyond a valid XLSForm: one level of repeats."""
    problems = []
    for element in form.elements():
        if isinstance(element, Repeat) and element.repeat is not None:
            problems.append(
                FormProblem(
                    "survey",
                    element.row,
                    "type",
                    f"La répétition « {element.name} » est dans une autre répétition : les pages "
                    "du baromètre ne gèrent qu'un niveau de répétition.",
                    "nested-repeat",
                )
            )
    return problems


def consent_warnings(form: Form, edition: Edition) -> list[FormProblem]:
    """The edition's consent question, checked against the form: warnings, never a refusal.

    Consent is a rule of the barometer edition (`barometer edition YEAR --consent-question`, or
    the admin), not of the questionnaire: without the question, no territory is named.
    """
    problems: list[FormProblem] = []
    name = edition.consent_question
    if name:
        try:
            question = form.question(name)
        except KeyError:
            question = None
        if question is None:
            problems.append(
                FormProblem(
                    "survey",
                    None,
                    "name",
                    f"La question de consentement « {name} » (réglage de l'édition "
                    f"{edition.year}) est absente : aucune collectivité ne sera nommée. Ajoutez "
                    "une question select_one de ce nom, ou changez ce réglage : `observatoire "
                    f"barometer edition {edition.year} --consent-question NOM` (ou "
                    "--no-consent-question).",
                    "consent",
                )
            )
        elif question.type != "select_one" or question.repeat is not None:
            problems.append(
                FormProblem(
                    "survey",
                    question.row,
                    "type",
                    f"La question de consentement « {name} » doit être un select_one hors "
                    "répétition.",
                    "consent",
                )
            )
        elif edition.consent_yes not in {choice.name for choice in question.choices}:
            problems.append(
                FormProblem(
                    "choices",
                    question.row,
                    "name",
                    f"La liste « {question.list_name} » de la question de consentement n'a pas de "
                    f"choix « {edition.consent_yes} » (la réponse qui vaut accord).",
                    "consent",
                )
            )
    return problems


def import_questionnaire(
    *,
    edition: Edition,
    source: bytes,
    filename: str = "",
    by=None,
    activate: bool = True,
    attachments: dict[str, bytes] | None = None,
):
    """Parse and check an XLSForm; store it as a version of the edition's questionnaire.

    `attachments` are the CSV files the form reads (select_one_from_file, pulldata), by name;
    they are stored inside the questionnaire's definition.

    Raises XLSFormError with one problem per error (sheet, row, column): nothing is stored.
    """
    if edition.status in (Edition.Status.CLOSED, Edition.Status.PUBLISHED):
        raise BarometerError(
            f"L'édition {edition.year} est {edition.get_status_display().lower()} : son "
            "questionnaire ne peut plus changer."
        )
    for name, data in {filename or "XLSForm": source, **(attachments or {})}.items():
        try:
            check_size(len(data), max_mb=settings.IMPORT_MAX_MB)
        except TabularError as error:
            raise BarometerError(f"{name} : {error}.") from None
    form = parse_xlsform(source, filename=filename or None, attachments=attachments)
    problems = barometer_problems(form, edition)
    if problems:
        raise XLSFormError(problems)
    warnings = [*(str(problem) for problem in consent_warnings(form, edition)), *form.warnings]
    from .models import Questionnaire

    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            edition=edition,
            form_id=form.form_id,
            version=form.version,
            title=form.title,
            definition=form.to_dict(),
            source=bytes(source),
            source_name=filename,
            sha256=hashlib.sha256(source).hexdigest(),
            warnings=warnings,
            imported_by=by,
        )
        if activate:
            activate_questionnaire(questionnaire=questionnaire)
    return questionnaire


def activate_questionnaire(*, questionnaire) -> None:
    edition = questionnaire.edition
    if edition.status in (Edition.Status.CLOSED, Edition.Status.PUBLISHED):
        raise BarometerError(f"L'édition {edition.year} est close : son questionnaire est figé.")
    Edition.objects.filter(pk=edition.pk).update(questionnaire=questionnaire)
    edition.questionnaire = questionnaire


def export_questionnaire(*, edition: Edition) -> bytes:
    if edition.questionnaire_id is None:
        raise BarometerError(f"L'édition {edition.year} n'a pas encore de questionnaire.")
    return export_xlsform(edition.questionnaire.form)


def questionnaire_attachments(*, edition: Edition) -> dict[str, bytes]:
    """The CSV files attached to the edition's questionnaire, written back as imported rows."""
    import csv
    import io

    if edition.questionnaire_id is None:
        return {}
    files = {}
    form = edition.questionnaire.form
    for name, rows in form.attachments.items():
        known = form.attachment_headers.get(name, [])
        headers = list(dict.fromkeys([*known, *(key for row in rows for key in row)]))
        output = io.StringIO()
        writer = csv.DictWriter(output, fieldnames=headers, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        files[name] = output.getvalue().encode()
    return files


# --- Contacts ---------------------------------------------------------------------------------

KIND_ALIASES = {
    "commune": "commune",
    "epci": "epci",
    "intercommunalité": "epci",
    "intercommunalite": "epci",
    "département": "departement",
    "departement": "departement",
    "région": "region",
    "region": "region",
}


@dataclass
class ImportProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line}, colonne « {self.column} » : {self.message}"


@dataclass
class ContactImportReport:
    filename: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    invitations_created: int = 0
    already_invited: int = 0
    opted_out: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        verb = "seraient" if self.dry_run else "ont été"
        lines = [
            f"{self.filename} : {self.rows} ligne(s) lue(s).",
            f"Contacts : {self.created} {verb} créés, {self.updated} {verb} mis à jour.",
            f"Invitations : {self.invitations_created} {verb} créées, "
            f"{self.already_invited} existaient déjà.",
        ]
        for line, email in self.opted_out:
            lines.append(f"ligne {line} : {email} s'est désinscrit(e) ; ligne ignorée.")
        for line, first, email in self.duplicates:
            lines.append(f"ligne {line} : {email} figure déjà ligne {first} ; doublon ignoré.")
        return lines


def _frame_lookup(edition: Edition):
    by_code: dict[str, list[tuple[str, int]]] = {}
    by_key: dict[tuple[str, str], int] = {}
    members = FrameMember.objects.filter(frame=edition.frame).values_list(
        "territory_id", "kind", "territory__code", "territory__siren"
    )
    for territory_id, kind, code, siren in members:
        by_key[(kind, code.upper())] = territory_id
        for value in {code.upper(), (siren or "").upper()} - {""}:
            by_code.setdefault(value, []).append((kind, territory_id))
    return by_code, by_key


def _resolve_territory(row, by_code, by_key, edition):
    """(territory_id, None) or (None, error message)."""
    value = row.values.get("territory", "").strip()
    kind_text = row.values.get("kind", "").strip().lower()
    if not value:
        return None, "code de territoire manquant."
    kind = None
    if ":" in value:
        kind_text, value = value.split(":", 1)
        kind_text = kind_text.strip().lower()
    if kind_text:
        kind = KIND_ALIASES.get(kind_text)
        if kind is None:
            return None, (f"type « {kind_text} » inconnu (commune, epci, departement ou region).")
    code = value.strip().upper()
    if code.isdigit() and len(code) == 4:
        code = "0" + code  # a spreadsheet dropped the leading zero of an INSEE code
    if kind:
        territory_id = by_key.get((kind, code))
        candidates = [(kind, territory_id)] if territory_id else []
    else:
        candidates = by_code.get(code, [])
    if len(candidates) == 1:
        return candidates[0][1], None
    if len(candidates) > 1:
        kinds = " ou ".join(f"{k}:{code}" for k, _id in candidates)
        return None, f"« {value} » désigne plusieurs territoires : écrivez {kinds}."
    known = (
        Territory.objects.filter(code=code).exists()
        or Territory.objects.filter(siren=code).exists()
    )
    if known:
        return None, (
            f"le territoire « {value} » n'est pas dans la base de sondage {edition.frame.year}."
        )
    return None, f"code « {value} » inconnu (code INSEE, SIREN d'EPCI ou type:code)."


def import_contacts(
    *, edition: Edition, source: bytes | IO[bytes], filename: str, dry_run: bool = False
) -> ContactImportReport:
    """Contacts from a CSV/XLSX file, each invited for a territory of the edition's frame.

    All or nothing: with any row error, nothing is written and the report lists every error.
    Addresses are de-duplicated (within the file and against the database); a person who
    unsubscribed, or whose data was erased, is never added back.
    """
    report = ContactImportReport(filename=filename, dry_run=dry_run)
    if edition.frame_id is None:
        raise BarometerError(
            f"L'édition {edition.year} n'a pas de base de sondage : construisez-la "
            f"(observatoire territories frame {edition.year}) et rattachez-la à l'édition."
        )
    try:
        rows = read_rows(source, filename)
    except ContactFileError as error:
        raise BarometerError(f"{filename} : {error}") from None
    try:
        accepted = _check_contact_rows(edition, rows, report)
    except ContactFileError as error:  # met while streaming: a NUL byte, too many rows...
        raise BarometerError(f"{filename} : {error}") from None
    return _apply_contacts(edition, accepted, report, dry_run=dry_run)


def _check_contact_rows(
    edition: Edition, rows: Iterable[Row], report: ContactImportReport
) -> dict[str, dict[str, Any]]:
    by_code, by_key = _frame_lookup(edition)
    languages = dict(settings.LANGUAGES)
    suppressed = set(Suppression.objects.values_list("email_hash", flat=True))
    accepted: dict[str, dict[str, Any]] = {}
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        report.rows += 1
        email = normalize_email(row.values.get("email", ""))
        problems = []
        if not email:
            problems.append(("courriel", "adresse manquante."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(("courriel", f"« {email} » n'est pas une adresse valide."))
        territory_id, territory_error = _resolve_territory(row, by_code, by_key, edition)
        if territory_error:
            problems.append(("territoire", territory_error))
        language = (row.values.get("language") or settings.LANGUAGE_CODE).lower()[:2]
        if language not in languages:
            problems.append(("langue", f"« {language} » : fr ou en attendu."))
        for column, name in (("name", "nom"), ("role", "fonction")):
            if len(row.values.get(column, "")) > 200:
                problems.append((name, "plus de 200 caractères."))
        if problems:
            report.errors += [ImportProblem(row.line, column, text) for column, text in problems]
            continue
        if email in seen:
            first = seen[email]
            if first["territory_id"] != territory_id:
                report.errors.append(
                    ImportProblem(
                        row.line,
                        "courriel",
                        f"{email} figure déjà ligne {first['line']} pour un autre territoire.",
                    )
                )
            else:
                report.duplicates.append((row.line, first["line"], email))
            continue
        seen[email] = {"line": row.line, "territory_id": territory_id}
        if hash_email(email) in suppressed:
            report.opted_out.append((row.line, email))
            continue
        accepted[email] = {
            "line": row.line,
            "territory_id": territory_id,
            "name": row.values.get("name", ""),
            "role": row.values.get("role", ""),
            "language": language,
        }
    return accepted


def _apply_contacts(
    edition: Edition,
    accepted: dict[str, dict[str, Any]],
    report: ContactImportReport,
    *,
    dry_run: bool,
) -> ContactImportReport:
    existing = {}
    emails = list(accepted)
    for start in range(0, len(emails), 500):
        for contact in Contact.objects.filter(email__in=emails[start : start + 500]):
            existing[contact.email] = contact
    invitations = {
        invitation.contact_id: invitation
        for invitation in Invitation.objects.filter(
            edition=edition, contact__in=[c.pk for c in existing.values()]
        )
    }
    for email, data in accepted.items():
        contact = existing.get(email)
        if contact and contact.opted_out_at:
            report.opted_out.append((data["line"], email))
            continue
        invitation = invitations.get(contact.pk) if contact else None
        if invitation and invitation.territory_id != data["territory_id"] and invitation.invited_at:
            report.errors.append(
                ImportProblem(
                    data["line"],
                    "territoire",
                    f"{email} a déjà été invité(e) pour un autre territoire en {edition.year}.",
                )
            )
    report.opted_out.sort()
    if report.errors:
        report.errors.sort(key=lambda problem: problem.line)
        return report

    opted_out = {email for _line, email in report.opted_out}
    to_create, to_update, invitation_rows = [], [], []
    for email, data in accepted.items():
        if email in opted_out:
            continue
        contact = existing.get(email)
        if contact is None:
            report.created += 1
            report.invitations_created += 1
            if not dry_run:  # a dry run only counts: no model instance per row (bench)
                contact = Contact(
                    email=email,
                    name=data["name"],
                    role=data["role"],
                    territory_id=data["territory_id"],
                    language=data["language"],
                )
                to_create.append(contact)
                invitation_rows.append((contact, data["territory_id"]))
            continue
        changes = {
            "name": data["name"] or contact.name,
            "role": data["role"] or contact.role,
            "territory_id": data["territory_id"],
            "language": data["language"],
        }
        if any(getattr(contact, key) != value for key, value in changes.items()):
            for key, value in changes.items():
                setattr(contact, key, value)
            to_update.append(contact)
        if contact.pk in invitations:
            report.already_invited += 1
        else:
            report.invitations_created += 1
        invitation_rows.append((contact, data["territory_id"]))
    report.updated = len(to_update)
    if dry_run:
        return report
    with transaction.atomic():
        Contact.objects.bulk_create(to_create, batch_size=500)
        if to_create and to_create[0].pk is None:  # backends that do not return ids
            ids = dict(
                Contact.objects.filter(email__in=[c.email for c in to_create]).values_list(
                    "email", "pk"
                )
            )
            for contact in to_create:
                contact.pk = ids[contact.email]
        Contact.objects.bulk_update(
            to_update, ["name", "role", "territory", "language", "updated_at"], batch_size=500
        )
        new_invitations, moved = [], []
        for contact, territory_id in invitation_rows:
            invitation = invitations.get(contact.pk)
            if invitation is None:
                new_invitations.append(
                    Invitation(edition=edition, contact=contact, territory_id=territory_id)
                )
            elif invitation.territory_id != territory_id:
                invitation.territory_id = territory_id
                moved.append(invitation)
        Invitation.objects.bulk_create(new_invitations, batch_size=500)
        Invitation.objects.bulk_update(moved, ["territory"], batch_size=500)
    return report


# --- Sending ----------------------------------------------------------------------------------
#
# A wave survives a crash. When it starts, its messages are written as "queued" rows, one per
# invitation due; then each message is claimed, sent and recorded, every step committed in a
# transaction of its own. A worker killed at any instant leaves at most the one message it had
# claimed in doubt (it may or may not have left), the wave stops beating, and the next worker
# resumes it from its queued rows. docs/barometer.md, "Waves that survive a crash".


class _Throttle:
    """At most `rate` messages per second on average (0: no limit)."""

    def __init__(
        self,
        rate: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.sleep = sleep
        self.clock = clock
        self.next_at = clock()

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if self.next_at > now:
            self.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval


class WorkerLost(Exception):
    """Recorded on the task of a wave whose worker stopped beating (killed, machine lost)."""


def new_worker_name() -> str:
    """Who sends: host and process, plus a random part (a restarted worker may reuse a pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]


def _check_no_other_wave(edition: Edition) -> None:
    """Refused only while another wave of the edition is queued or has a live worker."""
    other = Wave.objects.filter(edition=edition).live().first()
    if other is not None:
        raise BarometerError(
            f"La vague n° {other.pk} de l'édition {edition.year} est encore "
            f"{other.get_status_display()} : attendez sa fin avant d'en lancer une autre."
        )


def _check_can_send(edition: Edition) -> None:
    if not edition.accepts_answers():
        raise BarometerError(
            f"L'édition {edition.year} n'est pas ouverte aux réponses (statut « "
            f"{edition.get_status_display()} », dates {edition.opens_on or '…'} – "
            f"{edition.closes_on or '…'}) : les liens envoyés ne fonctionneraient pas."
        )


def _due(edition: Edition, kind: str, now):
    if kind == MessageTemplate.Kind.REMINDER:
        return Invitation.objects.due_for_reminder(edition, now=now)
    return Invitation.objects.filter(edition=edition).due_for_invitation()


def _plan(*, wave: Wave, now) -> None:
    """Write the wave's messages, one queued row per invitation due, all or nothing.

    Invitations another wave still holds (a message queued, being sent or in doubt) are left
    to it, so that a new wave never doubles a stalled one."""
    held = Message.objects.filter(
        edition=wave.edition, status__in=Message.PENDING, invitation__isnull=False
    ).values("invitation_id")
    rows = (
        _due(wave.edition, wave.kind, now)
        .exclude(pk__in=held)
        .order_by("pk")
        .values_list("pk", "contact__email")
    )
    if wave.limit is not None:
        rows = rows[: wave.limit]
    rows = list(rows)
    with transaction.atomic():
        Message.objects.bulk_create(
            (
                Message(
                    edition_id=wave.edition_id,
                    wave=wave,
                    invitation_id=invitation_id,
                    kind=wave.kind,
                    to_email=email,
                )
                for invitation_id, email in rows
            ),
            batch_size=1000,
        )
        Wave.objects.filter(pk=wave.pk).update(total=len(rows), started_at=now, heartbeat_at=now)


def _fail_lost_task(wave: Wave) -> None:
    """The task of a wave whose worker died stays "running" in the queue: say it failed."""
    if not wave.task_id:
        return
    from django_tasks_db.models import DBTaskResult

    lost = DBTaskResult.objects.filter(pk=wave.task_id, status="RUNNING").first()
    if lost is not None:
        lost.set_failed(WorkerLost(f"{wave} : le worker {wave.worker} ne donne plus signe de vie."))


def _take(*, wave: Wave, worker: str, now, task_id: str = "") -> bool:
    """Become the wave's worker: a queued wave, a stalled one, or a failed one half sent.

    One conditional UPDATE decides, so two workers never both take a wave. The message a lost
    worker had claimed becomes "doubt"; its task is marked failed."""
    stalled = Q(status=Wave.Status.RUNNING) & (
        Q(heartbeat_at__lt=stalled_cutoff(now)) | Q(heartbeat_at__isnull=True)
    )
    failed_midway = Q(status=Wave.Status.FAILED, started_at__isnull=False)
    before = Wave.objects.filter(pk=wave.pk).first()
    with transaction.atomic():
        taken = (
            Wave.objects.filter(pk=wave.pk)
            .filter(Q(status=Wave.Status.QUEUED) | stalled | failed_midway)
            .update(
                status=Wave.Status.RUNNING,
                worker=worker,
                heartbeat_at=now,
                error="",
                finished_at=None,
                task_id=task_id[:64] or F("task_id"),
            )
        )
        if not taken:
            return False
        Message.objects.filter(wave=wave, status=Message.Status.CLAIMED).update(
            status=Message.Status.DOUBT,
            error="Le worker qui l'envoyait s'est arrêté pendant l'envoi : parti ou non ?",
            status_changed_at=now,
        )
    if before is not None and before.task_id != task_id and before.status == Wave.Status.RUNNING:
        _fail_lost_task(before)
    return True


def _claim(*, message: Message, worker: str, templates: Templates, now) -> EmailMessage | None:
    """Claim one queued message with a fresh personal link; None if another worker has it."""
    raw = new_token()
    email = build_email(
        kind=message.kind, invitation=message.invitation, token=raw, templates=templates
    )
    with transaction.atomic():
        # PostgreSQL: a row another worker holds is skipped, not waited for. SQLite serialises
        # writers already (IMMEDIATE transactions, settings.py).
        free = Message.objects.select_for_update(skip_locked=True).filter(
            pk=message.pk, status=Message.Status.QUEUED
        )
        if not list(free.values_list("pk", flat=True)):
            return None
        AccessToken.objects.create(invitation=message.invitation, token_hash=hash_token(raw))
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.CLAIMED,
            claimed_by=worker,
            claimed_at=now,
            status_changed_at=now,
            to_email=email.to[0],
            subject=email.subject,
            message_id=email.extra_headers["Message-ID"],
        )
    return email


def _deliver(connection, email: EmailMessage) -> str:
    """Hand one message to the SMTP server: "" when accepted, else the error to log."""
    try:
        # Opened here, the SMTP connection stays open across messages (send_messages closes
        # only the connections it opened itself).
        connection.open()
        connection.send_messages([email])
    except Exception as error:  # an SMTP refusal or a network error: log it, go on
        try:
            connection.close()
        except Exception:
            pass
        return f"{type(error).__name__}: {error}"[:1000]
    return ""


def _record(*, message: Message, wave: Wave | None, worker: str, error: str, now) -> bool:
    """Commit what the SMTP server said; False once another worker has taken the wave over."""
    with transaction.atomic():
        # Also when a take-over marked it "doubt" meanwhile: this worker knows what happened.
        Message.objects.filter(pk=message.pk, claimed_by=worker).update(
            status=Message.Status.FAILED if error else Message.Status.SENT,
            error=error,
            sent_at=None if error else now,
            status_changed_at=now,
        )
        if not error:
            invitations = Invitation.objects.filter(pk=message.invitation_id)
            if message.kind == MessageTemplate.Kind.REMINDER:
                invitations.update(reminded_at=now, reminder_count=F("reminder_count") + 1)
            else:
                invitations.filter(invited_at__isnull=True).update(invited_at=now)
        if wave is None:
            return True
        counts = {"failed": F("failed") + 1} if error else {"sent": F("sent") + 1}
        if Wave.objects.filter(pk=wave.pk, worker=worker).update(heartbeat_at=now, **counts):
            return True
        Wave.objects.filter(pk=wave.pk).update(**counts)
        return False


def _send_queued(*, wave: Wave, worker: str, rate: float, progress: bool, now_fn) -> bool:
    """Send the wave's queued messages in order; False if another worker took it over."""
    throttle = _Throttle(rate)
    templates = Templates()
    connection = get_connection()
    wave.refresh_from_db()
    try:
        with tqdm(
            total=wave.total, initial=wave.done_count, unit=" messages", disable=not progress
        ) as bar:
            while True:
                batch = list(
                    Message.objects.filter(wave=wave, status=Message.Status.QUEUED)
                    .select_related(
                        "invitation__contact", "invitation__territory", "invitation__edition"
                    )
                    .order_by("pk")[:SEND_CHUNK]
                )
                if not batch:
                    return True
                # Checked again: someone may have unsubscribed or answered meanwhile.
                due = set(
                    _due(wave.edition, wave.kind, now_fn())
                    .filter(pk__in=[m.invitation_id for m in batch if m.invitation_id])
                    .values_list("pk", flat=True)
                )
                dropped = [m.pk for m in batch if m.invitation_id not in due]
                if dropped:
                    with transaction.atomic():
                        count, _ = Message.objects.filter(
                            pk__in=dropped, status=Message.Status.QUEUED
                        ).delete()
                        Wave.objects.filter(pk=wave.pk).update(total=F("total") - count)
                for message in batch:
                    if message.invitation_id not in due:
                        continue
                    throttle.wait()
                    email = _claim(
                        message=message, worker=worker, templates=templates, now=now_fn()
                    )
                    if email is None:
                        continue
                    error = _deliver(connection, email)
                    if not _record(
                        message=message, wave=wave, worker=worker, error=error, now=now_fn()
                    ):
                        return False
                    bar.update(1)
    finally:
        try:
            connection.close()
        except Exception:
            pass


def send_wave(
    *,
    wave: Wave,
    progress: bool = False,
    rate: float | None = None,
    now_fn: Callable = timezone.now,
    task_id: str = "",
) -> Wave:
    """Send a queued wave, or resume a stalled one, as its one worker; returns it refreshed.

    Does nothing when another live worker sends it, or when it is finished. `task_id`: the
    background task doing it, recorded on the wave."""
    worker = new_worker_name()
    if not _take(wave=wave, worker=worker, now=now_fn(), task_id=task_id):
        wave.refresh_from_db()
        return wave
    wave.refresh_from_db()
    try:
        _check_can_send(wave.edition)
        if wave.started_at is None:
            _plan(wave=wave, now=now_fn())
        finished = _send_queued(
            wave=wave,
            worker=worker,
            rate=settings.BAROMETER_SEND_RATE if rate is None else rate,
            progress=progress,
            now_fn=now_fn,
        )
    except Exception as error:
        Message.objects.filter(wave=wave, status=Message.Status.CLAIMED, claimed_by=worker).update(
            status=Message.Status.DOUBT, error=str(error)[:1000], status_changed_at=now_fn()
        )
        Wave.objects.filter(pk=wave.pk, worker=worker).update(
            status=Wave.Status.FAILED, error=str(error)[:2000], finished_at=now_fn()
        )
        raise
    if finished:
        Wave.objects.filter(pk=wave.pk, worker=worker, status=Wave.Status.RUNNING).update(
            status=Wave.Status.DONE, finished_at=now_fn(), heartbeat_at=now_fn()
        )
    wave.refresh_from_db()
    return wave


def send_invitation_wave(
    *,
    edition: Edition,
    reminder: bool = False,
    limit: int | None = None,
    progress: bool = False,
    rate: float | None = None,
    now_fn: Callable = timezone.now,
) -> Wave:
    """Send the invitations not sent yet, or the reminders that are due, throttled, now.

    Invitations go to every reachable contact never invited. Reminders go only to contacts of
    territories that have not submitted, at least `reminder_delay_days` after the previous
    message, and at most `reminder_max_count` times. Memory stays bounded: messages are read
    and sent in chunks of SEND_CHUNK, through one SMTP connection.
    """
    from .tasks import schedule_watch

    _check_can_send(edition)
    _check_no_other_wave(edition)
    wave = Wave.objects.create(
        edition=edition,
        kind=Wave.Kind.REMINDER if reminder else Wave.Kind.INVITATION,
        limit=limit,
    )
    # If this process dies, the task worker's watch resumes the wave.
    transaction.on_commit(schedule_watch)
    return send_wave(wave=wave, progress=progress, rate=rate, now_fn=now_fn)


def _hand_to_worker(wave: Wave) -> None:
    """After the commit: the wave's task, and the watch that resumes it if its worker dies."""
    from .tasks import run_wave, schedule_watch

    def enqueue():
        result = run_wave.enqueue(wave.pk)
        Wave.objects.filter(pk=wave.pk).update(task_id=str(result.id)[:64])
        schedule_watch()

    transaction.on_commit(enqueue)


def queue_wave(*, edition: Edition, reminder: bool, limit: int | None = None, by=None) -> Wave:
    """Create a wave and hand it to the task worker (`observatoire db_worker --backend background`)."""
    _check_can_send(edition)
    _check_no_other_wave(edition)
    wave = Wave.objects.create(
        edition=edition,
        kind=Wave.Kind.REMINDER if reminder else Wave.Kind.INVITATION,
        limit=limit,
        created_by=by,
    )
    _hand_to_worker(wave)
    return wave


def resume_wave(*, wave: Wave) -> None:
    """Staff's "Reprendre": a stalled wave, or one failed half-way, goes back to the worker."""
    if not wave.can_resume:
        beat = (
            f" (dernier signe de vie à {timezone.localtime(wave.heartbeat_at):%H:%M:%S})"
            if wave.heartbeat_at
            else ""
        )
        raise BarometerError(
            f"La vague n° {wave.pk} est {wave.get_status_display()}{beat} : "
            "seule une vague interrompue (sans signe de vie de son worker depuis "
            f"{settings.BAROMETER_WAVE_STALLED_AFTER} s) ou échouée en cours de route se reprend."
        )
    _check_can_send(wave.edition)
    if wave.is_stalled:
        _fail_lost_task(wave)
    _hand_to_worker(wave)


def resolve_doubt(*, message: Message, delivered: bool) -> None:
    """Staff decide about a message in doubt: count it as sent, or let the next wave resend it.

    "Resend" logs it as failed, so the invitation is due again (as after an SMTP refusal)."""
    now = timezone.now()
    with transaction.atomic():
        if not Message.objects.filter(pk=message.pk, status=Message.Status.DOUBT).update(
            status=Message.Status.SENT if delivered else Message.Status.FAILED,
            sent_at=message.claimed_at if delivered else None,
            error="" if delivered else "Incertain : renvoi demandé par l'équipe.",
            status_changed_at=now,
        ):
            raise BarometerError("Ce message n'est plus incertain.")
        if delivered:
            invitations = Invitation.objects.filter(pk=message.invitation_id)
            when = message.claimed_at or now
            if message.kind == MessageTemplate.Kind.REMINDER:
                invitations.update(reminded_at=when, reminder_count=F("reminder_count") + 1)
            else:
                invitations.filter(invited_at__isnull=True).update(invited_at=when)
            if message.wave_id:
                Wave.objects.filter(pk=message.wave_id).update(sent=F("sent") + 1)
        elif message.wave_id:
            Wave.objects.filter(pk=message.wave_id).update(failed=F("failed") + 1)


def resume_stalled_waves(*, now_fn: Callable = timezone.now, task_id: str = "") -> list[int]:
    """Resume, one after the other, every wave whose worker stopped beating; their ids.

    A lone message (no wave) left "claimed" by a process that died becomes "doubt" too."""
    Message.objects.filter(
        wave__isnull=True, status=Message.Status.CLAIMED, claimed_at__lt=stalled_cutoff(now_fn())
    ).update(status=Message.Status.DOUBT, status_changed_at=now_fn())
    resumed = []
    for wave in Wave.objects.stalled(now_fn()).select_related("edition").order_by("pk"):
        try:
            send_wave(wave=wave, now_fn=now_fn, task_id=task_id)
        except BarometerError:
            continue  # recorded on the wave (the edition closed meanwhile...)
        resumed.append(wave.pk)
    return resumed


def send_message(*, invitation: Invitation, kind: str) -> Message:
    """One message with a fresh personal link, sent now (after an inscription, a re-send)."""
    _check_can_send(invitation.edition)
    if not invitation.contact or not invitation.contact.can_be_written_to:
        raise BarometerError("Ce contact ne reçoit plus de messages (désinscrit ou en erreur).")
    raw = new_token()
    email = build_email(kind=kind, invitation=invitation, token=raw)
    worker = new_worker_name()
    now = timezone.now()
    with transaction.atomic():
        AccessToken.objects.create(invitation=invitation, token_hash=hash_token(raw))
        message = Message.objects.create(
            edition_id=invitation.edition_id,
            invitation=invitation,
            kind=kind,
            to_email=email.to[0],
            subject=email.subject,
            message_id=email.extra_headers["Message-ID"],
            status=Message.Status.CLAIMED,
            claimed_by=worker,
            claimed_at=now,
        )
    connection = get_connection()
    try:
        error = _deliver(connection, email)
    finally:
        try:
            connection.close()
        except Exception:
            pass
    _record(message=message, wave=None, worker=worker, error=error, now=timezone.now())
    message.refresh_from_db()
    return message


# --- Responses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who saves: an invited contact on the web, or a staff member by phone or on paper."""

    contact: Contact | None = None
    user: Any = None
    channel: str = PageSave.Channel.WEB

    @property
    def is_staff(self) -> bool:
        return self.user is not None


class ResponseClosed(BarometerError):
    pass


class VersionConflict(BarometerError):
    """The response changed since the page was shown: `current` is the fresh response."""

    def __init__(self, current: Response) -> None:
        super().__init__("La réponse a été modifiée entre-temps.")
        self.current = current


class InvalidAnswers(BarometerError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Des réponses sont à corriger.")
        self.errors = errors


def unit_attributes(territory: Territory) -> dict[str, Any]:
    """What a form may take from the unit (`unit_default`, docs/xlsform.md)."""
    metropole = territory.kind == Territory.Kind.EPCI and territory.epci_nature in (
        "METRO",
        "MET69",
    )
    return {
        "name": territory.name,
        "kind": "metropole" if metropole else territory.kind,
        "population": territory.population,
        "region": territory.region.name if territory.region_id else None,
        "code": territory.code,
    }


def start_response(*, edition: Edition, territory: Territory) -> Response:
    form = edition.form
    answers = {}
    if form:
        answers = {
            **form.initial_answers(),
            **survey.unit_defaults(form, unit_attributes(territory)),
        }
    response, _created = Response.objects.get_or_create(
        edition=edition, territory=territory, defaults={"answers": answers}
    )
    return response


def _check_writable(response: Response, by: Actor) -> None:
    if by.is_staff:
        # Staff correct closed or locked responses; only those whose role allows it.
        if not permissions.can(by.user, permissions.ENTER_RESPONSES):
            raise PermissionDenied
        return
    if not response.edition.accepts_answers():
        raise ResponseClosed(
            _("L'enquête est close : les réponses ne peuvent plus être modifiées.")
        )
    if response.is_locked:
        raise ResponseClosed(
            _(
                "Cette réponse a été verrouillée par l'équipe de l'Observatoire ; écrivez-nous "
                "pour la modifier."
            )
        )


def _fresh(response: Response) -> Response:
    return Response.objects.select_related("edition__questionnaire", "territory").get(
        pk=response.pk
    )


def save_page(
    *,
    response: Response,
    page: str,
    answers: dict[str, Any],
    base_version: int,
    by: Actor,
    language: str = "fr",
) -> Response:
    """Write one page's answers if the response is still at `base_version`.

    The write is an UPDATE ... WHERE version = base_version: when someone else saved in
    between, no row matches and VersionConflict carries the current response, so that the
    person can merge. Once submitted, a response only takes pages that validate.
    """
    _check_writable(response, by)
    form = response.edition.form
    names = survey.page_names(form, page)
    # `response` was read in this request; if it is already stale the UPDATE below matches
    # no row, so no extra SELECT is needed to be safe.
    if response.version != base_version:
        raise VersionConflict(_fresh(response))
    merged = survey.apply_page(response.answers, names, answers)
    # Calculations with a `trigger` are recomputed only when their trigger's answer changed.
    merged = apply_triggers(form, response.answers, merged)
    if response.status == Response.Status.SUBMITTED:
        errors = validate(form, merged, page=page, language=language)
        if errors:
            raise InvalidAnswers(errors)
    now = timezone.now()
    with transaction.atomic():
        updated = Response.objects.filter(pk=response.pk, version=base_version).update(
            answers=merged,
            version=F("version") + 1,
            current_page=page,
            updated_at=now,
            **({"entered_by_staff": True} if by.is_staff else {}),
        )
        if not updated:
            raise VersionConflict(_fresh(response))
        PageSave.objects.create(
            response_id=response.pk,
            page=page,
            version=base_version + 1,
            contact=by.contact,
            user=by.user,
            channel=by.channel,
        )
        if by.is_staff:
            audit.record(
                response,
                "observatoire.response.staff_save",
                user=by.user,
                before=response.answers,
                after=merged,
                page=page,
                channel=by.channel,
                version=base_version + 1,
            )
    response.answers, response.version = merged, base_version + 1
    response.current_page, response.updated_at = page, now
    return response


def consent_of(edition: Edition, answers: dict[str, Any]) -> bool | None:
    if not edition.consent_question:
        return None
    value = answers.get(edition.consent_question)
    if value is None:
        return None
    return value == edition.consent_yes


def submit_response(
    *, response: Response, base_version: int, by: Actor, language: str = "fr"
) -> Response:
    """Check every page, drop answers to questions no longer relevant, and submit.

    The consent question decides whether the territory may be named in publications.
    """
    _check_writable(response, by)
    if response.version != base_version:
        raise VersionConflict(_fresh(response))
    form = response.edition.form
    errors = validate(form, response.answers, language=language)
    if errors:
        raise InvalidAnswers(errors)
    cleaned = drop_non_relevant(response.answers, evaluate(form, response.answers))
    now = timezone.now()
    consent = consent_of(response.edition, cleaned)
    with transaction.atomic():
        updated = Response.objects.filter(pk=response.pk, version=base_version).update(
            answers=cleaned,
            version=F("version") + 1,
            status=Response.Status.SUBMITTED,
            submitted_at=response.submitted_at or now,
            updated_at=now,
            consent_to_name=consent,
            **({"entered_by_staff": True} if by.is_staff else {}),
        )
        if not updated:
            raise VersionConflict(_fresh(response))
        PageSave.objects.create(
            response_id=response.pk,
            page="",
            version=base_version + 1,
            submitted=True,
            contact=by.contact,
            user=by.user,
            channel=by.channel,
        )
        if by.is_staff:
            audit.record(
                response,
                "observatoire.response.staff_submit",
                user=by.user,
                before=response.answers,
                after=cleaned,
                channel=by.channel,
                version=base_version + 1,
            )
    return _fresh(response)


def lock_response(*, response: Response, by) -> None:
    Response.objects.filter(pk=response.pk).update(locked_at=timezone.now(), locked_by=by)
    audit.record(response, "observatoire.response.lock", user=by)


def unlock_response(*, response: Response, by=None) -> None:
    Response.objects.filter(pk=response.pk).update(locked_at=None, locked_by=None)
    audit.record(response, "observatoire.response.unlock", user=by)


# --- Registrations (the open link) ------------------------------------------------------------


def register(
    *, edition: Edition, territory: Territory, name: str, email: str, role: str, language: str
) -> Registration:
    if not edition.accepts_answers():
        raise BarometerError("L'enquête n'est pas ouverte.")
    email = normalize_email(email)
    registration, _created = Registration.objects.get_or_create(
        edition=edition,
        territory=territory,
        email=email,
        status=Registration.Status.PENDING,
        defaults={"name": name, "role": role, "language": language},
    )
    return registration


def confirm_registration(*, registration: Registration, by) -> Invitation:
    """Staff vouch for the person: a contact, an invitation, and the personal link by e-mail.

    Registering is a new, explicit request: it lifts an earlier unsubscription of the address.
    """
    if registration.status != Registration.Status.PENDING:
        raise BarometerError("Cette inscription a déjà été traitée.")
    edition = registration.edition
    _check_can_send(edition)
    with transaction.atomic():
        Suppression.objects.filter(email_hash=hash_email(registration.email)).delete()
        contact, created = Contact.objects.get_or_create(
            email=registration.email,
            defaults={
                "name": registration.name,
                "role": registration.role,
                "territory": registration.territory,
                "language": registration.language,
            },
        )
        if not created:
            contact.opted_out_at = None
            contact.territory = registration.territory
            contact.save()
        invitation, _ = Invitation.objects.get_or_create(
            edition=edition,
            contact=contact,
            defaults={
                "territory": registration.territory,
                "source": Invitation.Source.REGISTRATION,
            },
        )
        if invitation.territory_id != registration.territory_id or invitation.revoked_at:
            invitation.territory = registration.territory
            invitation.revoked_at = None
            invitation.save(update_fields=["territory", "revoked_at"])
        Registration.objects.filter(pk=registration.pk).update(
            status=Registration.Status.CONFIRMED,
            decided_at=timezone.now(),
            decided_by=by,
            invitation=invitation,
        )
    invitation.contact = contact
    send_message(invitation=invitation, kind=MessageTemplate.Kind.ACCESS)
    Invitation.objects.filter(pk=invitation.pk, invited_at__isnull=True).update(
        invited_at=timezone.now()
    )
    return invitation


def reject_registration(*, registration: Registration, by) -> None:
    Registration.objects.filter(pk=registration.pk, status=Registration.Status.PENDING).update(
        status=Registration.Status.REJECTED, decided_at=timezone.now(), decided_by=by
    )


# --- Contacts' rights (unsubscribe, bounce, GDPR) ---------------------------------------------


def unsubscribe(*, contact: Contact) -> None:
    now = timezone.now()
    Contact.objects.filter(pk=contact.pk, opted_out_at__isnull=True).update(opted_out_at=now)
    Suppression.objects.get_or_create(
        email_hash=hash_email(contact.email),
        defaults={"reason": Suppression.Reason.UNSUBSCRIBED},
    )


def mark_bounced(*, email: str) -> int:
    """Record that messages to this address bounce: it gets no more messages."""
    email = normalize_email(email)
    now = timezone.now()
    Contact.objects.filter(email=email, bounced_at__isnull=True).update(bounced_at=now)
    return Message.objects.filter(to_email=email, status=Message.Status.SENT).update(
        status=Message.Status.BOUNCED, status_changed_at=now
    )


def _iso(value):
    return value.isoformat() if value else None


def _answers_mentioning(email: str, responses) -> list[tuple[Response, list[str]]]:
    found = []
    for response in responses:
        keys = [
            key
            for key, value in response.answers.items()
            if isinstance(value, str) and normalize_email(value) == email
        ]
        if keys:
            found.append((response, keys))
    return found


def export_contact(*, email: str) -> dict[str, Any]:
    """Everything the barometer holds about one person (GDPR right of access), as JSON data."""
    email = normalize_email(email)
    contact = Contact.objects.filter(email=email).select_related("territory").first()
    registrations = Registration.objects.filter(email=email).select_related("territory", "edition")
    if contact is None and not registrations.exists():
        raise BarometerError(f"Aucune donnée pour {email}.")
    data: dict[str, Any] = {"email": email, "exported_at": timezone.now().isoformat()}
    if contact:
        data["contact"] = {
            "name": contact.name,
            "role": contact.role,
            "territory": contact.territory.label if contact.territory else None,
            "language": contact.language,
            "opted_out_at": _iso(contact.opted_out_at),
            "bounced_at": _iso(contact.bounced_at),
            "created_at": _iso(contact.created_at),
        }
        invitations = contact.invitations.select_related("edition", "territory")
        data["invitations"] = [
            {
                "edition": invitation.edition.year,
                "territory": invitation.territory.label,
                "source": invitation.source,
                "invited_at": _iso(invitation.invited_at),
                "reminders": invitation.reminder_count,
                "opened_at": _iso(invitation.opened_at),
                "revoked_at": _iso(invitation.revoked_at),
            }
            for invitation in invitations
        ]
        data["messages"] = [
            {
                "edition": message.edition.year,
                "kind": message.kind,
                "subject": message.subject,
                "status": message.status,
                "created_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
            }
            for message in Message.objects.filter(to_email=email).select_related("edition")
        ]
        data["pages_saved"] = [
            {
                "edition": save.response.edition.year,
                "territory": save.response.territory.label,
                "page": save.page or "(envoi)",
                "saved_at": _iso(save.saved_at),
            }
            for save in PageSave.objects.filter(contact=contact).select_related(
                "response__edition", "response__territory"
            )
        ]
        responses = Response.objects.filter(
            territory_id__in=invitations.values("territory_id")
        ).select_related("edition", "territory")
        data["answers_mentioning_the_address"] = [
            {"edition": r.edition.year, "territory": r.territory.label, "questions": keys}
            for r, keys in _answers_mentioning(email, responses)
        ]
    data["registrations"] = [
        {
            "edition": registration.edition.year,
            "territory": registration.territory.label,
            "name": registration.name,
            "role": registration.role,
            "status": registration.status,
            "created_at": _iso(registration.created_at),
        }
        for registration in registrations
    ]
    return data


def erase_contact(*, email: str) -> dict[str, int]:
    """Erase a person (GDPR right to erasure); their territory's responses stay.

    The contact and inscriptions are deleted, the message log and invitations are kept for
    the campaign figures but no longer name anyone, the person's links are revoked, answers
    equal to the address are blanked, and the address is kept as a hash only so that a later
    import does not add the person back.
    """
    email = normalize_email(email)
    contact = Contact.objects.filter(email=email).first()
    summary = {"contact": 0, "invitations": 0, "messages": 0, "registrations": 0, "answers": 0}
    now = timezone.now()
    with transaction.atomic():
        summary["messages"] = Message.objects.filter(to_email=email).update(to_email="")
        summary["registrations"] = Registration.objects.filter(email=email).delete()[0]
        if contact:
            invitations = Invitation.objects.filter(contact=contact)
            territory_ids = list(invitations.values_list("territory_id", flat=True))
            AccessToken.objects.filter(invitation__in=invitations, revoked_at__isnull=True).update(
                revoked_at=now
            )
            summary["invitations"] = invitations.update(contact=None, revoked_at=now)
            for response, keys in _answers_mentioning(
                email, Response.objects.filter(territory_id__in=territory_ids)
            ):
                answers = {k: v for k, v in response.answers.items() if k not in keys}
                Response.objects.filter(pk=response.pk).update(
                    answers=answers, version=F("version") + 1
                )
                summary["answers"] += len(keys)
            contact.delete()
            summary["contact"] = 1
        Suppression.objects.update_or_create(
            email_hash=hash_email(email), defaults={"reason": Suppression.Reason.ERASED}
        )
    return summary


def questions_by_key(form: Form) -> dict[str, Question]:
    return {question.name: question for question in form.questions()}
