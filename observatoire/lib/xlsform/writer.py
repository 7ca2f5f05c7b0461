"""Write a Form back to an XLSForm workbook (.xlsx) that parse_xlsform reads identically."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .model import DEFAULT_LANGUAGE_KEY, Element, Form, Group, Question

_TRANSLATED = ("label", "hint", "required_message", "constraint_message")
_SURVEY_ORDER = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "default",
    "calculation",
    "choice_filter",
    "appearance",
    "parameters",
    "read_only",
    "repeat_count",
)


def _header(base: str, language: str) -> str:
    return base if language == DEFAULT_LANGUAGE_KEY else f"{base}::{language}"


def _element_rows(elements: list[Element]) -> Iterator[dict[str, str]]:
    for element in elements:
        if isinstance(element, Question) and element.generated:
            continue  # the NAME_other of or_other: the reader adds it again
        row: dict[str, str] = {**element.extra, "name": element.name}
        for base in ("label", "hint"):
            texts: dict[str, str] = getattr(element, base)
            row.update({_header(base, language): text for language, text in texts.items()})
        if element.relevant:
            row["relevant"] = element.relevant
        if element.appearance:
            row["appearance"] = element.appearance
        if isinstance(element, Question):
            yield {**row, **_question_cells(element)}
            continue
        kind = "group" if isinstance(element, Group) else "repeat"
        if not isinstance(element, Group) and element.count:
            row["repeat_count"] = element.count
        yield {**row, "type": f"begin_{kind}"}
        yield from _element_rows(element.children)
        yield {"type": f"end_{kind}", "name": element.name}


def _question_cells(question: Question) -> dict[str, str]:
    kind = f"{question.type} {question.list_name}" if question.list_name else question.type
    kind = question.written_type or kind
    cells = {"type": f"{kind} or_other" if question.or_other else kind}
    for base in ("required_message", "constraint_message"):
        texts: dict[str, str] = getattr(question, base)
        cells.update({_header(base, language): text for language, text in texts.items()})
    for column in ("required", "constraint", "default", "calculation", "choice_filter"):
        value = getattr(question, column)
        if value:
            cells[column] = value
    if question.parameters:
        cells["parameters"] = " ".join(f"{k}={v}" for k, v in question.parameters.items())
    if question.read_only:
        cells["read_only"] = "yes"
    return cells


def _columns(rows: list[dict[str, str]], order: tuple[str, ...], languages: list[str]) -> list[str]:
    used = {key for row in rows for key in row}
    columns: list[str] = []
    for base in order:
        if base in _TRANSLATED:
            columns += [
                _header(base, lang)
                for lang in languages
                if _header(base, lang) in used or base == "label"
            ]
        elif base in used or base in ("type", "name", "list_name"):
            columns.append(base)
    # Columns kept as written (tool-specific, extra choice columns), in order of appearance.
    for row in rows:
        columns += [key for key in row if key not in columns and key in used]
    return columns


def _fill(sheet: Worksheet, rows: list[list[Any]]) -> None:
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Expressions such as "=${x}" must stay text, never become spreadsheet formulas.
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(rows[0] if rows else []):
        wide = str(column).startswith(("label", "hint", "relevant", "constraint", "calculation"))
        sheet.column_dimensions[get_column_letter(index + 1)].width = 40 if wide else 18


def _write_sheet(
    sheet: Worksheet,
    columns: list[str],
    rows: list[dict[str, Any]],
    single: list[str] | None = None,
) -> None:
    titles = [_spelled(column, single or []) for column in columns]
    _fill(sheet, [titles, *([row.get(column) for column in columns] for row in rows)])


def _spelled(column: str, single: list[str]) -> str:
    """`label::English` as `label:English` when it was written the older way."""
    if column in single:
        base, _, language = column.partition("::")
        return f"{base}:{language}"
    return column


def write_workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An .xlsx from plain rows, sheet by sheet (the first row of each is its header)."""
    workbook = Workbook()
    assert workbook.active is not None
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        _fill(workbook.create_sheet(name), rows)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def export_xlsform(form: Form) -> bytes:
    """The form as an .xlsx XLSForm (survey, choices, settings sheets)."""
    languages = form.languages or [DEFAULT_LANGUAGE_KEY]
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    survey_rows = list(_element_rows(form.children))
    single = form.single_colon_headers
    _write_sheet(
        survey, _columns(survey_rows, _SURVEY_ORDER, languages), survey_rows, single.get("survey")
    )

    choice_rows: list[dict[str, str]] = []
    for list_name, choices in form.choice_lists.items():
        for choice in choices:
            row = {**choice.extra, "list_name": list_name, "name": choice.name}
            row.update({_header("label", lang): text for lang, text in choice.label.items()})
            choice_rows.append(row)
    choice_languages = [
        lang
        for lang in languages
        if any(lang in c.label for cs in form.choice_lists.values() for c in cs)
    ]
    _write_sheet(
        workbook.create_sheet("choices"),
        _columns(choice_rows, ("list_name", "name", "label"), choice_languages or languages),
        choice_rows,
        single.get("choices"),
    )

    settings = {
        "form_title": form.title,
        "form_id": form.form_id,
        "version": form.version,
        "default_language": form.default_language if form.default_language_declared else None,
        "style": form.style,
        **form.settings_extra,
    }
    columns = [key for key, value in settings.items() if value]
    _write_sheet(workbook.create_sheet("settings"), columns, [settings])

    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
