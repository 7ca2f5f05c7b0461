"""The one guard against NUL characters: a clear 400 naming the field, before any view runs."""

import html

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_a_search_is_refused_with_the_field_named(client, site_pages):
    refused = client.get("/territoires/recherche/", {"q": "Gre\x00noble", "limit": "5"})
    assert refused.status_code == 400
    page = html.unescape(refused.content.decode())
    assert "Caractère invalide" in page and "<code>q</code>" in page
    assert "<code>limit</code>" not in page


def test_a_nul_character_in_a_form_post_is_refused_and_nothing_is_stored(client, site_pages):
    from observatoire.editorial.models import ContactMessage

    refused = client.post(
        "/a-propos/",
        {"name": "D", "email": "d@ville.test", "subject": "Objet\x00", "message": "M"},
    )
    assert refused.status_code == 400
    assert "<code>subject</code>" in refused.content.decode()
    assert not ContactMessage.objects.exists()


def test_a_nul_character_in_the_address_is_not_a_page(client, site_pages):
    assert client.get("/territoires/commune/38%00185/").status_code == 404


def test_input_without_nul_goes_through(client, site_pages):
    assert client.get("/territoires/recherche/", {"q": "Grenoble"}).status_code == 200
