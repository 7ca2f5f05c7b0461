"""The render cache: a spec is drawn by vl-convert once, then read back by its digest."""

from datetime import timedelta

import pytest
import vl_convert
from django.urls import reverse
from django.utils import timezone

from observatoire.barometer.models import Response

from .. import presentation
from ..charts import Chart, digest_of, prune, render_cached, render_many
from ..compute import compute_results, results_for
from ..models import RenderedChart
from ..tasks import warm_charts


@pytest.fixture
def vl_calls(monkeypatch):
    """vl-convert still renders (a true boundary, counted rather than faked)."""
    calls = []
    real = vl_convert.vegalite_to_svg

    def counting(spec, **options):
        calls.append(spec)
        return real(spec, **options)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counting)
    return calls


def bars(share: float) -> dict:
    return {
        "description": f"Oui {share:.0%}",
        "data": {"values": [{"label": "Oui", "share": share}]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "label", "type": "nominal"},
            "x": {"field": "share", "type": "quantitative"},
        },
    }


def test_a_spec_is_rendered_once_then_read_back(db, vl_calls):
    spec = bars(0.5)
    first = render_cached(spec, title="Première page", chart_id="chart-a")
    second = render_cached(spec, title="Seconde page", chart_id="chart-b")
    assert len(vl_calls) == 1
    assert RenderedChart.objects.filter(digest=digest_of(spec)).count() == 1
    # The stored SVG is the raw one: each use gets its own accessible title and ids.
    assert 'role="img"' in first and 'role="img"' in second
    assert '<title id="chart-a-title">Première page</title>' in first
    assert '<title id="chart-b-title">Seconde page</title>' in second
    assert "chart-a" not in RenderedChart.objects.get().svg


def test_render_many_draws_equal_specs_once(db, vl_calls):
    one, other = bars(0.5), bars(0.25)
    svgs = render_many(
        [Chart(one, "A", "chart-1"), Chart(bars(0.5), "B", "chart-2"), Chart(other, "C", "chart-3")]
    )
    assert len(vl_calls) == 2
    assert RenderedChart.objects.count() == 2
    assert all('role="img"' in svg for svg in svgs)
    assert digest_of(one) != digest_of(other)


def test_a_spent_budget_leaves_charts_undrawn(db, vl_calls):
    assert render_many([Chart(bars(0.5), "A", "chart-1")], budget=0) == [""]
    assert vl_calls == [] and not RenderedChart.objects.exists()


def test_charts_unused_for_30_days_are_pruned(db):
    render_cached(bars(0.5), title="Ancien", chart_id="chart-old")
    render_cached(bars(0.25), title="Récent", chart_id="chart-new")
    old = timezone.now() - timedelta(days=31)
    RenderedChart.objects.filter(digest=digest_of(bars(0.5))).update(used_at=old)
    assert prune() == 1
    assert list(RenderedChart.objects.values_list("digest", flat=True)) == [digest_of(bars(0.25))]


def test_a_read_marks_an_old_chart_used_again(db):
    spec = bars(0.5)
    render_cached(spec, title="A", chart_id="chart-a")
    RenderedChart.objects.update(used_at=timezone.now() - timedelta(days=20))
    render_cached(spec, title="A", chart_id="chart-a")
    assert RenderedChart.objects.get().used_at > timezone.now() - timedelta(minutes=1)


def test_question_page_renders_nothing_on_a_second_visit(charlie, small, vl_calls):
    url = reverse("barometer_results:question", args=[2018, "nouveaux_dispositifs"])
    charlie.get(url)
    assert vl_calls  # the payload's charts and the three cross-tabs
    vl_calls.clear()
    response = charlie.get(url)
    assert response.status_code == 200
    assert vl_calls == []
    # The question and one cross-tab (by type, the default; `?strate=` for the others).
    assert response.content.decode().count('aria-labelledby="chart-nouveaux_dispositifs-') == 2


def test_warming_draws_every_cross_tab_before_the_first_visit(charlie, small, vl_calls):
    cache = results_for(small.edition)
    vl_calls.clear()
    result = warm_charts.call(small.edition.pk, True)
    crosstabs = cache.payload["analysis"]["crosstabs"]
    assert result["charts"] == sum(len(names) for names in crosstabs.values())
    assert len(vl_calls) == result["charts"]
    vl_calls.clear()
    for name in ("nouveaux_dispositifs", "dispositifs", "etp"):
        url = reverse("barometer_results:question", args=[2018, name])
        for dimension in ("kind", "band", "region"):
            assert charlie.get(f"{url}?strate={dimension}").status_code == 200
    assert vl_calls == []


def test_computing_results_queues_the_warming(small, vl_calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        compute_results(edition=small.edition, weighted=True)
    assert len(callbacks) == 1  # warm_charts, run here by the immediate backend
    vl_calls.clear()
    payload = results_for(small.edition).payload
    for dimension in ("kind", "band", "region"):
        assert presentation.question_detail(payload, "dispositifs", dimension=dimension)[
            "crossings"
        ]
    assert vl_calls == []


def test_crossing_with_a_question_is_cached(charlie, small, vl_calls, monkeypatch):
    url = reverse("barometer_results:question", args=[2018, "etp"]) + "?par=nouveaux_dispositifs"
    first = charlie.get(url).content.decode()
    vl_calls.clear()

    def no_weighting(*args, **kwargs):
        raise AssertionError("the responses were weighed again")

    monkeypatch.setattr(presentation, "load_edition", no_weighting)
    second = charlie.get(url).content.decode()
    assert vl_calls == []
    assert "Selon « Prévoyez-vous de nouveaux dispositifs ? »" in second
    assert second.count('role="img"') == first.count('role="img"')
    assert 'aria-labelledby="chart-etp-par-nouveaux_dispositifs-title' in second


def test_crossing_is_computed_again_when_a_response_changes(charlie, small, monkeypatch):
    url = reverse("barometer_results:question", args=[2018, "etp"]) + "?par=nouveaux_dispositifs"
    charlie.get(url)
    response = small.responses[0]
    Response.objects.filter(pk=response.pk).update(
        answers={**response.answers, "etp": 9.5}, version=2
    )
    weighed = []
    real = presentation.load_edition
    monkeypatch.setattr(presentation, "load_edition", lambda e: weighed.append(e) or real(e))
    assert charlie.get(url).status_code == 200
    assert weighed == [small.edition]
