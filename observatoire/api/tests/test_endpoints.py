"""Each resource of /api/v1/: what it lists, its filters, and what it never shows."""

import json

import pytest

pytestmark = pytest.mark.django_db


def get(client, url, **headers):
    response = client.get(url, **headers)
    return response, (json.loads(response.content) if "json" in response["Content-Type"] else None)


def ids(body):
    return [record["id"] for record in body["results"]]


def test_organisations_list_only_published_entries(charlie, world):
    response, body = get(charlie, "/api/v1/organisations")
    assert response.status_code == 200
    assert ids(body) == ["regards-citoyens"]


def test_unpublished_entry_is_not_found_even_for_staff(alice_client, world):
    response, body = get(alice_client, f"/api/v1/organisations/{world.secret.slug}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert body["status"] == 404 and body["title"]


def test_detail_has_relations_sources_key_dates_without_unpublished_links(charlie, world):
    response, body = get(charlie, "/api/v1/organisations/regards-citoyens")
    assert response.status_code == 200
    targets = {(link["relation"], link["target_id"]) for link in body["relations"]}
    assert ("uses", "outil-ferme") in targets
    assert world.secret.slug not in json.dumps(body)
    assert body["sources"][0]["title"] == "Statuts"
    assert [d["title"] for d in body["key_dates"]] == ["Création"]
    assert "status_history" in body


def test_tool_makers_name_published_organisations_only(charlie, world):
    _response, body = get(charlie, "/api/v1/tools/decidim-budget")
    assert body["makers"] == ["regards-citoyens"]


def test_search_filters_are_the_sites(charlie, world):
    _r, body = get(charlie, "/api/v1/tools?q=budget")
    assert ids(body) == ["decidim-budget"]
    _r, body = get(charlie, "/api/v1/tools?libre=oui")
    assert ids(body) == ["decidim-budget"]
    _r, body = get(charlie, "/api/v1/initiatives?region=84")
    assert ids(body) == ["budget-participatif-de-grenoble"]
    _r, body = get(charlie, "/api/v1/organisations?acteur=association")
    assert ids(body) == ["regards-citoyens"]


def test_unknown_facet_value_is_a_problem(charlie, world):
    response, body = get(charlie, "/api/v1/tools?objectif=nimporte")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "nimporte" in body["detail"]


def test_cursor_pages_through_every_entry_once(charlie, world):
    seen, url = [], "/api/v1/tools?limit=1"
    while url:
        response, body = get(charlie, url)
        seen += ids(body)
        url = f"/api/v1/tools?limit=1&cursor={body['next_cursor']}" if body["next_cursor"] else ""
        if url:
            assert 'rel="next"' in response["Link"]
    assert sorted(seen) == ["decidim-budget", "outil-ferme"]


def test_bad_cursor_and_limit_are_problems(charlie, world):
    for url in ("/api/v1/tools?cursor=%%%", "/api/v1/tools?limit=0", "/api/v1/tools?limit=abc"):
        response, _body = get(charlie, url)
        assert response.status_code == 400, url
        assert response["Content-Type"] == "application/problem+json"


def test_sparse_fields_and_unknown_field(charlie, world):
    _r, body = get(charlie, "/api/v1/tools?fields=id,name")
    assert body["results"][0] == {"id": "decidim-budget", "name": "Decidim budget"}
    response, body = get(charlie, "/api/v1/tools?fields=id,password")
    assert response.status_code == 400 and "password" in body["detail"]


def test_csv_has_the_same_records(charlie, world):
    response = charlie.get("/api/v1/tools?fields=id,name,makers&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "id,name,makers"
    assert "decidim-budget,Decidim budget,regards-citoyens" in lines


def test_taxonomy(charlie, world):
    _r, body = get(charlie, "/api/v1/taxonomy")
    assert "association" in {term["code"] for term in body["actor_kind"]}


def test_territory_lookup_by_code_siren_postcode_and_name(charlie, world):
    for query in ("38185", "213801855", "38100", "grenoble"):
        _r, body = get(charlie, f"/api/v1/territories?q={query}")
        assert ids(body)[0] == "commune:38185", query
    _r, body = get(charlie, "/api/v1/territories/commune/38185")
    assert body["name"] == "Grenoble" and body["region"] == "84"
    response, _body = get(charlie, "/api/v1/territories?kind=planete")
    assert response.status_code == 400


def test_publications_and_events_show_live_pages_only(charlie, site_pages):
    from observatoire.editorial.tests import factory as editorial

    editorial.sections()
    editorial.publication("Note en ligne", slug="note-en-ligne", authors=["Ada"])
    editorial.publication("Note en brouillon", slug="note-brouillon", live=False)
    editorial.event("Matinée en ligne")
    editorial.event("Matinée en brouillon", live=False)
    _r, body = get(charlie, "/api/v1/publications")
    assert [p["title"] for p in body["results"]] == ["Note en ligne"]
    assert body["results"][0]["authors"] == ["Ada"]
    _r, body = get(charlie, "/api/v1/events?when=upcoming")
    assert [e["title"] for e in body["results"]] == ["Matinée en ligne"]


def test_event_registrations_never_leave(charlie, site_pages):
    from observatoire.editorial.models import Registration
    from observatoire.editorial.tests import factory as editorial

    editorial.sections()
    event = editorial.event("Atelier", registration_open=True, capacity=10)
    Registration.objects.create(
        event=event, name="Jeanne Martin", email="jeanne@exemple.test", status="confirmed"
    )
    response = charlie.get("/api/v1/events")
    assert b"Atelier" in response.content
    assert b"Jeanne" not in response.content and b"jeanne@" not in response.content
