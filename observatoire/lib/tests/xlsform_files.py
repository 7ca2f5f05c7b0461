"""Workbooks built for the XLSForm tests and the bench (no fixtures on disk needed)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

WIDE_ROWS = 513
WIDE_COLUMNS = 6_587


def wide_workbook(rows: int = WIDE_ROWS, columns: int = WIDE_COLUMNS) -> bytes:
    """A survey of `rows` rows whose sheet declares `columns` columns, almost all empty.

    Like a sheet where someone formatted a cell far to the right: the file holds a few cells,
    the sheet's dimension says rows x columns.
    """
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label", "hint", "relevant"])
    for number in range(1, rows):
        survey.append(
            [
                "integer",
                f"q{number}",
                f"Question {number}",
                None,
                f"${{q{number - 1}}} > 0" if number > 1 else None,
            ]
        )
    for row in range(1, rows + 1, 64):
        survey.cell(row=row, column=columns).font = Font(bold=True)  # styled, empty
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["large", "1"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
