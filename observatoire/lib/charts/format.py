"""French number formatting for tables and labels, matching d3's fr-FR locale in the charts:
comma decimal separator, no-break space between thousands, narrow no-break space before "%"."""

from __future__ import annotations

import math

NBSP = "\u00a0"
NNBSP = "\u202f"


def format_number(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞"
    text = f"{value:,.{digits}f}"
    return text.replace(",", NBSP).replace(".", ",")


def format_percent(share: float | None, digits: int = 1) -> str:
    """0.423 → "42,3 %" (narrow no-break space)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{format_number(share * 100, digits)}{NNBSP}%"


def format_interval(
    low: float | None, high: float | None, *, percent: bool = True, digits: int = 1
) -> str:
    """ "[35,1 ; 49,8 %]" for shares, "[1,2 ; 3,4]" for values."""
    if low is None or high is None:
        return "–"
    if percent:
        return f"[{format_number(low * 100, digits)} ; {format_percent(high, digits)}]"
    return f"[{format_number(low, digits)} ; {format_number(high, digits)}]"


def format_range(low: float | None, high: float | None, unit: str = "") -> str:
    """A cost range: "entre 2 et 15 €", "au moins 1 000 €" when there is no upper bound."""
    suffix = f"{NBSP}{unit}" if unit else ""
    digits = 0 if low is None or low >= 10 else 2
    if low is None:
        return "–"
    if high is None:
        return f"au moins {format_number(low, digits)}{suffix}"
    high_digits = 0 if high >= 10 else 2
    return f"entre {format_number(low, digits)} et {format_number(high, high_digits)}{suffix}"
