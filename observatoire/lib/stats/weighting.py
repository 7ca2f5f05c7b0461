"""Non-response weights against the edition's frame: cells, raking, trimming.

The barometer invites every member of the frame; the respondents are what is left after a
non-response that depends on the kind and size of the territory. The weights follow the
quasi-randomisation approach (Kalton & Flores-Cervantes 2003; Valliant, Dever & Kreuter 2013,
ch. 13-14), written out in docs/statistics.md:

1. weighting cells = kind × population band, collapsed by a deterministic rule until every cell
   has at least `min_cell` respondents (`collapse_cells`);
2. cell weight N_c / n_c, then raking (iterative proportional fitting, Deville & Särndal 1992;
   Battaglia et al. 2009) on the cells and on the other chosen margins (région...), whose small
   levels are pooled first;
3. trimming: weights above `trim_factor` × the median weight of their cell are capped, the
   excess spread over the other weights of that cell (so the cell totals hold), and the weights
   raked again, up to `TRIM_CYCLES` times (svy's `trim` then `rake`);
4. Kish's effective sample size and design effect due to weighting are reported.

Raking and trimming run in `svy` (https://svylab.com/docs), a maintained survey library.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
import polars as pl
import svy

DEFAULT_MIN_CELL = 5
DEFAULT_TRIM_FACTOR = 5.0
TRIM_CYCLES = 5
POOLED_LEVEL = "(autres, regroupés)"
MISSING_LEVEL = "(non renseigné)"
CELL_SEPARATOR = " × "


class WeightingError(ValueError):
    """Bad input for the weighting: names the respondent or column and why."""


@dataclass(frozen=True)
class Cell:
    """A weighting cell after collapsing: the original bands it covers, N and n."""

    label: str
    kind: str
    bands: tuple[str, ...]
    population: int
    respondents: int

    @property
    def weight(self) -> float:
        return self.population / self.respondents if self.respondents else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "bands": list(self.bands),
            "population": self.population,
            "respondents": self.respondents,
            "weight": None if not self.respondents else self.weight,
        }


@dataclass
class WeightingResult:
    """Weights of the respondents (or of repeat rows) and how they were made.

    `weights`, `cell` (the collapsed cell of each unit) and `psu` (the respondent a repeat row
    belongs to; None for respondents) share one index: the unit ids. `cell_population` gives
    N per cell (number of frame members, i.e. of respondents' territories), used for the finite
    population correction.
    """

    weights: pd.Series
    cell: pd.Series
    cell_population: dict[str, int]
    cells: list[Cell]
    cells_collapsed: list[dict[str, Any]]
    margins: dict[str, dict[str, float]]
    margins_pooled: dict[str, list[str]]
    uncovered: dict[str, int]
    population_size: int
    n: int
    n_eff: float
    deff: float
    trimming: dict[str, Any]
    method_notes: list[str]
    settings: dict[str, Any]
    strata: pd.DataFrame
    psu: pd.Series | None = None
    unit: str = "respondent"
    # The levels each unit had in the final raking, one column per calibration margin (the
    # cell, then each raked margin after pooling): what the variance regresses on.
    calibration: pd.DataFrame | None = None
    _svy_sample: Any = field(default=None, repr=False, compare=False)

    @property
    def weighted_total(self) -> float:
        return float(self.weights.sum())

    def cell_weights(self) -> pd.Series:
        """Each unit's cell weight N_c / n_c: its weight before the raking."""
        per_cell = {c.label: c.weight for c in self.cells}
        return self.cell.map(per_cell).astype(float).rename("cell_weight")

    def summary(self) -> dict[str, float]:
        weights = self.weights.to_numpy(dtype=float)
        if weights.size == 0:
            return {}
        return {
            "min": float(weights.min()),
            "median": float(np.median(weights)),
            "max": float(weights.max()),
            "ratio_max_min": float(weights.max() / weights.min())
            if weights.min() > 0
            else math.inf,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (ids become strings), for caching with an edition's results."""
        return {
            "unit": self.unit,
            "weights": {str(k): float(v) for k, v in self.weights.items()},
            "cell": {str(k): str(v) for k, v in self.cell.items()},
            "cell_population": dict(self.cell_population),
            "cells": [cell.to_dict() for cell in self.cells],
            "cells_collapsed": list(self.cells_collapsed),
            "margins": self.margins,
            "margins_pooled": self.margins_pooled,
            "uncovered": dict(self.uncovered),
            "population_size": self.population_size,
            "n": self.n,
            "n_eff": self.n_eff,
            "deff": self.deff,
            "summary": self.summary(),
            "trimming": dict(self.trimming),
            "method_notes": list(self.method_notes),
            "settings": dict(self.settings),
            "calibration": [] if self.calibration is None else list(self.calibration.columns),
        }


def kish_effective_n(weights: np.ndarray | pd.Series) -> float:
    """Kish (1965, §11.7): n_eff = (Σw)² / Σw²."""
    w = np.asarray(weights, dtype=float)
    total = w.sum()
    squares = float((w * w).sum())
    return float(total * total / squares) if squares > 0 else 0.0


_BAND_START = re.compile(r"^\s*(<)?\s*(\d[\d\s\u202f\u00a0]*)")


def band_sort_key(band: str) -> tuple[int, float, str]:
    """Order population bands by their lower bound: "<3500", "3500-9999", "100000+", then others."""
    match = _BAND_START.match(str(band))
    if not match:
        return (1, math.inf, str(band))
    value = float(re.sub(r"\D", "", match.group(2)))
    return (0, value - 0.5 if match.group(1) else value, str(band))


def collapse_cells(
    frame_counts: dict[tuple[str, str], int],
    respondent_counts: dict[tuple[str, str], int],
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    band_order: Sequence[str] | None = None,
) -> tuple[dict[tuple[str, str], str], list[Cell], list[dict[str, Any]], dict[str, int]]:
    """Merge small kind × band cells with an adjacent band of the same kind.

    The rule, applied kind by kind, bands in increasing population order:
    while the kind has more than one cell and some cell has fewer than `min_cell` respondents,
    take the first such cell (in band order) and merge it with its neighbour (the next larger
    band, or the previous one for the last band) that has fewer respondents; on a tie, the
    smaller band. A kind with fewer than `min_cell` respondents in all ends as one cell (weights
    by kind only). A kind without any respondent is left out of the covered population.

    Returns (map (kind, band) → cell label, cells, merge log, uncovered {kind: N}).
    """
    order = {band: i for i, band in enumerate(band_order or [])}

    def sort_key(band: str) -> tuple[Any, ...]:
        return (0, order[band], "") if band in order else (1, *band_sort_key(band))

    kinds = sorted({kind for kind, _ in frame_counts})
    mapping: dict[tuple[str, str], str] = {}
    cells: list[Cell] = []
    log: list[dict[str, Any]] = []
    uncovered: dict[str, int] = {}
    for kind in kinds:
        bands = sorted((band for k, band in frame_counts if k == kind), key=sort_key)
        groups = [[band] for band in bands if frame_counts[(kind, band)] > 0]
        empty_bands = [band for band in bands if frame_counts[(kind, band)] <= 0]

        def n_of(group: list[str], kind: str = kind) -> int:
            return sum(respondent_counts.get((kind, band), 0) for band in group)

        if sum(n_of(g) for g in groups) == 0:
            uncovered[kind] = sum(frame_counts[(kind, b)] for b in bands)
            log.append(
                {
                    "kind": kind,
                    "merged": list(bands),
                    "into": None,
                    "reason": f"aucun répondant : le type « {kind} » n'est pas couvert",
                }
            )
            continue
        while len(groups) > 1:
            small = next((i for i, g in enumerate(groups) if n_of(g) < min_cell), None)
            if small is None:
                break
            if small == len(groups) - 1:
                other = small - 1
            elif small == 0:
                other = 1
            else:
                # The neighbour with fewer respondents; the smaller band on a tie.
                other = (
                    small - 1 if n_of(groups[small - 1]) <= n_of(groups[small + 1]) else small + 1
                )
            low, high = sorted((small, other))
            merged = groups[low] + groups[high]
            log.append(
                {
                    "kind": kind,
                    "merged": [_label(kind, groups[low]), _label(kind, groups[high])],
                    "into": _label(kind, merged),
                    "reason": f"{n_of(groups[small])} répondant(s) < {min_cell}",
                }
            )
            groups[low : high + 1] = [merged]
        for group in groups:
            label = _label(kind, group)
            for band in group:
                mapping[(kind, band)] = label
            cells.append(
                Cell(
                    label=label,
                    kind=kind,
                    bands=tuple(group),
                    population=sum(frame_counts[(kind, b)] for b in group),
                    respondents=n_of(group),
                )
            )
        for band in empty_bands:
            mapping[(kind, band)] = _label(kind, groups[-1])
    return mapping, cells, log, uncovered


def _label(kind: str, bands: Sequence[str]) -> str:
    if not bands or (len(bands) == 1 and bands[0] == ""):
        return kind
    if len(bands) == 1:
        return f"{kind}{CELL_SEPARATOR}{bands[0]}"
    return f"{kind}{CELL_SEPARATOR}{bands[0]} … {bands[-1]}"


def pool_levels(
    frame_counts: dict[str, int], respondent_counts: dict[str, int], *, min_count: int
) -> tuple[dict[str, str], list[str]]:
    """Pool margin levels with fewer than `min_count` respondents into one level.

    If the pooled level itself has fewer than `min_count` respondents, it is merged into the
    level with the fewest respondents (first in name order on a tie), repeatedly. Returns
    (level → raking level, pooled level names).
    """
    small = sorted(level for level in frame_counts if respondent_counts.get(level, 0) < min_count)
    if not small:
        return {level: level for level in frame_counts}, []
    kept = sorted(level for level in frame_counts if level not in small)
    pooled_n = sum(respondent_counts.get(level, 0) for level in small)
    while pooled_n < min_count and kept:
        target = min(kept, key=lambda level: (respondent_counts.get(level, 0), level))
        kept.remove(target)
        small.append(target)
        pooled_n += respondent_counts.get(target, 0)
    mapping = {level: POOLED_LEVEL if level in small else level for level in frame_counts}
    return mapping, sorted(small)


def _level(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return MISSING_LEVEL
    return str(value)


def _counts(keys: pd.Series) -> dict[tuple[str, str], int]:
    return {cast(tuple[str, str], k): int(v) for k, v in keys.value_counts().items()}


def compute_weights(
    respondents: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    cells: Sequence[str] = ("kind", "band"),
    margins: Sequence[str] = ("kind", "region"),
    min_cell: int = DEFAULT_MIN_CELL,
    min_margin: int | None = None,
    trim_factor: float | None = DEFAULT_TRIM_FACTOR,
    band_order: Sequence[str] | None = None,
    tol: float = 1e-6,
    max_iter: int = 200,
) -> WeightingResult:
    """Weights of the respondents of an edition against its frame.

    `respondents`: one row per responding territory, indexed by a unique id, with the `cells`
    and `margins` columns. `frame`: one row per frame member with the same columns. `cells` is
    (kind,) or (kind, band); margins other than the kind (implied by the cells) are raked
    together with the cells. `trim_factor=None` switches trimming off.
    """
    if not 1 <= len(cells) <= 2:
        raise WeightingError("cells must be (kind,) or (kind, band)")
    if min_cell < 1:
        raise WeightingError("min_cell must be at least 1")
    min_margin = min_cell if min_margin is None else min_margin
    columns = [*cells, *[m for m in margins if m not in cells]]
    for name, data in (("respondents", respondents), ("frame", frame)):
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise WeightingError(f"{name}: missing column(s) {', '.join(missing)}")
    if not respondents.index.is_unique:
        duplicated = respondents.index[respondents.index.duplicated()].unique().tolist()
        raise WeightingError(f"respondents: duplicated id(s) {duplicated[:5]}")
    if respondents.empty:
        raise WeightingError("respondents: no respondent to weight")
    for column in cells:
        for name, data in (("respondents", respondents), ("frame", frame)):
            nulls = data.index[data[column].isna()].tolist()
            if nulls:
                raise WeightingError(f"{name}: empty {column!r} for id(s) {nulls[:5]}")

    kind_col = cells[0]
    band_col = cells[1] if len(cells) == 2 else None

    def key_of(data: pd.DataFrame) -> pd.Series:
        kinds = data[kind_col].astype(str).to_numpy(dtype=object)
        bands = data[band_col].astype(str).to_numpy(dtype=object) if band_col else [""] * len(data)
        return pd.Series(list(zip(kinds, bands, strict=True)), index=data.index, dtype=object)

    frame_keys = key_of(frame)
    respondent_keys = key_of(respondents)
    frame_counts = _counts(frame_keys)
    unknown = respondent_keys[~respondent_keys.isin(set(frame_counts))]
    if not unknown.empty:
        first_id, (kind, band) = next(iter(unknown.items()))
        where = f"({kind}, {band})" if band_col else f"({kind})"
        raise WeightingError(
            f"respondent {first_id!r}: stratum {where} is not in the frame "
            f"({len(unknown)} respondent(s) in this case)"
        )
    respondent_counts = _counts(respondent_keys)
    mapping, cell_list, log, uncovered = collapse_cells(
        frame_counts, respondent_counts, min_cell=min_cell, band_order=band_order
    )
    cell = respondent_keys.map(mapping).astype(str)
    cell_population = {c.label: c.population for c in cell_list}
    covered = frame[~frame[kind_col].astype(str).isin(set(uncovered))]
    population_size = len(covered)

    notes = [
        f"Cellules de pondération : {' × '.join(cells)} ; une cellule de moins de {min_cell} "
        "répondants est fusionnée avec la tranche voisine du même type."
    ]
    for entry in log:
        if entry["into"] is None:
            notes.append(f"Type « {entry['kind']} » : {entry['reason']}.")
        else:
            notes.append(
                f"Fusion : {' + '.join(entry['merged'])} → {entry['into']} ({entry['reason']})."
            )

    # Margins beyond the cells: pooled small levels, frame totals on the covered population.
    controls: dict[str, dict[str, float]] = {
        "__cell": {k: float(v) for k, v in cell_population.items()}
    }
    margin_levels: dict[str, pd.Series] = {}
    pooled: dict[str, list[str]] = {}
    for margin in margins:
        if margin in cells:
            continue
        frame_levels = covered[margin].map(_level)
        respondent_levels = respondents[margin].map(_level)
        level_map, small = pool_levels(
            {str(k): int(v) for k, v in frame_levels.value_counts().items()},
            {str(k): int(v) for k, v in respondent_levels.value_counts().items()},
            min_count=min_margin,
        )
        unknown_levels = sorted(set(respondent_levels) - set(level_map))
        if unknown_levels:
            raise WeightingError(
                f"respondents: {margin!r} value(s) {unknown_levels[:5]} absent from the frame"
            )
        targets = frame_levels.map(level_map).value_counts()
        if len(targets) < 2:
            notes.append(f"Marge « {margin} » abandonnée : un seul niveau après regroupement.")
            continue
        margin_levels[margin] = respondent_levels.map(level_map)
        controls[margin] = {str(k): float(v) for k, v in targets.items()}
        if small:
            pooled[margin] = small
            notes.append(
                f"Marge « {margin} » : niveaux de moins de {min_margin} répondants regroupés "
                f"({', '.join(small)})."
            )
    raked = [m for m in controls if m != "__cell"]
    if raked:
        notes.append(
            "Calage (raking) sur les cellules et sur : " + ", ".join(raked) + " (svy, IPF)."
        )

    ids = list(respondents.index)
    design_data = pl.DataFrame(
        {
            "__row": np.arange(len(ids)),
            "__cell": cell.to_numpy(dtype=str),
            "__kind": respondents[kind_col].astype(str).to_numpy(dtype=str),
            "__w0": np.ones(len(ids)),
            "__N": cell.map(cell_population).to_numpy(dtype=float),
            **{m: levels.to_numpy(dtype=str) for m, levels in margin_levels.items()},
        }
    )
    sample = svy.Sample(design_data, svy.Design(stratum="__cell", wgt="__w0", pop_size="__N"))
    sample, trimming = _rake_and_trim(
        sample, controls, trim_factor=trim_factor, tol=tol, max_iter=max_iter, notes=notes
    )
    final = sample.data.sort("__row")
    weights = pd.Series(final[sample.design.wgt].to_numpy(), index=respondents.index, name="weight")
    n_eff = kish_effective_n(weights)
    deff = len(weights) / n_eff if n_eff else math.nan
    notes.append(
        f"n = {len(weights)}, n effectif (Kish) = {n_eff:.1f}, effet de plan dû à la "
        f"pondération = {deff:.2f}."
    )
    strata = respondents[[c for c in columns if c in respondents.columns]].copy()
    # `controls` lost the margins a failed raking dropped: these are the ones the weights meet.
    calibration = pd.DataFrame(
        {
            "cell": cell.to_numpy(dtype=str),
            **{m: margin_levels[m].to_numpy(dtype=str) for m in controls if m != "__cell"},
        },
        index=respondents.index,
    )
    return WeightingResult(
        weights=weights,
        cell=cell.rename("cell"),
        cell_population=cell_population,
        cells=cell_list,
        cells_collapsed=log,
        margins=controls,
        margins_pooled=pooled,
        uncovered=uncovered,
        population_size=population_size,
        n=len(weights),
        n_eff=n_eff,
        deff=deff,
        trimming=trimming,
        method_notes=notes,
        settings={
            "cells": list(cells),
            "margins": list(margins),
            "min_cell": min_cell,
            "min_margin": min_margin,
            "trim_factor": trim_factor,
        },
        strata=strata,
        calibration=calibration,
        _svy_sample=sample,
    )


def _rake_and_trim(
    sample: Any,
    controls: dict[str, dict[str, float]],
    *,
    trim_factor: float | None,
    tol: float,
    max_iter: int,
    notes: list[str],
) -> tuple[Any, dict[str, Any]]:
    """Rake, then alternate trimming (within cells) and raking until no weight exceeds the cap."""
    step = 0

    def rake(current: Any) -> Any:
        nonlocal step
        step += 1
        try:
            return current.weighting.rake(
                controls=controls, wgt_name=f"__w{step}", tol=tol, max_iter=max_iter
            )
        except svy.SvyError:
            if len(controls) == 1:
                raise
            # The margins cannot all be met with these respondents: keep the cells only.
            dropped = [m for m in controls if m != "__cell"]
            for margin in dropped:
                del controls[margin]
            notes.append(
                "Le calage n'a pas convergé : marges abandonnées ("
                + ", ".join(dropped)
                + "), pondération par cellules seules."
            )
            return current.weighting.rake(
                controls=controls, wgt_name=f"__w{step}b", tol=tol, max_iter=max_iter
            )

    sample = rake(sample)
    info: dict[str, Any] = {"factor": trim_factor, "cycles": 0, "trimmed": 0, "converged": True}
    if trim_factor is None:
        notes.append("Pas d'écrêtement des poids.")
        return sample, info

    def over_cap(current: Any) -> tuple[int, float]:
        """(weights above the cap, largest weight / cap)."""
        frame = current.data.select(["__cell", current.design.wgt]).to_pandas()
        weights = frame[current.design.wgt]
        caps = frame.groupby("__cell")[current.design.wgt].transform("median") * trim_factor
        ratio = weights / caps
        return int((ratio > 1 + 1e-6).sum()), float(ratio.max())

    trimmed, worst = over_cap(sample)
    info["trimmed"] = trimmed
    info["max_ratio_before"] = worst
    cycles = 0
    while trimmed and cycles < TRIM_CYCLES:
        step += 1
        try:
            with warnings.catch_warnings():
                # A cell of one respondent has nothing to trim: svy says so, we know.
                warnings.simplefilter("ignore", svy.SvyUserWarning)
                capped = sample.weighting.trim(
                    upper=svy.Threshold("median", trim_factor),
                    by="__cell",
                    min_cell_size=2,
                    wgt_name=f"__w{step}",
                    on_nonconvergence="ignore",
                )
        except svy.SvyError:
            # A cap below a cell's mean weight cannot be met by redistributing within it.
            info["infeasible"] = True
            break
        cycles += 1
        sample = rake(capped)
        previous = worst
        trimmed, worst = over_cap(sample)
        if worst > previous * 0.99:
            break  # raking undoes the cap: the margins rule it out
    info.update(cycles=cycles, converged=not trimmed, max_ratio_after=worst)
    if not cycles:
        notes.append(
            f"Écrêtement à {trim_factor:g} × la médiane de la cellule : aucun poids au-delà."
        )
    elif trimmed:
        notes.append(
            f"Écrêtement à {trim_factor:g} × la médiane de la cellule : après {cycles} cycles "
            f"écrêtement-calage, {trimmed} poids restent au-dessus du plafond (les marges "
            "priment)."
        )
    else:
        notes.append(
            f"Écrêtement à {trim_factor:g} × la médiane de la cellule ({info['trimmed']} poids), "
            f"puis nouveau calage ({cycles} cycle(s))."
        )
    return sample, info


def repeat_weighting(
    weighting: WeightingResult, units: pd.DataFrame, *, respondent: str = "respondent"
) -> WeightingResult:
    """Weights for repeat rows (fiches-dispositif): each row carries its territory's weight.

    Variance then treats the territory as the cluster (PSU) of its rows.
    """
    if respondent not in units.columns:
        raise WeightingError(f"repeat rows: missing column {respondent!r}")
    if not units.index.is_unique:
        raise WeightingError("repeat rows: the index must be unique (one id per row)")
    owners = units[respondent]
    unknown = owners[~owners.isin(weighting.weights.index)]
    if not unknown.empty:
        raise WeightingError(
            f"repeat row {unknown.index[0]!r}: respondent {unknown.iloc[0]!r} has no weight"
        )
    weights = pd.Series(weighting.weights.loc[owners].to_numpy(), index=units.index, name="weight")
    cell = pd.Series(weighting.cell.loc[owners].to_numpy(), index=units.index, name="cell")
    strata = pd.DataFrame(
        weighting.strata.loc[owners].to_numpy(), index=units.index, columns=weighting.strata.columns
    )
    n_eff = kish_effective_n(weights)
    return WeightingResult(
        weights=weights,
        cell=cell,
        cell_population=dict(weighting.cell_population),
        cells=list(weighting.cells),
        cells_collapsed=list(weighting.cells_collapsed),
        margins=weighting.margins,
        margins_pooled=weighting.margins_pooled,
        uncovered=dict(weighting.uncovered),
        population_size=weighting.population_size,
        n=len(weights),
        n_eff=n_eff,
        deff=len(weights) / n_eff if n_eff else math.nan,
        trimming=dict(weighting.trimming),
        method_notes=[
            *weighting.method_notes,
            "Lignes répétées (fiches) : poids de leur collectivité, grappe = collectivité.",
        ],
        settings=dict(weighting.settings),
        strata=strata,
        psu=owners.rename("psu"),
        unit="repeat",
        calibration=None
        if weighting.calibration is None
        else weighting.calibration.loc[owners].set_axis(units.index),
    )


def unit_ids(weighting: WeightingResult) -> list[Hashable]:
    return list(weighting.weights.index)
