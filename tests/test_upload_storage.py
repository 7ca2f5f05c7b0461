"""Any upload in the admin (here a Wagtail document): an unusable media folder is a message."""

import io
import logging

import pytest
from wagtail.documents import get_document_model

pytestmark = pytest.mark.django_db


def test_a_document_upload_into_an_unusable_media_folder_is_a_message_not_a_500(
    alice_client, settings, tmp_path, caplog
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"  # mkdir fails with ENOTDIR, even for root
    upload = io.BytesIO(b"%PDF-1.4 rapport")
    upload.name = "rapport.pdf"
    with caplog.at_level(logging.ERROR, logger="observatoire.uploads"):
        response = alice_client.post(
            "/admin/documents/add/", {"title": "Rapport", "file": upload}, follow=True
        )
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any(m.startswith("Le fichier n'a pas pu être enregistré") for m in shown), shown
    assert "Upload could not be stored" in caplog.text
    assert not get_document_model().objects.exists()
