"""Public pages and the JSON search endpoint, through the Django test client."""

import pytest
from django.template import Template

from observatoire.territories import sections
from observatoire.territories.models import Territory
from observatoire.territories.services import build_frame

pytestmark = pytest.mark.django_db

SECTION = Template(
    "<ul>{% for year in section.context.years %}<li>Répondant en {{ year }}</li>{% endfor %}</ul>"
)


def test_search_endpoint_returns_the_documented_fields(mini_referentiel, charlie):
    response = charlie.get("/territoires/recherche/", {"q": "grenoble"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    results = response.json()
    assert [r["code"] for r in results] == ["38185", "200040715"]
    assert results[0] == {
        "code": "38185",
        "name": "Grenoble",
        "kind": "commune",
        "kind_label": "Commune",
        "population": 156140,
        "department": "38",
        "key": "commune:38185",
        "label": "Grenoble (38185)",
        "url": "/territoires/commune/38185/",
    }


def test_search_ranks_exact_names_before_larger_prefixes(mini_referentiel, charlie):
    codes = [
        r["code"] for r in charlie.get("/territoires/recherche/", {"q": "saint etienne"}).json()
    ]
    assert codes[:2] == ["42218", "244200770"]  # the commune, then its métropole (larger)
    assert set(codes[2:]) == {"38384", "42279"}
    assert codes[2:] == ["38384", "42279"]  # then by population


def test_search_by_postcode_code_and_siren(mini_referentiel, charlie):
    def first(q):
        return charlie.get("/territoires/recherche/", {"q": q}).json()[0]["code"]

    assert first("42000") == "42218"
    assert first("42230") == "42218"
    assert first("38185") == "38185"
    assert first("213801855") == "38185"
    assert first("200046977") == "200046977"
    assert first("2a004") == "2A004"
    assert first("l ile de france") == "11"


def test_search_ignores_accents_case_hyphens_and_apostrophes(mini_referentiel, charlie):
    for query in [
        "saint martin d heres",
        "SAINT-MARTIN-D'HÈRES",
        "st martin d'heres",
        "echirolles",
    ]:
        assert (
            charlie.get("/territoires/recherche/", {"q": query}).json()[0]["kind"] == "commune"
        ), query


def test_search_can_be_restricted_to_kinds_and_ignores_tiny_queries(mini_referentiel, charlie):
    results = charlie.get("/territoires/recherche/", {"q": "saint etienne", "kind": "epci"}).json()
    assert [r["kind"] for r in results] == ["epci"]
    assert charlie.get("/territoires/recherche/", {"q": "g"}).json() == []
    assert charlie.get("/territoires/recherche/", {"q": "zzzz"}).json() == []
    assert len(charlie.get("/territoires/recherche/", {"q": "saint", "limit": "2"}).json()) == 2


def test_index_lists_results_without_javascript(mini_referentiel, charlie):
    html = charlie.get("/territoires/", {"q": "42000"}).content.decode()
    assert html.count("<h1>") == 1
    assert '<label for="id_q">' in html and 'aria-describedby="id_q-hint"' in html
    assert '<a href="/territoires/commune/42218/">Saint-Étienne</a>' in html
    assert "1 résultat pour « 42000 »" in html
    assert 'src="/static/js/autocomplete.js"' in html


def test_index_shows_the_referentiel_and_its_licence(mini_referentiel, charlie):
    build_frame(year=2026)
    html = charlie.get("/territoires/").content.decode()
    assert "Millésime 2026" in html and "Licence Ouverte" in html
    assert "Bases de sondage du baromètre" in html and '<th scope="row">2026</th>' in html


def test_index_says_when_nothing_matches(mini_referentiel, charlie):
    html = charlie.get("/territoires/", {"q": "Atlantide"}).content.decode()
    assert "Aucun territoire ne correspond" in html


def test_epci_page_lists_its_members_and_parents(mini_referentiel, charlie):
    response = charlie.get("/territoires/epci/200040715/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Grenoble-Alpes-Métropole</h1>" in html
    assert "3 communes membres" in html
    assert html.index("Grenoble</a>") < html.index("Saint-Martin-d&#x27;Hères</a>")
    assert "449 509" in html.replace("\xa0", " ") and "Population totale" in html
    assert 'href="/territoires/departement/38/"' in html


def test_commune_page_shows_its_parents_and_postcodes(mini_referentiel, charlie):
    html = charlie.get("/territoires/commune/42218/").content.decode()
    assert (
        "Saint-Étienne Métropole" in html
        and "Loire (42)" in html
        and "Auvergne-Rhône-Alpes" in html
    )
    assert "42000, 42100, 42230" in html and "42190, 42292, 42309" in html
    assert "Licence Ouverte" in html


def test_departement_and_region_pages_list_what_they_contain(mini_referentiel, charlie):
    departement = charlie.get("/territoires/departement/38/").content.decode()
    assert "7 communes" in departement and "CC Le Grésivaudan" in departement
    region = charlie.get("/territoires/region/84/").content.decode()
    assert "Isère (38)" in region and "Rhône (69)" in region


def test_pages_exist_in_english_too(mini_referentiel, charlie):
    response = charlie.get("/en/territoires/commune/38185/")
    assert response.status_code == 200 and '<html lang="en">' in response.content.decode()


def test_unknown_kind_or_code_is_not_found(mini_referentiel, charlie):
    assert charlie.get("/territoires/canton/3801/").status_code == 404
    assert charlie.get("/territoires/commune/99999/").status_code == 404
    assert charlie.get("/territoires/commune/2a004/").status_code == 200


def test_other_apps_can_attach_a_section_to_the_territory_page(
    mini_referentiel, charlie, monkeypatch
):
    monkeypatch.setattr(sections, "_SECTIONS", [])

    @sections.register_section
    def barometer_participation(request, territory):
        if territory.kind != Territory.Kind.COMMUNE:
            return None
        return {
            "title": "Participation au baromètre",
            "template": SECTION,
            "context": {"years": [2018]},
        }

    html = charlie.get("/territoires/commune/38185/").content.decode()
    assert '<h2 id="section-barometer-participation">Participation au baromètre</h2>' in html
    assert "Répondant en 2018" in html
    assert (
        "Participation au baromètre" not in charlie.get("/territoires/region/84/").content.decode()
    )
