"""Peer benchmark: a respondent's own answers beside its comparable territories.

Peers are the other respondents of the same kind and population band (the original band, not
the collapsed weighting cell); their distribution is weighted and estimated as a domain of the
whole sample, with the same small-cell threshold as every published figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .estimates import (
    DEFAULT_THRESHOLD,
    Analysis,
    QuestionEstimate,
    choice_sets,
    choice_values,
    number_values,
)
from .questions import QuestionSpec, as_spec
from .variance import CiMethod
from .weighting import WeightingResult


@dataclass
class Benchmark:
    respondent: str
    question: str
    own: dict[str, Any]  # answer column → the respondent's answer (list for multiple choice)
    peers: QuestionEstimate
    peer_filter: dict[str, str]
    n_peers: int
    suppressed: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "respondent": self.respondent,
            "question": self.question,
            "own": self.own,
            "peers": self.peers.to_dict(),
            "peer_filter": dict(self.peer_filter),
            "n_peers": self.n_peers,
            "suppressed": self.suppressed,
            "notes": list(self.notes),
        }


def _own_answers(spec: QuestionSpec, answers: pd.DataFrame, respondent: Any) -> dict[str, Any]:
    own: dict[str, Any] = {}
    for column in spec.columns:
        if column not in answers.columns:
            own[column] = None
            continue
        series = answers[column].loc[[respondent]]
        if spec.kind == "multiple":
            value = choice_sets(series).iloc[0]
            own[column] = sorted(value) if value is not None else None
        elif spec.kind in ("number", "score"):
            number = float(number_values(series)[0])
            own[column] = None if np.isnan(number) else number
        else:
            own[column] = choice_values(series).iloc[0]
    return own


def benchmark(
    question: QuestionSpec | Mapping[str, Any],
    answers: pd.DataFrame,
    weighting: WeightingResult,
    respondent: Any,
    *,
    peers: Sequence[str] = ("kind", "band"),
    threshold: int = DEFAULT_THRESHOLD,
    weighted: bool = True,
    ci_method: CiMethod = "korn-graubard",
    alpha: float = 0.05,
) -> Benchmark:
    """The respondent's answers and the weighted distribution among its peers (itself
    excluded); the peers' figures are suppressed below `threshold` peers."""
    spec = as_spec(question)
    if respondent not in weighting.weights.index:
        raise ValueError(f"benchmark: respondent {respondent!r} has no weight")
    strata = weighting.strata
    missing = [column for column in peers if column not in strata.columns]
    if missing:
        raise ValueError(f"benchmark: unknown peer column(s) {', '.join(missing)}")
    analysis = Analysis(
        answers, weighting, weighted=weighted, threshold=threshold, ci_method=ci_method, alpha=alpha
    )
    own_strata = strata.loc[respondent]
    mask = np.ones(len(strata), dtype=bool)
    for column in peers:
        mask &= (strata[column].astype(str) == str(own_strata[column])).to_numpy()
    mask &= strata.index != respondent
    estimate = analysis.estimate(spec, where=mask)
    n_peers = int(mask.sum())
    notes = []
    if n_peers < threshold:
        notes.append(
            f"Moins de {threshold} territoires comparables ont répondu ({n_peers}) : "
            "la comparaison n'est pas publiée."
        )
    return Benchmark(
        respondent=str(respondent),
        question=spec.name,
        own=_own_answers(spec, analysis.answers, respondent),
        peers=estimate,
        peer_filter={column: str(own_strata[column]) for column in peers},
        n_peers=n_peers,
        suppressed=n_peers < threshold,
        notes=notes,
    )
