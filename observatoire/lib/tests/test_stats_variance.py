"""The variance credits the raking (calibration residuals), checked against svy."""

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
import svy
from scipy import sparse

from observatoire.lib.stats import (
    Option,
    QuestionSpec,
    WeightingResult,
    compute_weights,
    estimate_question,
    repeat_weighting,
)
from observatoire.lib.stats.estimates import Analysis
from observatoire.lib.stats.variance import Calibration, Design, taylor_covariance, taylor_means


def num(value: float | None) -> float:
    assert value is not None
    return value


YES_NO = QuestionSpec(
    name="yn", kind="single", label="Oui ?", options=(Option("oui", "Oui"), Option("non", "Non"))
)
REGIONS = ("R1", "R2", "R3")


def frame_and_respondents(
    frame_counts: dict[str, int], respondent_counts: dict[str, int], seed: int = 5
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Communes in bands (one cell per band), régions drawn at random; answers "oui" far more
    often in R1 than in R3, so the région margin carries information about them."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        [
            {"kind": "commune", "band": band, "region": REGIONS[i % 3]}
            for band, count in frame_counts.items()
            for i in range(count)
        ]
    )
    rows = [
        {"kind": "commune", "band": band, "region": rng.choice(REGIONS, p=[0.5, 0.3, 0.2])}
        for band, count in respondent_counts.items()
        for _ in range(count)
    ]
    respondents = pd.DataFrame(rows, index=[f"t{i}" for i in range(len(rows))])
    chance = respondents["region"].map({"R1": 0.8, "R2": 0.45, "R3": 0.1}).to_numpy()
    answers = pd.DataFrame(
        {"yn": np.where(rng.random(len(rows)) < chance, "oui", "non")}, index=respondents.index
    )
    return frame, respondents, answers


def raked(frame_counts: dict[str, int], respondent_counts: dict[str, int]) -> Any:
    frame, respondents, answers = frame_and_respondents(frame_counts, respondent_counts)
    weighting = compute_weights(respondents, frame, min_cell=2, trim_factor=None)
    assert list(weighting.calibration.columns) == ["cell", "region"]  # type: ignore[union-attr]
    return weighting, answers


def svy_raked_se(weighting: WeightingResult, answers: pd.DataFrame) -> float:
    """svy's standard error on the raked sample compute_weights made (which credits the
    raking: its design records the raking margins)."""
    sample = weighting._svy_sample
    assert sample.design.wgt_adjustment.kind == "raking"
    yes = (answers["yn"] == "oui").to_numpy(dtype=float)
    rows = sample.data["__row"].to_numpy()
    sample = sample.wrangling.mutate({"y": yes[rows]})
    return float(sample.estimation.mean("y").to_polars()["se"][0])


def test_variance_equals_svy_raked_sample_when_cell_weights_are_equal() -> None:
    # N_c / n_c = 10 in every cell: the regression weights are equal, and the weighted
    # regression is svy's (unweighted) raking sweep.
    weighting, answers = raked(
        {"0-999": 200, "1000-3499": 150, "3500+": 100}, {"0-999": 20, "1000-3499": 15, "3500+": 10}
    )
    assert weighting.cell_weights().nunique() == 1
    ours = estimate_question(YES_NO, answers, weighting).row("oui")
    # svy has no small-sample factor: (45 - 3) / (45 - 3 - 2) for the 2 free région levels.
    factor = Analysis(answers, weighting).design.calibration_factor
    assert factor == pytest.approx(42 / 40)
    assert num(ours.se) / factor**0.5 == pytest.approx(svy_raked_se(weighting, answers), rel=1e-9)


def test_variance_close_to_svy_raked_sample_with_unequal_cell_weights() -> None:
    # svy (like R's `rake`) centres the scores on unweighted margin means, i.e. an ordinary
    # least-squares residual; we weight the regression by the cell weights N_c / n_c, as R's
    # `calibrate` and svy's `calibrate` do (Deville & Särndal 1992). That is the only
    # difference: with unit regression weights our residuals give svy's figure exactly; with the
    # cell weights (30, 6 and 3.3 here) the standard errors differ by under 2 % (0.7 % here).
    weighting, answers = raked(
        {"0-999": 300, "1000-3499": 120, "3500+": 40}, {"0-999": 15, "1000-3499": 20, "3500+": 12}
    )
    assert weighting.cell_weights().nunique() == 3
    reference = svy_raked_se(weighting, answers)
    design = Analysis(answers, weighting).design
    ours = num(estimate_question(YES_NO, answers, weighting).row("oui").se)
    ours /= design.calibration_factor**0.5  # svy has no small-sample factor
    assert ours == pytest.approx(reference, rel=0.02)
    assert ours != pytest.approx(reference, rel=1e-4)

    assert design.calibration is not None
    unit_weights = dataclasses.replace(
        design,
        calibration=Calibration(
            indicators=design.calibration.indicators, weights=np.ones(len(design.weights))
        ),
    )
    yes = (answers["yn"] == "oui").to_numpy(dtype=float)
    ols = taylor_means(unit_weights, yes, np.ones(len(yes), dtype=bool))
    assert ols.se[0] / design.calibration_factor**0.5 == pytest.approx(reference, rel=1e-9)


def test_calibration_residuals_match_svy_linear_calibration_exactly() -> None:
    # svy's `calibrate` (GREG) sweeps the scores with the WLS residual on the auxiliary matrix,
    # weighted by the weights before calibration: on the same weights, indicators and regression
    # weights our residuals must give its standard errors, overall and in a domain.
    rng = np.random.default_rng(5)
    population = {"A": 200.0, "B": 120.0, "C": 60.0}
    cells = np.repeat(["A", "B", "C"], [20, 15, 12])
    n = len(cells)
    regions = rng.choice(REGIONS, size=n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < np.where(regions == "R1", 0.7, 0.2)).astype(float)
    base = np.array([population[c] for c in cells]) / np.array([np.sum(cells == c) for c in cells])
    data = pl.DataFrame(
        {
            "cell": cells,
            "region": regions,
            "d": base,
            "N": [population[c] for c in cells],
            "y": y,
            "grp": np.where(regions == "R3", "a", "b"),
        }
    )
    sample = svy.Sample(data, svy.Design(stratum="cell", wgt="d", pop_size="N"))
    calibrated = sample.weighting.calibrate(
        controls={
            svy.Cat("cell"): {"A": 200.0, "B": 120.0, "C": 60.0},
            svy.Cat("region"): {"R1": 180.0, "R2": 120.0, "R3": 80.0},
        },
        wgt_name="w",
    )
    reference = calibrated.estimation.mean("y").to_polars()["se"][0]
    by_group = calibrated.estimation.mean("y", by="grp").to_polars().sort("grp")["se"].to_list()

    cell_codes = pd.factorize(cells)[0]
    region_codes = pd.factorize(regions)[0]
    indicators = sparse.hstack(
        [
            sparse.csr_matrix((np.ones(n), (np.arange(n), codes)))
            for codes in (cell_codes, region_codes)
        ],
        format="csr",
    )
    design = Design(
        weights=calibrated.data["w"].to_numpy(),
        stratum=cell_codes,
        psu=np.arange(n),
        population=np.array(list(population.values())),
        calibration=Calibration(indicators=indicators, weights=base),
    )
    # 47 respondents, 3 cells, 2 free région levels: svy has no small-sample factor.
    assert design.calibration_factor == pytest.approx(44 / 42)
    root = design.calibration_factor**0.5
    overall = taylor_means(design, y, np.ones(n, dtype=bool))
    assert overall.se[0] / root == pytest.approx(reference, rel=1e-9)
    domains = taylor_means(
        design, np.column_stack([y, y]), np.column_stack([regions == "R3", regions != "R3"])
    )
    assert domains.se / root == pytest.approx(by_group, rel=1e-9)
    # Without the calibration the same weights give a larger standard error.
    fixed = dataclasses.replace(design, calibration=None)
    assert fixed.calibration_factor == 1.0
    assert taylor_means(fixed, y, np.ones(n, dtype=bool)).se[0] > overall.se[0] * 1.01


def test_crediting_the_raking_narrows_the_interval_of_a_region_related_share() -> None:
    weighting, answers = raked(
        {"0-999": 300, "1000-3499": 120, "3500+": 40}, {"0-999": 15, "1000-3499": 20, "3500+": 12}
    )
    credited = estimate_question(YES_NO, answers, weighting).row("oui")
    cells_only = estimate_question(
        YES_NO, answers, dataclasses.replace(weighting, calibration=None)
    ).row("oui")
    assert credited.estimate == pytest.approx(cells_only.estimate)
    assert credited.se is not None and cells_only.se is not None
    assert credited.se < 0.97 * cells_only.se
    assert credited.ci_high - credited.ci_low < cells_only.ci_high - cells_only.ci_low  # type: ignore[operator]


def test_repeat_rows_are_calibrated_at_the_territory_level() -> None:
    # One row per territory: the clustered design is the respondents' design.
    weighting, answers = raked(
        {"0-999": 300, "1000-3499": 120, "3500+": 40}, {"0-999": 15, "1000-3499": 20, "3500+": 12}
    )
    rows = answers.assign(respondent=answers.index).set_axis([f"f{i}" for i in range(len(answers))])
    repeat = repeat_weighting(weighting, rows)
    per_row = estimate_question(YES_NO, rows, repeat).row("oui")
    per_territory = estimate_question(YES_NO, answers, weighting).row("oui")
    assert per_row.se == pytest.approx(per_territory.se, rel=1e-9)


def test_covariance_diagonal_is_the_variance_and_shares_covary_negatively() -> None:
    weighting, answers = raked(
        {"0-999": 300, "1000-3499": 120, "3500+": 40}, {"0-999": 15, "1000-3499": 20, "3500+": 12}
    )
    estimate = estimate_question(YES_NO, answers, weighting)
    assert estimate.covariance is not None
    covariance = estimate.covariance[""]
    assert covariance["keys"] == ["oui", "non"]
    matrix = np.array(covariance["matrix"])
    assert np.diag(matrix) == pytest.approx([num(estimate.row("oui").se) ** 2] * 2, rel=1e-9)
    # Two shares that add up to one: perfectly negatively correlated.
    assert matrix[0, 1] == pytest.approx(-matrix[0, 0], rel=1e-9)
    design = Design(
        weights=np.ones(4),
        stratum=np.zeros(4, dtype=np.int64),
        psu=np.arange(4),
        population=np.array([8.0]),
    )
    both = taylor_covariance(
        design, np.array([[1.0, 0], [0, 1], [1, 0], [0, 1]]), np.ones((4, 2), bool)
    )
    # SRS of 4 out of 8, p = 1/2: v = (1 - 4/8) · p(1-p) / (n - 1) = 1/24.
    assert both == pytest.approx(np.array([[1, -1], [-1, 1]]) / 24)
