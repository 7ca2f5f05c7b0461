"""Non-response weights: cells, collapsing, raking, trimming, Kish's n_eff, on tiny frames."""

import math

import numpy as np
import pandas as pd
import pytest

from observatoire.lib.stats import (
    WeightingError,
    collapse_cells,
    compute_weights,
    kish_effective_n,
    repeat_weighting,
)
from observatoire.lib.stats.weighting import POOLED_LEVEL, band_sort_key, pool_levels


def frame_of(
    counts: dict[tuple[str, str], int], regions: dict[tuple[str, str], list[str]] | None = None
) -> pd.DataFrame:
    rows = []
    for (kind, band), count in counts.items():
        for i in range(count):
            region = regions[(kind, band)][i % len(regions[(kind, band)])] if regions else "R1"
            rows.append({"kind": kind, "band": band, "region": region})
    return pd.DataFrame(rows)


def respondents_of(spec: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """[(id, kind, band, region)]"""
    return pd.DataFrame(
        [{"kind": k, "band": b, "region": r} for _, k, b, r in spec], index=[i for i, *_ in spec]
    )


SMALL, LARGE = "3500-9999", "10000+"


@pytest.fixture
def tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    """40 small communes, 10 large ones, 6 EPCI; 4, 2 and 2 of them answer."""
    frame = frame_of({("commune", SMALL): 40, ("commune", LARGE): 10, ("epci", "0+"): 6})
    respondents = respondents_of(
        [
            ("a1", "commune", SMALL, "R1"),
            ("a2", "commune", SMALL, "R1"),
            ("a3", "commune", SMALL, "R1"),
            ("a4", "commune", SMALL, "R1"),
            ("b1", "commune", LARGE, "R1"),
            ("b2", "commune", LARGE, "R1"),
            ("c1", "epci", "0+", "R1"),
            ("c2", "epci", "0+", "R1"),
        ]
    )
    return frame, respondents


def test_cell_weight_is_frame_count_over_respondents(
    tiny: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    frame, respondents = tiny
    result = compute_weights(respondents, frame, margins=(), min_cell=2, trim_factor=None)
    assert result.weights.to_dict() == pytest.approx(
        {"a1": 10, "a2": 10, "a3": 10, "a4": 10, "b1": 5, "b2": 5, "c1": 3, "c2": 3}
    )
    assert result.population_size == 56
    assert result.weighted_total == pytest.approx(56)
    assert result.cell_population == {
        "commune × 3500-9999": 40,
        "commune × 10000+": 10,
        "epci × 0+": 6,
    }
    assert result.cells_collapsed == []


def test_kish_effective_n_and_design_effect_by_hand(
    tiny: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    frame, respondents = tiny
    result = compute_weights(respondents, frame, margins=(), min_cell=2, trim_factor=None)
    # (Σw)² / Σw² = 56² / (4·100 + 2·25 + 2·9) = 3136 / 468
    assert result.n_eff == pytest.approx(3136 / 468)
    assert result.deff == pytest.approx(8 / (3136 / 468))
    assert kish_effective_n(np.ones(5)) == pytest.approx(5)


def test_small_cell_is_merged_with_the_adjacent_band(
    tiny: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    frame, respondents = tiny
    # min_cell 3: the 2 large communes join the small ones; the EPCI kind stays whole.
    result = compute_weights(respondents, frame, margins=(), min_cell=3, trim_factor=None)
    merged = "commune × 3500-9999 … 10000+"
    assert result.cell["a1"] == result.cell["b1"] == merged
    assert result.weights["a1"] == pytest.approx(50 / 6)
    assert result.cells_collapsed[0]["into"] == merged
    assert "2 répondant(s) < 3" in result.cells_collapsed[0]["reason"]
    # EPCI: 2 respondents < 3 but a kind is never merged with another.
    assert result.weights["c1"] == pytest.approx(3)
    assert any("Fusion" in note for note in result.method_notes)


def test_collapsing_rule_is_deterministic_neighbour_with_fewer_respondents() -> None:
    frame_counts = {
        ("commune", b): 100 for b in ("3500-9999", "10000-19999", "20000-49999", "50000+")
    }
    respondents = {
        ("commune", "3500-9999"): 1,
        ("commune", "10000-19999"): 6,
        ("commune", "20000-49999"): 2,
        ("commune", "50000+"): 7,
    }
    mapping, cells, log, uncovered = collapse_cells(frame_counts, respondents, min_cell=5)
    # 1 → merged with 6 (only neighbour); then 2 sits between 7 and 7: tie → the smaller band.
    assert [c.bands for c in cells] == [
        ("3500-9999", "10000-19999", "20000-49999"),
        ("50000+",),
    ]
    assert [c.respondents for c in cells] == [9, 7]
    assert [c.population for c in cells] == [300, 100]
    assert len(log) == 2 and uncovered == {}
    assert mapping[("commune", "20000-49999")] == "commune × 3500-9999 … 20000-49999"


def test_kind_without_respondent_is_left_out_and_reported() -> None:
    frame = frame_of({("commune", SMALL): 10, ("region", "0+"): 5})
    respondents = respondents_of([(f"r{i}", "commune", SMALL, "R1") for i in range(3)])
    result = compute_weights(respondents, frame, margins=(), trim_factor=None)
    assert result.uncovered == {"region": 5}
    assert result.population_size == 10
    assert result.weighted_total == pytest.approx(10)
    assert any("pas couvert" in note for note in result.method_notes)


def test_raking_meets_cells_and_region_margins() -> None:
    regions = {("commune", SMALL): ["R1", "R2"], ("commune", LARGE): ["R1", "R1", "R2"]}
    frame = frame_of({("commune", SMALL): 60, ("commune", LARGE): 30}, regions)
    rng = np.random.default_rng(0)
    spec = [(f"s{i}", "commune", SMALL, rng.choice(["R1", "R2"], p=[0.8, 0.2])) for i in range(20)]
    spec += [(f"l{i}", "commune", LARGE, rng.choice(["R1", "R2"], p=[0.3, 0.7])) for i in range(15)]
    respondents = respondents_of(spec)
    result = compute_weights(
        respondents, frame, margins=("kind", "region"), min_cell=2, trim_factor=None
    )
    weights = result.weights
    by_cell = weights.groupby(result.cell).sum()
    assert by_cell["commune × 3500-9999"] == pytest.approx(60, rel=1e-5)
    assert by_cell["commune × 10000+"] == pytest.approx(30, rel=1e-5)
    by_region = weights.groupby(respondents["region"]).sum()
    target = frame["region"].value_counts()
    assert by_region["R1"] == pytest.approx(target["R1"], rel=1e-5)
    assert by_region["R2"] == pytest.approx(target["R2"], rel=1e-5)
    # Raking moved weights within cells away from N_c / n_c.
    assert weights[result.cell == "commune × 3500-9999"].nunique() > 1
    assert "region" in result.margins


def test_small_margin_levels_are_pooled() -> None:
    mapping, pooled = pool_levels(
        {"A": 50, "B": 40, "C": 5, "D": 5}, {"A": 9, "B": 8, "C": 2, "D": 1}, min_count=5
    )
    # C and D together still have 3 < 5: the level with fewest respondents (B) joins them.
    assert pooled == ["B", "C", "D"]
    assert mapping == {"A": "A", "B": POOLED_LEVEL, "C": POOLED_LEVEL, "D": POOLED_LEVEL}


def test_trimming_lowers_extreme_weights_and_raking_keeps_the_margins() -> None:
    frame = frame_of(
        {("commune", "s"): 200, ("commune", "l"): 100},
        {("commune", "s"): ["R1", "R2"], ("commune", "l"): ["R1", "R2"]},
    )
    # R2 is under-represented among small communes: 2 respondents for 100 members.
    spec = [("s", "R1")] * 10 + [("s", "R2")] * 2 + [("l", "R1")] * 5 + [("l", "R2")] * 5
    respondents = pd.DataFrame(
        [{"kind": "commune", "band": b, "region": r} for b, r in spec],
        index=[f"u{i}" for i in range(len(spec))],
    )
    untrimmed = compute_weights(respondents, frame, min_cell=2, min_margin=2, trim_factor=None)
    trimmed = compute_weights(respondents, frame, min_cell=2, min_margin=2, trim_factor=2.0)
    # Raking alone: small R1 12.5, small R2 37.5 (3 × the cell median, above the cap of 2 ×).
    assert untrimmed.weights.max() == pytest.approx(37.5, rel=1e-4)
    assert trimmed.weights.max() < 32
    assert trimmed.trimming["trimmed"] == 2
    assert trimmed.trimming["cycles"] >= 1
    assert trimmed.trimming["max_ratio_after"] < trimmed.trimming["max_ratio_before"]
    assert trimmed.deff < untrimmed.deff
    # The last step is a raking: cells and regions still add up to the frame.
    by_cell = trimmed.weights.groupby(trimmed.cell).sum()
    assert by_cell.to_dict() == pytest.approx({"commune × l": 100, "commune × s": 200}, rel=1e-4)
    by_region = trimmed.weights.groupby(respondents["region"]).sum()
    assert by_region.to_dict() == pytest.approx({"R1": 150, "R2": 150}, rel=1e-4)
    assert any("Écrêtement à 2 ×" in note for note in trimmed.method_notes)


def test_bad_input_names_the_respondent_and_the_column(
    tiny: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    frame, respondents = tiny
    with pytest.raises(WeightingError, match="missing column"):
        compute_weights(respondents.drop(columns="band"), frame)
    stray = pd.concat([respondents, respondents_of([("z9", "region", "0+", "R1")])])
    with pytest.raises(
        WeightingError, match=r"respondent 'z9': stratum \(region, 0\+\) is not in the frame"
    ):
        compute_weights(stray, frame, margins=())
    with pytest.raises(WeightingError, match="duplicated"):
        compute_weights(pd.concat([respondents, respondents.iloc[:1]]), frame)


def test_band_order_follows_population() -> None:
    bands = ["100000+", "10000-19999", "<3500", "3500-9999", "inconnue"]
    assert sorted(bands, key=band_sort_key) == [
        "<3500",
        "3500-9999",
        "10000-19999",
        "100000+",
        "inconnue",
    ]


def test_repeat_rows_carry_their_territory_weight_and_cluster(
    tiny: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    frame, respondents = tiny
    result = compute_weights(respondents, frame, margins=(), min_cell=2, trim_factor=None)
    schemes = pd.DataFrame({"respondent": ["a1", "a1", "c2"]}, index=["f1", "f2", "f3"])
    rows = repeat_weighting(result, schemes)
    assert rows.weights.to_dict() == pytest.approx({"f1": 10, "f2": 10, "f3": 3})
    assert rows.psu is not None and list(rows.psu) == ["a1", "a1", "c2"]
    assert rows.unit == "repeat"
    with pytest.raises(WeightingError, match="respondent 'zz' has no weight"):
        repeat_weighting(result, pd.DataFrame({"respondent": ["zz"]}, index=["f9"]))


def test_to_dict_is_json_ready(tiny: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    import json

    frame, respondents = tiny
    result = compute_weights(respondents, frame, margins=(), min_cell=2)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["weights"]["a1"] == pytest.approx(10)
    assert data["n"] == 8
    assert not math.isnan(data["n_eff"])
