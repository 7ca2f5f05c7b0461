"""Accessible data tables beside the charts: caption, headers and rows of French-formatted
text. Suppressed figures read "effectif insuffisant"; every figure shows its unweighted n."""

from __future__ import annotations

from typing import Any

from ..stats.estimates import SUPPRESSED_LABEL, EstimateRow, QuestionEstimate
from ..stats.questions import as_spec
from ..stats.trends import DistributionTest, TrendResult
from .format import format_interval, format_number, format_percent

STATISTIC_LABELS = {
    "mean": "Moyenne",
    "q1": "1er quartile",
    "median": "Médiane",
    "q3": "3e quartile",
}


def _value_header(estimate: QuestionEstimate) -> str:
    if estimate.kind in ("number", "score"):
        return "Valeur pondérée" if estimate.weighted else "Valeur non pondérée"
    return "Part pondérée" if estimate.weighted else "Part non pondérée"


def _cells(row: EstimateRow) -> list[str]:
    if row.suppressed:
        return [f"{row.base_respondents}", SUPPRESSED_LABEL, SUPPRESSED_LABEL]
    percent = row.statistic == "proportion"
    value = format_percent(row.estimate) if percent else format_number(row.estimate, 2)
    count = f"{row.n} / {row.base_n}" if percent else f"{row.base_n}"
    return [
        count,
        value,
        format_interval(row.ci_low, row.ci_high, percent=percent, digits=1 if percent else 2),
    ]


def data_table(estimate: QuestionEstimate) -> dict[str, Any]:
    """{caption, headers, rows, notes}: one row per published figure, in chart order."""
    leading: list[str] = []
    if estimate.by is not None:
        leading.append(estimate.by_label or estimate.by)
    if estimate.kind in ("likert", "score"):
        leading.append("Item")
    label_header = "Statistique" if estimate.kind == "number" else "Réponse"
    if estimate.kind == "score":
        label_header = "Statistique"
    count_header = "n (choix / base)" if estimate.kind not in ("number", "score") else "n"
    headers = [*leading, label_header, count_header, _value_header(estimate), "IC à 95 %"]
    rows = []
    for row in estimate.rows:
        first: list[str] = []
        if estimate.by is not None:
            first.append(row.group_label or "Ensemble")
        if estimate.kind in ("likert", "score"):
            first.append(row.item_label or row.item or "")
        label = (
            STATISTIC_LABELS.get(row.key, row.label) if row.statistic != "proportion" else row.label
        )
        if row.apart:
            label += " (à part)"
        rows.append([*first, label, *_cells(row)])
    notes = list(estimate.notes)
    for group, summary in estimate.summary.items():
        if summary.get("median"):
            where = f" ({group})" if group else ""
            notes.append(
                f"Tranche médiane{where} : {summary['median_label']} ; IC à 95 % de "
                f"{summary['median_ci_labels'][0]} à {summary['median_ci_labels'][1]}."
            )
            low, high = summary.get("mean_range", [None, None])
            unit = as_spec(estimate.spec).unit if estimate.spec else ""
            if low is not None:
                bound = "sans borne haute" if high is None else f"au plus {format_number(high, 0)}"
                notes.append(
                    f"Moyenne comprise entre {format_number(low, 0)} et {bound}{(' ' + unit) if unit else ''} (tranches)."
                )
    if estimate.test:
        notes.append(
            f"Test d'indépendance de Rao-Scott : F = {format_number(estimate.test['statistic'], 2)}, "
            f"p = {format_number(estimate.test['p_value'], 3)}."
        )
    method = "Korn-Graubard" if estimate.ci_method == "korn-graubard" else "Wilson"
    notes.append(
        f"Intervalles de confiance à {format_percent(estimate.confidence, 0)} ({method} sur "
        f"l'effectif effectif, correction de population finie) ; figures masquées sous "
        f"{estimate.threshold} répondants."
    )
    return {
        "caption": estimate.label or estimate.question,
        "headers": headers,
        "rows": rows,
        "notes": notes,
    }


def trend_table(trend: TrendResult) -> dict[str, Any]:
    """One row per option and edition, with the test of change from the previous edition."""
    headers = ["Réponse", "Édition", "n", "Part pondérée", "IC à 95 %", "Évolution"]
    rows = []
    for series in trend.series:
        name = " – ".join(p for p in (series.item_label, series.label) if p)
        percent = series.statistic == "proportion"
        for index, point in enumerate(series.points):
            change = series.changes[index - 1] if index else None
            if change is None:
                verdict = ""
            elif not change.tested:
                verdict = f"non testée ({change.reason})"
            else:
                sign = "+" if (change.difference or 0) >= 0 else ""
                amount = (
                    f"{sign}{format_number((change.difference or 0) * 100, 1)} pt"
                    if percent
                    else f"{sign}{format_number(change.difference, 2)}"
                )
                verdict = f"{amount}, {'significative' if change.significant else 'non significative'} (p = {format_number(change.p_value, 3)})"
            if not point.present:
                rows.append([name, point.edition, "", "option absente", "", verdict])
            elif point.suppressed:
                rows.append(
                    [
                        name,
                        point.edition,
                        str(point.base_n or ""),
                        SUPPRESSED_LABEL,
                        SUPPRESSED_LABEL,
                        verdict,
                    ]
                )
            else:
                value = (
                    format_percent(point.estimate) if percent else format_number(point.estimate, 2)
                )
                rows.append(
                    [
                        name,
                        point.edition,
                        f"{point.n} / {point.base_n}" if percent else str(point.base_n),
                        value,
                        format_interval(point.ci_low, point.ci_high, percent=percent),
                        verdict,
                    ]
                )
    return {
        "caption": f"Évolution : {trend.label}",
        "headers": headers,
        "rows": rows,
        "notes": [*trend.notes, *map(_distribution_note, trend.distribution_tests)],
    }


def _distribution_note(test: DistributionTest) -> str:
    """ "Distribution 2018 → 2026 : différence significative (F = 4,21 ; p = 0,003)"."""
    subject = f"Distribution{f' ({test.item_label})' if test.item_label else ''}"
    where = f"{subject} {test.previous_edition} → {test.edition}"
    if not test.tested:
        return f"{where} : non testée ({test.note})"
    verdict = "différence significative" if test.significant else "pas de différence significative"
    p_value = test.p_value or 0.0
    p_text = "p < 0,001" if p_value < 0.001 else f"p = {format_number(p_value, 3)}"
    figures = f"F = {format_number(test.statistic, 2)} ; {p_text}"
    return f"{where} : {verdict} ({figures})"
