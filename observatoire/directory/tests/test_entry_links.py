"""Entry pages cost the same whatever the entry's popularity; the full lists are paginated."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from observatoire.directory import search
from observatoire.directory.links import LINKS_PER_PAGE, LINKS_SHOWN, link_groups

from . import factory


@pytest.fixture(autouse=True)
def fresh_index(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    search.forget()
    yield
    search.forget()


def _popular_tool(count, name="Decidim"):
    tool = factory.tool(name)
    for number in range(count):
        factory.initiative(f"Budget participatif {number:04d}", tools=[tool])
    return tool


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_a_popular_tool_costs_as_many_queries_as_a_typical_one(charlie, db):
    typical = _popular_tool(2, "Typique")
    popular = _popular_tool(LINKS_SHOWN * 3, "Populaire")
    charlie.get(typical.get_absolute_url())  # warm caches (site root, locales)
    assert _queries(charlie, popular.get_absolute_url()) == _queries(
        charlie, typical.get_absolute_url()
    )


def test_entry_page_shows_the_first_links_and_the_full_count(charlie, db):
    tool = _popular_tool(LINKS_SHOWN + 5)
    factory.initiative("Initiative cachée", tools=[tool], published=False)
    html = charlie.get(tool.get_absolute_url()).content.decode()
    assert html.count("Budget participatif 0") == LINKS_SHOWN
    assert "Budget participatif 0029" in html and "Budget participatif 0030" not in html
    assert f"Voir la liste complète ({LINKS_SHOWN + 5} liens « utilisé par »)" in html
    assert "Initiative cachée" not in html
    assert f'href="{tool.get_absolute_url()}liens/uses-in/"' in html


def test_the_full_list_is_paginated_in_name_order(charlie, db):
    tool = _popular_tool(LINKS_PER_PAGE + 3)
    url = f"{tool.get_absolute_url()}liens/uses-in/"
    first = charlie.get(url).content.decode()
    assert first.count("Budget participatif 0") == LINKS_PER_PAGE
    assert f"{LINKS_PER_PAGE + 3} liens, par ordre alphabétique" in first
    assert "Page 1 sur 2" in first
    second = charlie.get(url + "?page=2").content.decode()
    assert second.count("Budget participatif 0") == 3
    assert "Budget participatif 0102" in second


def test_typed_relations_are_grouped_and_bounded_both_ways(charlie, db):
    host = factory.organisation("Démocratie Ouverte")
    hosted = [factory.organisation(f"Collectif {n:03d}") for n in range(LINKS_SHOWN + 1)]
    hidden = factory.organisation("Collectif caché", published=False)
    for other in [*hosted, hidden]:
        factory.relation("hosts", host, other)
    groups = {group.key: group for group in link_groups(host)}
    assert groups["hosts-out"].total == LINKS_SHOWN + 1
    assert len(groups["hosts-out"].links) == LINKS_SHOWN
    assert groups["hosts-out"].links[0].other == hosted[0]
    from_the_other_end = {group.key: group for group in link_groups(hosted[0])}
    assert from_the_other_end["hosts-in"].links[0].other == host
    page = charlie.get(f"{host.get_absolute_url()}liens/hosts-out/").content.decode()
    assert "Collectif 030" in page and "Collectif caché" not in page


def test_unknown_group_or_unpublished_entry_is_not_found(charlie, db):
    tool = _popular_tool(1)
    hidden = factory.tool("Outil caché", published=False)
    assert charlie.get(f"{tool.get_absolute_url()}liens/nimporte/").status_code == 404
    assert charlie.get(f"/cartographie/outils/{hidden.slug}/liens/uses-in/").status_code == 404
