"""Costs and impact of the schemes (fiches-dispositif), as ranges, never fake precision.

A budget is a bracket, so it is an interval [low, high] (high = None for the open top bracket);
"impossible to estimate" stays apart. A cost per participant is then an interval too:
[low / participants_high, high / participants_low] (participants are a count here, so both
bounds divide by the same number). Summaries of intervals are intervals: the weighted median of
the low bounds and of the high bounds bracket the median cost, and are rounded outwards to two
significant figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .estimates import (
    DEFAULT_THRESHOLD,
    Analysis,
    QuestionEstimate,
    choice_values,
    number_values,
)
from .questions import QuestionSpec, as_spec
from .variance import CiMethod, weighted_quantile
from .weighting import WeightingResult, repeat_weighting


def round_down(value: float, digits: int = 2) -> float:
    if value <= 0 or not math.isfinite(value):
        return value
    scale = 10.0 ** (digits - 1 - math.floor(math.log10(value)))
    return math.floor(value * scale + 1e-9) / scale


def round_up(value: float, digits: int = 2) -> float:
    if value <= 0 or not math.isfinite(value):
        return value
    scale = 10.0 ** (digits - 1 - math.floor(math.log10(value)))
    return math.ceil(value * scale - 1e-9) / scale


def honest_range(
    low: float | None, high: float | None, digits: int = 2
) -> tuple[float | None, float | None]:
    """A range rounded outwards to `digits` significant figures (None: no bound)."""
    return (
        None if low is None else round_down(low, digits),
        None if high is None or not math.isfinite(high) else round_up(high, digits),
    )


def per_participant_intervals(
    spec: QuestionSpec, budgets: pd.Series, participants: pd.Series
) -> pd.DataFrame:
    """Per scheme: budget bounds and cost-per-participant bounds (NaN when unknown; the high
    bound is +inf for the open top bracket)."""
    brackets = {o.key: o for o in spec.options if o.key not in spec.apart}
    keys = choice_values(budgets)
    low = keys.map(lambda k: brackets[k].low if k in brackets else None).astype(float)
    high = keys.map(
        lambda k: (
            (math.inf if brackets[k].high is None else brackets[k].high) if k in brackets else None
        )
    ).astype(float)
    count = pd.Series(number_values(participants), index=participants.index)
    usable = low.notna() & (count > 0)
    return pd.DataFrame(
        {
            "budget_low": low,
            "budget_high": high,
            "participants": count,
            "per_participant_low": (low / count).where(usable),
            "per_participant_high": (high / count).where(usable),
        }
    )


@dataclass
class CostRange:
    group: str | None
    group_label: str | None
    n_schemes: int
    n_respondents: int
    suppressed: bool
    median: tuple[float | None, float | None] | None = None
    quartile_1: tuple[float | None, float | None] | None = None
    quartile_3: tuple[float | None, float | None] | None = None
    open_ended: float | None = None  # weighted share of schemes with no upper bound

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "group_label": self.group_label,
            "n_schemes": self.n_schemes,
            "n_respondents": self.n_respondents,
            "suppressed": self.suppressed,
            "median": list(self.median) if self.median else None,
            "quartile_1": list(self.quartile_1) if self.quartile_1 else None,
            "quartile_3": list(self.quartile_3) if self.quartile_3 else None,
            "open_ended": self.open_ended,
        }


@dataclass
class CostSummary:
    by: str | None
    budget: QuestionEstimate
    per_participant: list[CostRange]
    numbers: dict[str, QuestionEstimate] = field(default_factory=dict)
    effect: QuestionEstimate | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "budget": self.budget.to_dict(),
            "per_participant": [r.to_dict() for r in self.per_participant],
            "numbers": {k: v.to_dict() for k, v in self.numbers.items()},
            "effect": self.effect.to_dict() if self.effect else None,
            "notes": list(self.notes),
        }


def cost_ranges(
    schemes: pd.DataFrame,
    weighting: WeightingResult,
    *,
    budget: QuestionSpec | Mapping[str, Any],
    respondent: str = "respondent",
    participants: str = "fd_participants",
    numbers: Mapping[str, str] | None = None,
    effect: QuestionSpec | Mapping[str, Any] | None = None,
    by: str | None = None,
    by_question: QuestionSpec | Mapping[str, Any] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    weighted: bool = True,
    ci_method: CiMethod = "korn-graubard",
    alpha: float = 0.05,
) -> CostSummary:
    """Costs and impact of the schemes, overall and by `by` (a scheme column such as the
    function `fd_fonction`, or a stratum of the territory: kind, band).

    `weighting` is the respondents' weighting; every scheme carries its territory's weight and
    the territory is the cluster for variances. `numbers` maps answer columns to labels
    (default: staff in FTE, participants, contributions). Figures based on fewer than
    `threshold` territories are suppressed.
    """
    spec = as_spec(budget)
    if spec.kind != "bracket":
        raise ValueError(f"cost_ranges: {spec.name!r} must be a bracket question")
    numbers = dict(
        numbers
        if numbers is not None
        else {
            "fd_etp": "Personnel (ETP)",
            participants: "Participants",
            "fd_contributions": "Contributions",
        }
    )
    rows = repeat_weighting(weighting, schemes, respondent=respondent)
    analysis = Analysis(
        schemes,
        rows,
        weighted=weighted,
        threshold=threshold,
        ci_method=ci_method,
        alpha=alpha,
        questions=[by_question] if by_question is not None else (),
    )
    budget_estimate = analysis.estimate(spec, by=by)
    number_estimates = {
        column: analysis.estimate(QuestionSpec(name=column, kind="number", label=label), by=by)
        for column, label in numbers.items()
        if column in schemes.columns
    }
    effect_estimate = analysis.estimate(effect, by=by) if effect is not None else None

    intervals = per_participant_intervals(
        spec,
        analysis.answers[spec.name] if spec.name in analysis.answers else pd.Series(dtype=object),
        analysis.answers[participants]
        if participants in analysis.answers
        else pd.Series(np.nan, index=analysis.answers.index),
    )
    weights = analysis.design.weights
    owners = (
        rows.psu
        if rows.psu is not None
        else pd.Series(rows.weights.index, index=rows.weights.index)
    )
    ranges = []
    for group, label, mask in analysis.groups(by):
        usable = mask & intervals["per_participant_low"].notna().to_numpy()
        n_respondents = int(owners[usable].nunique())
        entry = CostRange(
            group=group,
            group_label=label,
            n_schemes=int(usable.sum()),
            n_respondents=n_respondents,
            suppressed=n_respondents < threshold,
        )
        if not entry.suppressed:
            low = intervals["per_participant_low"].to_numpy()[usable]
            high = intervals["per_participant_high"].to_numpy()[usable]
            w = weights[usable]

            def bounds(
                p: float, low: np.ndarray = low, high: np.ndarray = high, w: np.ndarray = w
            ) -> tuple[float | None, float | None]:
                return honest_range(weighted_quantile(low, w, p), weighted_quantile(high, w, p))

            entry.median = bounds(0.5)
            entry.quartile_1 = bounds(0.25)
            entry.quartile_3 = bounds(0.75)
            entry.open_ended = float(w[np.isinf(high)].sum() / w.sum())
        ranges.append(entry)
    notes = [
        "Budgets en tranches : chaque budget est un intervalle ; « impossible à estimer » est "
        "exclu des coûts par participant.",
        "Coût par participant = [borne basse / participants ; borne haute / participants], "
        "médianes des bornes arrondies vers l'extérieur à deux chiffres significatifs.",
    ]
    return CostSummary(
        by=by,
        budget=budget_estimate,
        per_participant=ranges,
        numbers=number_estimates,
        effect=effect_estimate,
        notes=notes,
    )
