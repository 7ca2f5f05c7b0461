"""Chart specs (valid Vega-Lite, French locale, suppressed figures left out), accessible SVG,
contrast of the palette, French formatting and the data tables."""

import json
import shutil
import subprocess
import sys
import textwrap
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest

from observatoire.lib.charts import (
    benchmark_dots,
    chart_for,
    data_table,
    format_interval,
    format_number,
    format_percent,
    format_range,
    palette,
    render_svg,
    trend_lines,
    trend_table,
)
from observatoire.lib.stats import (
    Option,
    QuestionEstimate,
    QuestionSpec,
    WeightingResult,
    compute_weights,
    crosstab,
    estimate_question,
)
from observatoire.lib.stats.benchmark import benchmark
from observatoire.lib.stats.simulation import (
    draw_respondents,
    synthetic_answers,
    synthetic_population,
    synthetic_questions,
)
from observatoire.lib.stats.trends import trend

NNBSP = "\u202f"


@pytest.fixture(scope="module")
def edition() -> tuple[list[QuestionSpec], pd.DataFrame, WeightingResult]:
    population = synthetic_population(3)
    rng = np.random.default_rng(5)
    respondents = draw_respondents(population, rng)
    weights = compute_weights(respondents, population.frame)
    specs = synthetic_questions(10)
    return specs, synthetic_answers(specs, respondents.index, rng), weights


@pytest.fixture(scope="module")
def estimates(
    edition: tuple[list[QuestionSpec], pd.DataFrame, WeightingResult],
) -> dict[str, QuestionEstimate]:
    specs, answers, weights = edition
    return {spec.kind: estimate_question(spec, answers, weights) for spec in specs}


def assert_vega_lite(spec: dict[str, Any]) -> None:
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    text = json.dumps(spec)
    assert '"mark"' in text and '"encoding"' in text
    assert '"url"' not in text  # inline data only
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["percent"] == f"{NNBSP}%"
    assert spec["description"]


@pytest.mark.parametrize("kind", ["single", "multiple", "likert", "bracket", "number", "score"])
def test_every_question_type_has_a_valid_spec_and_svg(
    estimates: dict[str, QuestionEstimate], kind: str
) -> None:
    estimate = estimates[kind]
    spec = chart_for(estimate)
    assert_vega_lite(spec)
    svg = render_svg(spec, title=f"Question {kind}")
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title id=" in svg and f">Question {kind}</title>" in svg
    assert "<desc id=" in svg
    assert "aria-labelledby=" in svg
    root = ElementTree.fromstring(svg)  # still well-formed XML
    assert [child.tag.split("}")[-1] for child in root][:2] == ["title", "desc"]


def test_likert_keeps_dont_know_in_its_own_panel(estimates: dict[str, QuestionEstimate]) -> None:
    spec = chart_for(estimates["likert"])
    assert "hconcat" in spec
    assert any("Ne sait pas" in note for note in spec["usermeta"]["notes"])
    levels = spec["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert levels == ["Oui, tout à fait", "Oui, plutôt", "Non, pas vraiment", "Non, pas du tout"]


def test_brackets_mark_the_median_and_set_impossible_apart(
    estimates: dict[str, QuestionEstimate],
) -> None:
    spec = chart_for(estimates["bracket"])
    assert "vconcat" in spec
    text = json.dumps(spec, ensure_ascii=False)
    assert "◆ médiane" in text
    assert "Impossible à estimer" in text
    assert any(note.startswith("Tranche médiane") for note in spec["usermeta"]["notes"])


def test_percentages_render_the_french_way(estimates: dict[str, QuestionEstimate]) -> None:
    svg = render_svg(chart_for(estimates["single"]), title="Parts")
    assert f"0{NNBSP}%" in svg  # axis labels through d3's fr-FR locale
    assert any(f",{d}{NNBSP}%" in svg for d in "0123456789")  # bar labels: "42,3 %"


def test_suppressed_figures_are_left_out_of_the_chart_with_a_note() -> None:
    frame = pd.DataFrame({"kind": ["commune"] * 100 + ["epci"] * 50, "region": "R1"})
    ids = [f"r{i}" for i in range(20)]
    respondents = pd.DataFrame({"kind": ["commune"] * 15 + ["epci"] * 5, "region": "R1"}, index=ids)
    weights = compute_weights(respondents, frame, cells=("kind",), margins=(), trim_factor=None)
    spec = QuestionSpec(
        name="q", kind="single", label="Q", options=(Option("oui", "Oui"), Option("non", "Non"))
    )
    answers = pd.DataFrame({"q": ["oui", "non"] * 10}, index=ids)
    table = crosstab(spec, answers, weights, by="kind")
    chart = chart_for(table)
    assert_vega_lite(chart)
    groups = {row["group"] for row in chart["data"]["values"]}
    assert groups == {"Ensemble", "commune"}  # the 5 EPCI are below the threshold
    assert any(
        "effectif insuffisant" in note and "epci" in note for note in chart["usermeta"]["notes"]
    )
    rows = data_table(table)["rows"]
    epci = [row for row in rows if row[0] == "epci"]
    assert epci and all("effectif insuffisant" in row for row in epci)
    assert all("%" not in cell for row in epci for cell in row[1:])


def test_data_table_carries_n_share_and_interval(estimates: dict[str, QuestionEstimate]) -> None:
    table = data_table(estimates["single"])
    assert table["headers"] == ["Réponse", "n (choix / base)", "Part pondérée", "IC à 95 %"]
    first = table["rows"][0]
    assert first[1].count("/") == 1
    assert first[2].endswith(f"{NNBSP}%") and "," in first[2]
    assert first[3].startswith("[") and " ; " in first[3]
    assert any("Korn-Graubard" in note for note in table["notes"])
    numbers = data_table(estimates["number"])
    assert [row[0] for row in numbers["rows"]] == [
        "Moyenne",
        "1er quartile",
        "Médiane",
        "3e quartile",
    ]


def test_unweighted_tables_say_so(
    edition: tuple[list[QuestionSpec], pd.DataFrame, WeightingResult],
) -> None:
    specs, answers, weights = edition
    table = data_table(estimate_question(specs[0], answers, weights, weighted=False))
    assert "Part non pondérée" in table["headers"]


def test_trend_chart_and_table(
    edition: tuple[list[QuestionSpec], pd.DataFrame, WeightingResult],
) -> None:
    specs, answers, weights = edition
    other = synthetic_answers(specs, answers.index, np.random.default_rng(8))
    result = trend(
        [
            ("2018", estimate_question(specs[0], other, weights)),
            ("2026", estimate_question(specs[0], answers, weights)),
        ]
    )
    spec = trend_lines(result)
    assert_vega_lite(spec)
    layers = spec["layer"]
    assert any(
        layer["mark"]["type"] == "line" and "strokeDash" in layer["encoding"] for layer in layers
    )
    assert any("shape" in layer["encoding"] for layer in layers)  # not colour alone
    assert 'role="img"' in render_svg(spec, title="Évolution")
    table = trend_table(result)
    assert table["rows"][1][5].startswith(("+", "-"))  # the change, tested, for 2026


def test_benchmark_chart_marks_the_own_answer(
    edition: tuple[list[QuestionSpec], pd.DataFrame, WeightingResult],
) -> None:
    specs, answers, weights = edition
    respondent = answers.index[0]
    result = benchmark(specs[0], answers, weights, respondent, peers=("kind",))
    spec = benchmark_dots(result)
    assert_vega_lite(spec)
    own = answers.loc[respondent, specs[0].name]
    text = json.dumps(spec, ensure_ascii=False)
    if own is not None and not result.suppressed:
        assert "votre réponse" in text
    assert "Territoires comparables" in text


def test_palette_contrast_meets_wcag_aa() -> None:
    assert palette.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    colours = [
        palette.BAR,
        palette.HIGHLIGHT,
        palette.APART,
        palette.TEXT,
        palette.RULE,
        *palette.DIVERGING,
        *palette.CATEGORICAL,
    ]
    for colour in colours:
        assert palette.contrast_ratio(colour, palette.BACKGROUND) >= 4.5, colour
    # White labels on the Likert segments are readable text.
    for colour in palette.DIVERGING:
        assert palette.contrast_ratio("#ffffff", colour) >= 4.5, colour


def test_french_formatting() -> None:
    assert format_percent(0.4234) == f"42,3{NNBSP}%"
    assert format_number(12345.678, 1) == "12\u00a0345,7"
    assert format_interval(0.351, 0.498) == f"[35,1 ; 49,8{NNBSP}%]"
    assert format_interval(1.25, 3.5, percent=False, digits=2) == "[1,25 ; 3,50]"
    assert format_range(12, 57, "€") == "entre 12 et 57\u00a0€"
    assert format_range(1000, None, "€") == "au moins 1\u00a0000\u00a0€"
    assert format_percent(None) == "–"


def test_title_and_description_are_escaped() -> None:
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": [{"a": 1}]},
        "mark": "point",
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    svg = render_svg(
        spec, title="Budget < 1 000 € & plus", description='Il dit "oui"', chart_id="c1"
    )
    assert '<title id="c1-title">Budget &lt; 1 000 € &amp; plus</title>' in svg
    assert '<desc id="c1-desc">Il dit "oui"</desc>' in svg
    assert svg.count('role="img"') == 1


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_rendering_needs_no_network() -> None:
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not available here")
    script = textwrap.dedent(
        """
        from observatoire.lib.charts import render_svg
        spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
                "data": {"values": [{"a": 0.5}]}, "mark": "bar",
                "encoding": {"x": {"field": "a", "type": "quantitative", "axis": {"format": ".0%"}}}}
        print(render_svg(spec, title="t")[:4])
        """
    )
    done = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<svg")
