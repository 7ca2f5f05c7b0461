import html
import json
import re

import pytest
from django.core import mail

from observatoire.editorial.models import (
    CommitteeMember,
    ContactMessage,
    EditorialSettings,
    Partner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db):
    rte = Partner.objects.create(name="RTE", kind="financial", since=2018)
    Partner.objects.create(
        name="Etalab", kind="operational", since=2018, website="https://etalab.test/"
    )
    Partner.objects.create(name="Ecoter", kind="event")
    Partner.objects.create(name="Ancien partenaire", kind="financial", is_active=False)
    CommitteeMember.objects.create(
        name="Camille Durand", role="Présidente", affiliation="Université"
    )
    CommitteeMember.objects.create(name="Représentant RTE", role="Membre", partner=rte)


def test_about_page_lists_committee_and_current_partners(charlie, sections, network):
    response = charlie.get("/a-propos/")

    page = response.content.decode()
    assert response.status_code == 200 and page.count("<h1>") == 1
    assert "Camille Durand" in page and "Présidente" in page
    assert "Représentant RTE" in page and page.count(">RTE<") >= 1
    financial, operational = response.context["partner_groups"]
    assert [p.name for p in financial[1]] == ["RTE"]
    assert [p.name for p in operational[1]] == ["Etalab"]
    assert "Ancien partenaire" not in page and "Ecoter" not in page
    assert "depuis 2018" in page
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    assert data["@type"] == "Organization"
    assert data["sponsor"] == [{"@type": "Organization", "name": "RTE"}]


def test_contact_message_is_stored_and_mailed_to_the_team(charlie, sections, settings):
    EditorialSettings.objects.create(contact_email="equipe@observatoire.test")

    response = charlie.post(
        "/a-propos/",
        {
            "name": "Dominique",
            "email": "dominique@ville.test",
            "subject": "Baromètre",
            "message": "Bonjour,\nune question.",
        },
    )

    assert response.status_code == 302 and response["Location"].endswith("#contact")
    message = ContactMessage.objects.get()
    assert (message.name, message.subject) == ("Dominique", "Baromètre")
    (mailed,) = mail.outbox
    assert mailed.to == ["equipe@observatoire.test"]
    assert mailed.reply_to == ["dominique@ville.test"]
    assert "[Contact] Baromètre" == mailed.subject and "une question." in mailed.body


def test_without_a_team_address_messages_go_to_the_administrators(charlie, sections, alice):
    charlie.post(
        "/a-propos/", {"name": "D", "email": "d@ville.test", "subject": "S", "message": "M"}
    )
    assert mail.outbox[0].to == [alice.email]


def test_contact_form_honeypot_and_rate_limit(charlie, sections, settings):
    settings.EDITORIAL_POSTS_PER_HOUR = 1
    data = {"name": "D", "email": "d@ville.test", "subject": "S", "message": "M"}

    bot = charlie.post("/a-propos/", {**data, "website": "http://spam.test"})
    person = charlie.post("/a-propos/", data)

    assert bot.status_code == 302  # the robot believes it worked
    assert person.status_code == 429
    assert "Trop d'envois" in html.unescape(person.content.decode())
    assert not ContactMessage.objects.exists() and not mail.outbox


def test_invalid_contact_form_names_the_fields(charlie, sections):
    response = charlie.post(
        "/a-propos/", {"name": "", "email": "non", "subject": "", "message": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('aria-invalid="true"') == 4
    assert not ContactMessage.objects.exists()
