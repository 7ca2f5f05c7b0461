"""Design-based variances and confidence intervals, vectorised over many estimates at once.

The estimator is the one svy (and R's `survey`) computes with `Design(stratum=cell, psu=...,
wgt=w, pop_size=N)`: Taylor linearisation of a ratio (domain) mean in a stratified one-stage
design without replacement, with the finite population correction (Wolter 2007, ch. 6;
Lumley 2010, §2.2). svy evaluates it one column and one domain per call (~10-20 ms each); an
edition of 5,000 respondents × 100 questions × domains needs thousands, so the same formula is
applied here to whole matrices at once. The tests check it against svy on every question type
(`test_stats_variance.py`).

Intervals for proportions follow Korn & Graubard (1998): the effective sample size
n* = p(1-p)/v(p) (which carries the design effect and the FPC) is multiplied by
(t_{n-1} / t_df)², then a Clopper-Pearson ("beta", KG) or Wilson interval is computed on
(n* p, n*) by statsmodels' `proportion_confint`. Dean & Pagano (2015) compare these intervals
for survey proportions. At p = 0 or 1 the variance is zero: Kish's effective n of the domain
is used instead (design effect of the weights only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse, special, stats
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

CiMethod = Literal["korn-graubard", "wilson"]
CI_METHODS: tuple[CiMethod, ...] = ("korn-graubard", "wilson")
_STATSMODELS_METHOD = {"korn-graubard": "beta", "wilson": "wilson"}


@dataclass(frozen=True)
class Design:
    """Weights and design of the analysed units, aligned on one index.

    `stratum` and `psu` are integer codes 0..H-1 and 0..P-1 (a PSU lies in one stratum);
    `population` is N_h, the number of PSUs of stratum h in the population (the finite
    population correction uses n_h / N_h).
    """

    weights: np.ndarray
    stratum: np.ndarray
    psu: np.ndarray
    population: np.ndarray

    def __post_init__(self) -> None:
        n = self.weights.shape[0]
        if self.stratum.shape != (n,) or self.psu.shape != (n,):
            raise ValueError("weights, stratum and psu must have the same length")
        n_psu = int(self.psu.max()) + 1 if n else 0
        psu_stratum = np.zeros(n_psu, dtype=np.int64)
        psu_stratum[self.psu] = self.stratum
        # Sparse sums: units → PSU totals (skipped when each unit is its own PSU), PSUs → strata.
        identity = n_psu == n and bool(np.array_equal(self.psu, np.arange(n)))
        to_psu = (
            None
            if identity
            else sparse.csr_matrix((np.ones(n), (self.psu, np.arange(n))), shape=(n_psu, n))
        )
        to_stratum = sparse.csr_matrix(
            (np.ones(n_psu), (psu_stratum, np.arange(n_psu))), shape=(self.n_strata, n_psu)
        )
        object.__setattr__(self, "_psu_stratum", psu_stratum)
        object.__setattr__(self, "_to_psu", to_psu)
        object.__setattr__(self, "_to_stratum", to_stratum)

    @property
    def n_strata(self) -> int:
        return int(self.population.shape[0])

    @property
    def n_psu(self) -> int:
        return int(self._psu_stratum.shape[0])  # type: ignore[attr-defined]

    def psu_stratum(self) -> np.ndarray:
        """Stratum of each PSU."""
        return self._psu_stratum  # type: ignore[attr-defined, no-any-return]

    def psu_sums(self, values: np.ndarray) -> np.ndarray:
        """Column sums of `values` (units × K) per PSU."""
        to_psu = self._to_psu  # type: ignore[attr-defined]
        return values if to_psu is None else np.asarray(to_psu @ values)

    def stratum_sums(self, values: np.ndarray) -> np.ndarray:
        """Column sums of `values` (PSUs × K) per stratum."""
        return np.asarray(self._to_stratum @ values)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Estimates:
    """One estimate per column: value, variance, counts and degrees of freedom."""

    estimate: np.ndarray
    variance: np.ndarray
    n: np.ndarray  # units in the domain with a positive weight
    n_psu: np.ndarray  # PSUs holding domain units
    df: np.ndarray
    n_eff_kish: np.ndarray
    total_weight: np.ndarray

    @property
    def se(self) -> np.ndarray:
        return np.asarray(np.sqrt(np.maximum(self.variance, 0.0)), dtype=float)


def taylor_means(design: Design, values: np.ndarray, domain: np.ndarray) -> Estimates:
    """Domain means Σ w d y / Σ w d of each column of `values` (n × K), `domain` (n × K) bool.

    Values outside the domain are ignored (they may be NaN). Variance:
    v = Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_j (z_hj - z̄_h)², z_hj the PSU totals of
    w d (y - ȳ) / Σ w d; a stratum with a single PSU is centred on the mean of all PSU totals
    (R's `survey.lonely.psu = "adjust"`, svy's `singleton="center"`).
    """
    values = np.asarray(values, dtype=float)
    domain = np.asarray(domain, dtype=bool)
    if values.ndim == 1:
        values, domain = values[:, None], domain[:, None]
    w = design.weights[:, None] * domain
    y = np.where(domain, values, 0.0)
    total = w.sum(axis=0)
    safe_total = np.where(total > 0, total, 1.0)
    estimate = (w * y).sum(axis=0) / safe_total
    z = w * (y - estimate) / safe_total

    n_psu_total = design.n_psu
    psu_totals = design.psu_sums(z)
    psu_stratum = design.psu_stratum()
    n_h = np.bincount(psu_stratum, minlength=design.n_strata).astype(float)
    sums = design.stratum_sums(psu_totals)
    squares = design.stratum_sums(psu_totals**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        fpc = np.where(design.population > 0, 1.0 - n_h / design.population, 1.0)
        fpc = np.clip(fpc, 0.0, 1.0)
        means = sums / np.where(n_h > 0, n_h, 1.0)[:, None]
        within = squares - n_h[:, None] * means**2
        factor = np.where(n_h > 1, n_h / np.maximum(n_h - 1.0, 1.0), 0.0)
        variance = ((fpc * factor)[:, None] * within).sum(axis=0)
    singletons = np.flatnonzero(n_h == 1)
    if singletons.size:
        grand = psu_totals.sum(axis=0) / max(n_psu_total, 1)
        for h in singletons:
            members = psu_stratum == h
            variance += fpc[h] * ((psu_totals[members] - grand) ** 2).sum(axis=0)

    in_domain = w > 0
    n = in_domain.sum(axis=0)
    psu_in = design.psu_sums(in_domain.astype(float)) > 0
    strata_in = design.stratum_sums(psu_in.astype(float)) > 0
    n_psu = psu_in.sum(axis=0)
    df = n_psu - strata_in.sum(axis=0)
    squares_w = (w * w).sum(axis=0)
    n_eff_kish = np.where(squares_w > 0, total**2 / np.where(squares_w > 0, squares_w, 1.0), 0.0)
    estimate = np.where(total > 0, estimate, np.nan)
    variance = np.where(total > 0, np.maximum(variance, 0.0), np.nan)
    return Estimates(
        estimate=estimate,
        variance=variance,
        n=n,
        n_psu=n_psu,
        df=df,
        n_eff_kish=n_eff_kish,
        total_weight=total,
    )


def _t_quantile(probability: float, df: np.ndarray) -> np.ndarray:
    # scipy.special.stdtrit is the ufunc behind stats.t.ppf, without its per-call overhead.
    return np.asarray(special.stdtrit(df.astype(float), probability), dtype=float)


def effective_n(estimates: Estimates, alpha: float = 0.05) -> np.ndarray:
    """Korn & Graubard's (1998) df-adjusted effective sample size for proportions."""
    p = estimates.estimate
    v = estimates.variance
    n = estimates.n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(v > 0, p * (1 - p) / np.where(v > 0, v, 1.0), estimates.n_eff_kish)
        t_n = _t_quantile(1 - alpha / 2, np.maximum(n - 1, 1))
        t_df = _t_quantile(1 - alpha / 2, np.maximum(estimates.df, 1))
        adjust = np.where((n > 1) & (estimates.df > 0), (t_n / t_df) ** 2, 1.0)
    return np.asarray(n_eff * adjust, dtype=float)


def proportion_intervals(
    estimates: Estimates, *, method: CiMethod = "korn-graubard", alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) for each proportion; (p, p) when the design variance is exactly zero with
    0 < p < 1 (a stratum taken whole); NaN for an empty domain."""
    if method not in CI_METHODS:
        raise ValueError(f"unknown interval method {method!r} ({', '.join(CI_METHODS)})")
    p = estimates.estimate
    n_eff = effective_n(estimates, alpha)
    valid = np.isfinite(p) & (n_eff > 0)
    low = np.full(p.shape, np.nan)
    high = np.full(p.shape, np.nan)
    if valid.any():
        nobs = n_eff[valid]
        count = np.clip(p[valid], 0.0, 1.0) * nobs
        lo, hi = proportion_confint(count, nobs, alpha=alpha, method=_STATSMODELS_METHOD[method])
        low[valid] = np.nan_to_num(np.asarray(lo, dtype=float), nan=0.0)
        high[valid] = np.nan_to_num(np.asarray(hi, dtype=float), nan=1.0)
    degenerate = np.isfinite(p) & (estimates.variance == 0) & (p > 0) & (p < 1)
    low = np.where(degenerate, p, low)
    high = np.where(degenerate, p, high)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def mean_intervals(estimates: Estimates, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """t intervals with the design degrees of freedom (df < 1 gives NaN)."""
    df = estimates.df.astype(float)
    with np.errstate(invalid="ignore"):
        t = np.where(df >= 1, _t_quantile(1 - alpha / 2, np.maximum(df, 1)), np.nan)
    half = t * estimates.se
    return estimates.estimate - half, estimates.estimate + half


def two_sample_z(
    estimate_a: float, se_a: float, estimate_b: float, se_b: float
) -> tuple[float, float, float]:
    """Difference b - a of two estimates from independent samples: (diff, se, two-sided p).

    Wald z test on the design-based standard errors (Lohr 2022, §10.2, independent samples).
    """
    diff = estimate_b - estimate_a
    se = math.sqrt(se_a**2 + se_b**2)
    if se == 0:
        return diff, 0.0, (1.0 if diff == 0 else 0.0)
    z = diff / se
    return diff, se, float(2 * stats.norm.sf(abs(z)))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, probability: float) -> float:
    """The smallest value whose weighted cumulative share reaches `probability` (R's
    `svyquantile` qrule "math", svy's q_method "higher"); NaN when outside [0, 1] or empty."""
    if not 0 <= probability <= 1 or values.size == 0 or weights.sum() <= 0:
        return math.nan
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    position = int(np.searchsorted(cumulative, probability - 1e-12, side="left"))
    return float(values[order][min(position, values.size - 1)])


def woodruff_quantiles(
    design: Design,
    values: np.ndarray,
    domain: np.ndarray,
    probabilities: Sequence[float],
    *,
    alpha: float = 0.05,
) -> list[tuple[float, float, float, float]]:
    """Quantiles of a domain with Woodruff (1952) intervals: (estimate, se, low, high) each.

    The variance of the estimated CDF at the quantile, F(q), comes from `taylor_means`; the
    interval inverts the weighted CDF at F(q) ± t_df se, as R's `svyquantile` and svy do; the
    reported se is the half-width divided by t. A limit outside [0, 1] is NaN.
    """
    values = np.asarray(values, dtype=float)
    domain = np.asarray(domain, dtype=bool) & np.isfinite(values)
    inside = values[domain]
    weights = design.weights[domain]
    out = []
    for probability in probabilities:
        estimate = weighted_quantile(inside, weights, probability)
        if math.isnan(estimate):
            out.append((math.nan, math.nan, math.nan, math.nan))
            continue
        below = taylor_means(design, (values <= estimate).astype(float), domain)
        share, se = float(below.estimate[0]), float(below.se[0])
        df = below.df.astype(float)
        t = float(_t_quantile(1 - alpha / 2, np.maximum(df, 1))[0]) if df[0] >= 1 else math.nan
        low = weighted_quantile(inside, weights, share - t * se)
        high = weighted_quantile(inside, weights, share + t * se)
        half = (high - low) / (2 * t) if t and not math.isnan(low + high) else math.nan
        out.append((estimate, half, low, high))
    return out
