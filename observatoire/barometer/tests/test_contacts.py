"""Contacts import: row-level errors, de-duplication, opted-out people stay out."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from ..models import Contact, Invitation, Suppression, hash_email
from ..services import BarometerError, import_contacts, unsubscribe
from .factory import DATA, territory


def test_import_links_each_contact_to_a_frame_territory_and_deduplicates(
    edition, grenoble, lyon, aura
):
    report = import_contacts(
        edition=edition,
        source=(DATA / "contacts-2018.csv").read_bytes(),
        filename="contacts-2018.csv",
    )
    assert report.ok, report.errors
    assert (report.rows, report.created, report.invitations_created) == (5, 4, 4)
    assert report.duplicates == [(5, 2, "bob@mairie.test")]
    bob = Contact.objects.get(email="bob@mairie.test")
    assert (bob.name, bob.role, bob.territory) == (
        "Bob Martin",
        "Chargé de mission participation",
        grenoble,
    )
    assert Invitation.objects.get(contact__email="contact@aura.test").territory == aura
    assert Invitation.objects.filter(edition=edition, territory=grenoble).count() == 2


def test_importing_again_updates_without_duplicating(edition):
    source = (DATA / "contacts-2018.csv").read_bytes()
    import_contacts(edition=edition, source=source, filename="a.csv")
    report = import_contacts(edition=edition, source=source, filename="a.csv")
    assert (report.created, report.invitations_created, report.already_invited) == (0, 0, 4)
    assert Contact.objects.count() == 4 and Invitation.objects.count() == 4


def test_row_errors_name_line_and_column_and_nothing_is_written(edition):
    report = import_contacts(
        edition=edition,
        source=(DATA / "contacts-bad.csv").read_bytes(),
        filename="contacts-bad.csv",
    )
    assert not report.ok
    found = {(p.line, p.column) for p in report.errors}
    assert found == {(2, "courriel"), (3, "territoire"), (4, "territoire")}
    assert "99999" in str(next(p for p in report.errors if p.line == 3))
    assert not Contact.objects.exists()


def test_a_territory_outside_the_frame_is_an_error(edition):
    territory("commune", "38421", "Saint-Martin-d'Hères", 38_000)
    source = b"email,territory\nx@smh.test,38421\n"
    report = import_contacts(edition=edition, source=source, filename="c.csv")
    assert "n'est pas dans la base de sondage 2018" in report.errors[0].message


def test_an_ambiguous_code_asks_for_the_kind(edition, aura):
    territory("departement", "84", "Vaucluse", 560_000)
    edition.frame.members.create(
        territory=territory("departement", "01", "Ain", 660_000),
        kind="departement",
        band="x",
        name="Ain",
    )
    edition.frame.members.create(
        territory=territory("region", "01", "Guadeloupe", 380_000),
        kind="region",
        band="x",
        name="Guadeloupe",
    )
    report = import_contacts(
        edition=edition, source=b"email,territory\na@b.test,01\n", filename="c.csv"
    )
    assert "departement:01 ou region:01" in report.errors[0].message
    report = import_contacts(
        edition=edition, source=b"email,territory,type\na@b.test,01,region\n", filename="c.csv"
    )
    assert report.ok


def test_a_person_who_opted_out_stays_out(edition, bob_invitation):
    unsubscribe(contact=bob_invitation.contact)
    report = import_contacts(
        edition=edition,
        source=(DATA / "contacts-2018.csv").read_bytes(),
        filename="contacts-2018.csv",
    )
    assert [email for _line, email in report.opted_out] == ["bob@mairie.test"]
    assert Suppression.objects.filter(email_hash=hash_email("BOB@mairie.test")).exists()
    bob = Contact.objects.get(email="bob@mairie.test")
    assert bob.opted_out_at is not None


def test_xlsx_files_are_read_too(edition):
    book = Workbook()
    book.active.append(["Nom", "E-mail", "Fonction", "Code territoire"])
    book.active.append(["Dana Roux", "dana@lyon.test", "Élue", 69123])
    data = io.BytesIO()
    book.save(data)
    report = import_contacts(edition=edition, source=data.getvalue(), filename="c.xlsx")
    assert report.ok and report.created == 1


def test_missing_columns_are_named(edition):
    with pytest.raises(BarometerError, match="courriel"):
        import_contacts(edition=edition, source=b"nom,territoire\nA,38185\n", filename="c.csv")


def test_dry_run_writes_nothing(edition, capsys):
    call_command(
        "barometer", "import-contacts", "2018", str(DATA / "contacts-2018.csv"), "--dry-run"
    )
    out = capsys.readouterr().out
    assert "4 seraient créés" in out and "rien n'a été écrit" in out
    assert not Contact.objects.exists()


def test_the_command_lists_row_errors(edition):
    with pytest.raises(CommandError) as raised:
        call_command("barometer", "import-contacts", "2018", str(DATA / "contacts-bad.csv"))
    assert "ligne 2, colonne « courriel »" in str(raised.value)
    assert "3 erreur(s), rien n'a été importé" in str(raised.value)
