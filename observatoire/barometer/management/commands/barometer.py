import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from observatoire.barometer.results import commands as results_commands
from observatoire.lib.tabular import TabularError, check_size
from observatoire.lib.xlsform import XLSFormError
from observatoire.territories.models import Frame, Territory

from ...access import issue_token
from ...mail import personal_url
from ...models import Edition, Invitation
from ...services import (
    BarometerError,
    erase_contact,
    export_contact,
    export_questionnaire,
    import_contacts,
    import_questionnaire,
    mark_bounced,
    questionnaire_attachments,
    queue_wave,
    send_invitation_wave,
)
from ...tracking import STATUS_LABELS, edition_summary


def _year_edition(year):
    edition = Edition.objects.select_related("questionnaire", "frame").filter(year=year).first()
    if edition is None:
        raise CommandError(
            f"Aucune édition {year} : créez-la avec `observatoire barometer edition {year}`."
        )
    return edition


def _read(path: Path) -> bytes:
    """The file's bytes, refused before reading when over IMPORT_MAX_MB."""
    try:
        check_size(path.stat().st_size, max_mb=settings.IMPORT_MAX_MB)
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path} : {error.strerror}.") from None
    except TabularError as error:
        raise CommandError(f"{path.name} : {error}.") from None


def _open(path: Path):
    try:
        return path.open("rb")
    except OSError as error:
        raise CommandError(f"{path} : {error.strerror}.") from None


def _consent_setting(edition):
    if not edition.consent_question:
        return "aucune"
    return f"« {edition.consent_question} » (accord : « {edition.consent_yes} »)"


class Command(BaseCommand):
    help = "The barometer: editions, questionnaires, contacts, invitations, follow-up, GDPR."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        edition = commands.add_parser("edition", help="Create or update the edition of a year.")
        edition.add_argument("year", type=int)
        edition.add_argument("--status", choices=Edition.Status.values)
        edition.add_argument("--opens-on", type=date.fromisoformat, help="YYYY-MM-DD")
        edition.add_argument("--closes-on", type=date.fromisoformat, help="YYYY-MM-DD")
        edition.add_argument(
            "--frame", type=int, metavar="YEAR", help="Sampling frame to use (default: same year)."
        )
        consent = edition.add_mutually_exclusive_group()
        consent.add_argument(
            "--consent-question",
            metavar="NAME",
            help="Name of the select_one whose answer allows naming the territory.",
        )
        consent.add_argument(
            "--no-consent-question",
            action="store_true",
            help="No consent question: no territory is ever named.",
        )
        edition.add_argument(
            "--consent-yes", metavar="CHOICE", help="The choice that means consent (default oui)."
        )

        import_form = commands.add_parser(
            "import-form", help="Import an XLSForm (.xlsx) as the questionnaire of a year."
        )
        import_form.add_argument("year", type=int)
        import_form.add_argument("file", type=Path)
        import_form.add_argument(
            "attachments",
            type=Path,
            nargs="*",
            help="CSV files the form reads (select_one_from_file, pulldata), or folders of them.",
        )

        export_form = commands.add_parser(
            "export-form", help="Write the questionnaire of a year as an XLSForm (.xlsx)."
        )
        export_form.add_argument("year", type=int)
        export_form.add_argument("file", type=Path)

        contacts = commands.add_parser(
            "import-contacts", help="Import contacts (CSV or XLSX) and invite them for a year."
        )
        contacts.add_argument("year", type=int)
        contacts.add_argument("file", type=Path)
        contacts.add_argument("--dry-run", action="store_true", help="Check and report only.")

        invite = commands.add_parser("invite", help="Send the invitations (or reminders) due.")
        invite.add_argument("year", type=int)
        invite.add_argument("--reminder", action="store_true", help="Send the reminders due.")
        invite.add_argument("--limit", type=int, help="At most N messages.")
        invite.add_argument(
            "--queue",
            action="store_true",
            help="Hand the wave to the task worker (observatoire db_worker --backend background) instead of sending now.",
        )

        links = commands.add_parser(
            "links", help="Print new personal links of a territory's contacts (phone follow-up)."
        )
        links.add_argument("year", type=int)
        links.add_argument(
            "--territory", required=True, metavar="CODE", help="INSEE code or SIREN."
        )
        links.add_argument(
            "--kind", choices=Territory.Kind.values, help="When the code is ambiguous."
        )

        status = commands.add_parser("status", help="Counts per status and per stratum.")
        status.add_argument("year", type=int)

        bounce = commands.add_parser("bounce", help="Record addresses whose messages bounce.")
        bounce.add_argument("emails", nargs="+", metavar="EMAIL")

        contact = commands.add_parser("contact", help="GDPR: export or erase one person's data.")
        contact.add_argument("operation", choices=["export", "erase"])
        contact.add_argument("email")
        contact.add_argument("--output", type=Path, help="export: write the JSON to this file.")

        # Publication (results app): the PDF report and the data exports.
        results_commands.add_report_parser(commands)
        results_commands.add_export_parser(commands)

    def handle(self, *args, action, **options):
        try:
            getattr(self, "handle_" + action.replace("-", "_"))(**options)
        except BarometerError as error:
            raise CommandError(str(error)) from error

    def handle_report(self, **options):
        results_commands.handle_report(stdout=self.stdout, **options)

    def handle_export(self, **options):
        results_commands.handle_export(stdout=self.stdout, **options)

    def handle_edition(
        self,
        *,
        year,
        status,
        opens_on,
        closes_on,
        frame,
        consent_question=None,
        no_consent_question=False,
        consent_yes=None,
        **options,
    ):
        edition, created = Edition.objects.get_or_create(year=year)
        frame_year = frame or year
        if frame or edition.frame_id is None:
            found = Frame.objects.filter(year=frame_year).first()
            if found is None and frame:
                raise CommandError(
                    f"Aucune base de sondage {frame_year} : `observatoire territories frame {frame_year}`."
                )
            edition.frame = found or edition.frame
        if no_consent_question:
            consent_question = ""
        for field, value in (
            ("status", status),
            ("opens_on", opens_on),
            ("closes_on", closes_on),
            ("consent_question", consent_question),
            ("consent_yes", consent_yes),
        ):
            if value is not None:
                setattr(edition, field, value)
        edition.save()
        self.stdout.write(
            f"Édition {year} {'créée' if created else 'mise à jour'} : statut « "
            f"{edition.get_status_display()} », {edition.opens_on or '…'} – "
            f"{edition.closes_on or '…'}, base de sondage "
            f"{edition.frame.year if edition.frame else 'aucune'}, questionnaire "
            f"{edition.questionnaire or 'aucun'}, question de consentement "
            f"{_consent_setting(edition)}."
        )

    def handle_import_form(self, *, year, file, attachments=(), **options):
        edition = _year_edition(year)
        attached = {}
        for path in attachments:
            for item in sorted(path.glob("*.csv")) if path.is_dir() else [path]:
                attached[item.name] = _read(item)
        try:
            questionnaire = import_questionnaire(
                edition=edition, source=_read(file), filename=file.name, attachments=attached
            )
        except XLSFormError as error:
            lines = [f"{file.name} : {len(error.errors)} problème(s), rien n'a été importé."]
            lines += [f"- {problem}" for problem in error.errors]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{file.name} importé pour {year} : « {questionnaire.title} », version "
                f"{questionnaire.version or '—'}, {len(questionnaire.form.pages)} pages, "
                f"{questionnaire.question_count} questions."
            )
        )
        for warning in questionnaire.warnings:
            self.stdout.write(f"avertissement : {warning}")

    def handle_export_form(self, *, year, file, **options):
        edition = _year_edition(year)
        data = export_questionnaire(edition=edition)
        file.write_bytes(data)
        self.stdout.write(f"{file} écrit ({len(data)} octets).")
        # The attached files go beside it, under their names, as import-form takes them back.
        for name, content in questionnaire_attachments(edition=edition).items():
            (file.parent / name).write_bytes(content)
            self.stdout.write(f"{file.parent / name} écrit (fichier joint, {len(content)} octets).")

    def handle_import_contacts(self, *, year, file, dry_run, **options):
        edition = _year_edition(year)
        with _open(file) as source:  # streamed: the file is never read whole into memory
            report = import_contacts(
                edition=edition, source=source, filename=file.name, dry_run=dry_run
            )
        if not report.ok:
            lines = [f"{file.name} : {len(report.errors)} erreur(s), rien n'a été importé."]
            lines += [f"- {problem}" for problem in report.errors]
            raise CommandError("\n".join(lines))
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Vérification seulement (--dry-run) : rien n'a été écrit.")

    def handle_invite(self, *, year, reminder, limit, queue, **options):
        edition = _year_edition(year)
        if queue:
            with transaction.atomic():
                wave = queue_wave(edition=edition, reminder=reminder, limit=limit)
            self.stdout.write(
                f"Vague n° {wave.pk} confiée au worker : lancez `observatoire db_worker --backend background` s'il ne "
                "tourne pas déjà."
            )
            return
        wave = send_invitation_wave(edition=edition, reminder=reminder, limit=limit, progress=True)
        rate = f", {wave.rate:.1f} messages/s" if wave.rate else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{wave} : {wave.sent} envoyé(s), {wave.failed} échec(s) sur {wave.total}{rate}."
            )
        )

    def handle_links(self, *, year, territory, kind, **options):
        edition = _year_edition(year)
        code = territory.strip().upper()
        territories = Territory.objects.filter(code=code) | Territory.objects.filter(siren=code)
        if kind:
            territories = territories.filter(kind=kind)
        found = list(territories)
        if not found:
            raise CommandError(f"Aucun territoire de code {code}.")
        if len(found) > 1:
            kinds = ", ".join(t.kind for t in found)
            raise CommandError(f"{code} désigne plusieurs territoires ({kinds}) : précisez --kind.")
        invitations = (
            Invitation.objects.filter(edition=edition, territory=found[0], revoked_at__isnull=True)
            .exclude(contact=None)
            .select_related("contact")
        )
        if not invitations:
            raise CommandError(f"Aucun contact invité pour {found[0].label} en {year}.")
        if not edition.accepts_answers():
            self.stderr.write(
                "Attention : l'édition n'est pas ouverte, ces liens ne s'ouvriront pas."
            )
        self.stdout.write(
            f"{found[0].label}, baromètre {year} (nouveaux liens ; les anciens restent valables) :"
        )
        for invitation in invitations:
            contact = invitation.contact
            url = personal_url(issue_token(invitation=invitation), contact.language)
            role = f", {contact.role}" if contact.role else ""
            note = " [désinscrit]" if contact.opted_out_at else ""
            self.stdout.write(f"- {contact.name or '—'} <{contact.email}>{role}{note}\n  {url}")

    def handle_status(self, *, year, **options):
        summary = edition_summary(_year_edition(year))
        totals = summary["totals"]
        self.stdout.write(
            f"Baromètre {year} : base de sondage de {summary['frame_size']} collectivités."
        )
        for status, label in STATUS_LABELS.items():
            self.stdout.write(f"  {label:<24} {totals.get(status, 0):>6}")
        self.stdout.write(f"  taux de réponse            {summary['rate']:.1%}")
        self.stdout.write("\nPar strate (type × tranche de population) :")
        header = f"  {'strate':<32}{'base':>7}{'invités':>9}{'ouverts':>9}{'en cours':>10}{'envoyés':>9}{'taux':>8}"
        self.stdout.write(header)
        for row in summary["by_stratum"]:
            self.stdout.write(
                f"  {row['label']:<32}{row['frame']:>7}{row['invited']:>9}{row['opened']:>9}"
                f"{row['in_progress']:>10}{row['submitted']:>9}{row['rate']:>8.1%}"
            )
        if summary["outside_frame"]:
            self.stdout.write(f"\nRéponses hors base de sondage : {summary['outside_frame']}.")

    def handle_bounce(self, *, emails, **options):
        for email in emails:
            count = mark_bounced(email=email)
            self.stdout.write(
                f"{email} : adresse en erreur, {count} message(s) marqué(s) rejeté(s)."
            )

    def handle_contact(self, *, operation, email, output, **options):
        if operation == "export":
            data = json.dumps(export_contact(email=email), ensure_ascii=False, indent=2)
            if output:
                output.write_text(data + "\n")
                self.stdout.write(f"{output} écrit.")
            else:
                self.stdout.write(data)
            return
        summary = erase_contact(email=email)
        self.stdout.write(
            f"{email} effacé : contact {summary['contact']}, invitations anonymisées "
            f"{summary['invitations']}, messages anonymisés {summary['messages']}, inscriptions "
            f"supprimées {summary['registrations']}, réponses nettoyées {summary['answers']}. "
            "Les réponses des collectivités sont conservées."
        )
