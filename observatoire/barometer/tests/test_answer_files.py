"""`image` and `file` questions: uploads through the respondent's page (a plain multipart form,
no JavaScript), checked by content, stored privately, served to the territory and staff only."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from observatoire.lib.xlsform.writer import write_workbook

from ..models import Response, ResponseFile
from ..services import import_questionnaire
from . import factory
from .test_journey import page_url, post_page

# A one-page PDF written by hand (PDF 1.4, the smallest file readers open).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png(colour="red", size=(8, 8)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, "PNG")
    return output.getvalue()


@pytest.fixture(autouse=True)
def _private_folder(settings, tmp_path):
    settings.BAROMETER_UPLOADS_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def uploads(edition):
    survey = [
        ["type", "name", "label", "required"],
        ["begin_group", "pieces", "Pièces", None],
        ["image", "photo", "Une photo du dispositif", None],
        ["file", "bilan", "Le bilan de la concertation", None],
        ["end_group", "pieces", None, None],
        ["begin_group", "fin", "Fin", None],
        ["text", "commentaire", "Un commentaire ?", None],
        ["end_group", "fin", None, None],
    ]
    import_questionnaire(
        edition=edition, source=write_workbook({"survey": survey}), filename="pieces.xlsx"
    )
    return edition


def stored(edition):
    return Response.objects.get(edition=edition)


def test_the_page_is_a_multipart_form_with_file_inputs(client, uploads, bob_link):
    html = client.get(page_url(bob_link, "pieces")).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'accept="' in html and "image/png" in html
    plain = client.get(page_url(bob_link, "fin")).content.decode()
    assert "multipart" not in plain


def test_a_photo_and_a_pdf_are_stored_outside_media_and_named_in_the_answers(
    client, uploads, bob_link
):
    posted = post_page(
        client,
        bob_link,
        "pieces",
        {
            "photo": SimpleUploadedFile("plan.png", png()),
            "bilan": SimpleUploadedFile("bilan 2026.pdf", PDF),
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    response = stored(uploads)
    assert (response.answers["photo"], response.answers["bilan"]) == ("plan.png", "bilan 2026.pdf")
    photo = ResponseFile.objects.get(response=response, key="photo")
    path = Path(photo.file.path)
    assert path.read_bytes() == png() and photo.content_type == "image/png"
    assert Path(settings.BAROMETER_UPLOADS_ROOT) in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert ResponseFile.objects.get(key="bilan").content_type == "application/pdf"


def test_the_file_is_served_to_its_respondent_and_staff_only(
    client, alice_client, uploads, bob_link, dana_invitation, grenoble
):
    post_page(client, bob_link, "pieces", {"photo": SimpleUploadedFile("plan.png", png())})
    photo = ResponseFile.objects.get(key="photo")
    own = reverse("barometer:respond-file", kwargs={"token": bob_link, "file_id": photo.pk})
    served = client.get(own)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == png()
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    page = client.get(page_url(bob_link, "pieces")).content.decode()
    assert own in page and "Supprimer ce fichier" in page

    dana_link = factory.link(dana_invitation)  # Lyon: another territory's respondent
    other = reverse("barometer:respond-file", kwargs={"token": dana_link, "file_id": photo.pk})
    assert client.get(other).status_code == 404
    staff_kwargs = {"year": uploads.year, "kind": "commune", "code": grenoble.code}
    staff = reverse(
        "barometer:staff-file", kwargs={**staff_kwargs, "channel": "phone", "file_id": photo.pk}
    )
    assert alice_client.get(staff).status_code == 200
    assert client.get(staff).status_code in (302, 403)


def test_a_file_is_checked_by_its_content_not_its_name(client, uploads, bob_link):
    refused = post_page(
        client,
        bob_link,
        "pieces",
        {
            "photo": SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image at all"),
            "bilan": SimpleUploadedFile("bilan.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 40),
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "son contenu est vérifié" in html and "JPEG, PNG, GIF, WEBP" in html
    assert "ODT, ODS, DOCX" in html  # the file question's kinds: the executable is refused too
    assert not ResponseFile.objects.exists()
    assert "photo" not in stored(uploads).answers


def test_a_file_over_the_size_limit_is_refused(client, uploads, bob_link, settings):
    settings.BAROMETER_UPLOAD_MAX_MB = 1
    big = png(size=(10, 10)) + b"\x00" * (1024 * 1024)
    refused = post_page(client, bob_link, "pieces", {"bilan": SimpleUploadedFile("gros.pdf", big)})
    assert refused.status_code == 400
    assert "Fichier trop volumineux (1.0 Mo) : 1 Mo au plus." in refused.content.decode()
    assert not ResponseFile.objects.exists()


def test_replacing_then_removing_a_file_deletes_the_old_ones(client, uploads, bob_link):
    post_page(client, bob_link, "pieces", {"photo": SimpleUploadedFile("a.png", png("red"))})
    first = Path(ResponseFile.objects.get(key="photo").file.path)
    post_page(client, bob_link, "pieces", {"photo": SimpleUploadedFile("b.png", png("blue"))})
    [second] = ResponseFile.objects.filter(key="photo")
    assert second.name == "b.png" and not first.exists()
    assert stored(uploads).answers["photo"] == "b.png"
    post_page(client, bob_link, "pieces", {"photo::clear": "1"})
    assert not ResponseFile.objects.exists() and not Path(second.file.path).exists()
    assert "photo" not in stored(uploads).answers


def test_keeping_a_file_on_a_later_save_keeps_it(client, uploads, bob_link):
    post_page(client, bob_link, "pieces", {"photo": SimpleUploadedFile("a.png", png())})
    post_page(client, bob_link, "pieces", {})
    assert ResponseFile.objects.get(key="photo").name == "a.png"
    assert stored(uploads).answers["photo"] == "a.png"


def test_deleting_the_response_deletes_its_files(client, uploads, bob_link):
    post_page(client, bob_link, "pieces", {"photo": SimpleUploadedFile("a.png", png())})
    path = Path(ResponseFile.objects.get().file.path)
    assert path.exists()
    stored(uploads).saves.all().delete()
    stored(uploads).delete()
    assert not ResponseFile.objects.exists() and not path.exists()
