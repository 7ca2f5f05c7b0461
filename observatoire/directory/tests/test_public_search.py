"""The public search page /cartographie/: facets and counts, filters in the URL, text search,
sort and pagination, on a small directory whose every count is known."""

import re
import types

import pytest
from django.http import QueryDict

from observatoire.directory import search
from observatoire.directory.models import (
    Function,
    Objective,
    Organisation,
    OrganisationStatus,
    ToolStatus,
)
from observatoire.territories.models import Territory

from . import factory

URL = "/cartographie/"


def territory(kind, code, name, **fields):
    return Territory.objects.create(
        kind=kind,
        code=code,
        name=name,
        zone="metro",
        vintage=2026,
        search_name=name.lower(),
        **fields,
    )


def with_status(entry, status):
    model = OrganisationStatus if isinstance(entry, Organisation) else ToolStatus
    model.objects.create(**{model.parent_field: entry}, status=status)
    entry.refresh_from_db()
    return entry


def build_directory():
    """3 actors, 4 tools and 3 initiatives published (and one of each kind hidden) in two
    régions; the expected counts are written out in the tests."""
    d = types.SimpleNamespace()
    d.ara = territory("region", "84", "Auvergne-Rhône-Alpes")
    d.rhone = territory("departement", "69", "Rhône", region=d.ara)
    d.lyon = territory("commune", "69123", "Lyon", departement=d.rhone, region=d.ara)
    d.bretagne = territory("region", "53", "Bretagne")
    d.ille = territory("departement", "35", "Ille-et-Vilaine", region=d.bretagne)
    d.rennes = territory("commune", "35238", "Rennes", departement=d.ille, region=d.bretagne)

    d.democratie_ouverte = with_status(
        factory.organisation(
            "Démocratie Ouverte", kind="reseau", website="https://democratieouverte.org"
        ),
        "active",
    )
    d.cap = with_status(
        factory.organisation("Cap Collectif", kind="entreprise", territory=d.lyon), "active"
    )
    d.ville_rennes = with_status(
        factory.organisation("Ville de Rennes", kind="collectivite", territory=d.rennes), "active"
    )
    d.hidden_org = factory.organisation(
        "Association cachée", description="Démocratie locale", territory=d.lyon, published=False
    )

    d.cap_tool = with_status(
        factory.tool(
            "Cap Collectif Plateforme",
            makers=[d.cap],
            objective="coproduction",
            tags=["relation-au-citoyen", "govtech"],
            functions=["consultation", "budget-participatif"],
            iap2_level="consult",
            launched_on="2014-06-01",
        ),
        "active",
    )
    d.decidim = with_status(
        factory.tool(
            "Decidim",
            objective="coproduction",
            tags=["communautes"],
            functions=["consultation", "debat-deliberation"],
            iap2_level="collaborate",
            is_open_source=True,
            description="Logiciel libre, utilisé à Rennes et à Barcelone.",
            launched_on="2016-02-01",
        ),
        "active",
    )
    d.change = with_status(
        factory.tool(
            "Change.org",
            objective="mobilisation",
            tags=["interpellation", "lobby-citoyen"],
            functions=["petition"],
            iap2_level="inform",
            launched_on="2007-02-01",
        ),
        "closed",
    )
    d.voxe = factory.tool(
        "Comparateur Voxe",
        objective="information",
        tags=["sensibilisation"],
        functions=["comparateur-programmes"],
        iap2_level="inform",
    )
    d.hidden_tool = factory.tool("Outil caché", objective="coproduction", published=False)

    d.budget_rennes = factory.initiative(
        "Budget participatif de Rennes",
        tools=[d.decidim],
        objective=factory.term(Objective, "coproduction"),
        iap2_level="involve",
        organiser_territory=d.rennes,
    )
    d.budget_rennes.functions.set([factory.term(Function, "budget-participatif")])
    d.budget_rennes.save()
    d.consultation_lyon = factory.initiative(
        "Consultation démocratie locale à Lyon",
        tools=[d.cap_tool],
        objective=factory.term(Objective, "coproduction"),
        organiser_organisation=d.cap,
    )
    d.consultation_lyon.functions.set([factory.term(Function, "consultation")])
    d.consultation_lyon.save()
    d.petition_climat = factory.initiative(
        "Pétition pour le climat",
        tools=[d.change],
        objective=factory.term(Objective, "mobilisation"),
    )
    d.petition_climat.functions.set([factory.term(Function, "petition")])
    d.petition_climat.save()
    d.hidden_initiative = factory.initiative(
        "Initiative cachée", published=False, organiser_territory=d.rennes
    )
    return d


@pytest.fixture(autouse=True)
def fresh_index():
    """Each test has its own database content: never reuse another test's index."""
    search.forget()
    yield
    search.forget()


@pytest.fixture
def directory(db):
    return build_directory()


def counts(response, param):
    """{value code: count} of a facet as the page shows it."""
    for facet in response.context["facets"]:
        if facet.param == param:
            return {value.code: value.count for value in [*facet.values, *facet.hidden]}
    return {}


def names(response):
    return [entry.name for entry in response.context["result"].entries]


def test_search_page_counts_every_facet_over_published_entries(charlie, directory):
    response = charlie.get(URL)
    assert response.status_code == 200
    assert response.context["result"].total == 10
    assert "10 résultats" in response.content.decode()
    assert counts(response, "type") == {"acteur": 3, "outil": 4, "initiative": 3}
    assert counts(response, "objectif") == {"information": 1, "mobilisation": 2, "coproduction": 4}
    assert counts(response, "etiquette") == {
        "sensibilisation": 1,
        "relation-au-citoyen": 1,
        "communautes": 1,
        "interpellation": 1,
        "govtech": 1,
        "lobby-citoyen": 1,
    }
    assert counts(response, "fonction") == {
        "consultation": 3,
        "budget-participatif": 2,
        "petition": 2,
        "debat-deliberation": 1,
        "comparateur-programmes": 1,
    }
    assert counts(response, "niveau") == {"inform": 2, "consult": 1, "involve": 1, "collaborate": 1}
    assert counts(response, "acteur") == {"entreprise": 1, "collectivite": 1, "reseau": 1}
    assert counts(response, "statut") == {"active": 5, "closed": 1}
    assert counts(response, "libre") == {"oui": 1, "non": 3}
    # Lyon: Cap Collectif (seat), its consultation (organiser's seat) and the tool it uses.
    assert counts(response, "region") == {"84": 3, "53": 3}
    assert counts(response, "departement") == {"69": 3, "35": 3}


def test_unpublished_entries_never_appear(charlie, directory):
    response = charlie.get(URL, {"q": "cache"})
    assert response.context["result"].total == 0
    response = charlie.get(URL, {"departement": "69", "type": "acteur"})
    assert names(response) == ["Cap Collectif"]


def test_filters_live_in_the_url_and_counts_ignore_their_own_facet(charlie, directory):
    response = charlie.get(URL + "?objectif=coproduction&region=84")
    assert names(response) == ["Cap Collectif Plateforme", "Consultation démocratie locale à Lyon"]
    # Other régions are still counted for the same objective (and other objectives in 84: none).
    assert counts(response, "region") == {"84": 2, "53": 2}
    assert counts(response, "objectif") == {"coproduction": 2}
    assert counts(response, "type") == {"outil": 1, "initiative": 1}
    html = response.content.decode()
    assert 'name="objectif" value="coproduction" id="f-objectif-coproduction" checked' in html
    assert 'name="region" value="84" id="f-region-84" checked' in html


def test_values_of_one_facet_combine_with_or(charlie, directory):
    response = charlie.get(URL, {"objectif": ["coproduction", "mobilisation"], "type": "outil"})
    assert names(response) == ["Cap Collectif Plateforme", "Change.org", "Decidim"]
    response = charlie.get(URL + "?objectif=coproduction,mobilisation&type=outil")
    assert response.context["result"].total == 3


def test_each_active_filter_has_a_link_that_removes_it(charlie, directory):
    response = charlie.get(URL + "?objectif=coproduction&region=84")
    active = {item.label: item for item in response.context["result"].active}
    assert active["Région : Auvergne-Rhône-Alpes"].remove_query == "?objectif=coproduction"
    assert active["Région : Auvergne-Rhône-Alpes"].count_without == 4
    assert 'href="/cartographie/?objectif=coproduction"' in response.content.decode()


def test_search_ignores_accents_and_case(charlie, directory):
    for query in ("democratie", "DÉMOCRATIE", "Démocratie"):
        response = charlie.get(URL, {"q": query})
        assert names(response) == ["Consultation démocratie locale à Lyon", "Démocratie Ouverte"], (
            query
        )


def test_search_finds_word_beginnings_and_plurals(charlie, directory):
    # Tools are found by their functions' names too.
    assert names(charlie.get(URL, {"q": "consultations"})) == [
        "Consultation démocratie locale à Lyon",
        "Cap Collectif Plateforme",
        "Decidim",
    ]
    assert "Consultation démocratie locale à Lyon" in names(charlie.get(URL, {"q": "consult"}))
    assert names(charlie.get(URL, {"q": "budget rennes"})) == ["Budget participatif de Rennes"]


def test_relevance_puts_name_matches_first(charlie, directory):
    response = charlie.get(URL, {"q": "rennes"})
    assert response.context["params"].sort == "pertinence"
    # Decidim only mentions Rennes in its description; the others have it in their name.
    assert names(response) == ["Budget participatif de Rennes", "Ville de Rennes", "Decidim"]


def test_search_by_text_and_facets_together(charlie, directory):
    response = charlie.get(URL, {"q": "consultation", "type": "outil"})
    assert names(response) == ["Cap Collectif Plateforme", "Decidim"]  # by their function
    assert counts(response, "type") == {"outil": 2, "initiative": 1}


def test_sort_by_name_and_by_last_update(charlie, directory):
    assert names(charlie.get(URL, {"type": "outil"})) == [
        "Cap Collectif Plateforme",
        "Change.org",
        "Comparateur Voxe",
        "Decidim",
    ]
    directory.change.description = "Mise à jour."
    directory.change.save()
    response = charlie.get(URL, {"type": "outil", "tri": "maj"})
    assert names(response)[0] == "Change.org"
    assert '<option value="maj" selected>' in response.content.decode()


def test_unknown_values_are_ignored_with_a_notice(charlie, directory):
    response = charlie.get(
        URL, {"objectif": ["coproduction", "astrologie"], "tri": "hasard", "page": "x"}
    )
    assert response.status_code == 200
    assert response.context["result"].total == 4
    html = response.content.decode()
    assert "« astrologie » : il est ignoré" in html
    assert "Tri inconnu" in html
    assert "Numéro de page invalide" in html


def test_empty_result_suggests_what_to_remove(charlie, directory):
    response = charlie.get(URL, {"q": "decidim", "region": "84"})
    assert response.context["result"].total == 0
    html = response.content.decode()
    assert "Aucune fiche ne correspond à cette recherche." in html
    # Decidim, and the initiative that uses it.
    assert (
        'Sans « Région : Auvergne-Rhône-Alpes » : <a href="/cartographie/?q=decidim">2 résultats</a>'
        in html
    )
    assert 'Sans « Texte : decidim » : <a href="/cartographie/?region=84">3 résultats</a>' in html
    assert 'href="/cartographie/donnees/?q=decidim&amp;region=84"' in html


def test_pagination_pages_through_results_in_name_order(charlie, directory):
    for number in range(25):
        factory.tool(f"Zz outil {number:02d}", objective="information")
    response = charlie.get(URL, {"objectif": "information"})
    assert response.context["result"].total == 26
    assert len(names(response)) == 20
    html = response.content.decode()
    assert '<nav class="pagination" aria-label="Pages de résultats">' in html
    assert re.search(
        r'<a href="[^"]*" aria-current="page"><span class="visually-hidden">Page </span>1</a>', html
    )
    second = charlie.get(URL, {"objectif": "information", "page": "2"})
    assert names(second) == [f"Zz outil {number:02d}" for number in range(19, 25)]
    assert 'rel="prev"' in second.content.decode()
    beyond = charlie.get(URL, {"objectif": "information", "page": "9"})
    assert beyond.status_code == 404
    assert "cette recherche n’a que 2 pages" in beyond.content.decode()


def test_index_follows_changes_to_entries(charlie, directory):
    assert charlie.get(URL).context["result"].total == 10
    directory.hidden_tool.is_published = True
    directory.hidden_tool.save()
    assert charlie.get(URL).context["result"].total == 11
    directory.decidim.delete()
    assert "Decidim" not in names(charlie.get(URL, {"type": "outil"}))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "objectif=coproduction&region=84",
        "departement=35",
        "region=53&type=outil",
        "fonction=consultation&fonction=petition",
        "etiquette=govtech&libre=non",
        "statut=active&acteur=entreprise",
        "niveau=inform",
        "q=democratie",
        "q=consult&objectif=coproduction",
    ],
)
def test_database_querysets_match_the_index(directory, query):
    """The data download filters in SQL; it must give exactly the search page's entries."""
    index = search.get_index()
    params = search.SearchParams.from_query(QueryDict(query), index.labels)
    mask, _base = search.matching_rows(index, params)
    from_index = {
        (search.ENTITIES[index.entity_of[row]], index.pk_of[row])
        for row in index.rows_in_name_order(mask, 0, index.size)
    }
    from_database = {
        (entity, pk)
        for entity, queryset in search.entry_querysets(params).items()
        for pk in queryset.values_list("pk", flat=True)
    }
    assert from_index == from_database
    assert from_index  # every case above matches something


def test_navigation_shows_the_cartography(charlie, directory):
    html = charlie.get(URL).content.decode()
    assert '<a href="/cartographie/" aria-current="page">Cartographie</a>' in html


def test_page_has_one_h1_and_a_labelled_get_form(charlie, directory):
    html = charlie.get(URL).content.decode()
    assert html.count("<h1") == 1
    assert '<form method="get" action="/cartographie/" id="recherche"' in html
    assert '<label for="q">' in html
    assert "<legend>Objectif principal</legend>" in html
    assert '<button type="submit">Filtrer</button>' in html
