"""Trends across editions: question identity, comparability, and tests of change.

A question keeps its identity from one edition to the next when it keeps its XLSForm name
(docs/xlsform.md, "Authoring a new edition"), or through a `QuestionLink` of the mapping table
(renamed question), which also says whether the two are comparable and why. Changes of wording
or options are detected from the specs and reported as notes.

A change between two editions is called significant only when a two-sided z test on the design-
based standard errors of the two (independent) estimates gives p < alpha (`two_sample_z`).
Each option is tested on its own; no test is made across a non-comparable link, for an option
absent from one edition, or when either figure is suppressed.

The whole distribution of a single-choice or bracket question, and of each Likert item, is
also tested (`DistributionTest`): an adjusted Wald F test on the difference of the two vectors
of shares with covariance V₁ + V₂ (`wald_shares_test`), from the covariance matrices the
estimates carry (`QuestionEstimate.covariance`), so that it works on cached estimates.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .estimates import OVERALL, EstimateRow, QuestionEstimate
from .questions import QuestionSpec, as_spec
from .variance import two_sample_z, wald_shares_test

DISTRIBUTION_KINDS = ("single", "bracket", "likert")


@dataclass(frozen=True)
class QuestionLink:
    """A line of the mapping table: `name` in `edition` continues `previous_name` of
    `previous_edition`."""

    edition: str
    name: str
    previous_edition: str
    previous_name: str
    comparable: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionLink:
        return cls(
            edition=str(data["edition"]),
            name=str(data["name"]),
            previous_edition=str(data["previous_edition"]),
            previous_name=str(data["previous_name"]),
            comparable=bool(data.get("comparable", True)),
            note=str(data.get("note") or ""),
        )


@dataclass
class QuestionMatch:
    previous_name: str
    name: str
    comparable: bool
    notes: list[str] = field(default_factory=list)
    added_options: list[str] = field(default_factory=list)
    removed_options: list[str] = field(default_factory=list)
    wording_changed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _links(links: Sequence[QuestionLink | Mapping[str, Any]]) -> list[QuestionLink]:
    return [
        link if isinstance(link, QuestionLink) else QuestionLink.from_dict(link) for link in links
    ]


def compare_specs(
    previous: QuestionSpec, current: QuestionSpec
) -> tuple[list[str], list[str], list[str], bool]:
    """(notes, added options, removed options, wording changed) between two versions."""
    notes = []
    before, after = previous.option_keys, current.option_keys
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    wording = previous.label.strip() != current.label.strip()
    if wording:
        notes.append(f"Libellé modifié : « {previous.label} » → « {current.label} ».")
    if added:
        notes.append(
            "Option(s) ajoutée(s) : " + ", ".join(current.label_of(k) for k in added) + "."
        )
    if removed:
        notes.append(
            "Option(s) retirée(s) : " + ", ".join(previous.label_of(k) for k in removed) + "."
        )
    if previous.kind != current.kind:
        notes.append(f"Type de question modifié : {previous.kind} → {current.kind}.")
    item_before = {i.key for i in previous.items}
    item_after = {i.key for i in current.items}
    if item_before != item_after:
        notes.append("Liste d'items modifiée.")
    return notes, added, removed, wording


def match_questions(
    previous: Sequence[QuestionSpec | Mapping[str, Any]],
    current: Sequence[QuestionSpec | Mapping[str, Any]],
    *,
    previous_edition: str,
    edition: str,
    links: Sequence[QuestionLink | Mapping[str, Any]] = (),
) -> list[QuestionMatch]:
    """Questions of `edition` that continue a question of `previous_edition`."""
    before = {s.name: s for s in map(as_spec, previous)}
    mapping = {
        link.name: link
        for link in _links(links)
        if link.edition == edition and link.previous_edition == previous_edition
    }
    matches = []
    for spec in map(as_spec, current):
        link = mapping.get(spec.name)
        previous_name = link.previous_name if link else spec.name
        old = before.get(previous_name)
        if old is None:
            continue
        notes, added, removed, wording = compare_specs(old, spec)
        comparable = link.comparable if link else old.kind == spec.kind
        if link and link.note:
            notes.insert(0, link.note)
        matches.append(
            QuestionMatch(
                previous_name=previous_name,
                name=spec.name,
                comparable=comparable,
                notes=notes,
                added_options=added,
                removed_options=removed,
                wording_changed=wording,
            )
        )
    return matches


@dataclass
class TrendPoint:
    edition: str
    present: bool
    estimate: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    base_n: int | None = None
    suppressed: bool = False
    fixed: bool = False  # the frame's share, fixed by the weighting: no interval, no test
    problem: str = ""  # why the interval is not printed (checks.interval_problem)


FIXED_REASON = "fixé par la pondération"
ZERO_VARIANCE_REASON = "variance nulle"
NO_INTERVAL_REASON = "intervalle non calculable"


@dataclass
class TrendChange:
    previous_edition: str
    edition: str
    tested: bool
    reason: str = ""
    difference: float | None = None
    se: float | None = None
    p_value: float | None = None
    significant: bool = False


@dataclass
class TrendSeries:
    key: str
    label: str
    item: str | None
    item_label: str | None
    statistic: str
    points: list[TrendPoint]
    changes: list[TrendChange]


@dataclass
class DistributionTest:
    """Is the whole distribution (of a question, or of a Likert item) the same in two
    editions? `tested` is False, with the reason in `note`, when no test can be made."""

    previous_edition: str
    edition: str
    item: str | None
    item_label: str | None
    tested: bool
    note: str = ""
    name: str = "Wald F ajusté"
    statistic: float | None = None  # F
    df_num: float | None = None
    df_den: float | None = None
    chi2: float | None = None  # the Wald X² before the F correction
    p_value: float | None = None
    significant: bool = False


@dataclass
class TrendResult:
    question: str
    label: str
    kind: str
    editions: list[str]
    names: dict[str, str]  # edition → question name in that edition
    comparable: bool
    series: list[TrendSeries]
    notes: list[str]
    alpha: float
    distribution_tests: list[DistributionTest] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def find(self, key: str, item: str | None = None) -> TrendSeries:
        for series in self.series:
            if series.key == key and series.item == item:
                return series
        raise KeyError((key, item))


def trend(
    series: Sequence[tuple[str, QuestionEstimate]],
    *,
    links: Sequence[QuestionLink | Mapping[str, Any]] = (),
    alpha: float = 0.05,
) -> TrendResult:
    """A question's overall estimates across editions (oldest first) with tests of change.

    Consecutive editions must hold the same question name, or be joined by a link.
    """
    if len(series) < 2:
        raise ValueError("a trend needs at least two editions")
    link_list = _links(links)
    editions = [str(edition) for edition, _ in series]
    comparable = True
    notes: list[str] = []
    pair_comparable: list[bool] = []
    for (before_edition, before), (edition, after) in itertools.pairwise(series):
        link = next(
            (
                item
                for item in link_list
                if item.edition == str(edition)
                and item.name == after.question
                and item.previous_edition == str(before_edition)
            ),
            None,
        )
        if link is None and before.question != after.question:
            raise ValueError(
                f"{before.question!r} ({before_edition}) and {after.question!r} ({edition}) "
                "are not the same question: add a link to the mapping table"
            )
        if link is not None and link.previous_name != before.question:
            raise ValueError(
                f"link {link.name!r} ({edition}) points to {link.previous_name!r}, not to "
                f"{before.question!r} ({before_edition})"
            )
        pair_notes: list[str] = []
        if before.spec and after.spec:
            pair_notes, _, _, _ = compare_specs(as_spec(before.spec), as_spec(after.spec))
        ok = link.comparable if link is not None else before.kind == after.kind
        if link is not None and link.note:
            pair_notes.insert(0, link.note)
        if not ok:
            pair_notes.append("Questions non comparables : pas de test d'évolution.")
        notes += [f"{before_edition} → {edition} : {note}" for note in pair_notes]
        pair_comparable.append(ok)
        comparable = comparable and ok

    def overall(estimate: QuestionEstimate) -> dict[tuple[str | None, str], EstimateRow]:
        return {(r.item, r.key): r for r in estimate.rows if r.group is None}

    tables = [overall(estimate) for _, estimate in series]
    keys: list[tuple[str | None, str]] = []
    for table in reversed(tables):  # the latest edition's order first, then older-only rows
        keys += [k for k in table if k not in keys]
    out: list[TrendSeries] = []
    for item, key in keys:
        rows = [table.get((item, key)) for table in tables]
        sample = next(r for r in reversed(rows) if r is not None)
        points = [
            TrendPoint(edition=edition, present=False)
            if row is None
            else TrendPoint(
                edition=edition,
                present=True,
                estimate=row.estimate,
                se=row.se,
                ci_low=row.ci_low,
                ci_high=row.ci_high,
                n=row.n,
                base_n=row.base_n,
                suppressed=row.suppressed,
                fixed=row.fixed,
                problem=row.problem,
            )
            for edition, row in zip(editions, rows, strict=True)
        ]
        changes = []
        for index in range(1, len(points)):
            before_point, after_point = points[index - 1], points[index]
            change = TrendChange(
                previous_edition=before_point.edition, edition=after_point.edition, tested=False
            )
            if not pair_comparable[index - 1]:
                change.reason = "questions non comparables"
            elif not before_point.present or not after_point.present:
                missing = before_point if not before_point.present else after_point
                change.reason = f"option absente en {missing.edition}"
            elif before_point.suppressed or after_point.suppressed:
                change.reason = "effectif insuffisant"
            elif before_point.fixed or after_point.fixed:
                # A weighting margin: both figures are frame shares, their "change" is the
                # frame's, known without error; a z test on zero variances means nothing.
                change.reason = FIXED_REASON
            elif before_point.problem or after_point.problem:
                change.reason = NO_INTERVAL_REASON
            elif not (before_point.se or after_point.se):
                change.reason = ZERO_VARIANCE_REASON
            elif None in (
                before_point.estimate,
                after_point.estimate,
                before_point.se,
                after_point.se,
            ):
                change.reason = "estimation indisponible"
            else:
                diff, se, p_value = two_sample_z(
                    before_point.estimate or 0.0,
                    before_point.se or 0.0,
                    after_point.estimate or 0.0,
                    after_point.se or 0.0,
                )
                change.tested = True
                change.difference, change.se, change.p_value = diff, se, p_value
                change.significant = p_value < alpha
            changes.append(change)
        out.append(
            TrendSeries(
                key=key,
                label=sample.label,
                item=item,
                item_label=sample.item_label,
                statistic=sample.statistic,
                points=points,
                changes=changes,
            )
        )
    tests = [
        test
        for index, ((before_edition, before), (edition, after)) in enumerate(
            itertools.pairwise(series)
        )
        for test in distribution_tests(
            str(before_edition),
            before,
            str(edition),
            after,
            comparable=pair_comparable[index],
            alpha=alpha,
        )
    ]
    last = series[-1][1]
    return TrendResult(
        question=last.question,
        label=last.label,
        kind=last.kind,
        editions=editions,
        names={
            edition: estimate.question
            for edition, estimate in zip(editions, (e for _, e in series), strict=True)
        },
        comparable=comparable,
        series=out,
        notes=notes,
        alpha=alpha,
        distribution_tests=tests,
    )


def distribution_tests(
    previous_edition: str,
    before: QuestionEstimate,
    edition: str,
    after: QuestionEstimate,
    *,
    comparable: bool = True,
    alpha: float = 0.05,
) -> list[DistributionTest]:
    """The test of change of the whole distribution between two editions, per Likert item;
    an empty list for the kinds it does not apply to (multiple choice, numbers, scores)."""
    if before.kind not in DISTRIBUTION_KINDS or after.kind not in DISTRIBUTION_KINDS:
        return []
    covariance_before, covariance_after = before.covariance, after.covariance
    items = [r.item for r in after.rows if r.group is None and r.statistic == "proportion"]
    labels = {r.item: r.item_label for r in after.rows if r.group is None}
    out = []
    for item in dict.fromkeys(items):
        test = DistributionTest(
            previous_edition=previous_edition,
            edition=edition,
            item=item,
            item_label=labels.get(item),
            tested=False,
        )
        out.append(test)
        key = item or OVERALL
        if not comparable:
            test.note = "questions non comparables"
        elif _fixed(before, item) or _fixed(after, item):
            test.note = "répartition fixée par la pondération"
        elif not _option_keys(before, item):
            test.note = f"item absent en {previous_edition}"
        elif _option_keys(before, item) != _option_keys(after, item):
            # Shares over different lists of options are not the same distribution: the
            # options common to both are compared one by one (z tests) instead.
            test.note = "liste d'options différente entre les éditions"
        elif covariance_before is None or covariance_after is None:
            # Estimates cached before the covariance was recorded: recompute them to test.
            test.note = "covariance absente de l'estimation en cache (à recalculer)"
        elif key not in covariance_before or key not in covariance_after:
            test.note = "effectif insuffisant"
        else:
            _wald(test, before, covariance_before[key], after, covariance_after[key], alpha)
    return out


def _fixed(estimate: QuestionEstimate, item: str | None) -> bool:
    return any(r.fixed for r in estimate.rows if r.group is None and r.item == item)


def _option_keys(estimate: QuestionEstimate, item: str | None) -> set[str]:
    """The options of the distribution: every option of the base (brackets: not "impossible")."""
    return {
        r.key
        for r in estimate.rows
        if r.group is None
        and r.item == item
        and r.statistic == "proportion"
        and not (estimate.kind == "bracket" and r.apart)
    }


def _wald(
    test: DistributionTest,
    before: QuestionEstimate,
    covariance_before: Mapping[str, Any],
    after: QuestionEstimate,
    covariance_after: Mapping[str, Any],
    alpha: float,
) -> None:
    keys = list(covariance_before["keys"])
    if set(keys) != set(covariance_after["keys"]):
        test.note = "liste d'options différente entre les éditions"
        return
    order = [list(covariance_after["keys"]).index(key) for key in keys]

    def shares(estimate: QuestionEstimate) -> np.ndarray:
        rows = {r.key: r for r in estimate.rows if r.group is None and r.item == test.item}
        return np.array([rows[key].estimate or 0.0 for key in keys])

    matrix_after = np.asarray(covariance_after["matrix"], dtype=float)[np.ix_(order, order)]
    result = wald_shares_test(
        shares(before),
        np.asarray(covariance_before["matrix"], dtype=float),
        float(covariance_before["df"]),
        shares(after),
        matrix_after,
        float(covariance_after["df"]),
    )
    if result is None:
        test.note = "test impossible (variance nulle ou trop peu de degrés de liberté)"
        return
    test.tested = True
    test.statistic, test.df_num, test.df_den = result.statistic, result.df_num, result.df_den
    test.chi2, test.p_value = result.chi2, result.p_value
    test.significant = result.p_value < alpha
