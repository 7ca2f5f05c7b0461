"""Statistics of the barometer: correctness by simulation, and the cost of a full analysis.

1. Coverage: a synthetic population shaped like the frame (communes by band, EPCI,
   départements, régions), a binary outcome and a response propensity that both depend on kind
   and size; 200 replications of the non-response, each weighted and estimated. The weighted 95%
   intervals must cover the true value at least 90% of the time; the unweighted estimate is
   biased.
2. Speed: an edition of 5,000 responses × 100 questions (every type), weights, every estimate
   and interval overall and by kind, against the raw aggregation of the same answers in polars
   (weighted counts per option, overall and by kind, means and medians): the ratio says what the
   intervals, suppression and bookkeeping cost.
"""

import time

import numpy as np
import polars as pl

from observatoire.lib.stats import analyse_edition, compute_weights
from observatoire.lib.stats.simulation import (
    coverage_study,
    draw_respondents,
    synthetic_answers,
    synthetic_population,
    synthetic_questions,
)

REPLICATIONS = 200
RESPONSES = 5_000
QUESTIONS = 100


def coverage_rows():
    study = coverage_study(synthetic_population(0), replications=REPLICATIONS, seed=1)
    note = f"{REPLICATIONS} replications, {study.mean_n:.0f} respondents on average, truth {study.truth:.3f}"
    return [
        {
            "benchmark": "stats: coverage of weighted 95% intervals",
            "value": study.coverage_weighted * 100,
            "unit": "%",
            "target": ">= 90 %",
            "note": note,
        },
        {
            "benchmark": "stats: coverage of unweighted 95% intervals",
            "value": study.coverage_unweighted * 100,
            "unit": "%",
            "note": "same replications, weights switched off",
        },
        {
            "benchmark": "stats: mean bias, weighted estimate",
            "value": study.bias_weighted * 100,
            "unit": "points",
            "target": "~ 0",
        },
        {
            "benchmark": "stats: mean bias, unweighted estimate",
            "value": study.bias_unweighted * 100,
            "unit": "points",
            "note": "visibly biased: response and outcome both rise with size",
        },
        {
            "benchmark": "stats: coverage simulation time",
            "value": study.seconds,
            "unit": "s",
            "note": f"{study.seconds / REPLICATIONS * 1000:.0f} ms per replication (weights + 2 estimates)",
        },
    ]


def edition():
    population = synthetic_population(0, scale=10)
    rng = np.random.default_rng(2)
    respondents = draw_respondents(population, rng, boost=3.0)
    respondents = respondents.iloc[rng.permutation(len(respondents))[:RESPONSES]]
    specs = synthetic_questions(QUESTIONS)
    answers = synthetic_answers(specs, respondents.index, rng)
    return population.frame, respondents, specs, answers


def polars_aggregation(specs, answers, weights, kinds):
    """Weighted counts per option (overall and by kind), means and medians: no intervals."""
    frame = pl.from_pandas(answers.reset_index(drop=True)).with_columns(
        pl.Series("__w", weights), pl.Series("kind", kinds)
    )
    started = time.perf_counter()
    results = []
    for spec in specs:
        columns = (
            [item.key for item in spec.items] if spec.kind in ("likert", "score") else [spec.name]
        )
        for column in columns:
            data = frame.select(column, "__w", "kind")
            if spec.kind == "multiple":
                data = data.explode(column)
            if spec.kind in ("number", "score"):
                valid = data.drop_nulls(column)
                for keys in ([], ["kind"]):
                    aggregate = [
                        ((pl.col(column) * pl.col("__w")).sum() / pl.col("__w").sum()).alias(
                            "mean"
                        ),
                        pl.col(column).median().alias("median"),
                    ]
                    results.append(
                        valid.group_by(keys).agg(aggregate) if keys else valid.select(aggregate)
                    )
            else:
                valid = data.drop_nulls(column)
                results.append(valid.group_by(column).agg(pl.col("__w").sum()))
                results.append(valid.group_by("kind", column).agg(pl.col("__w").sum()))
    return time.perf_counter() - started, len(results)


def svy_per_column(weighting, kinds, columns: int):
    """What svy costs per 0/1 column for a Korn-Graubard proportion, overall then by kind, on the
    raked sample (svy credits the raking in the variance, as variance.py does): the alternative
    to the vectorised estimator of observatoire/lib/stats/variance.py, which the tests check
    against svy (test_stats_variance.py)."""
    rng = np.random.default_rng(3)
    n = len(kinds)
    extra = {
        "kind": kinds,
        **{f"y{j}": (rng.random(n) < 0.3).astype(float) for j in range(columns)},
    }
    sample = weighting._svy_sample.wrangling.mutate(extra)
    names = [f"y{j}" for j in range(columns)]
    sample.estimation.prop(names[:2], ci_method="beta")
    started = time.perf_counter()
    sample.estimation.prop(names, ci_method="beta")
    sample.estimation.prop(names, by="kind", ci_method="beta")
    return (time.perf_counter() - started) / columns


def speed_rows():
    frame, respondents, specs, answers = edition()
    # Warm-up on a small edition: imports and first calls are not what we measure.
    warm = compute_weights(respondents.iloc[:300], frame)
    analyse_edition(specs[:10], answers.iloc[:300], warm)

    started = time.perf_counter()
    weighting = compute_weights(respondents, frame)
    weights_time = time.perf_counter() - started
    started = time.perf_counter()
    result = analyse_edition(specs, answers, weighting, by=("kind",))
    analysis_time = time.perf_counter() - started
    total = weights_time + analysis_time
    figures = sum(len(e.rows) for e in result.estimates.values()) + sum(
        len(e.rows) for e in result.crosstabs["kind"].values()
    )
    baseline, queries = polars_aggregation(
        specs, answers, weighting.weights.to_numpy(), respondents["kind"].to_numpy()
    )
    shape = f"{len(respondents)} responses × {len(specs)} questions, frame {len(frame)}"
    estimated_columns = sum(
        1
        for e in result.estimates.values()
        for r in e.rows
        if r.statistic in ("proportion", "mean")
    )
    per_column = svy_per_column(weighting, respondents["kind"].to_numpy(), 30)
    return [
        {
            "benchmark": "stats: weights (cells, raking, trimming)",
            "value": weights_time,
            "unit": "s",
            "note": shape,
        },
        {
            "benchmark": "stats: every estimate and interval, overall and by kind",
            "value": analysis_time,
            "unit": "s",
            "note": f"{figures} published figures",
        },
        {
            "benchmark": "stats: full analysis of an edition",
            "value": total,
            "unit": "s",
            "baseline": f"polars raw aggregation {baseline:.3f} s",
            "ratio": total / baseline,
            "target": "< 5 s",
            "note": f"baseline: {queries} polars group-bys, weighted counts, means, medians",
        },
        {
            "benchmark": "stats: the same proportions with svy, one column per call (extrapolated)",
            "value": per_column * estimated_columns,
            "unit": "s",
            "note": f"{per_column * 1000:.0f} ms per column (overall + by kind) × "
            f"{estimated_columns} columns, without quantiles; the vectorised estimator gives "
            "svy's figures, raking credited (tests)",
        },
    ]


def run():
    return [*coverage_rows(), *speed_rows()]


if __name__ == "__main__":
    from bench.__main__ import markdown_table

    print(markdown_table(run()))
