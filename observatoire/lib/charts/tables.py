"""Accessible data tables beside the charts: caption, headers and rows of formatted text
(French by default, `locale="en"` for English pages). Suppressed figures read "effectif
insuffisant"; a share fixed by the weighting reads "fixé par la pondération" with the frame's
share and no interval; an interval that cannot be computed is explained in words
(`format.describe_problem`); a test is printed with its degrees of freedom or not at all.
Every figure shows its unweighted n."""

from __future__ import annotations

import math
from typing import Any

from ..stats.checks import problem_of_test
from ..stats.estimates import SUPPRESSED_LABEL, EstimateRow, QuestionEstimate
from ..stats.questions import as_spec
from ..stats.trends import DistributionTest, TrendResult
from .format import (
    describe_problem,
    format_interval,
    format_number,
    format_p_value,
    format_percent,
    format_test,
    language_of,
)

STATISTIC_LABELS = {
    "mean": "Moyenne",
    "q1": "1er quartile",
    "median": "Médiane",
    "q3": "3e quartile",
}


WORDS = {
    "fr": {
        "value_weighted": "Valeur pondérée",
        "value_unweighted": "Valeur non pondérée",
        "share_weighted": "Part pondérée",
        "share_unweighted": "Part non pondérée",
        "interval": "IC à 95 %",
        "item": "Item",
        "statistic": "Statistique",
        "answer": "Réponse",
        "count_choice": "n (choix / base)",
        "overall": "Ensemble",
        "apart": " (à part)",
        "suppressed": SUPPRESSED_LABEL,
        "edition": "Édition",
        "change": "Évolution",
        "absent": "option absente",
        "frame_share": "{share} (part de la base de sondage)",
        "significant": "significative",
        "not_significant": "non significative",
        "not_tested": "non testée ({reason})",
        "trend_caption": "Évolution : {label}",
    },
    "en": {
        "value_weighted": "Weighted value",
        "value_unweighted": "Unweighted value",
        "share_weighted": "Weighted share",
        "share_unweighted": "Unweighted share",
        "interval": "95% CI",
        "item": "Item",
        "statistic": "Statistic",
        "answer": "Answer",
        "count_choice": "n (choice / base)",
        "overall": "All",
        "apart": " (apart)",
        "suppressed": "too few respondents",
        "edition": "Edition",
        "change": "Change",
        "absent": "option absent",
        "frame_share": "{share} (share of the sampling frame)",
        "significant": "significant",
        "not_significant": "not significant",
        "not_tested": "not tested ({reason})",
        "trend_caption": "Change: {label}",
    },
}
# The reasons `trends.trend` gives (in French) for an untested change, in English.
REASONS_EN = {
    "questions non comparables": "questions not comparable",
    "effectif insuffisant": "too few respondents",
    "fixé par la pondération": "fixed by the weighting",
    "variance nulle": "zero variance",
    "intervalle non calculable": "interval cannot be computed",
    "estimation indisponible": "no estimate",
    "item absent": "item absent",
    "liste d'options différente entre les éditions": "the options differ between editions",
    "répartition fixée par la pondération": "distribution fixed by the weighting",
}


def _words(locale: str) -> dict[str, str]:
    return WORDS[language_of(locale)]


def _reason(reason: str, locale: str) -> str:
    if language_of(locale) != "en":
        return reason
    for french, english in REASONS_EN.items():
        if reason.startswith(french):
            return english + reason[len(french) :]
    if reason.startswith("option absente en "):
        return "option absent in " + reason.removeprefix("option absente en ")
    return reason


def _value_header(estimate: QuestionEstimate, locale: str = "fr") -> str:
    words = _words(locale)
    if estimate.kind in ("number", "score"):
        return words["value_weighted"] if estimate.weighted else words["value_unweighted"]
    return words["share_weighted"] if estimate.weighted else words["share_unweighted"]


def figure_cells(
    *,
    statistic: str,
    estimate: float | None,
    ci_low: float | None,
    ci_high: float | None,
    fixed: bool = False,
    problem: str = "",
    locale: str = "fr",
) -> tuple[str, str]:
    """(value, interval) as printed: a share fixed by the weighting is "fixé par la
    pondération" beside the frame's share; an interval with a problem is explained in words."""
    percent = statistic == "proportion"
    if percent:
        value = format_percent(estimate, locale=locale)
    else:
        value = format_number(estimate, 2, locale=locale)
    if fixed:
        return _words(locale)["frame_share"].format(share=value), describe_problem(
            "fixed", locale=locale
        )
    if problem:
        return value, describe_problem(problem, locale=locale)
    interval = format_interval(
        ci_low, ci_high, percent=percent, digits=1 if percent else 2, locale=locale
    )
    return value, interval


def _cells(row: EstimateRow, locale: str = "fr") -> list[str]:
    if row.suppressed:
        suppressed = _words(locale)["suppressed"]
        return [f"{row.base_respondents}", suppressed, suppressed]
    percent = row.statistic == "proportion"
    count = f"{row.n} / {row.base_n}" if percent else f"{row.base_n}"
    value, interval = figure_cells(
        statistic=row.statistic,
        estimate=row.estimate,
        ci_low=row.ci_low,
        ci_high=row.ci_high,
        fixed=row.fixed,
        problem=row.problem,
        locale=locale,
    )
    return [count, value, interval]


def independence_note(test: dict[str, Any] | None, *, locale: str = "fr") -> str:
    """The line a table prints about the Rao-Scott test of a cross-tabulation."""
    if not test:
        return ""
    english = language_of(locale) == "en"
    name = "Rao-Scott independence test" if english else "Test d'indépendance de Rao-Scott"
    problem = problem_of_test(test)
    if problem:
        return (
            f"{name} : {describe_problem(problem, locale=locale)}."
            if not english
            else (f"{name}: {describe_problem(problem, locale=locale)}.")
        )
    figures = format_test(
        test.get("statistic"),
        test.get("df_num"),
        test.get("df_den"),
        test.get("p_value"),
        locale=locale,
    )
    return f"{name}: {figures}." if english else f"{name} : {figures}."


def data_table(estimate: QuestionEstimate, *, locale: str = "fr") -> dict[str, Any]:
    """{caption, headers, rows, notes}: one row per published figure, in chart order."""
    words = _words(locale)
    english = language_of(locale) == "en"
    leading: list[str] = []
    if estimate.by is not None:
        leading.append(estimate.by_label or estimate.by)
    if estimate.kind in ("likert", "score"):
        leading.append(words["item"])
    label_header = words["statistic"] if estimate.kind in ("number", "score") else words["answer"]
    count_header = words["count_choice"] if estimate.kind not in ("number", "score") else "n"
    headers = [
        *leading,
        label_header,
        count_header,
        _value_header(estimate, locale),
        words["interval"],
    ]
    rows = []
    for row in estimate.rows:
        first: list[str] = []
        if estimate.by is not None:
            first.append(row.group_label or words["overall"])
        if estimate.kind in ("likert", "score"):
            first.append(row.item_label or row.item or "")
        label = (
            STATISTIC_LABELS.get(row.key, row.label) if row.statistic != "proportion" else row.label
        )
        if row.apart:
            label += words["apart"]
        rows.append([*first, label, *_cells(row, locale)])
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
                bound = (
                    "sans borne haute"
                    if high is None
                    else f"au plus {format_number(high, 0, locale=locale)}"
                )
                notes.append(
                    f"Moyenne comprise entre {format_number(low, 0, locale=locale)} et "
                    f"{bound}{(' ' + unit) if unit else ''} (tranches)."
                )
    if estimate.test:
        notes.append(independence_note(estimate.test, locale=locale))
    method = "Korn-Graubard" if estimate.ci_method == "korn-graubard" else "Wilson"
    confidence = format_percent(estimate.confidence, 0, locale=locale)
    notes.append(
        f"{confidence} confidence intervals ({method} on the effective sample size, finite "
        f"population correction); figures hidden under {estimate.threshold} respondents."
        if english
        else f"Intervalles de confiance à {confidence} ({method} sur l'effectif effectif, "
        f"correction de population finie) ; figures masquées sous {estimate.threshold} "
        "répondants."
    )
    return {
        "caption": estimate.label or estimate.question,
        "headers": headers,
        "rows": rows,
        "notes": notes,
    }


def change_text(change: Any, *, percent: bool, locale: str = "fr") -> str:
    """ "+3,2 pt, significative (p = 0,012)", or why there is no test."""
    words = _words(locale)
    if change is None:
        return ""
    if not change.tested or change.p_value is None or not math.isfinite(change.p_value):
        return words["not_tested"].format(reason=_reason(change.reason or "", locale))
    difference = change.difference or 0.0
    number = format_number(
        difference * 100 if percent else difference, 1 if percent else 2, locale=locale
    )
    zero = not any(character in "123456789" for character in number)
    sign = "" if zero or number.startswith("-") else "+"
    amount = f"{sign}{number} pt" if percent else f"{sign}{number}"
    verdict = words["significant"] if change.significant else words["not_significant"]
    return f"{amount}, {verdict} ({format_p_value(change.p_value, locale=locale)})"


def trend_table(trend: TrendResult, *, locale: str = "fr") -> dict[str, Any]:
    """One row per option and edition, with the test of change from the previous edition."""
    words = _words(locale)
    headers = [
        words["answer"],
        words["edition"],
        "n",
        words["share_weighted"],
        words["interval"],
        words["change"],
    ]
    rows = []
    for series in trend.series:
        name = " – ".join(p for p in (series.item_label, series.label) if p)
        percent = series.statistic == "proportion"
        for index, point in enumerate(series.points):
            change = series.changes[index - 1] if index else None
            verdict = change_text(change, percent=percent, locale=locale)
            if not point.present:
                rows.append([name, point.edition, "", words["absent"], "", verdict])
            elif point.suppressed:
                rows.append(
                    [
                        name,
                        point.edition,
                        str(point.base_n or ""),
                        words["suppressed"],
                        words["suppressed"],
                        verdict,
                    ]
                )
            else:
                value, interval = figure_cells(
                    statistic=series.statistic,
                    estimate=point.estimate,
                    ci_low=point.ci_low,
                    ci_high=point.ci_high,
                    fixed=point.fixed,
                    problem=point.problem,
                    locale=locale,
                )
                rows.append(
                    [
                        name,
                        point.edition,
                        f"{point.n} / {point.base_n}" if percent else str(point.base_n),
                        value,
                        interval,
                        verdict,
                    ]
                )
    return {
        "caption": words["trend_caption"].format(label=trend.label),
        "headers": headers,
        "rows": rows,
        "notes": [
            *trend.notes,
            *(_distribution_note(test, locale) for test in trend.distribution_tests),
        ],
    }


def _distribution_note(test: DistributionTest, locale: str = "fr") -> str:
    """ "Distribution 2018 → 2026 : différence significative (F(2 ; 180) = 4,21 ; p = 0,003)"."""
    english = language_of(locale) == "en"
    subject = f"Distribution{f' ({test.item_label})' if test.item_label else ''}"
    where = f"{subject} {test.previous_edition} → {test.edition}"
    colon = ":" if english else " :"
    if not test.tested:
        reason = _reason(test.note, locale)
        return f"{where}{colon} {'not tested' if english else 'non testée'} ({reason})"
    figures = format_test(test.statistic, test.df_num, test.df_den, test.p_value, locale=locale)
    if not figures:
        problem = problem_of_test(
            {
                "statistic": test.statistic,
                "df_num": test.df_num,
                "df_den": test.df_den,
                "p_value": test.p_value,
            }
        )
        return f"{where}{colon} {describe_problem(problem, locale=locale)}"
    if english:
        verdict = "significant difference" if test.significant else "no significant difference"
    else:
        verdict = (
            "différence significative" if test.significant else "pas de différence significative"
        )
    return f"{where}{colon} {verdict} ({figures})"
