"""Contract test: requests generated from the OpenAPI document itself (hypothesis), on a small
database. No answer may be a server error; a 200 must match the document's schema, any other
answer must be a problem document. The in-repo equivalent of schemathesis, without a network
or a running server."""

import json
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_openapi_docs import check_against_schema, openapi

pytestmark = pytest.mark.django_db
# Binary answers (XLSForm, release files) have no JSON schema to check.
SKIPPED = ("/questionnaire.xlsx", "/files/{name}", "/openapi.json")
KNOWN = {
    "id": ["regards-citoyens", "decidim-budget", "budget-participatif-de-grenoble"],
    "kind": ["commune", "region", "planete"],
    "code": ["38185", "84", "213801855"],
    "year": ["2018", "2026"],
    "format": ["json", "csv", "xml"],
    "fields": ["id,name", "id", "nope"],
    "objectif": ["information", "nimporte"],
    "libre": ["oui", "non"],
    "region": ["84", "11"],
    "when": ["upcoming", "past", "demain"],
}
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


def _value(name, schema):
    options = [st.sampled_from(KNOWN[name])] if name in KNOWN else []
    kind = schema.get("type") or next(
        (item.get("type") for item in schema.get("anyOf", []) if item.get("type") != "null"), ""
    )
    if kind == "integer":
        options.append(st.integers(min_value=-3, max_value=600).map(str))
    else:
        options.append(text)
    return st.one_of(options)


def _operations(document):
    for path, methods in document["paths"].items():
        if not path.endswith(SKIPPED):
            yield path, methods["get"]


@st.composite
def requests(draw, document):
    path, operation = draw(st.sampled_from(list(_operations(document))))
    query = []
    for parameter in operation.get("parameters", []):
        name, schema = parameter["name"], parameter.get("schema", {})
        value = draw(_value(name, schema))
        if parameter["in"] == "path":
            path = path.replace("{" + name + "}", quote(value, safe="") or "x")
        elif draw(st.booleans()):
            query.append((name, value))
    return path + ("?" + urlencode(query) if query else "")


def test_generated_requests_never_break_the_contract(charlie, edition, world, django_db_blocker):
    document = openapi(charlie)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(requests(document))
    def check(url):
        response = charlie.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            if response["Content-Type"].startswith("application/json"):
                check_against_schema(document, url, json.loads(response.content))
        elif response.status_code != 304:
            assert response["Content-Type"] == "application/problem+json", url
            assert json.loads(response.content)["status"] == response.status_code

    check()
