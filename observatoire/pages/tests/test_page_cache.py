"""The anonymous page cache: shared, invalidated on publish, never for a signed-in visitor."""

import pytest
from django.test import Client

from observatoire.pages.cache import generation
from observatoire.pages.models import HomePage


@pytest.fixture
def cached(settings, site_pages):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    return HomePage.objects.get(locale__language_code="fr")


def _publish_new_intro(home, text):
    home.intro = f"<p>{text}</p>"
    home.save_revision().publish()


def test_second_anonymous_visit_is_served_from_the_cache(charlie, cached):
    first = charlie.get("/")
    assert first["X-Observatoire-Cache"] == "miss"
    second = Client().get("/")
    assert second["X-Observatoire-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"] and "must-revalidate" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]


def test_a_visitor_who_has_the_page_gets_304(charlie, cached):
    etag = charlie.get("/")["ETag"]
    again = Client().get("/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""


@pytest.mark.django_db(transaction=True)  # the generation moves when the publish commits
def test_publishing_invalidates_the_cached_page_at_once(charlie, cached):
    assert "Nouvelle introduction" not in charlie.get("/").content.decode()
    before = generation()
    _publish_new_intro(cached, "Nouvelle introduction")
    assert generation() > before
    fresh = Client().get("/")
    assert fresh["X-Observatoire-Cache"] == "miss"
    assert "Nouvelle introduction" in fresh.content.decode()


def test_a_signed_in_staff_member_never_gets_the_cached_page(charlie, alice_client, cached):
    charlie.get("/")
    assert Client().get("/")["X-Observatoire-Cache"] == "hit"
    staff = alice_client.get("/")
    assert "X-Observatoire-Cache" not in staff
    # ...and what staff see is never stored for the public.
    assert Client().get("/")["X-Observatoire-Cache"] == "hit"


def test_pages_with_a_form_token_or_a_cookie_are_not_stored(charlie, cached):
    # The newsletter page renders a form with a CSRF token, which belongs to one visitor.
    for _ in range(2):
        response = Client().get("/lettre/")
        assert response.status_code == 200 and b"csrfmiddlewaretoken" in response.content
        assert "X-Observatoire-Cache" not in response


def test_personal_links_and_admin_are_never_cached(charlie, cached):
    assert "X-Observatoire-Cache" not in Client().get("/barometre/repondre/inconnu/")
    assert "X-Observatoire-Cache" not in Client().get("/admin/login/")


def test_the_cache_is_off_when_its_lifetime_is_zero(charlie, cached, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    charlie.get("/")
    assert "X-Observatoire-Cache" not in Client().get("/")


@pytest.mark.django_db(transaction=True)  # the generation moves when the save commits
def test_a_cached_cartography_page_is_invalidated_when_its_entry_changes(charlie, cached):
    from observatoire.directory.tests import factory

    tool = factory.tool("Outil alpha", description="Première description")
    url = tool.get_absolute_url()
    assert "Première description" in charlie.get(url).content.decode()
    assert Client().get(url)["X-Observatoire-Cache"] == "hit"
    tool.description = "Seconde description"
    tool.save()
    fresh = Client().get(url)
    assert fresh["X-Observatoire-Cache"] == "miss"
    assert "Seconde description" in fresh.content.decode()
    # The search page too: it lists the entry from the index, which the same save refreshed.
    assert Client().get("/cartographie/?q=alpha")["Cache-Control"].startswith("public")


def test_a_signed_in_staff_member_never_gets_a_cached_cartography_page(
    charlie, alice_client, cached
):
    charlie.get("/cartographie/")
    assert Client().get("/cartographie/")["X-Observatoire-Cache"] == "hit"
    staff = alice_client.get("/cartographie/")
    assert staff.status_code == 200
    assert "X-Observatoire-Cache" not in staff
    assert "public" not in staff.get("Cache-Control", "")
