import pytest
from django.core import mail
from django.urls import reverse

from observatoire.editorial import demo
from observatoire.editorial.models import (
    AboutPage,
    CommitteeMember,
    EventPage,
    Partner,
    PublicationIndexPage,
    PublicationPage,
    Resource,
)

pytestmark = pytest.mark.django_db


def test_main_navigation_shows_the_four_sections(charlie, sections):
    html = charlie.get("/a-propos/").content.decode()
    for name, label in [
        ("publications", "Publications"),
        ("events", "Événements"),
        ("resources", "Ressources"),
        ("about", "À propos"),
    ]:
        assert f'<a href="{reverse(f"editorial:{name}")}"' in html, label
    assert '<a href="/a-propos/" aria-current="page">À propos</a>' in html


def test_sections_work_before_any_content_is_loaded(charlie, db):
    for url in [
        "/publications/",
        "/evenements/",
        "/ressources/",
        "/a-propos/",
        "/lettre/",
        # English has no Wagtail locale until its pages exist: the lists fall back to French.
        "/en/publications/",
        "/en/evenements/",
        "/en/recherche/?q=x",
        "/recherche/?q=x",
    ]:
        response = charlie.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1>") == 1, url


def test_demo_loads_the_seed_content_idempotently(charlie, site_pages):
    demo.load()
    demo.load()

    assert PublicationPage.objects.live().count() == len(demo.PUBLICATIONS)
    assert EventPage.objects.live().count() == len(demo.EVENTS)
    assert Resource.objects.count() == len(demo.RESOURCES)
    assert Partner.objects.count() == len(demo.PARTNERS)
    assert CommitteeMember.objects.count() == 9
    assert set(PublicationIndexPage.objects.values_list("locale__language_code", flat=True)) == {
        "fr",
        "en",
    }
    assert AboutPage.objects.get(locale__language_code="en").title == "About"
    colloque = EventPage.objects.get(slug="debattre-et-decider-a-l-ere-des-reseaux-sociaux")
    assert colloque.when_display == "lundi 10 décembre 2018"
    assert (
        colloque.follow_up_link == "/publications/debattre-et-decider-a-l-ere-des-reseaux-sociaux/"
    )
    english = charlie.get("/en/events/") if False else charlie.get("/en/evenements/")
    assert english.status_code == 200 and "Events" in english.content.decode()
    assert not mail.outbox


def test_robots_and_sitemap_know_the_sections(charlie, sections):
    from . import factory

    factory.publication("Note du sitemap", slug="note-du-sitemap")
    factory.event("Événement du sitemap")
    sitemap = charlie.get("/sitemap.xml").content.decode()
    assert "/publications/note-du-sitemap/" in sitemap
    assert "/evenements/" in sitemap
    assert "Sitemap:" in charlie.get("/robots.txt").content.decode()


def test_staff_open_the_editors_of_every_editorial_page_type(alice_client, sections):
    from . import factory

    event = factory.event("Atelier")
    publication = factory.publication("Note")
    index_pk = {model.__name__: page.pk for model, page in sections.items()}
    urls = [
        f"/admin/pages/add/editorial/publicationpage/{index_pk['PublicationIndexPage']}/",
        f"/admin/pages/add/editorial/eventpage/{index_pk['EventIndexPage']}/",
        f"/admin/pages/{publication.pk}/edit/",
        f"/admin/pages/{event.pk}/edit/",
        f"/admin/pages/{index_pk['AboutPage']}/edit/",
        "/admin/snippets/editorial/partner/add/",
        "/admin/snippets/editorial/resource/",
        "/admin/editorial/registrations/",
        "/admin/editorial/subscribers/",
        "/admin/editorial/messages/",
        "/admin/settings/editorial/editorialsettings/",
    ]
    for url in urls:
        assert alice_client.get(url, follow=True).status_code == 200, url


def test_visitors_cannot_reach_the_records_in_the_admin(bob_client, charlie):
    for client in (bob_client, charlie):
        for url in [
            "/admin/editorial/registrations/",
            "/admin/editorial/subscribers/",
            "/admin/editorial/messages/",
        ]:
            assert client.get(url).status_code in {302, 403}, url
