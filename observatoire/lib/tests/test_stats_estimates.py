"""Estimates of every question type on hand-computed examples, intervals, suppression, FPC,
the unweighted switch, cross-tabulations, and the variance checked against svy."""

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
import svy
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

from observatoire.lib.stats import (
    Option,
    QuestionEstimate,
    QuestionSpec,
    WeightingResult,
    analyse_edition,
    compute_weights,
    crosstab,
    estimate_question,
    questions_from_form,
    repeat_weighting,
)
from observatoire.lib.stats.estimates import Analysis, number_values
from observatoire.lib.stats.simulation import synthetic_answers, synthetic_questions
from observatoire.lib.stats.variance import Design, taylor_means, two_sample_z
from observatoire.lib.xlsform import parse_xlsform
from observatoire.lib.xlsform.demo import build_demo


def num(value: float | None) -> float:
    """A published figure (not suppressed)."""
    assert value is not None
    return value


IDS = ["a1", "a2", "a3", "a4", "b1", "b2", "c1", "c2"]
# Weights (computed below from the frame): a* = 40/4 = 10, b* = 10/2 = 5, c* = 6/2 = 3.

YES_NO = QuestionSpec(
    name="yn",
    kind="single",
    label="Oui ou non ?",
    options=(Option("oui", "Oui"), Option("non", "Non")),
)
MULTI = QuestionSpec(
    name="mc",
    kind="multiple",
    label="Lesquels ?",
    options=(Option("x", "X"), Option("y", "Y"), Option("z", "Z")),
)
LIKERT = QuestionSpec(
    name="grid",
    kind="likert",
    label="Grille",
    options=(
        Option("tout", "Oui, tout à fait"),
        Option("plutot", "Oui, plutôt"),
        Option("pas_vraiment", "Non, pas vraiment"),
        Option("pas_du_tout", "Non, pas du tout"),
        Option("nsp", "Ne sait pas"),
    ),
    items=(Option("g1", "Premier item"),),
    apart=("nsp",),
)
BUDGET = QuestionSpec(
    name="budget",
    kind="bracket",
    label="Budget",
    options=(
        Option("0", "0 €", 0, 0),
        Option("moins_1k", "< 1 000 €", 0, 1000),
        Option("1k_5k", "1 000-5 000 €", 1000, 5000),
        Option("plus_5k", "> 5 000 €", 5000, None),
        Option("nsp", "Impossible à estimer"),
    ),
    apart=("nsp",),
)
FTE = QuestionSpec(name="etp", kind="number", label="ETP", unit="ETP")
SCORES = QuestionSpec(
    name="needs", kind="score", label="Besoins", items=(Option("s1", "Formation"),), scale=(0, 8)
)


@pytest.fixture(scope="module")
def weighting() -> WeightingResult:
    frame = pd.DataFrame(
        [{"kind": "commune", "band": "3500-9999", "region": "R1"}] * 40
        + [{"kind": "commune", "band": "10000+", "region": "R1"}] * 10
        + [{"kind": "epci", "band": "0+", "region": "R1"}] * 6
    )
    respondents = pd.DataFrame(
        {
            "kind": ["commune"] * 6 + ["epci"] * 2,
            "band": ["3500-9999"] * 4 + ["10000+"] * 2 + ["0+"] * 2,
            "region": ["R1"] * 8,
        },
        index=IDS,
    )
    return compute_weights(respondents, frame, margins=(), min_cell=2, trim_factor=None)


@pytest.fixture(scope="module")
def answers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "yn": ["oui", "oui", "non", None, "oui", "non", "non", "non"],
            "mc": [["x", "y"], [], None, "x", ["y"], None, ["x"], []],
            "g1": ["tout", "plutot", "nsp", "pas_du_tout", "tout", "nsp", "plutot", None],
            "budget": ["0", "moins_1k", "1k_5k", "nsp", "1k_5k", "plus_5k", "moins_1k", None],
            "etp": [1, 2, 3, None, 4, 5, 6, "1,5"],
            "s1": [8, 0, 4, 4, 8, None, 2, 6],
        },
        index=IDS,
    )


def test_single_choice_weighted_distribution_by_hand(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    estimate = estimate_question(YES_NO, answers, weighting, threshold=5)
    yes, no = estimate.row("oui"), estimate.row("non")
    # Base: 7 answers, weights 10·3 + 5·2 + 3·2 = 46; "oui": 10 + 10 + 5.
    assert yes.estimate == pytest.approx(25 / 46)
    assert no.estimate == pytest.approx(21 / 46)
    assert (yes.n, no.n, yes.base_n) == (3, 4, 7)
    assert num(yes.ci_low) < num(yes.estimate) < num(yes.ci_high)
    assert yes.n_eff == pytest.approx(46**2 / (3 * 100 + 2 * 25 + 2 * 9))
    assert not estimate.suppressed


def test_multiple_choice_shares_of_those_shown(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    estimate = estimate_question(MULTI, answers, weighting, threshold=5)
    # Shown: everyone but a3 and b2 (None): 10·3 + 5 + 3·2 = 41; [] counts as shown.
    assert estimate.row("x").estimate == pytest.approx(23 / 41)  # a1, a4 ("x" as text), c1
    assert estimate.row("y").estimate == pytest.approx(15 / 41)  # a1, b1
    assert estimate.row("z").estimate == 0
    assert estimate.row("z").ci_low == 0 and num(estimate.row("z").ci_high) > 0
    assert estimate.row("x").base_n == 6
    # Shares of respondents, not of combinations: they add up to more than 100 %.
    assert sum(r.estimate or 0 for r in estimate.rows) > 0.9


def test_multiple_choice_base_from_the_shown_table(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    shown = pd.DataFrame({"mc": [True, True, False, True, True, True, True, True]}, index=IDS)
    estimate = estimate_question(MULTI, answers, weighting, threshold=5, shown=shown)
    # b2 was shown and left the question empty: in the base (56 - 10 for a3 = 46).
    assert estimate.row("x").estimate == pytest.approx(23 / 46)
    assert estimate.row("x").base_n == 7


def test_likert_keeps_dont_know_apart(weighting: WeightingResult, answers: pd.DataFrame) -> None:
    estimate = estimate_question(LIKERT, answers, weighting, threshold=5)
    rows = {r.key: r for r in estimate.rows_for(item="g1")}
    # Answered: a1-a4, b1, b2, c1 → 40 + 10 + 3 = 53.
    assert rows["tout"].estimate == pytest.approx(15 / 53)
    assert rows["plutot"].estimate == pytest.approx(13 / 53)
    assert rows["pas_du_tout"].estimate == pytest.approx(10 / 53)
    assert rows["pas_vraiment"].estimate == 0
    assert rows["nsp"].estimate == pytest.approx(15 / 53)
    assert rows["nsp"].apart and not rows["tout"].apart
    assert rows["tout"].item_label == "Premier item"


def test_brackets_median_bracket_and_impossible_apart(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    estimate = estimate_question(BUDGET, answers, weighting, threshold=5)
    rows = {r.key: r for r in estimate.rows}
    # Valid brackets: a1-a3, b1, b2, c1 → 30 + 10 + 3 = 43.
    assert rows["0"].estimate == pytest.approx(10 / 43)
    assert rows["moins_1k"].estimate == pytest.approx(13 / 43)
    assert rows["1k_5k"].estimate == pytest.approx(15 / 43)
    assert rows["plus_5k"].estimate == pytest.approx(5 / 43)
    # "Impossible" is a share of every answer (53), shown apart.
    assert rows["nsp"].estimate == pytest.approx(10 / 53) and rows["nsp"].apart
    summary = estimate.summary[""]
    # Cumulative: 10/43 = 23 %, then 23/43 = 53 % ≥ 50 %.
    assert summary["median"] == "moins_1k"
    assert summary["median_label"] == "< 1 000 €"
    assert summary["mean_range"][0] == pytest.approx((15 * 1000 + 5 * 5000) / 43)
    assert summary["mean_range"][1] is None  # the open top bracket has no upper bound
    assert len(summary["median_ci"]) == 2


def test_numbers_median_quartiles_and_mean(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    estimate = estimate_question(FTE, answers, weighting, threshold=5)
    stats = {r.key: r for r in estimate.rows}
    # Sorted values (weight): 1 (10), 1.5 (3), 2 (10), 3 (10), 4 (5), 5 (5), 6 (3); total 46.
    # Cumulative shares: .217 .283 .500 .717 .826 .935 1.
    assert stats["q1"].estimate == 1.5
    assert stats["median"].estimate == 2
    assert stats["q3"].estimate == 4
    assert stats["mean"].estimate == pytest.approx(127.5 / 46)
    assert stats["mean"].base_n == 7
    # Woodruff: with 7 answers the lower limit falls below the data (not published).
    assert stats["median"].ci_high is None or stats["median"].ci_high >= 2
    assert stats["median"].ci_low is None or stats["median"].ci_low <= 2


def test_scores_mean_by_item(weighting: WeightingResult, answers: pd.DataFrame) -> None:
    estimate = estimate_question(SCORES, answers, weighting, threshold=5)
    row = estimate.row("mean", item="s1")
    assert row.estimate == pytest.approx(224 / 51)
    assert row.base_n == 7
    assert num(row.ci_low) < num(row.estimate) < num(row.ci_high)


def test_french_numbers_are_read() -> None:
    values = number_values(pd.Series(["1,5", "12 000", "1\u202f000,25", None, "abc", 3]))
    assert values[:3].tolist() == [1.5, 12000, 1000.25]
    assert math.isnan(values[3]) and math.isnan(values[4])


def test_small_bases_are_suppressed_not_hidden(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    estimate = estimate_question(YES_NO, answers, weighting)  # default threshold 10 > 7 answers
    assert estimate.threshold == 10
    assert estimate.suppressed
    for row in estimate.rows:
        assert row.suppressed
        assert (row.estimate, row.se, row.ci_low, row.ci_high, row.n) == (
            None,
            None,
            None,
            None,
            None,
        )
        assert row.base_n == 7
    assert "0.54" not in json.dumps(estimate.to_dict())


def test_unweighted_switch(weighting: WeightingResult, answers: pd.DataFrame) -> None:
    weighted = estimate_question(YES_NO, answers, weighting, threshold=5)
    unweighted = estimate_question(YES_NO, answers, weighting, threshold=5, weighted=False)
    assert unweighted.row("oui").estimate == pytest.approx(3 / 7)
    assert weighted.row("oui").estimate == pytest.approx(25 / 46)
    assert not unweighted.weighted and weighted.weighted


def srs_weighting(population: int, n: int = 10) -> WeightingResult:
    frame = pd.DataFrame({"kind": ["commune"] * population, "region": "R1"})
    respondents = pd.DataFrame(
        {"kind": ["commune"] * n, "region": "R1"}, index=[f"r{i}" for i in range(n)]
    )
    return compute_weights(respondents, frame, cells=("kind",), margins=(), trim_factor=None)


def srs_answers(n: int = 10, yes: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {"yn": ["oui"] * yes + ["non"] * (n - yes)}, index=[f"r{i}" for i in range(n)]
    )


def test_srs_variance_and_known_intervals() -> None:
    weighting = srs_weighting(100)
    row = estimate_question(YES_NO, srs_answers(), weighting, threshold=5).row("oui")
    # SRS without replacement: v = (1 - n/N) p (1 - p) / (n - 1) = 0.9 · 0.21 / 9.
    assert row.se == pytest.approx(math.sqrt(0.9 * 0.21 / 9))
    # Effective n = p(1-p)/v = 10 (df = n - 1, no df adjustment): Clopper-Pearson for 3/10.
    assert (row.ci_low, row.ci_high) == pytest.approx((0.06674, 0.65245), abs=1e-5)
    assert (row.ci_low, row.ci_high) == pytest.approx(proportion_confint(3, 10, method="beta"))
    wilson = estimate_question(
        YES_NO, srs_answers(), weighting, threshold=5, ci_method="wilson"
    ).row("oui")
    assert (wilson.ci_low, wilson.ci_high) == pytest.approx((0.10779, 0.60322), abs=1e-5)
    # Weighting changes nothing with one cell: equal weights.
    unweighted = estimate_question(
        YES_NO, srs_answers(), weighting, threshold=5, weighted=False
    ).row("oui")
    assert (unweighted.ci_low, unweighted.ci_high) == pytest.approx((row.ci_low, row.ci_high))


def test_finite_population_correction_narrows_intervals() -> None:
    widths = {}
    for population in (10, 100, 1_000_000):
        row = estimate_question(YES_NO, srs_answers(), srs_weighting(population), threshold=5).row(
            "oui"
        )
        if population == 10:
            # A census (n = N) has no sampling error: no interval, and the reason instead of
            # a zero-width "[60,0 ; 60,0 %]".
            assert (row.problem, row.ci_low, row.ci_high) == ("zero_variance", None, None)
            continue
        widths[population] = num(row.ci_high) - num(row.ci_low)
    # A huge frame gives the widest interval.
    assert widths[100] < widths[1_000_000]


def test_crosstab_by_kind_with_intervals(weighting: WeightingResult, answers: pd.DataFrame) -> None:
    table = crosstab(
        YES_NO, answers, weighting, by="kind", threshold=2, group_labels={"kind": {"epci": "EPCI"}}
    )
    commune = table.row("oui", group="commune")
    epci = table.row("oui", group="epci")
    # Communes: a1-a3, b1, b2 answered (40), "oui" a1, a2, b1 (25).
    assert commune.estimate == pytest.approx(25 / 40)
    assert epci.estimate == 0 and num(epci.ci_high) > 0
    assert table.row("oui").estimate == pytest.approx(25 / 46)  # overall rows kept (group None)
    assert table.groups == [("commune", "commune"), ("epci", "EPCI")]
    assert epci.group_label == "EPCI"
    assert table.by == "kind"


def test_crosstab_by_a_single_choice_question(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    by_question = QuestionSpec(
        name="yn", kind="single", options=(Option("oui", "Oui"), Option("non", "Non"))
    )
    table = crosstab(SCORES, answers, weighting, by="yn", by_question=by_question, threshold=2)
    assert table.groups == [("oui", "Oui"), ("non", "Non")]
    # "oui": a1 (8), a2 (0), b1 (8) → (80 + 0 + 40) / 25.
    assert table.row("mean", group="oui", item="s1").estimate == pytest.approx(120 / 25)
    assert table.by_label == "yn"  # the question has no label: its name


def test_crosstab_rao_scott_test_from_svy() -> None:
    rng = np.random.default_rng(4)
    n = 120
    kinds = np.where(np.arange(n) < 60, "commune", "epci")
    frame = pd.DataFrame({"kind": ["commune"] * 600 + ["epci"] * 300, "region": "R1"})
    respondents = pd.DataFrame({"kind": kinds, "region": "R1"}, index=[f"r{i}" for i in range(n)])
    weights = compute_weights(respondents, frame, cells=("kind",), margins=(), trim_factor=None)
    yes = np.where(kinds == "commune", rng.random(n) < 0.8, rng.random(n) < 0.2)
    answers = pd.DataFrame({"yn": np.where(yes, "oui", "non")}, index=respondents.index)
    table = crosstab(YES_NO, answers, weights, by="kind")
    assert table.test is not None
    assert table.test["significant"] and table.test["p_value"] < 0.001


def test_estimate_round_trips_through_json(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    estimate = estimate_question(BUDGET, answers, weighting, threshold=5)
    again = QuestionEstimate.from_dict(json.loads(json.dumps(estimate.to_dict())))
    assert again == estimate


def test_unknown_answer_values_are_counted_and_noted(
    weighting: WeightingResult, answers: pd.DataFrame
) -> None:
    odd = answers.assign(
        yn=pd.Series(["oui", "peut-être", "non", None, "oui", "non", "non", "non"], index=IDS)
    )
    estimate = estimate_question(YES_NO, odd, weighting, threshold=5)
    assert estimate.row("peut-être").n == 1
    assert any("peut-être" in note for note in estimate.notes)


# --- The variance agrees with svy (Taylor linearisation, strata, FPC) ----------------------------


def svy_sample(weighting: WeightingResult, column: str, values: pl.Series) -> Any:
    data = pl.DataFrame(
        {
            "cell": weighting.cell.to_numpy().astype(str),
            "psu": pd.factorize(weighting.psu)[0]
            if weighting.psu is not None
            else np.arange(len(values)),
            "w": weighting.weights.to_numpy(),
            "N": weighting.cell.map(weighting.cell_population).to_numpy(dtype=float),
            column: values,
        }
    )
    return svy.Sample(
        data, svy.Design(stratum="cell", psu="psu", wgt="w", pop_size="N", singleton="center")
    )


def test_proportions_and_means_match_svy(weighting: WeightingResult, answers: pd.DataFrame) -> None:
    estimate = estimate_question(YES_NO, answers, weighting, threshold=5)
    values = pl.Series(
        [None if pd.isna(v) else float(v == "oui") for v in answers["yn"]], dtype=pl.Float64
    )
    reference = svy_sample(weighting, "y", values).estimation.mean("y", drop_nulls=True).to_polars()
    assert estimate.row("oui").se == pytest.approx(reference["se"][0], rel=1e-9)
    # Korn-Graubard without truncation = svy's (and R's svyciprop) "beta" interval.
    kg = (
        svy_sample(weighting, "y", values)
        .estimation.prop("y", drop_nulls=True, ci_method="beta")
        .to_polars()
    )
    kg_yes = kg.filter(pl.col("y") == 1.0)
    assert (estimate.row("oui").ci_low, estimate.row("oui").ci_high) == pytest.approx(
        (kg_yes["lci"][0], kg_yes["uci"][0]), rel=1e-6
    )
    scores = estimate_question(SCORES, answers, weighting, threshold=5).row("mean", item="s1")
    s1 = pl.Series(number_values(answers["s1"])).fill_nan(None)
    reference = svy_sample(weighting, "s", s1).estimation.mean("s", drop_nulls=True).to_polars()
    assert scores.estimate == pytest.approx(reference["est"][0])
    assert scores.se == pytest.approx(reference["se"][0], rel=1e-9)
    assert (scores.ci_low, scores.ci_high) == pytest.approx(
        (reference["lci"][0], reference["uci"][0]), rel=1e-9
    )


def test_quantiles_match_svy_woodruff(weighting: WeightingResult, answers: pd.DataFrame) -> None:
    estimate = estimate_question(FTE, answers, weighting, threshold=5)
    values = pl.Series(number_values(answers["etp"])).fill_nan(None)
    reference = (
        svy_sample(weighting, "v", values)
        .estimation.quantile("v", p=(0.25, 0.5, 0.75), drop_nulls=True)
        .to_polars()
    )
    for key, row in zip(("q1", "median", "q3"), reference.iter_rows(named=True), strict=True):
        ours = estimate.row(key)
        assert ours.estimate == pytest.approx(row["est"])
        # A limit beyond the data is NaN in svy and None (not published) here.
        expected = [None if math.isnan(v) else pytest.approx(v) for v in (row["lci"], row["uci"])]
        assert [ours.ci_low, ours.ci_high] == expected


def test_repeat_rows_variance_clusters_by_territory_like_svy(weighting: WeightingResult) -> None:
    schemes = pd.DataFrame(
        {
            "respondent": ["a1", "a1", "a2", "a3", "a3", "b1", "b2", "c1", "c2", "c2"],
            "yn": ["oui", "non", "oui", "oui", "oui", "non", "oui", "non", "non", "oui"],
        },
        index=[f"f{i}" for i in range(10)],
    )
    rows = repeat_weighting(weighting, schemes)
    estimate = estimate_question(YES_NO, schemes, rows, threshold=5)
    values = pl.Series((schemes["yn"] == "oui").astype(float).to_numpy())
    reference = svy_sample(rows, "y", values).estimation.mean("y").to_polars()
    assert estimate.row("oui").estimate == pytest.approx(reference["est"][0])
    assert estimate.row("oui").se == pytest.approx(reference["se"][0], rel=1e-9)
    assert estimate.unit == "repeat"
    assert estimate.row("oui").base_respondents == 7 and estimate.row("oui").base_n == 10


def test_singleton_stratum_is_centred_like_svy() -> None:
    rng = np.random.default_rng(3)
    n = 30
    design = Design(
        weights=rng.uniform(1, 5, n),
        stratum=np.array([0] * 15 + [1] * 14 + [2]),
        psu=np.arange(n),
        population=np.array([60.0, 40.0, 5.0]),
    )
    y = (rng.random(n) < 0.4).astype(float)
    ours = taylor_means(design, y, np.ones(n, dtype=bool))
    data = pl.DataFrame(
        {
            "st": design.stratum.astype(str),
            "w": design.weights,
            "N": design.population[design.stratum],
            "y": y,
        }
    )
    sample = svy.Sample(data, svy.Design(stratum="st", wgt="w", pop_size="N", singleton="center"))
    reference = sample.estimation.mean("y").to_polars()  # type: ignore[union-attr]
    assert ours.se[0] == pytest.approx(reference["se"][0], rel=1e-9)


def test_two_sample_z_by_hand() -> None:
    diff, se, p_value = two_sample_z(0.30, 0.05, 0.45, 0.05)
    assert diff == pytest.approx(0.15)
    assert se == pytest.approx(math.sqrt(0.005))
    assert p_value == pytest.approx(0.0339, abs=1e-4)  # z = 2.121


# --- Specs from the demo questionnaire, and a whole edition -------------------------------------


def test_specs_from_the_demo_form() -> None:
    form = parse_xlsform(build_demo.path_for(2018))
    specs = {s.name: s for s in questions_from_form(form)}
    assert specs["accompagnement"].kind == "multiple"
    assert specs["accompagnement"].other == "accompagnement_autre"
    assert specs["budget"].kind == "bracket"
    assert specs["budget"].apart == ("nsp",)
    assert (
        specs["budget"].option("1k_5k").low == 1000 and specs["budget"].option("1k_5k").high == 5000
    )
    assert specs["budget"].option("plus_1m").high is None
    assert specs["contributions"].kind == "likert" and len(specs["contributions"].items) == 9
    assert specs["objectifs"].apart == ("nsp",)
    assert specs["renforcer"].kind == "score" and specs["renforcer"].scale == (0, 8)
    assert len(specs["renforcer"].items) == 10
    assert specs["etp"].kind == "number"
    assert specs["fd_budget"].repeat == "fiche_dispositif"
    assert specs["open_gov"].kind == "single"
    assert "nom_collectivite" not in specs and "commentaire" not in specs


def test_analyse_edition_estimates_every_question_and_crosses_by_kind() -> None:
    from observatoire.lib.stats.simulation import draw_respondents, synthetic_population

    population = synthetic_population(1)
    rng = np.random.default_rng(2)
    respondents = draw_respondents(population, rng)
    weights = compute_weights(respondents, population.frame)
    specs = synthetic_questions(20)
    answers = synthetic_answers(specs, respondents.index, rng)
    result = analyse_edition(specs, answers, weights, by=("kind", "band"))
    assert set(result.estimates) == {s.name for s in specs}
    overall = result.estimates["q000"]
    crossed = result.crosstabs["kind"]["q000"]
    assert overall.by is None and all(r.group is None for r in overall.rows)
    assert [r.estimate for r in overall.rows] == [
        r.estimate for r in crossed.rows if r.group is None
    ]
    assert {g for g, _ in crossed.groups} == set(respondents["kind"])
    assert json.loads(json.dumps(result.to_dict()))["weighting"]["n"] == len(respondents)
    # The same figures as one question at a time.
    single = Analysis(answers, weights).estimate(specs[3])
    assert [r.estimate for r in single.rows] == pytest.approx(
        [r.estimate for r in result.estimates["q003"].rows]
    )
