"""Neutralising spreadsheet formulas in exported cells (CSV and XLSX "injection").

A text cell that starts with = + - @ (or a tab or carriage return) is run as a formula by
Excel and LibreOffice when the downloaded file is opened: a tool named
`=HYPERLINK("http://…","clic")` in the public directory would become a live link in the
user's sheet. Following OWASP (https://owasp.org/www-community/attacks/CSV_Injection), such
cells get a leading single quote, which spreadsheets read as "this is text". Only strings are
touched: a number, negative or not, stays a number.

Every CSV and XLSX export of the site writes its cells through `neutralise`.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
T = TypeVar("T")


def neutralise(value: T) -> T | str:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in values]


def neutralise_frame(frame: "pd.DataFrame", columns: Iterable[str]) -> "pd.DataFrame":
    """A copy whose named (text) columns are neutralised; the others stay as they are.

    The caller names the free-text columns: a code column whose schema is numeric or an
    enumeration keeps its values, so the data package still validates.
    """
    copy = frame.copy()
    for column in columns:
        copy[column] = copy[column].map(neutralise)
    return copy
