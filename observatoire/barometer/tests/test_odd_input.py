"""Odd input on the respondent's pages: one clear message, nothing saved, never a 500."""

import html
import json

import pytest

from ..models import PageSave, Response
from .test_conflicts import opened, text_of
from .test_journey import PROFILE, page_url


@pytest.fixture
def bob_response(edition, grenoble):
    return lambda: Response.objects.get(edition=edition, territory=grenoble)


def test_a_nul_character_in_an_answer_is_refused_at_the_field(client, bob_link, bob_invitation):
    form = opened(client, bob_link, "profil")

    refused = client.post(
        page_url(bob_link, "profil"), {**form, **PROFILE, "nom_collectivite": "Gre\x00noble"}
    )

    assert refused.status_code == 400
    page = text_of(refused)
    assert "Caractère invalide" in page
    assert 'id="q-nom_collectivite-error"' in refused.content.decode()
    fields = {block.key: block.field for block in refused.context["blocks"] if block.field}
    # What the person typed is shown back, without the character.
    assert fields["nom_collectivite"].value == "Grenoble"
    assert fields["fonction"].value == "elu"
    assert not PageSave.objects.exists()


def test_a_nul_character_in_a_choice_is_refused_too(client, bob_link):
    form = opened(client, bob_link, "profil")
    refused = client.post(page_url(bob_link, "profil"), {**form, "fonction": "elu\x00"})
    assert refused.status_code == 400 and not PageSave.objects.exists()


def test_a_400_digit_number_is_refused_with_its_limit(client, bob_link):
    form = opened(client, bob_link, "moyens")

    refused = client.post(page_url(bob_link, "moyens"), {**form, "etp": "9" * 400})

    assert refused.status_code == 400
    assert "Nombre trop grand : 15 chiffres au plus" in text_of(refused)
    fields = {block.key: block.field for block in refused.context["blocks"] if block.field}
    assert fields["etp"].text_value == "9" * 400  # kept as typed, to correct
    assert not PageSave.objects.exists()


def test_a_number_of_fifteen_digits_is_taken(client, bob_link, bob_response):
    form = opened(client, bob_link, "moyens")
    client.post(page_url(bob_link, "moyens"), {**form, "etp": "9" * 14})
    assert bob_response().answers["etp"] == int("9" * 14)


def test_goto_an_unknown_page_goes_to_the_next_one(client, bob_link, bob_response):
    form = opened(client, bob_link, "profil")
    for target in ("../../admin", "a/b", "", "résumé"):
        moved = client.post(
            page_url(bob_link, "profil"), {**form, **PROFILE, "action": f"goto:{target}"}
        )
        assert moved.status_code == 302, target
        form = opened(client, bob_link, "profil")
    assert bob_response().answers["nom_collectivite"] == "Ville de Grenoble"


def test_malformed_merge_posts_are_refused_with_a_message(client, bob_link):
    form = opened(client, bob_link, "profil")
    malformed = [
        {"mine": "[1, 2]"},
        {"mine": "{not json"},
        {"mine": "[" * 5000},
        {"mine": json.dumps({"nom_collectivite": {"deep": 1}})},
        {"mine": "{}", "conflict": "not_on_this_page"},
        {"mine": "{}", "conflict": "nom_collectivite", "merge::nom_collectivite": "everything"},
        {
            "mine": json.dumps({"nom_collectivite": "x"}),
            "conflict": "nom_collectivite",
            "merge::nom_collectivite": "both",
        },
        {"mine": "{}", "base": "[]"},
        {"mine": "{}", "version": "9" * 40},
        {"mine": "{}", "version": "٣"},
    ]
    for fields in malformed:
        refused = client.post(page_url(bob_link, "profil"), {**form, "merge": "1", **fields})
        assert refused.status_code == 400, fields
        assert "rien n'a été enregistré" in html.unescape(refused.content.decode()), fields
    assert not PageSave.objects.exists()


def test_a_nul_character_in_the_merge_post_is_refused(client, bob_link):
    form = opened(client, bob_link, "profil")
    refused = client.post(
        page_url(bob_link, "profil"),
        {**form, "merge": "1", "mine": json.dumps({"nom_collectivite": "a\x00b"})},
    )
    assert refused.status_code == 400 and "Caractère invalide" in text_of(refused)
    assert not PageSave.objects.exists()


def test_odd_repeat_actions_and_rank_positions_are_ignored(client, bob_link):
    form = opened(client, bob_link, "profil")
    for action in ("remove:fiche:²", "remove:fiche:" + "9" * 5000, "add:", "remove:"):
        answered = client.post(page_url(bob_link, "profil"), {**form, "action": action})
        assert answered.status_code in (200, 302), action
        form = opened(client, bob_link, "profil")


def test_a_garbled_version_on_the_summary_asks_to_reread_it(client, bob_link):
    from django.urls import reverse

    url = reverse("barometer:respond-summary", kwargs={"token": bob_link})
    for version in ("abc", "9" * 5000, "²"):
        assert client.post(url, {"version": version}).status_code == 302
