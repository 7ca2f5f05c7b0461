"""The home page's living blocks: they fill themselves from the cartography, the latest
published barometer and the editorial pages, and staff arrange them in Wagtail."""

import re

import pytest
from django.test import override_settings

from observatoire.barometer.models import Edition
from observatoire.barometer.results.compute import compute_results
from observatoire.barometer.results.tests import factory as results_factory
from observatoire.directory import search
from observatoire.directory.tests import factory as directory_factory
from observatoire.editorial import demo as editorial_demo
from observatoire.pages import home
from observatoire.pages.cache import bump_generation
from observatoire.pages.models import HomePage


@pytest.fixture(autouse=True)
def _fresh_index():
    search.forget()
    yield
    search.forget()


@pytest.fixture
def barometer(db, settings):
    settings.BAROMETER_RESULTS_THRESHOLD = 10
    small = results_factory.Small()
    compute_results(edition=small.edition)
    return small


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def small_directory():
    decidim = directory_factory.tool("Decidim", objective="coproduction")
    directory_factory.tool("Change.org", objective="mobilisation")
    directory_factory.initiative("Budget participatif de Rennes", tools=[decidim])


def test_home_page_blocks_fill_themselves(site_pages, charlie, barometer):
    small_directory()
    editorial_demo.load()
    html = charlie.get("/").content.decode()
    text = text_of(html)
    assert "Chiffres clés" in text
    assert '<dt>outils de participation</dt><dd class="key-value">2</dd>' in html
    assert '<dt>initiatives recensées</dt><dd class="key-value">1</dd>' in html
    # 15 respondents out of a frame of 60, and the base is said.
    assert "Le baromètre 2018" in text
    assert (
        '<dt>collectivités répondantes</dt><dd class="key-value">15</dd>'
        '<dd class="key-base">sur 60 collectivités de la base de sondage</dd>'
    ) in html
    # A headline finding with its chart and its base, linking to its question.
    assert 'href="/barometre/2018/resultats/' in html
    assert "des collectivités répondent" in text
    assert 'class="finding-chart"><svg' in html
    assert "Base : 15 collectivités répondantes" in text
    assert "Dernières publications" in text and 'href="/publications/' in html
    assert 'action="/recherche/"' in html and 'type="search"' in html
    assert 'href="/cartographie/carte/" class="map-link"><svg' in html


def test_home_page_in_english_speaks_english(site_pages, charlie, barometer):
    html = charlie.get("/en/").content.decode()
    assert "Key figures" in html or "Chiffres clés" in html  # catalogue regenerated at merge
    assert 'lang="en"' in html
    assert 'action="/en/recherche/"' in html


def test_blocks_show_nothing_rather_than_compute_results(site_pages, charlie, db):
    """No published edition with results: the barometer's blocks stay out, the page works."""
    results_factory.Small(status=Edition.Status.OPEN)
    response = charlie.get("/")
    text = text_of(response.content.decode())
    assert response.status_code == 200
    assert "Le baromètre" not in text and "Ce que dit le baromètre" not in text
    assert "Chiffres clés" in text


def test_automatic_findings_skip_the_profile_and_near_certain_shares():
    def estimate(label, rows, kind="single"):
        return {"kind": kind, "label": label, "rows": rows}

    def row(label, share, low, high, **extra):
        return {
            "label": label,
            "statistic": "proportion",
            "estimate": share,
            "ci_low": low,
            "ci_high": high,
            "base_respondents": 100,
            **extra,
        }

    payload = {
        "sections": [
            {"name": "profil", "questions": ["type"]},
            {"name": "pratiques", "questions": ["budget", "consent", "outils", "petit"]},
        ],
        "analysis": {
            "estimates": {
                "type": estimate("Type", [row("Commune", 0.7, 0.65, 0.75)]),
                "consent": estimate("Accord", [row("Oui", 0.6, 0.55, 0.65)]),
                "budget": estimate("Budget ?", [row("Oui", 0.98, 0.96, 1.0)]),
                "outils": estimate(
                    "Outils",
                    [
                        row("Pétition", 0.5, 0.4, 0.6),
                        row("Budget", 0.6, 0.3, 0.9),
                        row("Vote", 0.9, 0.85, 0.95, suppressed=True),
                        row("Carte", 0.8, 0.7, 0.9, group="commune"),
                    ],
                    kind="multiple",
                ),
                "petit": estimate("Petit", [row("Oui", 0.3, 0.2, 0.4)]),
            }
        },
        "charts": {"outils": "<svg></svg>"},
    }
    edition = Edition(year=2018, consent_question="consent")
    findings = home.automatic_findings(edition, payload, 3)
    assert [finding.sentence for finding in findings] == [
        "50 % des collectivités répondent « Pétition » : Outils",
        "30 % des collectivités répondent « Oui » : Petit",
    ], "ranked by the interval's low end; profile, consent, ≥ 95 %, suppressed, groups left out"
    assert findings[0].chart == "<svg></svg>" and findings[1].chart == ""
    assert findings[0].base == (
        "Base : 100 collectivités répondantes ; intervalle de confiance à 95 % de 40 % à 60 %."
    )


def test_staff_written_findings_come_first_when_a_source_provides_them(
    site_pages, charlie, barometer, monkeypatch
):
    def written(edition, payload, limit):
        return [home.Finding("Un constat écrit par les chargés d’étude.", "Base : 15.", "", "/")]

    monkeypatch.setattr(home, "FINDING_SOURCES", [written, home.automatic_findings])
    text = text_of(charlie.get("/").content.decode())
    assert "Un constat écrit par les chargés d’étude." in text
    assert "des collectivités répondent" not in text


@pytest.mark.django_db
def test_block_data_is_cached_until_content_is_published(site_pages):
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=300):
        bump_generation()
        assert home.cartography_figures()["figures"][0].value == "0"
        small_directory()
        search.forget()
        assert home.cartography_figures()["figures"][0].value == "0", "served from the cache"
        bump_generation()  # what publishing does, once the transaction commits
        assert home.cartography_figures()["figures"][0].value == "2"


def test_staff_arrange_the_blocks_in_wagtail(site_pages, alice_client):
    home_page = HomePage.objects.get(locale__language_code="fr")
    assert [block.block_type for block in home_page.body] == [
        "key_figures",
        "findings",
        "search",
        "publications",
        "events",
        "france_map",
    ]
    html = alice_client.get(f"/admin/pages/{home_page.pk}/edit/").content.decode()
    # The block choices travel as JSON to the StreamField widget (accents escaped).
    for label in ("Chiffres cl\\u00e9s", "Recherche dans tout le site", "Prochains \\u00e9v"):
        assert label in html
