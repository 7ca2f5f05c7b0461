"""The peer benchmark behind a personal link: a chart beside each table, one territory only."""

import pytest
import vl_convert
from django.urls import reverse

from observatoire.barometer.access import issue_token
from observatoire.barometer.models import Edition, Invitation

from .. import benchmark as benchmark_module
from . import factory


@pytest.fixture
def closed(small):
    Edition.objects.filter(pk=small.edition.pk).update(status=Edition.Status.CLOSED)
    return small


def link_of(small, territory, email):
    invitation = Invitation.objects.filter(edition=small.edition, territory=territory).first()
    if invitation is None:
        invitation = factory.contact(small.edition, territory, email, "Camille Martin")
    return reverse("barometer_results:benchmark", args=[issue_token(invitation=invitation)])


@pytest.fixture
def vl_calls(monkeypatch):
    calls = []
    real = vl_convert.vegalite_to_svg
    monkeypatch.setattr(
        vl_convert, "vegalite_to_svg", lambda spec, **kw: calls.append(spec) or real(spec, **kw)
    )
    return calls


def test_benchmark_shows_a_chart_beside_each_table(charlie, closed):
    url = link_of(closed, closed.communes[5], "marie.durand@mairie.test")
    response = charlie.get(url)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    chart = html.split('id="chart-pairs-nouveaux_dispositifs-title">')[1]
    assert 'role="img"' in html.split('id="chart-pairs-nouveaux_dispositifs-title">')[0][-400:]
    assert chart.startswith("Prévoyez-vous de nouveaux dispositifs ?</title>")
    assert "votre réponse" in chart.split("</svg>")[0]  # the own answer is marked
    assert '<table class="results-table">' in chart  # the data table follows the chart
    assert "Votre réponse : Oui" in html


def test_no_chart_when_peers_are_under_the_threshold(charlie, closed):
    # 3 intercommunalités responded: 2 peers for each, under the threshold of 10.
    url = link_of(closed, closed.epcis[0], "dgs@cc0.test")
    html = charlie.get(url).content.decode()
    assert "CC numéro 0 face à ses pairs" in html
    assert "Effectif insuffisant : 2 pairs seulement." in html
    assert "chart-pairs-" not in html
    assert '<figure class="results-chart">' not in html


def test_respondent_cannot_see_another_territory_benchmark(charlie, closed):
    own = charlie.get(link_of(closed, closed.communes[5], "marie.durand@mairie.test"))
    other = charlie.get(link_of(closed, closed.communes[10], "accueil@commune10.test"))
    own_html, other_html = own.content.decode(), other.content.decode()
    assert "Commune 5 face à ses pairs" in own_html and "Commune 10" not in own_html
    assert "Votre réponse : Oui" in own_html and "Votre réponse : Non" not in own_html
    assert "Commune 10 face à ses pairs" in other_html and "Commune 5" not in other_html
    assert "Votre réponse : Non" in other_html and "Votre réponse : Oui" not in other_html


def test_second_visit_neither_weighs_nor_renders(charlie, closed, vl_calls, monkeypatch):
    url = link_of(closed, closed.communes[5], "marie.durand@mairie.test")
    first = charlie.get(url).content.decode()
    assert vl_calls
    vl_calls.clear()

    def no_weighting(*args, **kwargs):
        raise AssertionError("the responses were weighed again")

    monkeypatch.setattr(benchmark_module, "load_edition", no_weighting)
    second = charlie.get(url)
    assert second.status_code == 200
    assert vl_calls == []
    assert second.content.decode() == first


def test_charts_over_the_budget_are_drawn_in_the_background(
    charlie, closed, monkeypatch, django_capture_on_commit_callbacks
):
    url = link_of(closed, closed.communes[5], "marie.durand@mairie.test")
    monkeypatch.setattr(benchmark_module, "RENDER_BUDGET", 0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        html = charlie.get(url).content.decode()
    assert "Le graphique est en préparation" in html
    assert "chart-pairs-" not in html
    assert '<table class="results-table">' in html  # the figures are there meanwhile
    assert len(callbacks) == 1  # tasks.render_benchmark, run here by the immediate backend
    html = charlie.get(url).content.decode()
    assert "Le graphique est en préparation" not in html
    assert 'id="chart-pairs-nouveaux_dispositifs-title"' in html


def test_unknown_tokens_are_still_rate_limited(charlie, closed, settings):
    settings.BAROMETER_TOKEN_FAILURES = 2
    urls = [reverse("barometer_results:benchmark", args=[f"{n}" + "y" * 42]) for n in range(3)]
    assert [charlie.get(url).status_code for url in urls] == [404, 404, 429]
