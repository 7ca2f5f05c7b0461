import json

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from wagtail.models import Page

from observatoire.pages.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


def test_home_page_presents_the_five_objectives_in_french(site_pages, charlie):
    response = charlie.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Cartographier la civic tech" in html
    assert html.count('<li class="card"><h3>') == 5 + 0  # objectives only have no eyebrow
    assert "Baromètre de la démocratie locale numérique" in html


def test_english_switch_leads_to_the_english_home_page(site_pages, charlie):
    french = charlie.get("/").content.decode()
    assert 'href="/en/" lang="en" hreflang="en"' in french
    english = charlie.get("/en/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert "Map civic tech and decode its issues" in english.content.decode()


def test_legal_pages_exist_in_both_languages_and_are_in_the_footer(site_pages, charlie):
    home = charlie.get("/").content.decode()
    for slug in ["mentions-legales", "donnees-personnelles", "accessibilite"]:
        assert f'href="/{slug}/"' in home
        assert charlie.get(f"/{slug}/").status_code == 200
        assert charlie.get(f"/en/{slug}/").status_code == 200


def test_base_template_has_skip_link_landmarks_and_title(site_pages, charlie):
    html = charlie.get("/accessibilite/").content.decode()
    assert '<a class="skip-link" href="#contenu">' in html
    assert '<main id="contenu"' in html
    assert 'role="banner"' in html and 'role="contentinfo"' in html
    assert "<title>Déclaration d&#x27;accessibilité · Observatoire des civic tech</title>" in html


def test_pages_make_no_external_requests(site_pages, charlie):
    html = charlie.get("/").content.decode()
    for attribute in ('src="http', "src='http", 'href="http', "url(http"):
        assert attribute not in html.replace('href="http://testserver', "")


def test_demo_loader_is_idempotent(site_pages):
    counts = (Page.objects.count(), HomePage.objects.count(), StandardPage.objects.count())
    from observatoire.pages import demo

    demo.load()
    assert (Page.objects.count(), HomePage.objects.count(), StandardPage.objects.count()) == counts
    assert HomePage.objects.count() == 2
    assert StandardPage.objects.count() == 6


def test_home_page_content_is_editable_in_wagtail(site_pages, charlie):
    home = HomePage.objects.get(locale__language_code="fr")
    home.objectives = [("objective", {"title": "Un objectif modifié", "text": ""})]
    home.save_revision().publish()
    assert "Un objectif modifié" in charlie.get("/").content.decode()


def test_healthz_reports_database_and_migrations(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"database": "ok", "pending_migrations": [], "status": "ok"}


def test_healthz_answers_503_when_migrations_are_pending(client):
    latest = MigrationLoader(connection).graph.leaf_nodes("pages")[0]
    MigrationRecorder(connection).record_unapplied(*latest)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unhealthy"
    assert ".".join(latest) in body["pending_migrations"]


def test_robots_txt_points_to_the_sitemap(site_pages, client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "<loc>" in client.get("/sitemap.xml").content.decode()


def test_unknown_page_is_a_helpful_404(site_pages, charlie):
    response = charlie.get("/pas-de-page-ici/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_admin_requires_login_and_lets_staff_in(site_pages, charlie, alice_client, bob_client):
    assert charlie.get("/admin/").status_code == 302
    assert bob_client.get("/admin/").status_code == 302
    assert alice_client.get("/admin/").status_code == 200


def test_404_is_the_sites_own_in_the_pages_language_even_in_debug(site_pages, charlie, settings):
    settings.DEBUG = True
    french = charlie.get("/pas-de-page-ici/")
    assert french.status_code == 404
    html = french.content.decode()
    assert "Page introuvable" in html and '<html lang="fr">' in html
    assert "URLconf" not in html, "not Django's technical page"
    english = charlie.get("/en/no-page-here/")
    assert english.status_code == 404
    assert '<html lang="en">' in english.content.decode()
    assert 'class="site-header"' in english.content.decode()
