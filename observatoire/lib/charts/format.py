"""Number formatting for tables, labels and notes, matching d3's locales in the charts.

French (the default, `locale="fr"`): comma decimal separator, no-break space between thousands,
narrow no-break space before "%" ("42,3 %"). English (`locale="en"`): point decimal separator,
comma between thousands, "42.3%". Every helper prints a dash for a missing figure and never
prints "nan" or "inf": a figure that cannot be computed is explained in words by the caller
(`describe_problem`).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from ..stats.checks import problem_of_test

NBSP = "\u00a0"
NNBSP = "\u202f"
LOCALES = ("fr", "en")
MISSING = "–"
# Below it a p-value is printed "< 0,001" (a smaller one says nothing more, and a printed
# "0,000" reads as an impossible zero).
P_FLOOR = 0.001


def language_of(locale: str | None) -> str:
    """ "fr", "fr-FR", "en-gb"... → "fr" or "en" (French for anything else)."""
    code = (locale or "fr").split("-")[0].split("_")[0].lower()
    return code if code in LOCALES else "fr"


def _finite(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def format_number(value: float | None, digits: int = 1, *, locale: str = "fr") -> str:
    if value is None or not _finite(value):
        return MISSING
    text = f"{value:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # never "-0,0"
    if language_of(locale) == "en":
        return text
    return text.replace(",", NBSP).replace(".", ",")


def format_percent(share: float | None, digits: int = 1, *, locale: str = "fr") -> str:
    """0.423 → "42,3 %" (narrow no-break space) in French, "42.3%" in English."""
    if share is None or not _finite(share):
        return MISSING
    number = format_number(share * 100, digits, locale=locale)
    return f"{number}%" if language_of(locale) == "en" else f"{number}{NNBSP}%"


def format_interval(
    low: float | None,
    high: float | None,
    *,
    percent: bool = True,
    digits: int = 1,
    locale: str = "fr",
) -> str:
    """ "[35,1 ; 49,8 %]" for shares, "[1,2 ; 3,4]" for values ("[35.1; 49.8%]" in English)."""
    if low is None or high is None or not (_finite(low) and _finite(high)):
        return MISSING
    separator = "; " if language_of(locale) == "en" else " ; "
    if percent:
        return (
            f"[{format_number(low * 100, digits, locale=locale)}{separator}"
            f"{format_percent(high, digits, locale=locale)}]"
        )
    return (
        f"[{format_number(low, digits, locale=locale)}{separator}"
        f"{format_number(high, digits, locale=locale)}]"
    )


def format_p_value(p_value: float | None, *, locale: str = "fr") -> str:
    """ "p = 0,012", "p < 0,001"; a dash when there is no valid p-value."""
    if p_value is None or not _finite(p_value) or not 0 <= p_value <= 1:
        return MISSING
    if p_value < P_FLOOR:
        return f"p < {format_number(P_FLOOR, 3, locale=locale)}"
    return f"p = {format_number(p_value, 3, locale=locale)}"


def format_df(value: float, *, locale: str = "fr") -> str:
    """Degrees of freedom: whole numbers as such, Rao-Scott's fractional ones with one digit."""
    return format_number(value, 0 if float(value).is_integer() else 1, locale=locale)


def format_test(
    statistic: float | None,
    df_num: float | None,
    df_den: float | None = None,
    p_value: float | None = None,
    *,
    name: str = "F",
    locale: str = "fr",
) -> str:
    """ "F(2 ; 45,3) = 4,21 ; p < 0,001". A statistic is printed only with its degrees of
    freedom: without them (or with an invalid figure) the result is "" and the caller says
    in words why there is no test (`problem_of_test`)."""
    if problem_of_test(
        {"statistic": statistic, "df_num": df_num, "df_den": df_den, "p_value": p_value},
        needs_den=name == "F",
    ):
        return ""
    assert df_num is not None and statistic is not None
    separator = "; " if language_of(locale) == "en" else " ; "
    df = format_df(df_num, locale=locale)
    if df_den is not None:
        df += f"{separator}{format_df(df_den, locale=locale)}"
    return (
        f"{name}({df}) = {format_number(statistic, 2, locale=locale)}{separator}"
        f"{format_p_value(p_value, locale=locale)}"
    )


PROBLEMS = {
    "fixed": {
        "fr": "fixé par la pondération",
        "en": "fixed by the weighting",
    },
    "zero_variance": {
        "fr": "variance nulle (aucune erreur d’échantillonnage à estimer) : pas d’intervalle",
        "en": "zero variance (no sampling error to estimate): no interval",
    },
    "no_df": {
        "fr": "trop peu de répondants par strate pour estimer la variance",
        "en": "too few respondents per stratum to estimate the variance",
    },
    "single_psu": {
        "fr": "un seul répondant dans le domaine : variance non estimable",
        "en": "a single respondent in the domain: variance cannot be estimated",
    },
    "empty": {
        "fr": "aucun répondant dans le domaine",
        "en": "no respondent in the domain",
    },
    "uninformative": {
        "fr": "trop peu de répondants pour un intervalle utile (de 0 à 100 %)",
        "en": "too few respondents for a useful interval (0 to 100%)",
    },
    "invalid": {
        "fr": "intervalle non calculable",
        "en": "interval cannot be computed",
    },
    "test_fixed": {
        "fr": "pas de test : répartition fixée par la pondération",
        "en": "no test: distribution fixed by the weighting",
    },
    "test_zero_variance": {
        "fr": "pas de test : variance nulle",
        "en": "no test: zero variance",
    },
    "test_no_df": {
        "fr": "pas de test : degrés de liberté insuffisants",
        "en": "no test: not enough degrees of freedom",
    },
    "test_invalid": {
        "fr": "pas de test : statistique non calculable",
        "en": "no test: the statistic cannot be computed",
    },
}


def describe_problem(code: str, *, locale: str = "fr") -> str:
    """The words for a problem code of `observatoire.lib.stats.checks` (or this module)."""
    texts = PROBLEMS.get(code) or PROBLEMS["invalid"]
    return texts[language_of(locale)]


def format_range(low: float | None, high: float | None, unit: str = "") -> str:
    """A cost range: "entre 2 et 15 €", "au moins 1 000 €" when there is no upper bound."""
    suffix = f"{NBSP}{unit}" if unit else ""
    digits = 0 if low is None or low >= 10 else 2
    if low is None:
        return MISSING
    if high is None:
        return f"au moins {format_number(low, digits)}{suffix}"
    high_digits = 0 if high >= 10 else 2
    return f"entre {format_number(low, digits)} et {format_number(high, high_digits)}{suffix}"
