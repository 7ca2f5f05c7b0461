"""Which figures can be printed: degenerate intervals and figures fixed by the weighting.

A design-based interval needs a variance that can be estimated: at least two PSUs in the
domain, at least one degree of freedom (PSUs minus strata), a variance that is not zero by
construction. When it cannot be, the interval is not printed but explained (a problem code,
put into words by `observatoire.lib.charts.format.describe_problem`), rather than printed as
"[70,6 ; 70,6 %]" or "[0,0 ; 100,0 %]".

A share of a question that repeats a weighting margin (the type of local government, when the
weights are calibrated on the type) is the frame's share by construction: its variance is zero
and any interval or test on it is meaningless. `fixed_by_margins` finds such shares from the
data themselves: an answer that is constant within each level of a calibration margin (the
weighting cells, or a raked margin such as the région), among respondents whose membership of
the base is also constant within those levels, has a weighted share equal to the frame share
of the levels where it holds (Deville & Särndal 1992: a calibration estimator reproduces the
totals of the calibration variables exactly).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

# Relative size under which a variance counts as zero (rounding residue of the raking and of
# the calibration residuals, whose tolerance is 1e-6 on the totals).
ZERO_VARIANCE = 1e-12
# A share's interval from below this to above 1 - this prints as "[0,0 ; 100,0 %]".
UNINFORMATIVE = 0.0005


def interval_problem(
    *,
    statistic: str,
    estimate: float | None,
    variance: float | None,
    df: float | None,
    n_psu: int,
    low: float | None,
    high: float | None,
) -> str:
    """ "" when the interval [low, high] around `estimate` can be printed, else a problem code:
    "empty", "single_psu", "no_df", "zero_variance", "uninformative" or "invalid"."""
    if estimate is None or not math.isfinite(estimate) or n_psu == 0:
        return "empty"
    if n_psu == 1:
        return "single_psu"
    if statistic != "quantile" and (df is None or not math.isfinite(df) or df < 1):
        return "no_df"
    proportion = statistic == "proportion"
    if (
        statistic != "quantile"
        and variance is not None
        and variance <= ZERO_VARIANCE * max(1.0, estimate * estimate)
    ):
        # A share of 0 or 1 keeps its interval (on Kish's effective n): "nobody chose it" is
        # a finding with an honest upper bound. Anything else with no variance has no interval.
        if not (proportion and estimate in (0.0, 1.0)):
            return "zero_variance"
    if low is None or high is None:
        # Quartiles whose limit lies beyond the data are published without interval.
        return "" if statistic == "quantile" else "invalid"
    if not (math.isfinite(low) and math.isfinite(high)):
        return "invalid"
    slack = 1e-9 * max(1.0, abs(estimate))
    if not (low - slack <= estimate <= high + slack):
        return "invalid"
    if proportion and not (-slack <= low and high <= 1 + slack):
        return "invalid"
    if proportion and low < UNINFORMATIVE and high > 1 - UNINFORMATIVE and 0 < estimate < 1:
        # It would print "[0,0 ; 100,0 %]": a variance that is undefined, or two respondents.
        return "uninformative"
    return ""


def fixed_by_margins(
    levels: pd.DataFrame | None, values: np.ndarray, base: np.ndarray
) -> tuple[np.ndarray, list[str | None]]:
    """For each column of 0/1 `values` (units × K) with its `base` (units × K, bool): is its
    base share fixed by one of the calibration margins (`levels`: one column per margin, the
    level of each unit), and by which one?

    A column is fixed when, within every level of the margin, the base membership is constant
    and the answer is constant among the base, and the answer varies across levels (an option
    nobody chose, or everybody, is a finding, not the weighting's doing).
    """
    k_count = values.shape[1] if values.ndim == 2 else 0
    fixed = np.zeros(k_count, dtype=bool)
    margins: list[str | None] = [None] * k_count
    if levels is None or levels.empty or k_count == 0:
        return fixed, margins
    base = np.asarray(base, dtype=float)
    chosen = np.where(base > 0, np.nan_to_num(np.asarray(values, dtype=float)), 0.0)
    binary = np.all((chosen == 0) | (chosen == 1), axis=0)
    chosen_total = chosen.sum(axis=0)
    base_total = base.sum(axis=0)
    varies = (chosen_total > 0) & (chosen_total < base_total)
    candidates = binary & varies
    if not candidates.any():
        return fixed, margins
    n = len(levels)
    for column in levels.columns:
        codes, labels = pd.factorize(levels[column].to_numpy())
        if len(labels) < 2 or (codes < 0).any():
            continue
        indicator = sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(len(labels), n))
        size = np.asarray(indicator.sum(axis=1)).ravel()[:, None]
        in_base = np.asarray(indicator @ base)
        ticked = np.asarray(indicator @ chosen)
        base_constant = np.all((in_base == 0) | (in_base == size), axis=0)
        answer_constant = np.all((ticked == 0) | (ticked == in_base), axis=0)
        hit = candidates & base_constant & answer_constant & ~fixed
        for k in np.flatnonzero(hit):
            margins[k] = str(column)
        fixed |= hit
    return fixed, margins


def constant_within(levels: pd.DataFrame | None, margin: str | None, mask: np.ndarray) -> bool:
    """Is the domain `mask` a union of levels of `margin` (so that a share fixed by the margin
    stays fixed within it)?"""
    if levels is None or margin is None or margin not in levels.columns:
        return False
    frame = pd.DataFrame({"level": levels[margin].to_numpy(), "in": np.asarray(mask, dtype=bool)})
    return bool(frame.groupby("level")["in"].nunique().max() <= 1)


# Upper bound for a printable test statistic: beyond it the variance is numerically zero (a
# share fixed by construction, a rounding residue), and the statistic means nothing.
ABSURD_STATISTIC = 1e6


def _finite(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def problem_of_test(test: dict[str, Any] | None, *, needs_den: bool = True) -> str:
    """ "" when a test result can be printed, else a problem code ("test_…")."""
    if not test:
        return "test_invalid"
    if test.get("problem"):
        return str(test["problem"])
    raw = [test.get(name) for name in ("statistic", "df_num", "df_den", "p_value")]
    statistic, df_num, df_den, p_value = (
        float(value) if value is not None and _finite(value) else math.nan for value in raw
    )
    # NaN compares False: a missing or infinite figure fails every check below.
    if not df_num >= 1 or (needs_den and not df_den >= 1):
        return "test_no_df"
    if not statistic >= 0 or not 0 <= p_value <= 1:
        return "test_invalid"
    if statistic > ABSURD_STATISTIC:
        return "test_zero_variance"
    return ""
