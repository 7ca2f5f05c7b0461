import pytest
from django.urls import reverse

from observatoire.barometer.models import Edition, PageSave, Response
from observatoire.lib.stats import QuestionEstimate

from ..compute import compute_results, results_for
from ..models import DemoEdition, ResultsCache
from . import factory

NNBSP = "\u202f"


def results_url(year=2018):
    return reverse("barometer_results:results", args=[year])


def section_url(name="nouveaux_dispositifs", year=2018):
    return reverse("barometer_results:section", args=[year, name])


def share(edition, name, key, weighted=True, group=None):
    cache = results_for(edition, weighted=weighted)
    source = cache.payload["analysis"]["estimates"][name]
    if group is not None:
        source = cache.payload["analysis"]["crosstabs"][group[0]][name]
    estimate = QuestionEstimate.from_dict(source)
    return estimate.row(key, group=group[1] if group else None)


def test_weighted_share_is_exact_with_interval_and_base(small):
    row = share(small.edition, "nouveaux_dispositifs", "oui")
    assert row.estimate == pytest.approx(0.5)
    assert row.base_n == 15
    assert row.ci_low < 0.5 < row.ci_high


def test_results_overview_leads_with_findings_then_the_sections(charlie, small):
    html = charlie.get(results_url()).content.decode()
    findings = html.index('id="constats"')
    assert findings < html.index('id="chiffres-cles"') < html.index('id="sommaire"')
    assert "Établis automatiquement" in html  # no finding written by staff yet
    assert html.count('class="results-finding"') == 2  # consent is not a finding
    assert section_url() in html  # each section on its own page
    assert "intervalle de confiance à 95 %" in html


def test_section_page_shows_figures_chart_table_and_method_note(charlie, small):
    response = charlie.get(section_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Prévoyez-vous de nouveaux dispositifs ?" in html
    assert f"50,0{NNBSP}%" in html
    assert 'role="img"' in html  # the server-side SVG chart
    assert "<caption>" in html  # its data table, behind a disclosure
    assert "<summary>Voir les données</summary>" in html
    assert 'aria-details="chart-nouveaux_dispositifs-data"' in html
    assert 'id="chart-nouveaux_dispositifs-data"' in html
    assert "Base : 15 collectivités répondantes" in html
    assert 'rel="next"' in html


def test_staff_can_switch_weighting_off(alice_client, small):
    html = alice_client.get(section_url() + "?ponderation=non").content.decode()
    assert f"60,0{NNBSP}%" in html
    assert "non pondérés" in html
    assert ResultsCache.objects.filter(edition=small.edition, weighted=False).exists()


def test_anonymous_cannot_switch_weighting_off(charlie, small):
    html = charlie.get(section_url() + "?ponderation=non").content.decode()
    assert f"50,0{NNBSP}%" in html
    assert f"60,0{NNBSP}%" not in html
    assert not ResultsCache.objects.filter(edition=small.edition, weighted=False).exists()


def test_small_group_is_suppressed_and_absent_from_cache(small):
    row = share(small.edition, "nouveaux_dispositifs", "oui", group=("kind", "epci"))
    assert row.suppressed and row.estimate is None and row.n is None
    communes = share(small.edition, "nouveaux_dispositifs", "oui", group=("kind", "commune"))
    assert communes.estimate == pytest.approx(0.75)


def test_question_detail_shows_cross_tabs_with_suppression(charlie, small):
    url = reverse("barometer_results:question", args=[2018, "nouveaux_dispositifs"])
    html = charlie.get(url).content.decode()
    assert "Type de collectivité" in html and "Intercommunalités" in html
    # The EPCI (under the threshold) are named once, not as rows of "effectif insuffisant".
    assert "Non publiés (moins de 10 répondants) : Intercommunalités." in html
    assert "effectif insuffisant" not in html
    assert f"75,0{NNBSP}%" in html


def test_question_detail_crossed_by_a_single_choice_question(charlie, small):
    url = reverse("barometer_results:question", args=[2018, "etp"])
    html = charlie.get(url + "?par=nouveaux_dispositifs").content.decode()
    assert "Selon « Prévoyez-vous de nouveaux dispositifs ? »" in html
    assert charlie.get(url + "?par=etp").status_code == 404


def test_unknown_question_is_404(charlie, small):
    url = reverse("barometer_results:question", args=[2018, "nope"])
    assert charlie.get(url).status_code == 404


def test_methodology_page_gives_frame_counts_rates_and_weighting(charlie, small):
    html = charlie.get(reverse("barometer_results:method", args=[2018])).content.decode()
    assert "<strong>60</strong> collectivités" in html
    assert "<strong>15</strong> ont envoyé" in html
    assert f"30,0{NNBSP}%" in html  # 12 communes out of 40
    assert f"15,0{NNBSP}%" in html  # 3 intercommunalités out of 20
    assert "Effet de plan" in html and "<strong>10</strong> répondants" in html


@pytest.mark.parametrize("status", [Edition.Status.OPEN, Edition.Status.CLOSED])
def test_anonymous_sees_only_published_editions(charlie, bob_client, alice_client, db, status):
    factory.Small(status=status)
    for name in ("results", "method", "downloads"):
        url = reverse(f"barometer_results:{name}", args=[2018])
        assert charlie.get(url).status_code == 404
        assert bob_client.get(url).status_code == 404
        response = alice_client.get(url)
        assert response.status_code == 200
        assert "Édition non publiée" in response.content.decode()


def test_cache_is_reused_then_recomputed_when_a_response_changes(
    small, django_capture_on_commit_callbacks
):
    first = compute_results(edition=small.edition)
    assert results_for(small.edition).computed_at == first.computed_at
    response = small.responses[9]  # a commune answering "non"
    with django_capture_on_commit_callbacks(execute=True):
        Response.objects.filter(pk=response.pk).update(
            answers={**response.answers, "nouveaux_dispositifs": "oui"}, version=2
        )
        PageSave.objects.create(response=response, page="p", version=2)
    cache = ResultsCache.objects.get(edition=small.edition, weighted=True)
    assert cache.computed_at > first.computed_at
    estimate = QuestionEstimate.from_dict(
        cache.payload["analysis"]["estimates"]["nouveaux_dispositifs"]
    )
    assert estimate.row("oui").estimate == pytest.approx(10 / 12 * 40 / 60)


def test_stale_cache_detected_on_read_even_without_signal(small):
    compute_results(edition=small.edition)
    Response.objects.filter(pk=small.responses[0].pk).update(status=Response.Status.IN_PROGRESS)
    cache = results_for(small.edition)
    assert not cache.stale
    assert cache.respondents == 14


def test_demo_edition_is_labelled_on_pages(charlie, small):
    DemoEdition.objects.create(edition=small.edition)
    for name in ("results", "method", "downloads"):
        html = charlie.get(reverse(f"barometer_results:{name}", args=[2018])).content.decode()
        assert "Données de démonstration" in html
