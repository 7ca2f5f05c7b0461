"""Trends across editions (changed option lists, renamed questions), peer benchmark, costs as
ranges, and the recoding of "Autre (veuillez préciser)"."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from observatoire.lib.charts import trend_table
from observatoire.lib.stats import (
    Option,
    QuestionEstimate,
    QuestionSpec,
    WeightingResult,
    compute_weights,
    estimate_question,
    questions_from_form,
)
from observatoire.lib.stats.benchmark import benchmark
from observatoire.lib.stats.costs import cost_ranges, honest_range, per_participant_intervals
from observatoire.lib.stats.recoding import Recode, apply_recoding, other_texts
from observatoire.lib.stats.trends import QuestionLink, match_questions, trend
from observatoire.lib.stats.variance import two_sample_z, wald_shares_test
from observatoire.lib.xlsform import parse_xlsform
from observatoire.lib.xlsform.demo import build_demo


@pytest.fixture(scope="module")
def specs() -> dict[int, dict[str, QuestionSpec]]:
    return {
        year: {s.name: s for s in questions_from_form(parse_xlsform(build_demo.path_for(year)))}
        for year in (2018, 2026)
    }


def edition(
    n: int, seed: int, shares: dict[str, float], *, kind: str = "commune"
) -> tuple[WeightingResult, list[str], np.random.Generator, list[str]]:
    """n respondents out of a frame of 10·n, one cell: answers drawn with `shares`."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"kind": [kind] * (10 * n), "region": "R1"})
    ids = [f"{seed}-{i}" for i in range(n)]
    respondents = pd.DataFrame({"kind": [kind] * n, "region": "R1"}, index=ids)
    weights = compute_weights(respondents, frame, cells=("kind",), margins=(), trim_factor=None)
    keys = list(shares)
    return weights, ids, rng, keys


def partner_answers(
    n: int, seed: int, probabilities: dict[str, float]
) -> tuple[WeightingResult, pd.DataFrame]:
    weights, ids, rng, keys = edition(n, seed, probabilities)
    ticks = [[k for k in keys if rng.random() < probabilities[k]] for _ in ids]
    return weights, pd.DataFrame({"accompagnement": ticks}, index=ids)


def test_trend_with_an_option_added_in_the_new_edition(
    specs: dict[int, dict[str, QuestionSpec]],
) -> None:
    old, new = specs[2018]["accompagnement"], specs[2026]["accompagnement"]
    assert "agence_publique" in new.option_keys and "agence_publique" not in old.option_keys
    base = {"associations": 0.3, "startups": 0.2, "recherche": 0.1}
    w18, a18 = partner_answers(200, 1, {**base, "startups": 0.10})
    w26, a26 = partner_answers(200, 2, {**base, "startups": 0.45, "agence_publique": 0.2})
    result = trend(
        [("2018", estimate_question(old, a18, w18)), ("2026", estimate_question(new, a26, w26))]
    )
    added = result.find("agence_publique")
    assert [p.present for p in added.points] == [False, True]
    assert not added.changes[0].tested
    assert added.changes[0].reason == "option absente en 2018"
    startups = result.find("startups")
    assert startups.changes[0].tested and startups.changes[0].significant
    assert startups.changes[0].difference == pytest.approx(
        (startups.points[1].estimate or 0) - (startups.points[0].estimate or 0)
    )
    associations = result.find("associations")
    assert associations.changes[0].tested and (associations.changes[0].p_value or 0) > 0.001
    assert any("ajoutée" in note and "agence" in note.lower() for note in result.notes)
    assert result.comparable


def test_reworded_question_keeps_its_identity_with_a_note(
    specs: dict[int, dict[str, QuestionSpec]],
) -> None:
    matches = {
        m.name: m
        for m in match_questions(
            list(specs[2018].values()),
            list(specs[2026].values()),
            previous_edition="2018",
            edition="2026",
        )
    }
    reworded = matches["nouveaux_dispositifs"]
    assert reworded.wording_changed and reworded.comparable
    assert any("Libellé modifié" in note for note in reworded.notes)
    assert matches["accompagnement"].added_options == ["agence_publique"]
    assert "renforcer" not in matches  # dropped in 2026


def yes_no(name: str) -> QuestionSpec:
    return QuestionSpec(
        name=name, kind="single", label=name, options=(Option("oui", "Oui"), Option("non", "Non"))
    )


def single_answers(
    name: str, n: int, seed: int, yes_share: float
) -> tuple[WeightingResult, pd.DataFrame]:
    weights, ids, rng, _ = edition(n, seed, {"oui": yes_share})
    values = np.where(rng.random(n) < yes_share, "oui", "non")
    return weights, pd.DataFrame({name: values}, index=ids)


def test_renamed_question_needs_a_link_and_a_non_comparable_link_is_not_tested() -> None:
    w1, a1 = single_answers("plateforme", 150, 3, 0.3)
    w2, a2 = single_answers("plateforme_numerique", 150, 4, 0.6)
    first = estimate_question(yes_no("plateforme"), a1, w1)
    second = estimate_question(yes_no("plateforme_numerique"), a2, w2)
    with pytest.raises(ValueError, match="add a link"):
        trend([("2018", first), ("2026", second)])
    link = QuestionLink(
        "2026", "plateforme_numerique", "2018", "plateforme", comparable=True, note="Renommée."
    )
    tested = trend([("2018", first), ("2026", second)], links=[link])
    assert tested.find("oui").changes[0].significant
    assert tested.names == {"2018": "plateforme", "2026": "plateforme_numerique"}
    assert "2018 → 2026 : Renommée." in tested.notes
    broken = QuestionLink(
        "2026", "plateforme_numerique", "2018", "plateforme", comparable=False, note="Sens changé."
    )
    untested = trend([("2018", first), ("2026", second)], links=[broken.to_dict()])
    change = untested.find("oui").changes[0]
    assert not change.tested and change.reason == "questions non comparables"
    assert not untested.comparable


def test_no_change_is_called_significant_on_suppressed_figures() -> None:
    w1, a1 = single_answers("q", 8, 5, 0.1)
    w2, a2 = single_answers("q", 200, 6, 0.9)
    result = trend(
        [
            ("2018", estimate_question(yes_no("q"), a1, w1)),
            ("2026", estimate_question(yes_no("q"), a2, w2)),
        ]
    )
    change = result.find("oui").changes[0]
    assert not change.tested and change.reason == "effectif insuffisant"
    assert not change.significant


# --- Test of change of a whole distribution ------------------------------------------------------

THREE = QuestionSpec(
    name="frequence",
    kind="single",
    label="Fréquence",
    options=(
        Option("souvent", "Souvent"),
        Option("parfois", "Parfois"),
        Option("jamais", "Jamais"),
    ),
)
GRID = QuestionSpec(
    name="grille",
    kind="likert",
    label="Grille",
    options=(Option("oui", "Oui"), Option("non", "Non"), Option("nsp", "Ne sait pas")),
    items=(Option("g1", "Premier item"), Option("g2", "Second item")),
    apart=("nsp",),
)


def drawn(
    columns: dict[str, tuple[list[str], list[float]]], n: int, seed: int
) -> tuple[WeightingResult, pd.DataFrame]:
    """n respondents (one cell, frame 10·n); each column drawn from (options, shares)."""
    weights, ids, rng, _ = edition(n, seed, {})
    return weights, pd.DataFrame(
        {name: rng.choice(keys, size=n, p=shares) for name, (keys, shares) in columns.items()},
        index=ids,
    )


def three(shares: list[float], n: int, seed: int) -> QuestionEstimate:
    weights, answers = drawn({"frequence": (list(THREE.option_keys), shares)}, n, seed)
    return estimate_question(THREE, answers, weights)


def test_wald_test_of_two_shares_is_the_squared_z_test() -> None:
    # k = 2: one free share, X² = z² and F(1, ν) is the square of a t with ν df.
    result = wald_shares_test(
        np.array([0.30, 0.70]),
        np.array([[0.0025, -0.0025], [-0.0025, 0.0025]]),
        20,
        np.array([0.45, 0.55]),
        np.array([[0.0025, -0.0025], [-0.0025, 0.0025]]),
        20,
    )
    assert result is not None
    _, se, p_value = two_sample_z(0.30, 0.05, 0.45, 0.05)
    assert result.chi2 == pytest.approx((0.15 / se) ** 2)  # 4.5
    assert (result.rank, result.df_num, result.df_den) == (1, 1.0, 40.0)
    assert result.statistic == pytest.approx(4.5)
    assert result.p_value == pytest.approx(stats.t.sf(math.sqrt(4.5), 40) * 2)
    assert result.p_value > p_value  # t with 40 df: a little more cautious than z


def test_wald_test_of_three_shares_by_hand() -> None:
    # Multinomial covariances (diag(p) - pp') / 100; d = (-0.1, 0.1) on the first two shares,
    # V = [[0.49, -0.31], [-0.31, 0.45]] / 100, X² = d' V⁻¹ d = 0.32 / 0.1244 = 2.572.
    def multinomial(p: list[float]) -> np.ndarray:
        shares = np.array(p)
        return (np.diag(shares) - np.outer(shares, shares)) / 100

    result = wald_shares_test(
        np.array([0.5, 0.3, 0.2]),
        multinomial([0.5, 0.3, 0.2]),
        99,
        np.array([0.4, 0.4, 0.2]),
        multinomial([0.4, 0.4, 0.2]),
        99,
    )
    assert result is not None
    assert result.chi2 == pytest.approx(0.32 / 0.1244)
    # ν = 198, r = 2: F = (198 - 2 + 1) X² / (198 · 2), on (2, 197) df.
    assert result.statistic == pytest.approx(197 * result.chi2 / 396)
    assert (result.df_num, result.df_den) == (2.0, 197.0)
    assert result.p_value == pytest.approx(stats.f.sf(result.statistic, 2, 197))
    assert 0.2 < result.p_value < 0.4


def test_identical_distributions_show_no_significant_change() -> None:
    weights, answers = drawn({"frequence": (list(THREE.option_keys), [0.5, 0.3, 0.2])}, 300, 7)
    later = answers.set_axis([f"b{i}" for i in range(len(answers))])
    later_weights = compute_weights(
        pd.DataFrame({"kind": "commune", "region": "R1"}, index=later.index),
        pd.DataFrame({"kind": ["commune"] * 3000, "region": "R1"}),
        cells=("kind",),
        margins=(),
        trim_factor=None,
    )
    result = trend(
        [
            ("2018", estimate_question(THREE, answers, weights)),
            ("2026", estimate_question(THREE, later, later_weights)),
        ]
    )
    (test,) = result.distribution_tests
    assert test.tested and test.item is None
    assert test.statistic == pytest.approx(0.0, abs=1e-12)
    assert test.p_value == pytest.approx(1.0)
    assert not test.significant
    assert result.to_dict()["distribution_tests"][0]["p_value"] == pytest.approx(1.0)


def test_a_clearly_shifted_distribution_is_significant() -> None:
    result = trend(
        [("2018", three([0.6, 0.3, 0.1], 400, 8)), ("2026", three([0.3, 0.3, 0.4], 400, 9))]
    )
    (test,) = result.distribution_tests
    assert test.tested and test.significant
    assert test.df_num == 2.0
    assert test.p_value is not None and test.p_value < 1e-6
    # The design df of two one-cell samples of 400: (400 - 1) · 2, minus r - 1.
    assert test.df_den == 2 * 399 - 2 + 1
    notes = trend_table(result)["notes"]
    assert any(
        note.startswith("Distribution 2018 → 2026 : différence significative (F(2 ; 797) = ")
        and "p < 0,001" in note
        for note in notes
    )


def test_a_mild_change_in_a_small_sample_is_not_called_significant() -> None:
    result = trend(
        [("2018", three([0.5, 0.3, 0.2], 40, 10)), ("2026", three([0.45, 0.33, 0.22], 40, 11))]
    )
    (test,) = result.distribution_tests
    assert test.tested and not test.significant
    assert any("pas de différence significative" in note for note in trend_table(result)["notes"])


def test_no_distribution_test_when_the_option_list_changed() -> None:
    wider = QuestionSpec(
        name="frequence",
        kind="single",
        label="Fréquence",
        options=(*THREE.options, Option("toujours", "Toujours")),
    )
    weights, answers = drawn(
        {"frequence": (list(wider.option_keys), [0.4, 0.3, 0.2, 0.1])}, 300, 12
    )
    result = trend(
        [
            ("2018", three([0.6, 0.3, 0.1], 300, 13)),
            ("2026", estimate_question(wider, answers, weights)),
        ]
    )
    (test,) = result.distribution_tests
    assert not test.tested and not test.significant
    assert test.note == "liste d'options différente entre les éditions"
    assert (
        "Distribution 2018 → 2026 : non testée (liste d'options différente entre les éditions)"
        in (trend_table(result)["notes"])
    )
    # The options common to both editions are still compared one by one.
    assert result.find("souvent").changes[0].tested


def test_no_distribution_test_across_a_non_comparable_link_or_a_suppressed_edition() -> None:
    before, after = three([0.6, 0.3, 0.1], 300, 14), three([0.3, 0.3, 0.4], 300, 15)
    renamed = QuestionEstimate.from_dict({**after.to_dict(), "question": "frequence_2026"})
    link = QuestionLink("2026", "frequence_2026", "2018", "frequence", comparable=False)
    (test,) = trend([("2018", before), ("2026", renamed)], links=[link]).distribution_tests
    assert not test.tested and test.note == "questions non comparables"

    small = three([0.6, 0.3, 0.1], 8, 16)
    assert small.suppressed and small.covariance == {}
    (test,) = trend([("2018", small), ("2026", after)]).distribution_tests
    assert not test.tested and test.note == "effectif insuffisant"


def test_estimates_cached_without_covariance_are_read_but_not_tested() -> None:
    before, after = three([0.6, 0.3, 0.1], 300, 17), three([0.3, 0.3, 0.4], 300, 18)
    assert before.covariance is not None and set(before.covariance) == {""}
    old_cache = {k: v for k, v in before.to_dict().items() if k != "covariance"}
    rebuilt = QuestionEstimate.from_dict(json.loads(json.dumps(old_cache)))
    assert rebuilt.covariance is None
    result = trend([("2018", rebuilt), ("2026", after)])
    (test,) = result.distribution_tests
    assert not test.tested and "covariance absente" in test.note
    assert result.find("souvent").changes[0].tested  # the option by option tests still run
    # A fresh cache round-trips the covariance, and the test runs on it.
    fresh = QuestionEstimate.from_dict(json.loads(json.dumps(before.to_dict())))
    assert fresh.covariance == before.covariance
    assert trend([("2018", fresh), ("2026", after)]).distribution_tests[0].tested


def test_each_likert_item_gets_its_own_distribution_test() -> None:
    keys = list(GRID.option_keys)

    def grid(g2: list[float], seed: int) -> QuestionEstimate:
        weights, answers = drawn({"g1": (keys, [0.5, 0.4, 0.1]), "g2": (keys, g2)}, 500, seed)
        return estimate_question(GRID, answers, weights)

    result = trend([("2018", grid([0.7, 0.2, 0.1], 19)), ("2026", grid([0.3, 0.6, 0.1], 20))])
    tests = {test.item: test for test in result.distribution_tests}
    assert set(tests) == {"g1", "g2"}
    assert tests["g1"].tested and not tests["g1"].significant
    assert tests["g2"].tested and tests["g2"].significant
    assert tests["g2"].item_label == "Second item"
    assert any(
        note.startswith("Distribution (Second item) 2018 → 2026 : différence significative")
        for note in trend_table(result)["notes"]
    )


def test_multiple_choice_has_no_distribution_test() -> None:
    w18, a18 = partner_answers(200, 1, {"associations": 0.3})
    w26, a26 = partner_answers(200, 2, {"associations": 0.6})
    spec = QuestionSpec(
        name="accompagnement",
        kind="multiple",
        label="Partenaires",
        options=(Option("associations", "Associations"),),
    )
    estimate = estimate_question(spec, a18, w18)
    assert estimate.covariance is None
    result = trend([("2018", estimate), ("2026", estimate_question(spec, a26, w26))])
    assert result.distribution_tests == []


# --- Peer benchmark ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def peers() -> tuple[WeightingResult, pd.DataFrame]:
    frame = pd.DataFrame(
        [{"kind": "commune", "band": "small", "region": "R1"}] * 100
        + [{"kind": "commune", "band": "large", "region": "R1"}] * 30
    )
    ids = [f"s{i}" for i in range(12)] + [f"l{i}" for i in range(6)]
    respondents = pd.DataFrame(
        {"kind": "commune", "band": ["small"] * 12 + ["large"] * 6, "region": "R1"}, index=ids
    )
    weights = compute_weights(respondents, frame, margins=(), trim_factor=None)
    answers = pd.DataFrame(
        {"q": ["oui"] * 9 + ["non"] * 3 + ["non"] * 6, "n": [float(i) for i in range(18)]},
        index=ids,
    )
    return weights, answers


def test_benchmark_against_same_kind_and_band_without_oneself(
    peers: tuple[WeightingResult, pd.DataFrame],
) -> None:
    weights, answers = peers
    result = benchmark(yes_no("q"), answers, weights, "s0")
    assert result.own == {"q": "oui"}
    assert result.peer_filter == {"kind": "commune", "band": "small"}
    assert result.n_peers == 11
    # Peers: s1-s11, 8 "oui" of 11, equal weights.
    assert result.peers.row("oui").estimate == pytest.approx(8 / 11)
    assert not result.suppressed


def test_benchmark_hides_peers_below_the_threshold(
    peers: tuple[WeightingResult, pd.DataFrame],
) -> None:
    weights, answers = peers
    result = benchmark(yes_no("q"), answers, weights, "l0")
    assert result.n_peers == 5
    assert result.suppressed
    assert all(row.suppressed and row.estimate is None for row in result.peers.rows)
    assert result.own == {"q": "non"}
    loose = benchmark(yes_no("q"), answers, weights, "l0", threshold=5)
    assert not loose.suppressed and loose.peers.row("non").estimate == pytest.approx(1.0)


# --- Costs and impact ----------------------------------------------------------------------------


BUDGET = QuestionSpec(
    name="fd_budget",
    kind="bracket",
    options=(
        Option("0", "0 €", 0, 0),
        Option("moins_1k", "< 1 000 €", 0, 1000),
        Option("1k_5k", "1 000-5 000 €", 1000, 5000),
        Option("plus_5k", "> 5 000 €", 5000, None),
        Option("nsp", "Impossible à estimer"),
    ),
    apart=("nsp",),
)


def test_cost_per_participant_is_an_interval() -> None:
    schemes = pd.DataFrame(
        {
            "fd_budget": ["1k_5k", "plus_5k", "moins_1k", "nsp", "0"],
            "fd_participants": [100, 50, 0, 10, "20"],
        }
    )
    table = per_participant_intervals(BUDGET, schemes["fd_budget"], schemes["fd_participants"])
    assert table["per_participant_low"].tolist()[:2] == [10, 100]
    assert table["per_participant_high"].iloc[0] == 50
    assert math.isinf(table["per_participant_high"].iloc[1])  # open bracket: no upper bound
    assert table["per_participant_low"].isna().tolist() == [False, False, True, True, False]


def test_honest_ranges_round_outwards() -> None:
    assert honest_range(12.34, 56.78) == (12, 57)
    assert honest_range(0.1234, 9876.5) == (0.12, 9900)
    assert honest_range(3.0, None) == (3.0, None)


def test_cost_ranges_weighted_by_territory_by_function() -> None:
    frame = pd.DataFrame({"kind": ["commune"] * 40 + ["epci"] * 10, "region": "R1"})
    respondents = pd.DataFrame(
        {"kind": ["commune"] * 4 + ["epci"] * 2, "region": "R1"},
        index=["a", "b", "c", "d", "e", "f"],
    )
    weights = compute_weights(respondents, frame, cells=("kind",), margins=(), trim_factor=None)
    schemes = pd.DataFrame(
        {
            "respondent": ["a", "a", "b", "c", "d", "e", "f"],
            "fd_fonction": [
                "information",
                "mobilisation",
                "information",
                "information",
                "information",
                "information",
                "information",
            ],
            "fd_budget": ["1k_5k", "plus_5k", "0", "1k_5k", "nsp", "moins_1k", "1k_5k"],
            "fd_participants": [100, 50, 20, 200, 30, 10, 1000],
            "fd_etp": [0.5, 1, 0, 2, 0.2, 0.1, 3],
        },
        index=[f"f{i}" for i in range(7)],
    )
    summary = cost_ranges(schemes, weights, budget=BUDGET, by="fd_fonction", threshold=3)
    overall = summary.per_participant[0]
    assert overall.group is None
    assert overall.n_schemes == 6 and overall.n_respondents == 5  # d's budget is unknown
    # Weights: communes 10, EPCI 5. Lows [10, 100, 0, 5, 0, 1], highs [50, ∞, 0, 25, 100, 5].
    assert overall.median == (5, 25)
    assert overall.open_ended == pytest.approx(10 / 50)  # f1, in the open bracket
    mobilisation = next(r for r in summary.per_participant if r.group == "mobilisation")
    assert mobilisation.suppressed and mobilisation.median is None
    assert summary.budget.by == "fd_fonction"
    assert summary.budget.unit == "repeat"
    assert summary.numbers["fd_etp"].row("mean").base_respondents == 6
    assert summary.to_dict()["per_participant"][0]["median"] == [5, 25]


# --- "Autre (veuillez préciser)" -----------------------------------------------------------------


SOURCES = QuestionSpec(
    name="sources",
    kind="multiple",
    options=(Option("presse", "Presse"), Option("reseaux", "Réseaux"), Option("autre", "Autre")),
    other="sources_autre",
)


@pytest.fixture
def other_answers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sources": [["presse", "autre"], ["autre"], ["presse"], None],
            "sources_autre": ["Lettre de l'AMF", "Podcasts", None, None],
        },
        index=["a", "b", "c", "d"],
    )


def test_other_texts_are_listed_with_their_recoding(other_answers: pd.DataFrame) -> None:
    listed = other_texts(SOURCES, other_answers, recodes=[Recode("a", "reseaux")])
    assert [(x["unit"], x["text"], x["categories"]) for x in listed] == [
        ("a", "Lettre de l'AMF", ["reseaux"]),
        ("b", "Podcasts", []),
    ]
    assert listed[0]["labels"] == ["Réseaux"]


def test_recoding_into_existing_and_new_categories_keeps_the_raw_answers(
    other_answers: pd.DataFrame,
) -> None:
    raw = other_answers.copy(deep=True)
    recodes: list[Recode | dict[str, str]] = [
        Recode("a", "reseaux"),
        {"unit": "b", "category": "podcasts", "label": "Podcasts"},
    ]
    spec, recoded = apply_recoding(SOURCES, other_answers, recodes)
    assert recoded.loc["a", "sources"] == ["presse", "reseaux"]
    assert recoded.loc["b", "sources"] == ["podcasts"]
    assert recoded.loc["d", "sources"] is None
    assert spec.option_keys == ("presse", "reseaux", "podcasts", "autre")
    pd.testing.assert_frame_equal(other_answers, raw)  # the raw answers are untouched
    assert recoded["sources_autre"].tolist() == raw["sources_autre"].tolist()


def test_recoding_errors_name_the_unit() -> None:
    single = QuestionSpec(
        name="t", kind="single", options=(Option("x", "X"), Option("autre", "Autre"))
    )
    answers = pd.DataFrame({"t": ["x", "autre"]}, index=["u1", "u2"])
    with pytest.raises(ValueError, match="unit 'u1' did not answer 'autre'"):
        apply_recoding(single, answers, [Recode("u1", "x")])
    with pytest.raises(ValueError, match="needs a label"):
        apply_recoding(single, answers, [Recode("u2", "nouvelle")])
    spec, recoded = apply_recoding(single, answers, [Recode("u2", "nouvelle", "Nouvelle")])
    assert recoded["t"].tolist() == ["x", "nouvelle"]
    assert spec.label_of("nouvelle") == "Nouvelle"
