"""Contacts and XLSForm files: size and row limits, encodings, NUL bytes, storage failures."""

import errno
import io
import logging

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ..models import Contact, Invitation
from ..services import BarometerError, import_contacts
from .factory import DATA, DEMO

HEADER = "nom;courriel;fonction;territoire\n"
GOOD = HEADER + "Ève Durand;eve@mairie.test;DGS;38185\nDana Roux;dana@lyon.test;Élue;69123\n"


def upload(data: bytes, name: str = "contacts.csv"):
    file = io.BytesIO(data)
    file.name = name
    return file


def contacts_page(client, data, name="contacts.csv"):
    return client.post(
        reverse("barometer_admin:contacts", args=[2018]), {"file": upload(data, name)}
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_nul_byte_is_reported_with_row_and_column_in_the_dry_run_as_in_the_real_run(
    edition, dry_run
):
    data = (GOOD + "Bob\x00 Martin;bob@mairie.test;DGS;38185\n").encode()
    with pytest.raises(BarometerError) as refused:
        import_contacts(edition=edition, source=data, filename="c.csv", dry_run=dry_run)
    assert str(refused.value) == (
        "c.csv : Ligne 4, colonne « nom » : caractère NUL (octet 0) : le fichier est binaire ou "
        "mal exporté."
    )
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("bom", "encoding"), [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"", "utf-8")]
)
def test_utf16_and_utf8_files_are_imported(edition, grenoble, lyon, bom, encoding):
    report = import_contacts(edition=edition, source=bom + GOOD.encode(encoding), filename="c.csv")
    assert report.ok and report.created == 2
    assert Contact.objects.get(email="eve@mairie.test").name == "Ève Durand"


def test_utf16_without_bom_gets_an_encoding_message_not_missing_columns(edition):
    with pytest.raises(BarometerError, match=r"Encodage non pris en charge.*UTF-8"):
        import_contacts(edition=edition, source=GOOD.encode("utf-16-le"), filename="c.csv")


def test_a_windows_1252_file_is_refused_naming_the_row_and_how_to_save_it(edition):
    with pytest.raises(BarometerError) as refused:
        import_contacts(edition=edition, source=GOOD.encode("cp1252"), filename="c.csv")
    assert str(refused.value) == (
        "c.csv : Ligne 2, colonne « nom » : encodage non pris en charge : enregistrez le fichier "
        "en UTF-8 (« CSV UTF-8 » dans Excel)."
    )


def test_more_rows_than_the_limit_are_refused_and_nothing_is_written(edition, settings):
    settings.IMPORT_MAX_ROWS = 1
    with pytest.raises(BarometerError, match=r"plus de 1 lignes de données.*IMPORT_MAX_ROWS"):
        import_contacts(edition=edition, source=GOOD.encode(), filename="c.csv")
    assert not Contact.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_reading(edition, settings, tmp_path):
    settings.IMPORT_MAX_MB = 1
    big = tmp_path / "big.csv"
    big.write_bytes(GOOD.encode() + b"x" * 1024 * 1024)
    with pytest.raises(CommandError, match=r"big.csv : Fichier trop volumineux \(1\.0 Mo"):
        call_command("barometer", "import-contacts", "2018", str(big), "--dry-run")


def test_the_admin_upload_refuses_a_file_over_the_size_limit(alice_client, edition, settings):
    settings.IMPORT_MAX_MB = 1
    page = contacts_page(alice_client, GOOD.encode() + b"x" * 1024 * 1024)
    assert page.status_code == 400
    assert (
        "fichier trop volumineux (1.0 Mo, 1 Mo au plus)" in page.context["form"].errors["file"][0]
    )


def test_the_admin_upload_shows_a_nul_byte_in_the_check(alice_client, edition):
    page = contacts_page(alice_client, (GOOD + "B\x00;b@x.test;;38185\n").encode())
    assert page.status_code == 400
    assert "Ligne 4, colonne « nom » : caractère NUL" in page.content.decode()
    assert page.context["key"] is None


def test_a_checked_utf16_upload_is_imported_on_confirmation(alice_client, edition, grenoble, lyon):
    checked = contacts_page(alice_client, b"\xff\xfe" + GOOD.encode("utf-16-le"))
    assert checked.status_code == 200 and checked.context["report"].ok
    alice_client.post(
        reverse("barometer_admin:contacts", args=[2018]),
        {"confirm": "1", "key": checked.context["key"], "filename": "contacts.csv"},
    )
    assert Invitation.objects.filter(edition=edition).count() == 2


def test_an_unusable_media_folder_is_a_message_not_a_500(
    alice_client, edition, settings, tmp_path, caplog
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"  # mkdir fails with ENOTDIR, even for root
    with caplog.at_level(logging.ERROR, logger="observatoire.uploads"):
        page = contacts_page(alice_client, (DATA / "contacts-2018.csv").read_bytes())
    assert page.status_code == 400
    message = page.context["form"].errors["file"][0]
    assert message.startswith("Le fichier n'a pas pu être enregistré : dossier des fichiers")
    assert message.endswith("prévenez l'administrateur.")
    assert page.context["key"] is None and "Upload could not be stored" in caplog.text
    assert not Contact.objects.exists()


def test_a_full_disk_is_a_message_not_a_500(alice_client, edition, monkeypatch, caplog):
    def full(self, name, content):  # the boundary: the operating system refusing the write
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full)
    with caplog.at_level(logging.ERROR, logger="observatoire.uploads"):
        page = contacts_page(alice_client, (DATA / "contacts-2018.csv").read_bytes())
    assert page.status_code == 400
    assert page.context["form"].errors["file"] == [
        "Le fichier n'a pas pu être enregistré : espace disque plein ; prévenez l'administrateur."
    ]
    assert "No space left on device" in caplog.text


def test_the_xlsform_upload_and_command_refuse_a_file_over_the_size_limit(
    alice_client, edition, settings, tmp_path
):
    settings.IMPORT_MAX_MB = 1
    data = (DEMO / "barometre-2026.xlsx").read_bytes() + b"\0" * 1024 * 1024
    page = alice_client.post(
        reverse("barometer_admin:questionnaire", args=[2018]),
        {"file": upload(data, "gros.xlsx")},
    )
    assert page.status_code == 400
    assert "fichier trop volumineux" in page.context["form"].errors["file"][0]
    big = tmp_path / "gros.xlsx"
    big.write_bytes(data)
    with pytest.raises(CommandError, match=r"gros.xlsx : fichier trop volumineux.*IMPORT_MAX_MB"):
        call_command("barometer", "import-form", "2018", str(big))


def test_the_check_page_shows_the_first_500_errors_of_a_large_bad_file(alice_client, edition):
    rows = "".join(f"X{n};pas-une-adresse-{n};;38185\n" for n in range(600))
    page = contacts_page(alice_client, (HEADER + rows).encode())
    assert page.status_code == 400 and len(page.context["report"].errors) == 600
    html = page.content.decode()
    assert "pas-une-adresse-499 »" in html and "pas-une-adresse-500 »" not in html
    assert "Seules les 500 premières erreurs sont affichées" in html
