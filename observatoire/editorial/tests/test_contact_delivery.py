"""The contact form tells the visitor the truth: mailed, or stored only."""

import html
import socket

import pytest
from django.core import mail

from observatoire.editorial.models import ContactMessage, EditorialSettings

pytestmark = pytest.mark.django_db

MESSAGE = {"name": "Dominique", "email": "dominique@ville.test", "message": "Une question."}


def _shown(response):
    return html.unescape(response.content.decode())


def test_a_subject_with_line_breaks_is_sent_on_one_line(charlie, sections):
    EditorialSettings.objects.create(contact_email="equipe@observatoire.test")

    sent = charlie.post(
        "/a-propos/",
        {**MESSAGE, "subject": "Baromètre\r\nBcc: victime@ailleurs.test\n2018"},
        follow=True,
    )

    assert "bien parvenu" in _shown(sent)
    (mailed,) = mail.outbox
    assert mailed.subject == "[Contact] Baromètre Bcc: victime@ailleurs.test 2018"
    assert mailed.to == ["equipe@observatoire.test"] and not mailed.bcc
    assert ContactMessage.objects.get().subject == "Baromètre Bcc: victime@ailleurs.test 2018"


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


def test_a_message_that_could_not_be_mailed_is_not_announced_as_sent(charlie, sections, settings):
    # A real SMTP connection to a port nobody listens on: the mail server is down.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        _closed_port(),
        2,
    )
    EditorialSettings.objects.create(contact_email="equipe@observatoire.test")

    answered = charlie.post("/a-propos/", {**MESSAGE, "subject": "Baromètre"}, follow=True)

    page = _shown(answered)
    assert "bien parvenu" not in page
    assert (
        "Votre message est enregistré, mais l'e-mail qui prévient l'équipe n'a pas pu partir"
        in page
    )
    assert ContactMessage.objects.get().subject == "Baromètre"  # kept for the team
