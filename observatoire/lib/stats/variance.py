"""Design-based variances and confidence intervals, vectorised over many estimates at once.

The estimator is the one svy (and R's `survey`) computes with `Design(stratum=cell, psu=...,
wgt=w, pop_size=N)`: Taylor linearisation of a ratio (domain) mean in a stratified one-stage
design without replacement, with the finite population correction (Wolter 2007, ch. 6;
Lumley 2010, §2.2). svy evaluates it one column and one domain per call (~10-20 ms each); an
edition of 5,000 respondents × 100 questions × domains needs thousands, so the same formula is
applied here to whole matrices at once. The tests check it against svy on every question type
(`test_stats_estimates.py`) and on raked and calibrated samples (`test_stats_variance.py`).

The raking is credited (Deville & Särndal 1992; Lumley 2010, §7.2-7.4, as R's
`calibrate`): each PSU's linearised value is replaced by its residual from the weighted
least-squares regression on the calibration variables (the indicators of the weighting cells
and of the raked margin levels), with the weights before calibration as regression weights,
and those residuals go through the same stratified formula. The regression is solved once per
design (`Design.calibration`) and applied to every column at once; a small-sample factor gives
back the degrees of freedom the raked margins spend (`Design._small_sample`).

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
from typing import Any, Literal

import numpy as np
from scipy import sparse, special, stats
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

CiMethod = Literal["korn-graubard", "wilson"]
CI_METHODS: tuple[CiMethod, ...] = ("korn-graubard", "wilson")
_STATSMODELS_METHOD = {"korn-graubard": "beta", "wilson": "wilson"}


@dataclass(frozen=True)
class Calibration:
    """What the weights were calibrated on, at the PSU level, for the variance.

    `indicators` (PSUs × q, sparse 0/1): one column per level of each calibration margin (the
    weighting cells, then each raked margin); `weights`: the regression weights of the PSUs,
    their weights before calibration (the cell weights N_c / n_c).
    """

    indicators: sparse.csr_matrix
    weights: np.ndarray


@dataclass(frozen=True)
class Design:
    """Weights and design of the analysed units, aligned on one index.

    `stratum` and `psu` are integer codes 0..H-1 and 0..P-1 (a PSU lies in one stratum);
    `population` is N_h, the number of PSUs of stratum h in the population (the finite
    population correction uses n_h / N_h). With a `calibration`, the PSU totals of the
    linearised values are replaced by their calibration residuals (`residuals`).
    """

    weights: np.ndarray
    stratum: np.ndarray
    psu: np.ndarray
    population: np.ndarray
    calibration: Calibration | None = None

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
        n_h = np.bincount(psu_stratum, minlength=self.n_strata).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            fpc = np.where(self.population > 0, 1.0 - n_h / self.population, 1.0)
        object.__setattr__(self, "_psu_stratum", psu_stratum)
        object.__setattr__(self, "_to_psu", to_psu)
        object.__setattr__(self, "_to_stratum", to_stratum)
        object.__setattr__(self, "_n_h", n_h)
        object.__setattr__(self, "_fpc", np.clip(fpc, 0.0, 1.0))
        maps = self._residual_maps(n_psu)
        object.__setattr__(self, "_maps", maps)
        object.__setattr__(self, "_factor", 1.0 if maps is None else self._small_sample(maps[1]))

    def _residual_maps(self, n_psu: int) -> tuple[sparse.csr_matrix, np.ndarray, Any] | None:
        """(A, M, C) such that the calibration residuals of PSU totals t are t - C M A t.

        With U = t / w the PSU's linearised value (t = w U, w the PSU's final weight), the
        residual is e = U - X B, B = (X' D X)⁻ X' D U (D the regression weights), and the
        residual total w e = t - diag(w) X (X' D X)⁻ X' diag(D / w) t. The generalised inverse
        copes with the collinear indicators (cells and région both sum to one); the projection
        itself is unique.
        """
        calibration = self.calibration
        if calibration is None or n_psu == 0:
            return None
        x = sparse.csr_matrix(calibration.indicators, dtype=float)
        d = np.asarray(calibration.weights, dtype=float)
        if x.shape[0] != n_psu or d.shape != (n_psu,):
            raise ValueError("calibration: one row and one regression weight per PSU")
        weight = self.psu_sums(self.weights[:, None])[:, 0] / np.bincount(self.psu, minlength=n_psu)
        safe = np.where(weight > 0, weight, 1.0)
        gram = np.asarray((x.T @ x.multiply(d[:, None])).todense())
        m = np.linalg.pinv(gram, hermitian=True)
        a = sparse.csr_matrix(x.T.multiply((d / safe)[None, :]))
        c = sparse.csr_matrix(x.multiply(weight[:, None]))
        return a, m, c

    def _small_sample(self, inverse_gram: np.ndarray) -> float:
        """(P - H) / (P - H - e): the residual degrees-of-freedom correction for the e = rank(X) - H
        calibration parameters the strata do not already account for.

        The residuals of a regression on q parameters are smaller than the errors they
        estimate, by about (n - q) / n in sum of squares: the linearisation variance of a
        calibration estimator is biased downwards in small samples (Valliant 2002; Särndal,
        Swensson & Wretman 1992, ch. 6). The stratified formula already divides by n_h - 1 for
        the cell means; the raked margins (régions) spend e more degrees of freedom, which this
        factor gives back, as the usual s² = RSS / (n - q). It tends to 1 as the sample grows
        (1.003 for 5,000 respondents and 15 régions) but matters for 80 respondents and 7
        pooled régions (1.10). svy and R's `survey` do not apply it.
        """
        rank = int(np.linalg.matrix_rank(inverse_gram, hermitian=True))
        free = self.n_psu - self.n_strata
        extra = max(rank - self.n_strata, 0)
        return free / (free - extra) if free - extra > 0 else 1.0

    @property
    def calibration_factor(self) -> float:
        """The small-sample factor applied to calibrated variances (1 without calibration)."""
        return float(self._factor)  # type: ignore[attr-defined]

    @property
    def unit_is_psu(self) -> bool:
        return self._to_psu is None  # type: ignore[attr-defined]

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

    def residuals(self, totals: np.ndarray) -> np.ndarray:
        """PSU totals of linearised values (PSUs × K) → their calibration residuals."""
        maps = self._maps  # type: ignore[attr-defined]
        if maps is None:
            return totals
        a, m, c = maps
        return np.asarray(totals - c @ (m @ (a @ totals)))

    def covariance(self, totals: np.ndarray) -> np.ndarray:
        """Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_j (z_hj - z̄_h)(z_hj - z̄_h)' of PSU totals (P × K),
        singleton strata centred on the mean of all PSU totals (svy's `singleton="center"`)."""
        n_h, fpc = self._n_h, self._fpc  # type: ignore[attr-defined]
        psu_stratum = self.psu_stratum()
        means = self.stratum_sums(totals) / np.where(n_h > 0, n_h, 1.0)[:, None]
        factor = np.where(n_h > 1, n_h / np.maximum(n_h - 1.0, 1.0), 0.0)
        centred = totals - means[psu_stratum]
        singleton = n_h[psu_stratum] == 1
        if singleton.any():
            grand = totals.sum(axis=0) / max(self.n_psu, 1)
            centred[singleton] = totals[singleton] - grand
            factor = np.where(n_h == 1, 1.0, factor)
        scale = np.sqrt((fpc * factor)[psu_stratum])
        scaled = centred * scale[:, None]
        return np.asarray(scaled.T @ scaled) * self.calibration_factor


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
    # PSU totals of the (calibrated) linearised values, PSUs × K, when asked for: covariances
    # between the columns come from them (`Design.covariance`).
    scores: np.ndarray | None = None

    @property
    def se(self) -> np.ndarray:
        return np.asarray(np.sqrt(np.maximum(self.variance, 0.0)), dtype=float)


def _linearised(
    design: Design, values: np.ndarray, domain: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(w d, domain means, Σ w d, PSU totals of the calibration residuals of the linearised
    values w d (y - ȳ) / Σ w d), for each column."""
    values = np.asarray(values, dtype=float)
    domain = np.asarray(domain, dtype=bool)
    if values.ndim == 1:
        values, domain = values[:, None], domain[:, None]
    w = design.weights[:, None] * domain
    centred = np.where(domain, values, 0.0)
    total = w.sum(axis=0)
    safe_total = np.where(total > 0, total, 1.0)
    estimate = np.einsum("ij,ij->j", w, centred) / safe_total
    centred -= estimate
    centred *= w / safe_total
    return w, estimate, total, design.residuals(design.psu_sums(centred))


def taylor_means(
    design: Design, values: np.ndarray, domain: np.ndarray, *, scores: bool = False
) -> Estimates:
    """Domain means Σ w d y / Σ w d of each column of `values` (n × K), `domain` (n × K) bool.

    Values outside the domain are ignored (they may be NaN). Variance:
    v = Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_j (z_hj - z̄_h)², z_hj the PSU totals of
    w d (y - ȳ) / Σ w d (their calibration residuals when the design has a calibration); a
    stratum with a single PSU is centred on the mean of all PSU totals (R's
    `survey.lonely.psu = "adjust"`, svy's `singleton="center"`).
    """
    w, estimate, total, psu_totals = _linearised(design, values, domain)
    psu_stratum = design.psu_stratum()
    n_h, fpc = design._n_h, design._fpc  # type: ignore[attr-defined]
    sums = design.stratum_sums(psu_totals)
    squares = design.stratum_sums(np.square(psu_totals))
    means = sums / np.where(n_h > 0, n_h, 1.0)[:, None]
    within = squares - n_h[:, None] * means**2
    factor = np.where(n_h > 1, n_h / np.maximum(n_h - 1.0, 1.0), 0.0)
    variance = (fpc * factor) @ within
    singletons = np.flatnonzero(n_h == 1)
    if singletons.size:
        grand = psu_totals.sum(axis=0) / max(design.n_psu, 1)
        for h in singletons:
            members = psu_stratum == h
            variance += fpc[h] * ((psu_totals[members] - grand) ** 2).sum(axis=0)

    n = np.count_nonzero(w, axis=0)
    psu_in = w if design.unit_is_psu else design.psu_sums(w)
    n_psu = np.count_nonzero(psu_in, axis=0)
    df = n_psu - np.count_nonzero(design.stratum_sums(psu_in), axis=0)
    squares_w = np.einsum("ij,ij->j", w, w)
    n_eff_kish = np.where(squares_w > 0, total**2 / np.where(squares_w > 0, squares_w, 1.0), 0.0)
    estimate = np.where(total > 0, estimate, np.nan)
    variance = np.where(total > 0, np.maximum(variance, 0.0) * design.calibration_factor, np.nan)
    return Estimates(
        estimate=estimate,
        variance=variance,
        n=n,
        n_psu=n_psu,
        df=df,
        n_eff_kish=n_eff_kish,
        total_weight=total,
        scores=psu_totals if scores else None,
    )


def taylor_covariance(design: Design, values: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """Covariance matrix (K × K) of the domain means of the columns of `values`: the same
    estimator as `taylor_means` (whose variances are its diagonal), for Wald tests on several
    estimates at once (Lohr 2022, §10.3)."""
    _, _, total, psu_totals = _linearised(design, values, domain)
    covariance = design.covariance(psu_totals)
    empty = total <= 0
    covariance[empty, :] = np.nan
    covariance[:, empty] = np.nan
    return covariance


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
    if se == 0:  # no variance, no test: the callers say so rather than print this p
        return diff, 0.0, math.nan
    z = diff / se
    return diff, se, float(2 * stats.norm.sf(abs(z)))


ZERO_SHARE_VARIANCE = 1e-14


@dataclass(frozen=True)
class WaldTest:
    """Design-based Wald test that two independent vectors of shares are equal."""

    chi2: float  # Wald statistic X² = d' V⁻ d
    rank: int  # r, the rank of V on the k - 1 free shares
    df_design: float  # ν, the design degrees of freedom of the two samples
    statistic: float  # F = (ν - r + 1) X² / (ν r)
    df_num: float
    df_den: float
    p_value: float


def wald_shares_test(
    shares_a: np.ndarray,
    covariance_a: np.ndarray,
    df_a: float,
    shares_b: np.ndarray,
    covariance_b: np.ndarray,
    df_b: float,
) -> WaldTest | None:
    """Are two distributions (k shares adding up to one, from independent samples) equal?

    The difference d of the shares without the last one (they add up to one, so the full
    covariance matrix is singular) has covariance V = V_a + V_b; X² = d' V⁻ d with the
    Moore-Penrose inverse, r = rank(V). With ν = df_a + df_b design degrees of freedom (PSUs
    minus strata of both samples), the adjusted Wald statistic F = (ν - r + 1) X² / (ν r) is
    referred to F(r, ν - r + 1) (Korn & Graubard 1990; Lohr 2022, §10.3; Stata's default
    adjusted Wald test), which keeps its level when ν is small, unlike X² against χ²_r.
    None when V is zero or ν too small for r.
    """
    difference = (np.asarray(shares_b, dtype=float) - np.asarray(shares_a, dtype=float))[:-1]
    covariance = (np.asarray(covariance_a, dtype=float) + np.asarray(covariance_b, dtype=float))[
        :-1, :-1
    ]
    if difference.size == 0 or not np.isfinite(covariance).all():
        return None
    scale = float(np.abs(covariance).max())
    # A covariance of rounding residues (shares fixed by the weighting: variances ~1e-30)
    # would pass a relative rank test and give F ~ 1e15: below a standard error of 1e-7 on
    # a share (0.00001 point) the variance is zero.
    scale = scale if scale > ZERO_SHARE_VARIANCE else 0.0
    rank = int(np.linalg.matrix_rank(covariance, tol=scale * 1e-10)) if scale > 0 else 0
    df_design = float(df_a + df_b)
    df_den = df_design - rank + 1
    if rank == 0 or df_den < 1:
        return None
    inverse = np.linalg.pinv(covariance, rtol=1e-10, hermitian=True)
    chi2 = float(difference @ inverse @ difference)
    statistic = df_den * chi2 / (df_design * rank)
    return WaldTest(
        chi2=chi2,
        rank=rank,
        df_design=df_design,
        statistic=statistic,
        df_num=float(rank),
        df_den=df_den,
        p_value=float(stats.f.sf(statistic, rank, df_den)),
    )


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
    reported se is the half-width divided by t. A limit outside [0, 1] is NaN. The domain is
    sorted once and every probability estimated in one pass.
    """
    values = np.asarray(values, dtype=float)
    domain = np.asarray(domain, dtype=bool) & np.isfinite(values)
    inside = values[domain]
    weights = design.weights[domain]
    nothing = (math.nan, math.nan, math.nan, math.nan)
    if inside.size == 0 or weights.sum() <= 0:
        return [nothing for _ in probabilities]
    order = np.argsort(inside, kind="stable")
    ordered = inside[order]
    cumulative = np.cumsum(weights[order]) / weights.sum()

    def at(probability: float) -> float:
        # As `weighted_quantile`, on the sorted domain.
        if not 0 <= probability <= 1:
            return math.nan
        position = int(np.searchsorted(cumulative, probability - 1e-12, side="left"))
        return float(ordered[min(position, ordered.size - 1)])

    estimates = [at(p) for p in probabilities]
    below = taylor_means(
        design,
        np.column_stack([values <= estimate for estimate in estimates]).astype(float),
        np.repeat(domain[:, None], len(estimates), axis=1),
    )
    df = below.df.astype(float)
    t = np.where(df >= 1, _t_quantile(1 - alpha / 2, np.maximum(df, 1)), np.nan)
    out = []
    for k, estimate in enumerate(estimates):
        share, se, t_k = float(below.estimate[k]), float(below.se[k]), float(t[k])
        low, high = at(share - t_k * se), at(share + t_k * se)
        half = (high - low) / (2 * t_k) if t_k and not math.isnan(low + high) else math.nan
        out.append((estimate, half, low, high))
    return out
