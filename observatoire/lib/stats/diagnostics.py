"""Design diagnostics of an edition, for staff: how far the respondents are from the frame,
and how much the weighting costs and corrects.

- **Kish's design effect due to weighting** deff = n Σw² / (Σw)² and **effective sample size**
  n_eff = (Σw)² / Σw² (Kish 1965, §11.7; 1992), overall and per type of local government.
- **Response rate per stratum** (type × population band) and per région.
- **R-indicator** (Schouten, Cobben & Bethlehem 2009): R = 1 − 2 S(ρ̂), S the standard deviation
  over the frame of the response propensities ρ̂ estimated by a logistic regression of response
  on the frame variables (type, population band, région; statsmodels' `GLM` with a binomial
  family). R = 1 when every member had the same propensity (response "representative" on
  these variables), lower as propensities spread. With it, the coefficient of variation of the
  propensities S / ρ̄ and the maximal absolute standardised bias (1 − R) / (2 ρ̄) that any mean
  of a variable explained by the frame variables can suffer without weighting (their eq. 12).
- **Standardised differences** between respondents and frame on every level of the frame
  variables, before and after weighting: d = (p_r − p_F) / √((p_r(1 − p_r) + p_F(1 − p_F)) / 2)
  in percent (Austin 2009; Yang & Dalton 2012, for binary indicators); |d| < 10 is the usual
  mark of a negligible imbalance. The raking should bring the raked margins to zero.

Plain functions over plain data (pandas), no Django.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm  # type: ignore[import-untyped]

from .weighting import WeightingResult, band_sort_key, kish_effective_n

NEGLIGIBLE_DIFFERENCE = 10.0  # percent, Austin (2009)


def response_propensities(
    frame: pd.DataFrame, responded: pd.Series, covariates: Sequence[str]
) -> tuple[pd.Series, list[str]]:
    """ρ̂ for each frame member from a main-effects logistic regression of `responded` (0/1,
    aligned on the frame) on the categorical `covariates`; notes on the fit."""
    notes: list[str] = []
    used = [c for c in covariates if c in frame.columns and frame[c].nunique(dropna=True) > 1]
    y = responded.reindex(frame.index).fillna(0).astype(float).to_numpy()
    if not used or y.sum() in (0, len(y)):
        return pd.Series(y.mean() if len(y) else math.nan, index=frame.index), notes
    design = pd.get_dummies(frame[used].astype(str), drop_first=True, dtype=float)
    design.insert(0, "const", 1.0)
    design = _independent_columns(design)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitted = sm.GLM(y, design.to_numpy(), family=sm.families.Binomial()).fit(maxiter=100)
            propensity = np.asarray(fitted.fittedvalues, dtype=float)
        except (ValueError, np.linalg.LinAlgError) as error:  # pragma: no cover - safety net
            notes.append(f"Régression logistique impossible ({error}) : taux par cellule.")
            propensity = _cell_rates(frame[used], y)
    if any("separation" in str(w.message).lower() for w in caught):
        notes.append(
            "Séparation parfaite dans la régression logistique (un niveau sans aucun ou avec "
            "que des répondants) : les propensions de ce niveau valent 0 ou 1."
        )
    return pd.Series(propensity, index=frame.index, name="propensity"), notes


def _independent_columns(design: pd.DataFrame) -> pd.DataFrame:
    """Drop the dummies that repeat the others (a band that only one type has duplicates the
    type): IRLS on a singular design does not reach the maximum likelihood."""
    kept: list[str] = []
    for column in design.columns:
        trial = design[[*kept, column]].to_numpy()
        if np.linalg.matrix_rank(trial) == len(kept) + 1:
            kept.append(column)
    return design[kept]


def _cell_rates(strata: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    key = strata.astype(str).agg("|".join, axis=1).to_numpy()
    rates = pd.Series(y).groupby(key).transform("mean")
    return rates.to_numpy(dtype=float)


def r_indicator(propensity: pd.Series) -> dict[str, float | None]:
    """R = 1 − 2 S(ρ̂), with S's sample standard deviation (1 / (N − 1)), Schouten et al.
    (2009) eq. 5 for a census (equal inclusion weights)."""
    values = propensity.to_numpy(dtype=float)
    if values.size < 2:
        return {"r_indicator": None, "s": None, "mean": None, "cv": None, "max_bias": None}
    s = float(np.std(values, ddof=1))
    mean = float(values.mean())
    r = 1 - 2 * s
    return {
        "r_indicator": r,
        "s": s,
        "mean": mean,
        "cv": s / mean if mean > 0 else None,
        "max_bias": (1 - r) / (2 * mean) if mean > 0 else None,
    }


def standardised_difference(p_sample: float, p_frame: float) -> float:
    """In percent; 0 when both shares are 0 or both 1."""
    pooled = (p_sample * (1 - p_sample) + p_frame * (1 - p_frame)) / 2
    if pooled <= 0:
        return 0.0 if p_sample == p_frame else math.copysign(math.inf, p_sample - p_frame)
    return 100 * (p_sample - p_frame) / math.sqrt(pooled)


def balance_table(
    frame: pd.DataFrame,
    respondents: pd.DataFrame,
    weights: pd.Series,
    covariates: Sequence[str],
    labels: dict[str, dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per level of each covariate: frame share, respondents' share unweighted and
    weighted, and the standardised differences before and after weighting."""
    labels = labels or {}
    w = weights.reindex(respondents.index).fillna(0.0).astype(float)
    total = float(w.sum())
    rows = []
    for covariate in covariates:
        if covariate not in frame.columns or covariate not in respondents.columns:
            continue
        levels = sorted(
            {str(v) for v in frame[covariate].dropna()},
            key=band_sort_key if covariate == "band" else str,
        )
        frame_values = frame[covariate].astype(str)
        sample_values = respondents[covariate].astype(str)
        for level in levels:
            p_frame = float((frame_values == level).mean())
            inside = (sample_values == level).to_numpy()
            p_before = float(inside.mean()) if len(inside) else math.nan
            p_after = float(w[inside].sum() / total) if total > 0 else math.nan
            rows.append(
                {
                    "covariate": covariate,
                    "level": level,
                    "label": labels.get(covariate, {}).get(level, level),
                    "frame_share": p_frame,
                    "unweighted_share": p_before,
                    "weighted_share": p_after,
                    "difference_before": _json(standardised_difference(p_before, p_frame)),
                    "difference_after": _json(standardised_difference(p_after, p_frame)),
                }
            )
    return rows


def _json(value: float) -> float | None:
    """JSON has no NaN or infinity (PostgreSQL's jsonb refuses them)."""
    return value if math.isfinite(value) else None


def design_diagnostics(
    frame: pd.DataFrame,
    respondents: pd.DataFrame,
    weighting: WeightingResult,
    *,
    covariates: Sequence[str] = ("kind", "band", "region"),
    labels: dict[str, dict[str, str]] | None = None,
    member: str | None = None,
) -> dict[str, Any]:
    """Everything the methodology tab shows staff about an edition's design (JSON-ready).

    `member` names the respondents' column holding their frame member's id (the frame's
    index); without it the respondents are indexed like the frame."""
    labels = labels or {}
    weights = weighting.weights.reindex(respondents.index).astype(float)
    members = respondents.index if member is None else pd.Index(respondents[member])
    if not frame.index.isin(members).any() and len(respondents):
        raise ValueError("design_diagnostics: no respondent is a member of the frame")
    responded = pd.Series(frame.index.isin(members).astype(float), index=frame.index)
    propensity, notes = response_propensities(frame, responded, covariates)
    by_kind = []
    for kind in sorted({str(k) for k in respondents.get("kind", pd.Series(dtype=str))}):
        inside = respondents["kind"].astype(str) == kind
        kind_weights = weights[inside.to_numpy()]
        n_eff = kish_effective_n(kind_weights) if len(kind_weights) else 0.0
        by_kind.append(
            {
                "kind": kind,
                "label": labels.get("kind", {}).get(kind, kind),
                "n": int(inside.sum()),
                "n_eff": n_eff,
                "deff": int(inside.sum()) / n_eff if n_eff else None,
            }
        )
    by_region = []
    if "region" in frame.columns and "region" in respondents.columns:
        frame_counts = frame["region"].astype(str).value_counts()
        sample_counts = respondents["region"].astype(str).value_counts()
        for region in sorted(frame_counts.index):
            population = int(frame_counts[region])
            n = int(sample_counts.get(region, 0))
            by_region.append(
                {
                    "region": region,
                    "label": labels.get("region", {}).get(region, region),
                    "population": population,
                    "respondents": n,
                    "rate": n / population if population else None,
                }
            )
    balance = balance_table(frame, respondents, weights, covariates, labels)
    finite_before = [
        abs(r["difference_before"]) for r in balance if r["difference_before"] is not None
    ]
    finite_after = [
        abs(r["difference_after"]) for r in balance if r["difference_after"] is not None
    ]
    return {
        "n": len(respondents),
        "n_eff": float(weighting.n_eff),
        "deff": float(weighting.deff) if math.isfinite(weighting.deff) else None,
        "by_kind": by_kind,
        "by_region": by_region,
        "representativity": {**r_indicator(propensity), "covariates": list(covariates)},
        "balance": balance,
        "max_difference_before": max(finite_before, default=None),
        "max_difference_after": max(finite_after, default=None),
        "negligible": NEGLIGIBLE_DIFFERENCE,
        "notes": notes,
    }
