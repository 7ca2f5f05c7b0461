"""The staff page of an edition's results: cached analyses, background jobs, recompute."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ..compute import results_for
from ..models import ResultsCache


@pytest.fixture
def queued_tasks(settings):
    """The real database queue, as in production: enqueue writes a row, nothing runs it."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }


def status_url(year=2018):
    return reverse("barometer_results_admin:status", args=[year])


def test_only_staff_see_the_results_status(charlie, bob_client, small):
    refresh = reverse("barometer_results_admin:refresh", args=[2018])
    for client in (charlie, bob_client):
        for response in (client.get(status_url()), client.post(refresh)):
            assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_see_the_cached_analysis_and_whether_it_is_up_to_date(alice_client, small):
    html = alice_client.get(status_url()).content.decode()
    assert "Pas encore de résultats calculés" in html
    results_for(small.edition)
    html = alice_client.get(status_url()).content.decode()
    assert "pondérée" in html and "à jour" in html
    ResultsCache.objects.update(responses_version="old")
    html = alice_client.get(status_url()).content.decode()
    assert "à recalculer" in html


def test_the_recompute_button_queues_a_job_the_page_then_shows(alice_client, small, queued_tasks):
    response = alice_client.post(reverse("barometer_results_admin:refresh", args=[2018]))
    assert response.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("tasks.refresh_results")
    assert task.args_kwargs["args"][0] == small.edition.pk
    html = alice_client.get(status_url()).content.decode()
    assert "Calcul des résultats" in html and "en file" in html
    DBTaskResult.objects.update(status="FAILED", exception_class_path="builtins.MemoryError")
    html = alice_client.get(status_url()).content.decode()
    assert "échec (MemoryError)" in html


def test_the_dashboard_links_to_the_results_status(alice_client, small):
    html = alice_client.get(reverse("barometer_admin:dashboard", args=[2018])).content.decode()
    assert status_url() in html
