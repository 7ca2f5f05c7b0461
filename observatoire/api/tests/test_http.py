"""The HTTP manners of the API: 304, 429 with Retry-After, CORS, read-only, problem documents."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_etag_gives_304_and_a_change_gives_200(charlie, world):
    first = charlie.get("/api/v1/organisations")
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = charlie.get("/api/v1/organisations", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["Access-Control-Allow-Origin"] == "*"
    world.regards.description = "Nouvelle description"
    world.regards.save()
    changed = charlie.get("/api/v1/organisations", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_last_modified_gives_304(charlie, world):
    first = charlie.get("/api/v1/organisations/regards-citoyens")
    assert first["Last-Modified"]
    again = charlie.get(
        "/api/v1/organisations/regards-citoyens", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 304


def test_rate_limit_answers_429_with_retry_after(charlie, world, settings):
    settings.API_RATE_LIMIT = 3
    statuses = [charlie.get("/api/v1/taxonomy").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = charlie.get("/api/v1/taxonomy")
    assert int(refused["Retry-After"]) > 0
    assert refused["Content-Type"] == "application/problem+json"
    assert json.loads(refused.content)["status"] == 429
    # Another visitor is counted apart.
    assert charlie.get("/api/v1/taxonomy", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_rate_limit_is_counted_in_the_shared_database_cache(charlie, world, settings):
    from django.core.cache import caches

    settings.API_RATE_LIMIT = 5
    charlie.get("/api/v1/taxonomy")
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    from observatoire.ratelimit import client_hash

    class Visitor:
        META = {"REMOTE_ADDR": "127.0.0.1"}

    assert caches["default"].get(f"ratelimit:api:{client_hash(Visitor)}") == 1


def test_cors_headers_and_preflight(charlie, world):
    response = charlie.get("/api/v1/tools", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = charlie.options("/api/v1/tools", HTTP_ORIGIN="https://example.org")
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_head_answers_like_get_without_a_body(charlie, world):
    get = charlie.get("/api/v1/taxonomy")
    head = charlie.head("/api/v1/taxonomy")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"]


def test_writes_are_refused_as_problems(charlie, world):
    response = charlie.post("/api/v1/organisations", {"name": "x"})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


def test_unknown_address_is_a_problem(charlie, db):
    response = charlie.get("/api/v1/nulle-part/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["title"]


def test_the_site_outside_the_api_is_untouched(charlie, db):
    response = charlie.get("/healthz")
    assert "Access-Control-Allow-Origin" not in response
