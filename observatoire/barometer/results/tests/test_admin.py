import pytest
from django.urls import reverse

from observatoire.lib.stats import QuestionEstimate

from ..compute import results_for
from ..models import EditionReport, QuestionLink, Recode, ResultsCache
from . import factory

VIEWSETS = ["barometer_edition_report", "barometer_recode", "barometer_question_link"]


@pytest.mark.parametrize("namespace", VIEWSETS)
def test_staff_lists_each_table(alice_client, small, namespace):
    response = alice_client.get(reverse(f"{namespace}:index"))
    assert response.status_code == 200
    assert alice_client.get(reverse(f"{namespace}:add")).status_code == 200


@pytest.mark.parametrize("namespace", VIEWSETS)
def test_anonymous_and_non_staff_are_redirected(charlie, bob_client, small, namespace):
    for client in (charlie, bob_client):
        response = client.get(reverse(f"{namespace}:index"))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert bob_client.post(reverse(f"{namespace}:add"), {}).status_code == 302


def test_staff_creates_the_introduction_and_the_results_page_shows_it(alice_client, small):
    response = alice_client.post(
        reverse("barometer_edition_report:add"),
        {"edition": small.edition.pk, "introduction": "Une année de transition.\n\nMerci."},
    )
    assert response.status_code == 302
    assert EditionReport.objects.get(edition=small.edition).introduction.startswith("Une année")
    html = alice_client.get(reverse("barometer_results:results", args=[2018])).content.decode()
    assert "Une année de transition." in html


def test_staff_creates_a_question_link_and_the_cache_is_marked_stale(alice_client, small):
    results_for(small.edition)
    previous = factory.edition(2014, small.frame, factory.small_definition())
    response = alice_client.post(
        reverse("barometer_question_link:add"),
        {
            "edition": small.edition.pk,
            "name": "nouveaux_dispositifs",
            "previous_edition": previous.pk,
            "previous_name": "dispositifs_prevus",
            "comparable": "",
            "note": "Formulation changée",
        },
    )
    assert response.status_code == 302
    link = QuestionLink.objects.get()
    assert link.comparable is False and link.note == "Formulation changée"
    assert ResultsCache.objects.get(edition=small.edition, weighted=True).responses_version == ""


def test_creating_a_recode_changes_the_estimate_after_recompute(alice_client, small):
    def estimate():
        cache = results_for(small.edition)
        return QuestionEstimate.from_dict(cache.payload["analysis"]["estimates"]["dispositifs"])

    before = estimate()
    assert "conseil" not in [row.key for row in before.rows]
    raw = small.responses[0].answers["dispositifs"]
    response = alice_client.post(
        reverse("barometer_recode:add"),
        {
            "edition": small.edition.pk,
            "question": "dispositifs",
            "response": small.responses[0].pk,
            "index": "",
            "text": "Conseil citoyen en ligne",
            "category": "conseil",
            "label": "Conseil citoyen",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    recode = Recode.objects.get()
    assert recode.created_by.username == "alice"
    after = estimate()
    assert "conseil" in [row.key for row in after.rows]
    assert after.row("conseil").estimate > 0
    small.responses[0].refresh_from_db()
    assert small.responses[0].answers["dispositifs"] == raw  # the raw answer is untouched
    html = alice_client.get(reverse("barometer_results:results", args=[2018])).content.decode()
    assert "Conseil citoyen" in html
