"""The public contribution form /cartographie/contribuer/: proposals wait for moderation."""

import pytest
from django.core.cache import cache

from observatoire.directory import search, services
from observatoire.directory.models import Contribution
from observatoire.directory.views import RATE_LIMIT
from observatoire.ratelimit import hash_ip

from . import factory

URL = "/cartographie/contribuer/"


@pytest.fixture(autouse=True)
def clean_state(db):
    cache.clear()  # the rate limit counts per address in the default cache
    search.forget()
    yield
    cache.clear()


def proposal(**fields):
    data = {
        "entity": "tool",
        "name": "Parlement et Citoyens",
        "website": "https://parlement-et-citoyens.fr",
        "description": "Plateforme où des parlementaires consultent les citoyens.",
        "objective": "coproduction",
        "functions": ["consultation"],
        "is_open_source": "false",
        "message": "Vu sur https://spam.example/offre",
        "contributor_name": "Camille",
        "contributor_email": "camille@example.org",
    }
    data.update(fields)
    return data


def test_form_is_accessible_and_works_without_javascript(charlie, db):
    html = charlie.get(URL).content.decode()
    assert html.count("<h1") == 1
    assert '<form method="post"' in html
    assert "<legend>Pour un outil</legend>" in html
    assert '<label for="id_name">' in html
    assert 'class="hp" aria-hidden="true"' in html


def test_visitor_proposes_a_new_tool_that_waits_for_moderation(charlie, db):
    response = charlie.post(URL, proposal())
    assert response.status_code == 302 and response["Location"] == "/cartographie/contribuer/merci/"
    contribution = Contribution.objects.get()
    assert contribution.status == Contribution.Status.PENDING
    assert contribution.kind == Contribution.Kind.NEW
    assert contribution.entity == "tool"
    assert contribution.data == {
        "name": "Parlement et Citoyens",
        "website": "https://parlement-et-citoyens.fr",
        "description": "Plateforme où des parlementaires consultent les citoyens.",
        "objective": "coproduction",
        "functions": ["consultation"],
        "is_open_source": "false",
    }
    assert contribution.contributor_email == "camille@example.org"
    assert contribution.ip_hash == hash_ip("127.0.0.1")
    thanks = charlie.get(response["Location"]).content.decode()
    assert "« Parlement et Citoyens »" in thanks
    assert "Vous recevrez un courriel" in thanks
    # Nothing public yet.
    assert charlie.get("/cartographie/", {"q": "parlement"}).context["result"].total == 0


def test_approved_proposal_becomes_a_public_entry(charlie, db, moderator):
    charlie.post(URL, proposal())
    entry = services.approve_contribution(contribution=Contribution.objects.get(), by=moderator)
    assert charlie.get(entry.get_absolute_url()).status_code == 200
    results = charlie.get("/cartographie/", {"q": "parlement"}).context["result"]
    assert [item.name for item in results.entries] == ["Parlement et Citoyens"]


def test_no_link_is_rendered_from_unmoderated_text(charlie, db):
    response = charlie.post(
        URL,
        proposal(name="Offre https://spam.example", website="https://spam.example"),
        follow=True,
    )
    html = response.content.decode()
    assert "Offre https://spam.example" in html  # shown as text...
    assert 'href="https://spam.example' not in html  # ...never as a link


def test_correction_records_only_what_changed(charlie, db):
    tool = factory.tool("Decidim", objective="coproduction", website="https://decidim.org")
    form_page = charlie.get(URL, {"outil": tool.slug}).content.decode()
    assert "Corriger la fiche « Decidim »" in form_page
    assert 'value="https://decidim.org"' in form_page
    response = charlie.post(
        f"{URL}?outil={tool.slug}",
        {
            "name": "Decidim",
            "website": "https://decidim.org",
            "description": "Logiciel libre de participation, né à Barcelone.",
            "objective": "coproduction",
            "is_open_source": "true",
            "message": "Voir le site officiel.",
        },
    )
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.kind == Contribution.Kind.CORRECTION
    assert contribution.target_entry == tool
    assert contribution.data == {
        "description": "Logiciel libre de participation, né à Barcelone.",
        "is_open_source": "true",
    }


def test_correction_without_any_change_is_refused(charlie, db):
    tool = factory.tool("Decidim", objective="coproduction")
    response = charlie.post(
        f"{URL}?outil={tool.slug}", {"name": "Decidim", "objective": "coproduction"}
    )
    assert response.status_code == 200
    assert "Vous n&#x27;avez rien modifié" in response.content.decode()
    assert not Contribution.objects.exists()


def test_new_entry_needs_a_name(charlie, db):
    response = charlie.post(URL, proposal(name=""))
    assert response.status_code == 200
    assert "Indiquez le nom de la fiche proposée." in response.content.decode()
    assert not Contribution.objects.exists()


def test_honeypot_filled_by_a_robot_saves_nothing(charlie, db):
    response = charlie.post(URL, proposal(champ_controle="http://buy.example"))
    assert response.status_code == 302
    assert not Contribution.objects.exists()


def test_rate_limit_per_address_after_too_many_posts(charlie, db):
    for number in range(RATE_LIMIT):
        response = charlie.post(URL, proposal(name=f"Outil numéro {number}", website=""))
        assert response.status_code == 302, number
    response = charlie.post(URL, proposal(name="Un de trop", website=""))
    assert response.status_code == 429
    assert "Trop de propositions" in response.content.decode()
    assert Contribution.objects.count() == RATE_LIMIT
    # Another address is not affected.
    other = charlie.post(URL, proposal(name="Autre adresse", website=""), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_likely_duplicate_is_shown_before_sending(charlie, db):
    existing = factory.tool("Parlement & Citoyens", website="https://www.parlement-et-citoyens.fr")
    factory.tool("Parlement et Citoyens (brouillon)", published=False)
    response = charlie.post(URL, proposal())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cette entrée existe peut-être déjà :" in html
    assert f'<a href="{existing.get_absolute_url()}">Parlement &amp; Citoyens</a>' in html
    assert "brouillon" not in html  # unpublished entries are never revealed
    assert not Contribution.objects.exists()
    confirmed = charlie.post(URL, proposal(confirm="on"))
    assert confirmed.status_code == 302
    assert Contribution.objects.count() == 1
