"""The OpenAPI 3.1 document, the documentation pages (French, English) and their examples:
each documented request is run here and its answer checked against the document."""

import json
import re
from pathlib import Path

import pytest
from django.utils.html import escape
from jsonschema import Draft202012Validator

from observatoire.api.examples import EXAMPLES

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def openapi(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operation(document, url):
    path = url.split("?", 1)[0]
    for template, methods in document["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            return methods["get"]
    raise AssertionError(f"{path}: not in the OpenAPI document")


def check_against_schema(document, url, body):
    content = _operation(document, url)["responses"]["200"]["content"]["application/json"]
    schema = {**content["schema"], "components": document["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(body))
    assert not errors, f"{url}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_openapi_is_3_1_and_lists_every_resource(charlie):
    document = openapi(charlie)
    assert document["openapi"].startswith("3.1")
    for path in (
        "/api/v1/organisations",
        "/api/v1/tools/{id}",
        "/api/v1/territories",
        "/api/v1/editions/{year}/results",
        "/api/v1/releases/{id}/files/{name}",
    ):
        assert path in document["paths"], path
    parameters = {p["name"] for p in document["paths"]["/api/v1/tools"]["get"]["parameters"]}
    assert {"q", "objectif", "region", "cursor", "fields", "format"} <= parameters


@pytest.fixture
def example_world(edition, world, site_pages):
    from observatoire.editorial.tests import factory as editorial

    editorial.sections()
    editorial.publication("Note en ligne")
    editorial.event("Matinée")
    return world


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.path for example in EXAMPLES])
def test_every_documented_example_answers_as_documented(charlie, example_world, example):
    response = charlie.get(example.path)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(example.media_type)
    if example.media_type == "application/json":
        body = json.loads(response.content)
        for key in example.expect:
            assert key in body, key
        if isinstance(body, dict) and "results" in body and example.path != "/api/v1/":
            assert body["results"], f"{example.path}: the example shows nothing"
        check_against_schema(openapi(charlie), example.path, body)
    else:
        assert response.content.decode().splitlines()[0].startswith("id,")


def test_examples_of_docs_api_md_are_the_tested_ones():
    documented = set(re.findall(r"GET (/api/v1/\S*)", DOCS.read_text()))
    assert documented, "docs/api.md shows no example"
    untested = documented - {example.path for example in EXAMPLES}
    assert not untested, f"examples of docs/api.md not run by a test: {untested}"


def test_documentation_pages_in_french_and_english_without_cdn(charlie, db):
    french = charlie.get("/api/v1/docs/").content.decode()
    english = charlie.get("/api/v1/docs/en/").content.decode()
    assert '<html lang="fr"' in french and "Règles communes" in french
    assert '<html lang="en"' in english and "Common rules" in english
    assert "Règles communes" not in english
    for page in (french, english):
        assert "/api/v1/organisations" in page
        assert "https://cdn" not in page and "unpkg" not in page and "jsdelivr" not in page
    for example in EXAMPLES:
        assert escape(example.fr) in french and escape(example.en) in english
