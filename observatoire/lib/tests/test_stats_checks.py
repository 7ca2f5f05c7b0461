"""Statistics that never print nonsense: shares fixed by the weighting, degenerate intervals
and tests explained in words, p-values and test statistics printed with care, and the design
diagnostics (Kish, R-indicator, standardised differences)."""

import math

import numpy as np
import pandas as pd
import pytest

from observatoire.lib.charts import data_table, trend_table
from observatoire.lib.charts.format import (
    format_interval,
    format_number,
    format_p_value,
    format_percent,
    format_test,
)
from observatoire.lib.stats import (
    Option,
    QuestionSpec,
    analyse_edition,
    compute_weights,
    crosstab,
    estimate_question,
    trend,
)
from observatoire.lib.stats.checks import interval_problem, problem_of_test
from observatoire.lib.stats.diagnostics import (
    design_diagnostics,
    r_indicator,
    response_propensities,
    standardised_difference,
)
from observatoire.lib.stats.simulation import draw_respondents, synthetic_population
from observatoire.lib.stats.variance import two_sample_z, wald_shares_test

TYPE = QuestionSpec(
    name="type_collectivite",
    kind="single",
    label="Type de collectivité",
    options=(
        Option("commune", "Commune"),
        Option("interco", "Intercommunalité"),
        Option("dep", "Département"),
        Option("reg", "Région"),
        Option("autre", "Autre"),
    ),
)
YES_NO = QuestionSpec(
    name="oui_non",
    kind="single",
    label="Oui ou non",
    options=(Option("oui", "Oui"), Option("non", "Non")),
)
TYPE_OF = {"commune": "commune", "epci": "interco", "departement": "dep", "region": "reg"}


def edition(seed: int, *, boost: float = 3.0, scale: float = 0.2):
    population = synthetic_population(1, scale=scale)
    rng = np.random.default_rng(seed)
    respondents = draw_respondents(population, rng, boost=boost)
    weighting = compute_weights(
        respondents[["kind", "band", "region"]], population.frame[["kind", "band", "region"]]
    )
    answers = pd.DataFrame(
        {
            "type_collectivite": respondents["kind"].map(TYPE_OF),
            "oui_non": np.where(rng.random(len(respondents)) < 0.4, "oui", "non"),
        },
        index=respondents.index,
    )
    return population, respondents, weighting, answers


@pytest.fixture(scope="module")
def two():
    return edition(1), edition(2)


def test_a_question_repeating_a_weighting_margin_is_fixed_at_the_frame_share(two):
    (population, _respondents, weighting, answers), _ = two
    estimate = estimate_question(TYPE, answers, weighting)
    communes = estimate.row("commune")
    frame_share = float((population.frame["kind"] == "commune").mean())
    assert communes.fixed and communes.problem == "fixed"
    assert communes.estimate == pytest.approx(frame_share, abs=1e-6)
    assert (communes.ci_low, communes.ci_high, communes.se) == (None, None, 0.0)
    # Nobody chose "autre": the other shares, fixed, add up to one, so it is fixed at zero.
    other = estimate.row("autre")
    assert other.fixed and other.estimate == 0 and other.ci_high is None
    table = data_table(estimate)
    assert ["Commune", f"{communes.n} / {communes.base_n}"] == table["rows"][0][:2]
    assert table["rows"][0][2:] == [
        f"{format_percent(frame_share)} (part de la base de sondage)",
        "fixé par la pondération",
    ]
    assert any("fixée par la pondération" in note for note in table["notes"])


def test_unweighted_shares_are_not_fixed(two):
    (_population, _respondents, weighting, answers), _ = two
    estimate = estimate_question(TYPE, answers, weighting, weighted=False)
    assert not any(row.fixed for row in estimate.rows)
    assert estimate.row("commune").ci_low is not None


def test_a_share_of_an_ordinary_question_is_not_fixed(two):
    (_population, _respondents, weighting, answers), _ = two
    row = estimate_question(YES_NO, answers, weighting).row("oui")
    assert not row.fixed and not row.problem and row.ci_low < row.estimate < row.ci_high


def test_a_margin_question_with_missing_answers_is_not_fixed(two):
    (_population, _respondents, weighting, answers), _ = two
    partial = answers.copy()
    partial.iloc[::7, 0] = None  # some communes did not answer: the base is not the frame's
    row = estimate_question(TYPE, partial, weighting).row("commune")
    assert not row.fixed


def test_crossing_a_margin_by_type_gives_no_test_but_by_region_estimates(two):
    (_population, _respondents, weighting, answers), _ = two
    by_kind = crosstab(TYPE, answers, weighting, by="kind", test=True)
    assert by_kind.test == {"name": "Rao-Scott (F)", "problem": "test_fixed", "significant": False}
    assert all(r.fixed for r in by_kind.rows if r.group == "commune")
    notes = data_table(by_kind)["notes"]
    assert (
        "Test d'indépendance de Rao-Scott : pas de test : répartition fixée par la pondération."
        in notes
    )
    by_region = crosstab(TYPE, answers, weighting, by="region", threshold=5, test=True)
    regional = [r for r in by_region.rows if r.group is not None and not r.suppressed]
    assert regional and not any(r.fixed for r in regional)
    # The type crossed with another variable is a real question: tested.
    assert by_region.test is None or by_region.test.get("problem") != "test_fixed"
    by_answer = crosstab(TYPE, answers, weighting, by="oui_non", by_question=YES_NO, test=True)
    assert by_answer.test is not None and by_answer.test.get("problem") != "test_fixed"


def test_trend_of_a_margin_is_not_tested(two):
    (_, _, w1, a1), (_, _, w2, a2) = two
    result = trend(
        [("2018", estimate_question(TYPE, a1, w1)), ("2026", estimate_question(TYPE, a2, w2))]
    )
    change = result.find("commune").changes[0]
    assert not change.tested and change.reason == "fixé par la pondération"
    (distribution,) = result.distribution_tests
    assert not distribution.tested and distribution.note == "répartition fixée par la pondération"
    table = trend_table(result)
    assert "non testée (fixé par la pondération)" in [row[-1] for row in table["rows"]]
    assert not any("p = 0,000" in cell or "F = " in cell for row in table["rows"] for cell in row)
    english = trend_table(result, locale="en")
    assert "not tested (fixed by the weighting)" in [row[-1] for row in english["rows"]]
    assert english["notes"][-1].endswith("not tested (distribution fixed by the weighting)")


def test_zero_variance_changes_are_not_tested():
    diff, se, p_value = two_sample_z(0.3, 0.0, 0.3, 0.0)
    assert (diff, se) == (0.0, 0.0) and math.isnan(p_value)


def test_a_covariance_of_rounding_residues_gives_no_wald_test():
    tiny = np.eye(3) * 1e-30
    assert (
        wald_shares_test(np.array([0.7, 0.2, 0.1]), tiny, 90, np.array([0.7, 0.2, 0.1]), tiny, 80)
        is None
    )
    real = np.array([[0.002, -0.001, -0.001], [-0.001, 0.002, -0.001], [-0.001, -0.001, 0.002]])
    assert wald_shares_test(
        np.array([0.5, 0.3, 0.2]), real, 90, np.array([0.3, 0.3, 0.4]), real, 80
    )


def test_a_single_respondent_or_no_degree_of_freedom_has_no_interval():
    common = {"statistic": "proportion", "estimate": 0.4, "variance": 0.01, "low": 0.2, "high": 0.6}
    assert interval_problem(**common, df=5, n_psu=1) == "single_psu"
    assert interval_problem(**common, df=0, n_psu=3) == "no_df"
    assert interval_problem(**{**common, "variance": 0.0}, df=5, n_psu=3) == "zero_variance"
    assert interval_problem(**{**common, "low": 0.0, "high": 1.0}, df=5, n_psu=3) == "uninformative"
    assert interval_problem(**{**common, "low": 0.0004, "high": 0.9996}, df=5, n_psu=2) == (
        "uninformative"
    )
    assert interval_problem(**{**common, "low": 0.5}, df=5, n_psu=3) == "invalid"
    assert interval_problem(**{**common, "high": math.nan}, df=5, n_psu=3) == "invalid"
    assert interval_problem(**common, df=5, n_psu=3) == ""
    # Nobody, or everybody: the interval on Kish's n is an honest bound.
    assert (
        interval_problem(
            **{**common, "estimate": 0.0, "variance": 0.0, "low": 0.0, "high": 0.2}, df=5, n_psu=30
        )
        == ""
    )


def test_a_small_domain_explains_its_missing_interval(two):
    (_population, respondents, weighting, answers), _ = two
    regions = respondents["kind"] == "region"
    assert 1 <= regions.sum() <= 9
    estimate = crosstab(YES_NO, answers, weighting, by="kind", threshold=1)
    rows = [r for r in estimate.rows if r.group == "region"]
    for row in rows:
        assert row.problem or (row.ci_low is not None and row.ci_low <= row.estimate <= row.ci_high)
    printed = [cell for row in data_table(estimate)["rows"] for cell in row]
    assert "[0,0 ; 100,0\u202f%]" not in printed
    assert not any(cell == "–" for cell in printed)


def test_p_values_and_test_statistics_print_with_care():
    assert format_p_value(0.0) == "p < 0,001"
    assert format_p_value(0.0004, locale="en") == "p < 0.001"
    assert format_p_value(0.0123) == "p = 0,012"
    assert format_p_value(math.nan) == "–" and format_p_value(1.5) == "–"
    assert format_test(4.213, 2, 45.3, 0.02) == "F(2 ; 45,3) = 4,21 ; p = 0,020"
    assert format_test(4.213, 2, 45.3, 0.02, locale="en") == "F(2; 45.3) = 4.21; p = 0.020"
    assert format_test(4.2, None, None, 0.02) == ""  # never a statistic without its df
    assert format_test(1_463_838_622_728_085.5, 3, 40, 0.0) == ""
    assert (
        problem_of_test({"statistic": 1.4e15, "df_num": 3, "df_den": 40, "p_value": 0.0})
        == "test_zero_variance"
    )
    assert (
        problem_of_test({"statistic": 2.0, "df_num": 1, "df_den": None, "p_value": 0.2})
        == "test_no_df"
    )


def test_numbers_follow_the_locale():
    assert format_number(1234.5) == "1\u00a0234,5"
    assert format_number(1234.5, locale="en") == "1,234.5"
    assert format_number(3.0, locale="en-GB") == "3.0"
    assert format_percent(0.423) == "42,3\u202f%" and format_percent(0.423, locale="en") == "42.3%"
    assert format_interval(0.351, 0.498) == "[35,1 ; 49,8\u202f%]"
    assert format_interval(0.351, 0.498, locale="en") == "[35.1; 49.8%]"
    assert format_number(-0.00001) == "0,0"  # never "-0,0"
    assert format_number(math.inf) == format_number(math.nan) == format_number(None) == "–"


def test_r_indicator_by_hand():
    assert r_indicator(pd.Series([0.3] * 10))["r_indicator"] == pytest.approx(1.0)
    values = pd.Series([0.1, 0.1, 0.5, 0.5])
    found = r_indicator(values)
    s = float(np.std(values, ddof=1))
    assert found["r_indicator"] == pytest.approx(1 - 2 * s)
    assert found["cv"] == pytest.approx(s / 0.3)
    assert found["max_bias"] == pytest.approx((1 - found["r_indicator"]) / (2 * 0.3))


def test_propensities_on_one_frame_variable_are_the_response_rates():
    frame = pd.DataFrame({"kind": ["a"] * 10 + ["b"] * 20}, index=[f"m{i}" for i in range(30)])
    responded = pd.Series([1.0] * 5 + [0.0] * 5 + [1.0] * 4 + [0.0] * 16, index=frame.index)
    propensity, notes = response_propensities(frame, responded, ["kind"])
    assert propensity.iloc[:10].to_numpy() == pytest.approx(0.5)
    assert propensity.iloc[10:].to_numpy() == pytest.approx(0.2)
    assert notes == []


def test_propensities_with_a_band_that_repeats_the_type_are_the_response_rates():
    frame = pd.DataFrame(
        {"kind": ["a"] * 40 + ["b"] * 20, "band": ["small"] * 40 + ["large"] * 20},
        index=[f"m{i}" for i in range(60)],
    )
    responded = pd.Series([1.0] * 12 + [0.0] * 28 + [1.0] * 3 + [0.0] * 17, index=frame.index)
    propensity, _notes = response_propensities(frame, responded, ["kind", "band"])
    assert propensity.iloc[:40].to_numpy() == pytest.approx(0.3)
    assert propensity.iloc[40:].to_numpy() == pytest.approx(0.15)
    assert r_indicator(propensity)["r_indicator"] == pytest.approx(0.857385, abs=1e-6)


def test_standardised_difference_by_hand():
    assert standardised_difference(0.5, 0.3) == pytest.approx(
        100 * 0.2 / math.sqrt((0.25 + 0.21) / 2)
    )
    assert standardised_difference(0.3, 0.3) == 0.0


def test_diagnostics_show_what_the_weighting_corrects(two):
    (population, respondents, weighting, _answers), _ = two
    found = design_diagnostics(population.frame, respondents, weighting)
    assert found["n"] == len(respondents) and found["n_eff"] == pytest.approx(weighting.n_eff)
    assert 0 < found["representativity"]["r_indicator"] < 1  # response depends on kind and size
    kinds = [row for row in found["balance"] if row["covariate"] == "kind"]
    assert max(abs(row["difference_before"]) for row in kinds) > 10
    assert max(abs(row["difference_after"]) for row in kinds) < 0.01  # raked on the type
    assert found["max_difference_after"] < found["max_difference_before"]
    assert sum(row["respondents"] for row in found["by_region"]) == len(respondents)
    assert {row["kind"] for row in found["by_kind"]} == set(respondents["kind"])


def test_edition_analysis_carries_no_nan_into_json(two):
    import json

    (_population, _respondents, weighting, answers), _ = two
    analysis = analyse_edition([TYPE, YES_NO], answers, weighting, by=("kind",), tests=True)
    json.dumps(analysis.to_dict(), allow_nan=False)
