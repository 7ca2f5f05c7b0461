"""Published barometer results through the API: aggregates only, exactly as on the site."""

import json

import pytest

from observatoire.barometer.results.compute import results_for

pytestmark = pytest.mark.django_db


def test_results_are_the_sites_payload_with_bases_intervals_and_suppression(charlie, edition):
    response = charlie.get("/api/v1/editions/2018/results")
    assert response.status_code == 200
    body = json.loads(response.content)
    site = results_for(edition.edition, weighted=True).payload
    assert body["analysis"] == json.loads(json.dumps(site["analysis"]))
    assert body["methodology"]["threshold"] == 10
    text = json.dumps(body)
    # The three intercommunalités are under the threshold: their cell is suppressed.
    assert "suppress" in text
    assert "charts" not in body


def test_no_unit_level_answer_no_free_text_no_contact(charlie, edition):
    body = charlie.get("/api/v1/editions/2018/results").content.decode()
    assert "Conseil citoyen en ligne" not in body  # a free-text answer
    assert "marie.durand" not in body and "Marie Durand" not in body  # a contact
    # Communes 2 to 11 did not consent to be named; none is.
    for commune in edition.communes[2:12]:
        assert f'"{commune.name}"' not in body
        assert commune.code not in body


def test_unpublished_edition_is_not_found_even_for_staff(alice_client, unpublished_edition):
    for url in (
        "/api/v1/editions/2026",
        "/api/v1/editions/2026/results",
        "/api/v1/editions/2026/questionnaire.xlsx",
    ):
        response = alice_client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"
    assert json.loads(alice_client.get("/api/v1/editions").content) == []


def test_editions_list_and_questionnaire_download(charlie, edition):
    questionnaire = edition.edition.questionnaire
    questionnaire.source = b"PK-fake-xlsx"
    questionnaire.source_name = "barometre-2018.xlsx"
    questionnaire.save()
    body = json.loads(charlie.get("/api/v1/editions").content)
    assert [item["year"] for item in body] == [2018]
    assert body[0]["questionnaire"]["xlsform"].endswith("/api/v1/editions/2018/questionnaire.xlsx")
    response = charlie.get("/api/v1/editions/2018/questionnaire.xlsx")
    assert response.status_code == 200 and response.content == b"PK-fake-xlsx"
    assert "barometre-2018.xlsx" in response["Content-Disposition"]
