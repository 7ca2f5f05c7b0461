"""A synthetic population shaped like the barometer's frame, for checks and benchmarks.

Counts per kind and band follow the 2026 frame (docs/territories.md: 3,290 communes of 3,500
inhabitants or more, 1,255 EPCI, départements and régions); every member gets a région. The
outcome and the response both depend on kind and size, so that the unweighted mean is biased
and the weighted one is not: the check in `bench/bench_stats.py` and `test_stats_coverage.py`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .questions import Option, QuestionSpec

# kind → [(band, members, outcome prevalence, response propensity)]
STRATA: dict[str, list[tuple[str, int, float, float]]] = {
    "commune": [
        ("3500-9999", 2000, 0.15, 0.015),
        ("10000-19999", 700, 0.25, 0.025),
        ("20000-49999", 420, 0.40, 0.05),
        ("50000-99999", 128, 0.55, 0.08),
        ("100000+", 42, 0.70, 0.15),
    ],
    "epci": [
        ("0-19999", 480, 0.10, 0.02),
        ("20000-49999", 460, 0.20, 0.04),
        ("50000-99999", 170, 0.35, 0.06),
        ("100000-299999", 110, 0.55, 0.10),
        ("300000+", 35, 0.75, 0.20),
    ],
    "departement": [
        ("0-249999", 24, 0.40, 0.15),
        ("250000-499999", 28, 0.50, 0.20),
        ("500000-999999", 30, 0.60, 0.25),
        ("1000000+", 13, 0.75, 0.30),
    ],
    "region": [
        ("0-1999999", 5, 0.60, 0.35),
        ("2000000-3999999", 5, 0.70, 0.40),
        ("4000000+", 7, 0.85, 0.45),
    ],
}
REGIONS = [f"R{code:02d}" for code in range(1, 19)]


@dataclass
class Population:
    frame: pd.DataFrame  # kind, band, region, outcome, propensity
    truth: float  # mean of the outcome over the frame


def synthetic_population(seed: int = 0, *, scale: float = 1.0) -> Population:
    """The frame with a binary outcome; `scale` multiplies the number of members per stratum."""
    rng = np.random.default_rng(seed)
    parts = []
    for kind, bands in STRATA.items():
        for band, members, prevalence, propensity in bands:
            size = max(1, round(members * scale))
            parts.append(
                pd.DataFrame(
                    {
                        "kind": kind,
                        "band": band,
                        "region": rng.choice(REGIONS, size=size),
                        "outcome": (rng.random(size) < prevalence).astype(float),
                        "propensity": propensity,
                    }
                )
            )
    frame = pd.concat(parts, ignore_index=True)
    frame.index = pd.Index([f"m{i}" for i in range(len(frame))], name="id")
    return Population(frame=frame, truth=float(frame["outcome"].mean()))


def draw_respondents(
    population: Population, rng: np.random.Generator, *, boost: float = 1.0
) -> pd.DataFrame:
    """Poisson non-response: each member answers with its propensity (× boost, at most 1)."""
    frame = population.frame
    answers = rng.random(len(frame)) < np.minimum(frame["propensity"].to_numpy() * boost, 1.0)
    return frame[answers]


def synthetic_questions(count: int = 100) -> list[QuestionSpec]:
    """A questionnaire of `count` questions mixing every type, like the barometer's."""
    likert = tuple(
        Option(k, lab)
        for k, lab in (
            ("tout_a_fait", "Oui, tout à fait"),
            ("plutot", "Oui, plutôt"),
            ("pas_vraiment", "Non, pas vraiment"),
            ("pas_du_tout", "Non, pas du tout"),
            ("nsp", "Ne sait pas"),
        )
    )
    brackets = (
        Option("0", "0 €", 0, 0),
        Option("moins_1k", "< 1 000 €", 0, 1_000),
        Option("1k_10k", "1 000-10 000 €", 1_000, 10_000),
        Option("10k_100k", "10 000-100 000 €", 10_000, 100_000),
        Option("plus_100k", "> 100 000 €", 100_000, None),
        Option("nsp", "Impossible à estimer"),
    )
    specs: list[QuestionSpec] = []
    for i in range(count):
        name = f"q{i:03d}"
        kind = i % 10
        if kind in (0, 1, 2, 3):
            options = tuple(Option(f"o{j}", f"Option {j}") for j in range(3 + i % 4))
            specs.append(QuestionSpec(name=name, kind="single", label=name, options=options))
        elif kind in (4, 5):
            options = tuple(Option(f"o{j}", f"Option {j}") for j in range(8))
            specs.append(QuestionSpec(name=name, kind="multiple", label=name, options=options))
        elif kind == 6:
            items = tuple(Option(f"{name}_{j}", f"Item {j}") for j in range(3))
            specs.append(
                QuestionSpec(
                    name=name,
                    kind="likert",
                    label=name,
                    options=likert,
                    items=items,
                    apart=("nsp",),
                )
            )
        elif kind == 7:
            specs.append(
                QuestionSpec(
                    name=name, kind="bracket", label=name, options=brackets, apart=("nsp",)
                )
            )
        elif kind == 8:
            specs.append(QuestionSpec(name=name, kind="number", label=name, unit="ETP"))
        else:
            items = (Option(name, name),)
            specs.append(
                QuestionSpec(name=name, kind="score", label=name, items=items, scale=(0, 8))
            )
    return specs


def synthetic_answers(
    specs: Sequence[QuestionSpec],
    index: pd.Index,
    rng: np.random.Generator,
    *,
    missing: float = 0.05,
) -> pd.DataFrame:
    """Random answers to `specs` for the units of `index` (a share `missing` left empty)."""
    n = len(index)
    columns: dict[str, object] = {}
    for spec in specs:
        if spec.kind in ("single", "bracket"):
            keys = np.array(spec.option_keys, dtype=object)
            values = keys[rng.integers(0, len(keys), n)]
            values[rng.random(n) < missing] = None
            columns[spec.name] = values
        elif spec.kind == "likert":
            keys = np.array(spec.option_keys, dtype=object)
            for item in spec.items:
                values = keys[rng.integers(0, len(keys), n)]
                values[rng.random(n) < missing] = None
                columns[item.key] = values
        elif spec.kind == "multiple":
            names = list(spec.option_keys)
            ticks = rng.random((n, len(names))) < 0.3
            shown = rng.random(n) >= missing
            columns[spec.name] = [  # lists: ticked options; None: question not shown
                [k for k, t in zip(names, row, strict=True) if t] if s else None
                for row, s in zip(ticks, shown, strict=True)
            ]
        elif spec.kind == "number":
            values = np.round(rng.gamma(1.5, 1.0, n), 1)
            values[rng.random(n) < missing] = np.nan
            columns[spec.name] = values
        else:
            low, high = spec.scale or (0, 8)
            for item in spec.items:
                values = rng.integers(int(low), int(high) + 1, n).astype(float)
                values[rng.random(n) < missing] = np.nan
                columns[item.key] = values
    return pd.DataFrame(columns, index=index)


@dataclass
class CoverageStudy:
    replications: int
    truth: float
    mean_n: float
    coverage_weighted: float
    coverage_unweighted: float
    bias_weighted: float
    bias_unweighted: float
    mean_width_weighted: float
    seconds: float

    def to_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def coverage_study(
    population: Population,
    *,
    replications: int = 200,
    seed: int = 0,
    boost: float = 1.0,
    margins: Sequence[str] = ("kind", "region"),
    min_cell: int = 5,
    trim_factor: float | None = 5.0,
) -> CoverageStudy:
    """Draw `replications` sets of respondents from the population; each time weight them,
    estimate the outcome's prevalence with and without weights, and count how often the 95%
    interval holds the true value."""
    from .estimates import estimate_question
    from .questions import Option, QuestionSpec
    from .weighting import compute_weights

    spec = QuestionSpec(
        name="outcome", kind="single", options=(Option("1", "Oui"), Option("0", "Non"))
    )
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    hits = {True: 0, False: 0}
    estimates: dict[bool, list[float]] = {True: [], False: []}
    widths: list[float] = []
    sizes: list[int] = []
    for _ in range(replications):
        respondents = draw_respondents(population, rng, boost=boost)
        sizes.append(len(respondents))
        weighting = compute_weights(
            respondents,
            population.frame,
            margins=margins,
            min_cell=min_cell,
            trim_factor=trim_factor,
        )
        answers = pd.DataFrame(
            {"outcome": np.where(respondents["outcome"].to_numpy() == 1.0, "1", "0")},
            index=respondents.index,
        )
        for weighted in (True, False):
            row = estimate_question(spec, answers, weighting, weighted=weighted, threshold=1).row(
                "1"
            )
            assert row.estimate is not None and row.ci_low is not None and row.ci_high is not None
            estimates[weighted].append(row.estimate)
            hits[weighted] += row.ci_low <= population.truth <= row.ci_high
            if weighted:
                widths.append(row.ci_high - row.ci_low)
    return CoverageStudy(
        replications=replications,
        truth=population.truth,
        mean_n=float(np.mean(sizes)),
        coverage_weighted=hits[True] / replications,
        coverage_unweighted=hits[False] / replications,
        bias_weighted=float(np.mean(estimates[True]) - population.truth),
        bias_unweighted=float(np.mean(estimates[False]) - population.truth),
        mean_width_weighted=float(np.mean(widths)),
        seconds=time.perf_counter() - started,
    )
