"""Estimates per question type, with intervals, suppression and cross-tabulations.

Inputs are plain data: the answers (a pandas DataFrame indexed by unit id, one column per answer
column, see `questions.py`), a `WeightingResult` and a `QuestionSpec` (or its dict). Outputs are
`QuestionEstimate` dataclasses whose `to_dict()` is JSON-ready for caching.

Every row carries the unweighted counts (`n`, `base_n`), the weighted estimate, its standard
error and interval, Kish's effective n of its base, and `suppressed` when its base has fewer
than `threshold` respondents (the figures are then removed, not only hidden).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import svy
from scipy import sparse

from .checks import constant_within, fixed_by_margins, interval_problem, problem_of_test
from .questions import QuestionSpec, as_spec, specs_by_name
from .variance import (
    Calibration,
    CiMethod,
    Design,
    Estimates,
    mean_intervals,
    proportion_intervals,
    taylor_means,
    woodruff_quantiles,
)
from .weighting import WeightingResult, band_sort_key

DEFAULT_THRESHOLD = 10
SUPPRESSED_LABEL = "effectif insuffisant"
QUARTILES = (("q1", 0.25, "1er quartile"), ("median", 0.5, "Médiane"), ("q3", 0.75, "3e quartile"))
OVERALL = ""


@dataclass
class EstimateRow:
    """One published figure: a share of an option, a mean score, a quantile..."""

    key: str
    label: str
    statistic: str  # "proportion", "mean" or "quantile"
    base_n: int
    base_respondents: int
    n: int | None = None
    estimate: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n_eff: float | None = None
    item: str | None = None
    item_label: str | None = None
    group: str | None = None
    group_label: str | None = None
    apart: bool = False
    suppressed: bool = False
    # The share is the frame's by construction (a weighting margin): no interval, no test.
    fixed: bool = False
    # Why the interval is not printed (checks.interval_problem: "zero_variance", "no_df"...);
    # "" when it is. `ci_low` and `ci_high` are then None.
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        # Every field is a scalar: a shallow copy, not dataclasses.asdict's recursive one
        # (thousands of rows per edition).
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EstimateRow:
        return cls(**dict(data))


@dataclass
class QuestionEstimate:
    question: str
    kind: str
    label: str
    rows: list[EstimateRow]
    weighted: bool
    ci_method: str
    confidence: float
    threshold: int
    unit: str = "respondent"
    by: str | None = None
    by_label: str | None = None
    groups: list[tuple[str, str]] = field(default_factory=list)
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    test: dict[str, Any] | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    # Single, bracket and Likert questions: the covariance matrix of the overall shares, per
    # item ("" without items): {"keys": [...], "matrix": [[...]], "df": design df}, for the
    # test of change of a whole distribution (trends.py). Left out when suppressed; None in
    # caches made before it existed.
    covariance: dict[str, dict[str, Any]] | None = None

    @property
    def suppressed(self) -> bool:
        """True when every row is suppressed (nothing can be published)."""
        return all(row.suppressed for row in self.rows)

    def rows_for(self, *, group: str | None = None, item: str | None = None) -> list[EstimateRow]:
        return [r for r in self.rows if r.group == group and (item is None or r.item == item)]

    def row(self, key: str, *, group: str | None = None, item: str | None = None) -> EstimateRow:
        for row in self.rows:
            if row.key == key and row.group == group and row.item == item:
                return row
        raise KeyError((key, group, item))

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "kind": self.kind,
            "label": self.label,
            "rows": [row.to_dict() for row in self.rows],
            "weighted": self.weighted,
            "ci_method": self.ci_method,
            "confidence": self.confidence,
            "threshold": self.threshold,
            "unit": self.unit,
            "by": self.by,
            "by_label": self.by_label,
            "groups": [list(g) for g in self.groups],
            "summary": self.summary,
            "notes": list(self.notes),
            "test": self.test,
            "spec": self.spec,
            "covariance": self.covariance,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionEstimate:
        return cls(
            question=data["question"],
            kind=data["kind"],
            label=data["label"],
            rows=[EstimateRow.from_dict(r) for r in data["rows"]],
            weighted=data["weighted"],
            ci_method=data["ci_method"],
            confidence=data["confidence"],
            threshold=data["threshold"],
            unit=data.get("unit", "respondent"),
            by=data.get("by"),
            by_label=data.get("by_label"),
            groups=[(str(g[0]), str(g[1])) for g in data.get("groups") or []],
            summary=dict(data.get("summary") or {}),
            notes=list(data.get("notes") or []),
            test=data.get("test"),
            spec=dict(data.get("spec") or {}),
            covariance=data.get("covariance"),
        )


# --- Reading answer columns ---------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def choice_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """A select_one column as integer codes into its answers as strings (-1 where unanswered):
    one hash pass (pandas' factorize) instead of a string comparison per option."""
    raw, uniques = pd.factorize(column)  # arrow strings are encoded by arrow, NA → -1
    return _as_texts(raw, uniques)


def _as_texts(raw: np.ndarray, uniques: Any) -> tuple[np.ndarray, list[str]]:
    """Factorized codes over answers written as text: 1 and "1" are the same answer, and ""
    is no answer (-1)."""
    texts = [str(value) for value in uniques]
    merged, labels = pd.factorize(np.array([*texts, ""], dtype=object))
    empty = merged[-1]
    remap = np.append(np.where(merged == empty, -1, merged - (merged > empty))[:-1], -1)
    return remap[raw].astype(np.int64), [str(label) for label in labels if label != ""]


def choice_values(column: pd.Series) -> pd.Series:
    """A select_one column as strings, None where unanswered."""
    codes, labels = choice_codes(column)
    values = np.array([*labels, None], dtype=object)[codes]
    return pd.Series(values, index=column.index, dtype=object)


def _parse_set(value: Any) -> frozenset[str] | None:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return frozenset(str(v) for v in value)
    return None


def choice_sets(column: pd.Series) -> pd.Series:
    """A select_multiple column as frozensets, None where not answered."""
    return column.map(_parse_set)


def ticked_matrix(column: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A select_multiple column as (answered mask, rows × choices 0/1 matrix, choice names),
    choices in order of first appearance: one flat pass over the ticks, no set per answer."""
    values = column.to_numpy(dtype=object)
    collections = (list, tuple, set, frozenset, np.ndarray)
    lists: list[Any] = [
        value.split()
        if isinstance(value, str)
        else (value if isinstance(value, collections) else None)
        for value in values
    ]
    answered = np.array([v is not None for v in lists], dtype=bool)
    lengths = np.array([0 if v is None else len(v) for v in lists], dtype=np.int64)
    flat = [choice for v in lists if v is not None for choice in v]
    codes, names = _as_texts(*pd.factorize(np.array(flat, dtype=object)))
    matrix = np.zeros((len(values), len(names)))
    rows = np.repeat(np.arange(len(values)), lengths)
    ticked = codes >= 0  # an empty choice name ticks nothing
    matrix[rows[ticked], codes[ticked]] = 1.0
    return answered, matrix, names


def number_values(column: pd.Series) -> np.ndarray:
    """Numbers, French style accepted ("1,5", "12 000"); NaN where empty or not a number."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype=float, na_value=np.nan)
    # Vectorised string methods: a Python call per answer costs more than the whole estimate.
    text = (
        column.astype("string")
        .str.replace(r"[\s\u202f\u00a0]", "", regex=True)
        .str.replace(",", ".", regex=False)
    )
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


# --- The analysis context -----------------------------------------------------------------------


@dataclass
class _Column:
    key: str
    label: str
    values: np.ndarray
    base: np.ndarray
    statistic: str = "proportion"
    item: str | None = None
    item_label: str | None = None
    apart: bool = False


class Analysis:
    """Answers aligned on the weights, the design built once, estimates on demand.

    `estimate_question`, `crosstab` and `analyse_edition` are thin wrappers around it; the app
    may keep one for a page that shows many questions of the same edition.
    """

    def __init__(
        self,
        answers: pd.DataFrame,
        weighting: WeightingResult,
        *,
        weighted: bool = True,
        threshold: int = DEFAULT_THRESHOLD,
        ci_method: CiMethod = "korn-graubard",
        alpha: float = 0.05,
        shown: pd.DataFrame | None = None,
        questions: Sequence[QuestionSpec | Mapping[str, Any]] = (),
        group_labels: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        ids = weighting.weights.index
        extra = answers.index.difference(ids)
        if len(extra):
            raise ValueError(
                f"answers: unit {extra[0]!r} has no weight ({len(extra)} unit(s) in this case)"
            )
        self.answers = answers.reindex(ids)
        self.shown = shown.reindex(ids) if shown is not None else None
        self.weighting = weighting
        self.weighted = weighted
        self.threshold = threshold
        self.ci_method = ci_method
        self.alpha = alpha
        self.questions = specs_by_name(questions)
        # {"kind": {"commune": "Communes", ...}}: labels of stratum levels for the tables.
        self.group_labels = {k: dict(v) for k, v in (group_labels or {}).items()}
        self.design = self._design()
        self._svy_frame: pl.DataFrame | None = None
        self._columns: dict[tuple[str, str], tuple[list[_Column], list[str]]] = {}
        self._groups: dict[str | None, list[tuple[str | None, str | None, np.ndarray]]] = {}

    def _design(self) -> Design:
        weighting = self.weighting
        n = len(weighting.weights)
        if weighting.psu is not None:
            psu_codes, _ = pd.factorize(weighting.psu)
        else:
            psu_codes = np.arange(n)
        psu = np.asarray(psu_codes, dtype=np.int64)
        if self.weighted:
            stratum_codes, labels = pd.factorize(weighting.cell)
            population = np.array(
                [weighting.cell_population[str(label)] for label in labels], dtype=float
            )
            weights = weighting.weights.to_numpy(dtype=float)
            calibration = self._calibration(psu)
        else:
            # Unweighted: a simple random sample of the respondents out of the covered frame.
            stratum_codes = np.zeros(n, dtype=np.int64)
            population = np.array([float(weighting.population_size)])
            n_psu = int(psu.max()) + 1 if n else 0
            weights = np.full(n, weighting.population_size / max(n_psu, 1))
            calibration = None
        return Design(
            weights=weights,
            stratum=np.asarray(stratum_codes, dtype=np.int64),
            psu=psu,
            population=population,
            calibration=calibration,
        )

    def _calibration(self, psu: np.ndarray) -> Calibration | None:
        """The raking's margins as PSU-level indicators, with the cell weights as regression
        weights (a PSU's units share its territory's levels and weights)."""
        levels = self.weighting.calibration
        if levels is None or levels.empty:
            return None
        n_psu = int(psu.max()) + 1
        first = np.zeros(n_psu, dtype=np.int64)
        first[psu[::-1]] = np.arange(len(psu))[::-1]  # the first unit of each PSU
        blocks = []
        for column in levels.columns:
            codes, labels = pd.factorize(levels[column].to_numpy()[first])
            blocks.append(
                sparse.csr_matrix(
                    (np.ones(n_psu), (np.arange(n_psu), codes)), shape=(n_psu, len(labels))
                )
            )
        weights = self.weighting.cell_weights().to_numpy(dtype=float)[first]
        return Calibration(indicators=sparse.hstack(blocks, format="csr"), weights=weights)

    # --- groups (domains) ---

    def groups(self, by: str | None) -> list[tuple[str | None, str | None, np.ndarray]]:
        """[(level, label, mask)]: the whole population (level None), then each level of `by`."""
        if by not in self._groups:
            self._groups[by] = self._make_groups(by)
        return self._groups[by]

    def _make_groups(self, by: str | None) -> list[tuple[str | None, str | None, np.ndarray]]:
        everyone = np.ones(len(self.design.weights), dtype=bool)
        if by is None:
            return [(None, None, everyone)]
        if by in self.weighting.strata.columns:
            values = choice_values(self.weighting.strata[by])
            levels = sorted(
                {v for v in values if v is not None}, key=band_sort_key if by == "band" else str
            )
            names = self.group_labels.get(by, {})
            labels = {level: names.get(level, level) for level in levels}
        elif by in self.answers.columns:
            values = choice_values(self.answers[by])
            spec = self.questions.get(by)
            present = {v for v in values if v is not None}
            if spec is not None:
                levels = [k for k in spec.option_keys if k in present]
                levels += sorted(present - set(levels))
                labels = {level: spec.label_of(level) for level in levels}
            else:
                levels = sorted(present)
                labels = {level: level for level in levels}
        else:
            raise ValueError(f"cross-tabulation: unknown column {by!r}")
        array = values.to_numpy(dtype=object)
        return [
            (None, None, everyone),
            *((level, labels[level], array == level) for level in levels),
        ]

    # --- columns per question type ---

    def _answer_column(self, name: str) -> pd.Series:
        if name not in self.answers.columns:
            return pd.Series([None] * len(self.answers), index=self.answers.index, dtype=object)
        return self.answers[name]

    def _shown(self, name: str) -> np.ndarray | None:
        if self.shown is None or name not in self.shown.columns:
            return None
        return self.shown[name].fillna(False).to_numpy(dtype=bool)

    def _single_columns(
        self,
        spec: QuestionSpec,
        name: str,
        item: str | None,
        item_label: str | None,
        notes: list[str],
    ) -> list[_Column]:
        codes, labels = choice_codes(self._answer_column(name))
        answered = codes >= 0
        shown = self._shown(name)
        if shown is not None:
            answered &= shown
        keys = list(spec.option_keys)
        present = {labels[c] for c in np.unique(codes[answered])}
        unexpected = sorted(present - set(keys))
        if unexpected:
            notes.append(
                f"Réponse(s) hors de la liste, comptée(s) à part : {', '.join(unexpected)}."
            )
            keys += unexpected
        code_of = {label: i for i, label in enumerate(labels)}
        # Code -1 (unanswered) reads the last entry of the lookup tables below: always False.
        codes = np.where(answered, codes, -1)

        def among(chosen: Sequence[str]) -> np.ndarray:
            table = np.zeros(len(labels) + 1, dtype=bool)
            table[[code_of[key] for key in chosen if key in code_of]] = True
            return np.asarray(table[codes], dtype=bool)

        apart = set(spec.apart)
        columns = []
        if spec.kind == "bracket":
            valid = answered & ~among(list(apart))
            for key in keys:
                is_apart = key in apart
                columns.append(
                    _Column(
                        key=key,
                        label=spec.label_of(key),
                        values=among([key]).astype(float),
                        base=answered if is_apart else valid,
                        item=item,
                        item_label=item_label,
                        apart=is_apart,
                    )
                )
            ordered = [o for o in spec.options if o.key not in apart]
            for position, option in enumerate(ordered):
                below = among([o.key for o in ordered[: position + 1]])
                columns.append(
                    _Column(
                        key=option.key,
                        label=option.label or option.key,
                        values=below.astype(float),
                        base=valid,
                        statistic="cumulative",
                        item=item,
                        item_label=item_label,
                    )
                )
            return columns
        for key in keys:
            columns.append(
                _Column(
                    key=key,
                    label=spec.label_of(key),
                    values=among([key]).astype(float),
                    base=answered,
                    item=item,
                    item_label=item_label,
                    apart=key in apart,
                )
            )
        return columns

    def _multiple_columns(self, spec: QuestionSpec, notes: list[str]) -> list[_Column]:
        answered, ticked, names = ticked_matrix(self._answer_column(spec.name))
        shown = self._shown(spec.name)
        # Shown but left empty: nothing ticked, still in the base.
        base = shown if shown is not None else answered
        keys = list(spec.option_keys)
        unexpected = sorted(set(names) - set(keys))
        if unexpected:
            notes.append(
                f"Réponse(s) hors de la liste, comptée(s) à part : {', '.join(unexpected)}."
            )
            keys += unexpected
        position = {name: j for j, name in enumerate(names)}
        nothing = np.zeros(len(base))
        return [
            _Column(
                key=key,
                label=spec.label_of(key),
                values=ticked[:, position[key]] if key in position else nothing,
                base=base,
                apart=key in spec.apart,
            )
            for key in keys
        ]

    def _numeric_columns(self, spec: QuestionSpec) -> list[_Column]:
        names = (
            [(item.key, item.label or item.key) for item in spec.items]
            if spec.items
            else [(spec.name, None)]
        )
        columns = []
        for name, label in names:
            values = number_values(self._answer_column(name))
            base = np.isfinite(values)
            shown = self._shown(name)
            if shown is not None:
                base &= shown
            item = name if spec.kind == "score" else None
            columns.append(
                _Column(
                    key="mean",
                    label="Moyenne",
                    values=values,
                    base=base,
                    statistic="mean",
                    item=item,
                    item_label=label if spec.kind == "score" else None,
                )
            )
        return columns

    def columns(self, spec: QuestionSpec, notes: list[str]) -> list[_Column]:
        """The 0/1 or numeric columns estimated for a question, computed once per question."""
        key = (spec.name, repr(spec.to_dict()))
        if key not in self._columns:
            found: list[str] = []
            self._columns[key] = (self._make_columns(spec, found), found)
        columns, found_notes = self._columns[key]
        notes += found_notes
        return columns

    def _make_columns(self, spec: QuestionSpec, notes: list[str]) -> list[_Column]:
        if spec.kind in ("single", "bracket"):
            return self._single_columns(spec, spec.name, None, None, notes)
        if spec.kind == "likert":
            return [
                column
                for item in spec.items
                for column in self._single_columns(
                    spec, item.key, item.key, item.label or item.key, notes
                )
            ]
        if spec.kind == "multiple":
            return self._multiple_columns(spec, notes)
        return self._numeric_columns(spec)

    # --- estimation ---

    def estimate(
        self,
        question: QuestionSpec | Mapping[str, Any],
        *,
        by: str | None = None,
        test: bool = False,
        where: np.ndarray | None = None,
    ) -> QuestionEstimate:
        """Estimate a question overall, and within each level of `by` if given. `where` (a
        boolean array aligned on the units) restricts every estimate to a subpopulation while
        keeping the whole design for the variance (domain estimation)."""
        spec = as_spec(question)
        notes: list[str] = []
        columns = self.columns(spec, notes)
        groups = self.groups(by)
        if where is not None:
            keep = np.asarray(where, dtype=bool)
            groups = [(g, gl, mask & keep) for g, gl, mask in groups]
            columns = [replace(column, base=column.base & keep) for column in columns]
        values = (
            np.column_stack([c.values for c in columns])
            if columns
            else np.zeros((len(self.design.weights), 0))
        )
        base = (
            np.column_stack([c.base for c in columns])
            if columns
            else np.zeros_like(values, dtype=bool)
        )
        rows: list[EstimateRow] = []
        summary: dict[str, dict[str, Any]] = {}
        quantiles = self._quantiles(columns[0], groups) if spec.kind == "number" else {}
        # One pass for all groups: the columns repeated once per group, side by side.
        k_count = len(columns)
        all_values = np.tile(values, (1, len(groups)))
        all_domains = np.hstack([base & mask[:, None] for _, _, mask in groups])
        wants_covariance = spec.kind in ("single", "bracket", "likert")
        everything = taylor_means(self.design, all_values, all_domains, scores=wants_covariance)
        is_prop = np.tile(
            np.array([c.statistic in ("proportion", "cumulative") for c in columns]), len(groups)
        )
        all_low = np.full(is_prop.shape, np.nan)
        all_high = np.full(is_prop.shape, np.nan)
        if is_prop.any():
            p_low, p_high = proportion_intervals(
                everything, method=self.ci_method, alpha=self.alpha
            )
            all_low = np.where(is_prop, p_low, all_low)
            all_high = np.where(is_prop, p_high, all_high)
        if (~is_prop).any():
            m_low, m_high = mean_intervals(everything, alpha=self.alpha)
            all_low = np.where(is_prop, all_low, m_low)
            all_high = np.where(is_prop, all_high, m_high)
        all_chosen = ((all_values == 1.0) & all_domains).sum(axis=0)
        levels = self._calibration_levels()
        fixed, fixed_margin = fixed_by_margins(levels, values, base)
        if fixed.any():
            notes.append(
                "Répartition fixée par la pondération : les parts marquées sont celles de la "
                "base de sondage, sans intervalle ni test."
            )
        for g, (group, group_label, mask) in enumerate(groups):
            part = slice(g * k_count, (g + 1) * k_count)
            result = _slice(everything, part)
            low, high, chosen = all_low[part], all_high[part], all_chosen[part]
            respondents = result.n_psu
            group_rows: list[EstimateRow] = []
            cumulative: list[tuple[_Column, float, float, float]] = []
            for k, column in enumerate(columns):
                suppressed = bool(respondents[k] < self.threshold)
                if column.statistic == "cumulative":
                    if not suppressed:
                        cumulative.append(
                            (column, float(result.estimate[k]), float(low[k]), float(high[k]))
                        )
                    continue
                row = EstimateRow(
                    key=column.key,
                    label=column.label,
                    statistic=column.statistic,
                    base_n=int(result.n[k]),
                    base_respondents=int(respondents[k]),
                    item=column.item,
                    item_label=column.item_label,
                    group=group,
                    group_label=group_label,
                    apart=column.apart,
                    suppressed=suppressed,
                )
                if not suppressed:
                    row.n = int(chosen[k]) if column.statistic == "proportion" else int(result.n[k])
                    row.estimate = _float(result.estimate[k])
                    row.se = _float(result.se[k])
                    row.ci_low = _float(low[k])
                    row.ci_high = _float(high[k])
                    row.n_eff = _float(result.n_eff_kish[k])
                    if fixed[k] and (
                        group is None or constant_within(levels, fixed_margin[k], mask)
                    ):
                        row.fixed, row.problem = True, "fixed"
                        row.se, row.ci_low, row.ci_high = 0.0, None, None
                    else:
                        _check_interval(row, float(result.variance[k]), float(result.df[k]))
                group_rows.append(row)
            if fixed.any():
                _complete_fixed(group_rows)
            if spec.kind == "number":
                group_rows += self._quantile_rows(
                    quantiles.get(group, {}), group, group_label, group_rows[0]
                )
            rows += group_rows
            if spec.kind == "bracket":
                summary[group or OVERALL] = _bracket_summary(spec, group_rows, cumulative)
        estimate = QuestionEstimate(
            question=spec.name,
            kind=spec.kind,
            label=spec.label,
            rows=rows,
            weighted=self.weighted,
            ci_method=self.ci_method,
            confidence=1 - self.alpha,
            threshold=self.threshold,
            unit=self.weighting.unit,
            by=by,
            by_label=self._by_label(by),
            groups=[(g, gl or "") for g, gl, _ in groups if g is not None],
            summary=summary,
            notes=_dedupe(notes),
            spec=spec.to_dict(),
        )
        if test and by is not None and spec.kind in ("single", "bracket"):
            # The answer and the groups both follow the same weighting margin (the type
            # crossed by type): the table is known from the frame, there is nothing to test.
            # Crossed with anything else (another question, the région), it is tested.
            margin = next((m for m, f in zip(fixed_margin, fixed, strict=True) if f), None)
            determined = fixed.any() and all(
                constant_within(levels, margin, mask) for _, _, mask in groups
            )
            estimate.test = (
                {"name": "Rao-Scott (F)", "problem": "test_fixed", "significant": False}
                if determined
                else self._rao_scott(spec, by, columns, groups)
            )
        if wants_covariance:
            estimate.covariance = self._covariances(
                spec, columns, _slice(everything, slice(0, k_count)), fixed
            )
        return estimate

    def _calibration_levels(self) -> pd.DataFrame | None:
        """The calibration margins' level of each unit, when the weights are calibrated on
        them and each unit is its own PSU (repeat rows are not: their shares depend on how
        many rows each territory has, so no margin fixes them)."""
        levels = self.weighting.calibration
        if not self.weighted or levels is None or levels.empty or not self.design.unit_is_psu:
            return None
        return levels.reindex(self.weighting.weights.index)

    def _covariances(
        self, spec: QuestionSpec, columns: list[_Column], overall: Estimates, fixed: np.ndarray
    ) -> dict[str, dict[str, Any]]:
        """The covariance matrix of the overall shares of each item (brackets: the brackets
        only, whose base excludes "impossible à estimer"), unless suppressed or fixed by the
        weighting (a zero matrix up to rounding, which no test can use)."""
        out: dict[str, dict[str, Any]] = {}
        for item in dict.fromkeys(c.item for c in columns):
            chosen = [
                k
                for k, c in enumerate(columns)
                if c.item == item
                and c.statistic == "proportion"
                and not (spec.kind == "bracket" and c.apart)
            ]
            if not chosen or any(overall.n_psu[k] < self.threshold for k in chosen):
                continue
            if fixed[chosen].any():
                continue
            assert overall.scores is not None
            matrix = self.design.covariance(overall.scores[:, chosen])
            out[item or OVERALL] = {
                "keys": [columns[k].key for k in chosen],
                "matrix": matrix.tolist(),
                "df": int(overall.df[chosen[0]]),
            }
        return out

    def _by_label(self, by: str | None) -> str | None:
        if by is None:
            return None
        spec = self.questions.get(by)
        return (spec.label or by) if spec is not None else by

    # --- svy for quantiles and tests ---

    def _svy_sample(self, data: Mapping[str, Any]) -> Any:
        if self._svy_frame is None:
            design = self.design
            self._svy_frame = pl.DataFrame(
                {
                    "__stratum": design.stratum.astype(str),
                    "__psu": design.psu,
                    "__w": design.weights,
                    "__N": design.population[design.stratum],
                }
            )
        frame = self._svy_frame.with_columns(
            [pl.Series(name, values) for name, values in data.items()]
        )
        return svy.Sample(
            frame,
            svy.Design(
                stratum="__stratum", psu="__psu", wgt="__w", pop_size="__N", singleton="center"
            ),
        )

    def _quantiles(
        self, column: _Column, groups: list[tuple[str | None, str | None, np.ndarray]]
    ) -> dict[str | None, dict[float, tuple[float | None, ...]]]:
        """Quartiles with Woodruff (1952) intervals: {group: {p: (estimate, se, low, high)}}."""
        probabilities = [p for _, p, _ in QUARTILES]
        out: dict[str | None, dict[float, tuple[float | None, ...]]] = {}
        for group, _, mask in groups:
            found = woodruff_quantiles(
                self.design, column.values, column.base & mask, probabilities, alpha=self.alpha
            )
            out[group] = {
                round(p, 6): tuple(_float(v) for v in values)
                for p, values in zip(probabilities, found, strict=True)
            }
        return out

    def _quantile_rows(
        self,
        quantiles: dict[float, tuple[float | None, ...]],
        group: str | None,
        group_label: str | None,
        mean_row: EstimateRow,
    ) -> list[EstimateRow]:
        rows = []
        for key, p, label in QUARTILES:
            row = EstimateRow(
                key=key,
                label=label,
                statistic="quantile",
                base_n=mean_row.base_n,
                base_respondents=mean_row.base_respondents,
                group=group,
                group_label=group_label,
                suppressed=mean_row.suppressed,
            )
            found = quantiles.get(round(p, 6))
            if not mean_row.suppressed and found is not None:
                row.n = mean_row.base_n
                row.estimate, row.se, row.ci_low, row.ci_high = found
                row.n_eff = mean_row.n_eff
                _check_interval(row, None, None)
            rows.append(row)
        return rows

    def _rao_scott(
        self,
        spec: QuestionSpec,
        by: str,
        columns: list[_Column],
        groups: list[tuple[str | None, str | None, np.ndarray]],
    ) -> dict[str, Any] | None:
        """Rao & Scott (1984) second-order corrected test of independence, from svy."""
        answer = np.full(len(self.design.weights), None, dtype=object)
        for column in columns:
            if column.statistic == "proportion" and not column.apart:
                answer[(column.values == 1.0) & column.base] = column.key
        group_of = np.full(len(answer), None, dtype=object)
        for group, _, mask in groups:
            if group is not None:
                group_of[mask] = group
        usable = (answer != None) & (group_of != None)  # noqa: E711
        if len(np.unique(self.design.psu[usable])) < self.threshold:
            return None
        if len(set(answer[usable])) < 2 or len(set(group_of[usable])) < 2:
            return None
        sample = self._svy_sample(
            {
                "__y": pl.Series(list(answer), dtype=pl.String),
                "__by": pl.Series(list(group_of), dtype=pl.String),
            }
        )
        try:
            stats = sample.categorical.tabulate("__y", "__by", drop_nulls=True).stats
        except (svy.SvyError, ValueError, ZeroDivisionError):
            return None
        test = {
            "name": "Rao-Scott (F)",
            "statistic": _float(stats.f.value),
            "df_num": _float(stats.f.df_num),
            "df_den": _float(stats.f.df_den),
            "p_value": _float(stats.f.p_value),
        }
        problem = problem_of_test(test)
        if problem:  # zero variance, no degrees of freedom: no verdict either
            return {"name": test["name"], "problem": problem, "significant": False}
        return {**test, "significant": bool(stats.f.p_value < self.alpha)}


def _complete_fixed(rows: list[EstimateRow]) -> None:
    """When the fixed shares of an item add up to one, its other options (nobody chose them)
    are fixed too, at zero: the frame's share of no level."""
    for item in dict.fromkeys(r.item for r in rows):
        options = [r for r in rows if r.item == item and r.statistic == "proportion"]
        total = sum(r.estimate or 0.0 for r in options if r.fixed)
        if any(r.fixed for r in options) and total >= 1 - 1e-6:
            for row in options:
                if not row.fixed and not row.suppressed and not row.apart:
                    row.fixed, row.problem = True, "fixed"
                    row.se, row.ci_low, row.ci_high = 0.0, None, None


def _check_interval(row: EstimateRow, variance: float | None, df: float | None) -> None:
    """Drop an interval that cannot be printed, recording why (`checks.interval_problem`)."""
    row.problem = interval_problem(
        statistic=row.statistic,
        estimate=row.estimate,
        variance=variance,
        df=df,
        n_psu=row.base_respondents,
        low=row.ci_low,
        high=row.ci_high,
    )
    if row.problem:
        row.ci_low = row.ci_high = None


def _slice(estimates: Estimates, part: slice) -> Estimates:
    return Estimates(
        estimate=estimates.estimate[part],
        variance=estimates.variance[part],
        n=estimates.n[part],
        n_psu=estimates.n_psu[part],
        df=estimates.df[part],
        n_eff_kish=estimates.n_eff_kish[part],
        total_weight=estimates.total_weight[part],
        scores=None if estimates.scores is None else estimates.scores[:, part],
    )


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _dedupe(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))


def _bracket_summary(
    spec: QuestionSpec,
    rows: list[EstimateRow],
    cumulative: list[tuple[_Column, float, float, float]],
) -> dict[str, Any]:
    """Median bracket with its interval (Woodruff's inversion of the cumulative shares), and the
    range of the mean implied by the brackets' bounds (open top bracket: no upper bound)."""
    if not cumulative:
        return {"median": None}

    def first(predicate: Any) -> str:
        for column, est, low, high in cumulative:
            if predicate(est, low, high):
                return column.key
        return cumulative[-1][0].key

    median = first(lambda est, low, high: est >= 0.5 - 1e-12)
    ci_low = first(lambda est, low, high: high >= 0.5)
    ci_high = first(lambda est, low, high: low >= 0.5)
    shares = {r.key: r.estimate or 0.0 for r in rows if not r.apart and r.statistic == "proportion"}
    mean_low = 0.0
    mean_high: float | None = 0.0
    for option in spec.options:
        share = shares.get(option.key, 0.0)
        if option.key in spec.apart or share == 0:
            continue
        mean_low += share * (option.low or 0.0)
        if mean_high is not None:
            mean_high = None if option.high is None else mean_high + share * option.high
    return {
        "median": median,
        "median_label": spec.label_of(median),
        "median_ci": [ci_low, ci_high],
        "median_ci_labels": [spec.label_of(ci_low), spec.label_of(ci_high)],
        "mean_range": [mean_low, mean_high],
    }


# --- Public functions ---------------------------------------------------------------------------


def estimate_question(
    question: QuestionSpec | Mapping[str, Any],
    answers: pd.DataFrame,
    weighting: WeightingResult,
    *,
    weighted: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    ci_method: CiMethod = "korn-graubard",
    alpha: float = 0.05,
    shown: pd.DataFrame | None = None,
) -> QuestionEstimate:
    """The estimate of one question over all respondents (the population is the weighting's)."""
    analysis = Analysis(
        answers,
        weighting,
        weighted=weighted,
        threshold=threshold,
        ci_method=ci_method,
        alpha=alpha,
        shown=shown,
    )
    return analysis.estimate(question)


def crosstab(
    question: QuestionSpec | Mapping[str, Any],
    answers: pd.DataFrame,
    weighting: WeightingResult,
    *,
    by: str,
    by_question: QuestionSpec | Mapping[str, Any] | None = None,
    weighted: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    ci_method: CiMethod = "korn-graubard",
    alpha: float = 0.05,
    shown: pd.DataFrame | None = None,
    test: bool = True,
    group_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> QuestionEstimate:
    """The question's estimate overall (group None) and within each level of `by`: a stratum
    column of the weighting (kind, band, region) or a single-choice answer column (give its
    spec as `by_question` for labels and option order). Single-choice and bracket questions get
    a Rao-Scott test of independence (`test`)."""
    analysis = Analysis(
        answers,
        weighting,
        weighted=weighted,
        threshold=threshold,
        ci_method=ci_method,
        alpha=alpha,
        shown=shown,
        questions=[by_question] if by_question is not None else (),
        group_labels=group_labels,
    )
    return analysis.estimate(question, by=by, test=test)


@dataclass
class EditionAnalysis:
    """Every question of an edition, overall and crossed by each `by` dimension."""

    estimates: dict[str, QuestionEstimate]
    crosstabs: dict[str, dict[str, QuestionEstimate]]
    weighting: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimates": {k: v.to_dict() for k, v in self.estimates.items()},
            "crosstabs": {
                by: {k: v.to_dict() for k, v in estimates.items()}
                for by, estimates in self.crosstabs.items()
            },
            "weighting": self.weighting,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EditionAnalysis:
        return cls(
            estimates={k: QuestionEstimate.from_dict(v) for k, v in data["estimates"].items()},
            crosstabs={
                by: {k: QuestionEstimate.from_dict(v) for k, v in estimates.items()}
                for by, estimates in data["crosstabs"].items()
            },
            weighting=dict(data["weighting"]),
            notes=list(data.get("notes") or []),
        )


def overall_part(estimate: QuestionEstimate) -> QuestionEstimate:
    """The overall rows (group None) of a cross-tabulation, as a plain estimate."""
    summary = {OVERALL: estimate.summary[OVERALL]} if OVERALL in estimate.summary else {}
    return replace(
        estimate,
        rows=[row for row in estimate.rows if row.group is None],
        by=None,
        by_label=None,
        groups=[],
        summary=summary,
        test=None,
    )


def analyse_edition(
    questions: Sequence[QuestionSpec | Mapping[str, Any]],
    answers: pd.DataFrame,
    weighting: WeightingResult,
    *,
    by: Sequence[str] = ("kind",),
    repeats: Mapping[str, tuple[pd.DataFrame, WeightingResult]] | None = None,
    weighted: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    ci_method: CiMethod = "korn-graubard",
    alpha: float = 0.05,
    shown: pd.DataFrame | None = None,
    tests: bool = False,
    group_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> EditionAnalysis:
    """Estimate every question, and cross it by each dimension of `by`.

    Questions of a repeat (`spec.repeat`) are estimated on `repeats[name] = (rows, weighting)`
    (see `repeat_weighting`); they are skipped, with a note, when that repeat is not given.
    """
    specs = [as_spec(q) for q in questions]
    options: dict[str, Any] = {
        "weighted": weighted,
        "threshold": threshold,
        "ci_method": ci_method,
        "alpha": alpha,
        "group_labels": group_labels,
    }
    main = Analysis(answers, weighting, shown=shown, questions=specs, **options)
    contexts: dict[str | None, Analysis] = {None: main}
    notes: list[str] = []
    for name, (rows, repeat_weights) in (repeats or {}).items():
        contexts[name] = Analysis(rows, repeat_weights, questions=specs, **options)
    estimates: dict[str, QuestionEstimate] = {}
    crosstabs: dict[str, dict[str, QuestionEstimate]] = {dimension: {} for dimension in by}
    for spec in specs:
        context = contexts.get(spec.repeat)
        if context is None:
            notes.append(
                f"Question « {spec.name} » (répétition {spec.repeat}) non estimée : lignes absentes."
            )
            continue
        for dimension in by:
            crosstabs[dimension][spec.name] = context.estimate(spec, by=dimension, test=tests)
        if by:
            # The overall rows of a cross-tabulation are the overall estimate: no second pass.
            estimates[spec.name] = overall_part(crosstabs[by[0]][spec.name])
        else:
            estimates[spec.name] = context.estimate(spec)
    summary = weighting.to_dict()
    for key in ("weights", "cell"):
        summary.pop(key)
    return EditionAnalysis(estimates=estimates, crosstabs=crosstabs, weighting=summary, notes=notes)


def unit_index(weighting: WeightingResult) -> list[Hashable]:
    return list(weighting.weights.index)
