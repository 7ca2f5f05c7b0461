"""Read and check an XLSForm workbook (.xlsx), then confirm it with pyxform.

The sheets are read with openpyxl here, rather than through pyxform's dict, to keep the
spreadsheet row of every cell: each problem names its sheet, row (1-based, header = 1) and
column, and all problems are collected before raising. pyxform runs last, on a form that
passed our checks, so that what ODK would reject is reported too
(https://xlsform.org/en/ref-table/ is the column reference).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from os import PathLike
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile

from openpyxl import load_workbook

from .expressions import REFERENCE, check_expression, pulldata_files, references
from .model import (
    DEFAULT_LANGUAGE_KEY,
    FROM_FILE_TYPES,
    OTHER_CHOICE,
    QUESTION_TYPES,
    SELECT_TYPES,
    Choice,
    Element,
    Form,
    FormProblem,
    Group,
    Question,
    Repeat,
    Texts,
    XLSFormError,
    default_is_dynamic,
    file_choices,
    iter_elements,
    other_choice,
    specify_other,
)

SURVEY = "survey"
CHOICES = "choices"
SETTINGS = "settings"

TRANSLATABLE = frozenset({"label", "hint", "constraint_message", "required_message"})
# Translatable columns kept and written back but not used by the web pages.
PASSED_TRANSLATABLE = frozenset({"guidance_hint", "image", "audio", "video", "big-image"})
SURVEY_COLUMNS = frozenset(
    {
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
        "repeat_count",
        "appearance",
        "parameters",
        "read_only",
    }
)
CHOICES_COLUMNS = frozenset({"list_name", "name", "label"})
SETTINGS_COLUMNS = frozenset({"form_title", "form_id", "version", "default_language", "style"})
# Columns kept (written back by export_xlsform) and ignored by the web pages: they only mean
# something to ODK Collect, KoboToolbox or SurveyCTO, or to pyxform's XML. docs/xlsform.md
# lists them; any other column is an error, since a typo ("constrain") would silently drop a rule.
KEPT_COLUMNS = {
    SURVEY: frozenset(
        {
            # XLSForm / ODK
            "guidance_hint",
            "trigger",
            "save_to",
            "autoplay",
            "accuracythreshold",
            "image",
            "audio",
            "video",
            "big-image",
            "note",
            "rows",
            "buttontext",
            # KoboToolbox
            "tags",
            "hxl",
            "select_from_list_name",
            "kobo_matrix_list",
            # Observatoire: the answer's default from the respondent's unit (docs/xlsform.md)
            "unit_default",
            # SurveyCTO
            "response_note",
            "publishable",
            "disabled",
        }
    ),
    CHOICES: frozenset(),  # any extra column of the choices sheet is data (choice_filter)
    SETTINGS: frozenset(
        {
            "instance_name",
            "submission_url",
            "public_key",
            "auto_send",
            "auto_delete",
            "allow_choice_duplicates",
            "namespaces",
            "clean_text_values",
            "omit_instanceID",
            "omit_instanceid",
            "date_time_format",
            "xml_root",
            "add_none_option",
        }
    ),
}
# Header prefixes kept the same way: Kobo's `$kuid`, `$autoname`, `kobo--matrix_list`...;
# ODK's `body::`, `bind::`, `instance::`, `control::` attributes; `media::image`...
# Standard columns the engine does not implement yet (none at the moment), header -> message.
UNSUPPORTED_COLUMNS: dict[str, str] = {}
KEPT_PREFIXES = ("$", "kobo--", "kobo_", "body::", "bind::", "instance::", "control::", "media::")
UNSUPPORTED_SHEETS = frozenset({"external_choices", "entities", "osm"})
HEADER_ALIASES = {
    "list_name": "list_name",
    "jr:count": "repeat_count",
    "count": "repeat_count",
    "calculate": "calculation",
    "constraint_msg": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
    "requiredmsg": "required_message",
    "readonly": "read_only",
    "title": "form_title",
    "id_string": "form_id",
}
TYPE_ALIASES = {
    "int": "integer",
    "string": "text",
    "select one": "select_one",
    "select multiple": "select_multiple",
    "dateTime": "datetime",
    "begin group": "begin_group",
    "begin loop": "begin_loop",
    "end loop": "end_loop",
    # pyxform reads `phone number` as a text question (digits); the digits check is not applied.
    "phone number": "text",
    "device id": "deviceid",
    "end group": "end_group",
    "begin repeat": "begin_repeat",
    "end repeat": "end_repeat",
}
# XLSForm types that cannot work in a web questionnaire answered on the server: what each is and
# what to do instead. One message per row, on its `type` cell.
IMPOSSIBLE_TYPES = {
    "geopoint": "une position GPS, captée par le téléphone",
    "geotrace": "un tracé GPS, capté par le téléphone",
    "geoshape": "un polygone GPS, capté par le téléphone",
    "audio": "un enregistrement audio fait par l'appareil",
    "video": "une vidéo filmée par l'appareil",
    "barcode": "la lecture d'un code-barres par l'appareil photo",
    "background-audio": "un enregistrement audio pendant toute la saisie",
    "background-geopoint": "une position GPS prise en arrière-plan",
    "audit": "le journal de saisie d'ODK Collect",
    "xml-external": "une source de données XML externe",
    "csv-external": "une source de données CSV externe",
    "osm": "une carte OpenStreetMap à annoter",
    "begin_loop": "une boucle sur une liste (begin_loop)",
}
_WHAT_TO_DO = (
    "ce questionnaire web ne peut pas le recueillir : supprimez la ligne ou remplacez-la par "
    "une question texte (par exemple l'adresse ou le nom du lieu)."
)
# Types pyxform knows that the engine does not implement yet (none at the moment).
UNSUPPORTED_TYPES: frozenset[str] = frozenset()
# `unit_default` values: what the sampling frame knows about the responding unit.
UNIT_ATTRIBUTES = ("name", "kind", "population", "region", "code")
_NAME = re.compile(r"^[^\W\d][\w.\-]*$")
_TRUE = frozenset({"yes", "true", "true()", "1", "oui"})
_FALSE = frozenset({"no", "false", "false()", "0", "non"})
_PYXFORM_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_PYXFORM_SHEET = re.compile(r"'(survey|choices|settings)'", re.IGNORECASE)
_PYXFORM_COLUMN = re.compile(r"the '([\w:\- ()]+)' (?:value|column)", re.IGNORECASE)

Source = str | PathLike[str] | bytes | IO[bytes]


@dataclass
class _Row:
    number: int
    cells: dict[str, str] = field(default_factory=dict)  # column key -> text
    texts: dict[str, Texts] = field(default_factory=dict)  # translatable base -> language -> text
    extra: dict[str, str] = field(default_factory=dict)  # kept columns: header -> text

    def get(self, column: str) -> str | None:
        return self.cells.get(column)


@dataclass
class _Sheet:
    name: str
    rows: list[_Row]
    columns: dict[str, str]  # column key -> header as written


class _Problems:
    def __init__(self) -> None:
        self.items: list[FormProblem] = []
        self.missing_files: set[str] = set()  # reported once, at the first row that reads it
        self.headers: dict[str, list[str]] = {}  # attached files' header rows, in order

    def add(self, sheet: str, row: int | None, column: str | None, message: str, code: str) -> None:
        self.items.append(FormProblem(sheet, row, column, message, code))


def parse_xlsform(
    source: Source,
    *,
    filename: str | None = None,
    attachments: Mapping[str, bytes] | None = None,
) -> Form:
    """Parse and check an XLSForm; raises XLSFormError listing every problem found.

    `attachments` are the CSV files the form reads (select_one_from_file, pulldata), by file
    name as the form writes it (`communes.csv`).

    Without a `settings` sheet (or a `form_id` in it), the form_id is the file name without its
    extension, as pyxform does: `filename`, else the name of the `source` path, else "data".
    """
    if filename is None and isinstance(source, str | PathLike):
        filename = Path(source).name
    data = _read_bytes(source)
    problems = _Problems()
    try:
        # read_only streams the sheet XML: the cost follows the cells the file holds, not the
        # sheet's declared size (a stray formatted cell in column 6,587 made the default mode
        # visit every empty coordinate of a 513 x 6,587 rectangle).
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as error:
        raise XLSFormError(
            [FormProblem("(fichier)", None, None, f"Classeur .xlsx illisible : {error}", "file")]
        ) from None
    files = read_attachments(attachments or {}, problems)
    try:
        return _parse_workbook(workbook, data, problems, default_form_id(filename), files)
    finally:
        workbook.close()


def default_form_id(filename: str | None) -> str:
    """pyxform's default: the file name without extension, made a valid XML name."""
    stem = Path(filename).stem if filename else ""
    name = re.sub(r"[^\w.\-]+", "_", stem).strip("_")
    if not name:
        return "data"
    return name if _NAME.match(name) else f"_{name}"


ATTACHMENT_MAX_ROWS = 100_000


def read_attachments(
    attachments: Mapping[str, bytes], problems: _Problems
) -> dict[str, list[dict[str, str]]]:
    """Each attached CSV file as rows (header -> text): UTF-8 (a BOM is fine) or Windows-1252,
    comma or semicolon separated, as spreadsheet programs save them."""
    files: dict[str, list[dict[str, str]]] = {}
    for name, content in attachments.items():
        name = Path(name).name
        if not name.lower().endswith(".csv"):
            problems.add(
                name,
                None,
                None,
                "Seuls les fichiers joints CSV sont pris en charge (les fichiers XML ou GeoJSON "
                "d'ODK ne le sont pas encore) : enregistrez la liste en CSV.",
                "attachment",
            )
            continue
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        headers = [h.strip() for h in reader.fieldnames or [] if h and h.strip()]
        if not headers:
            problems.add(name, 1, None, "Fichier vide : la ligne d'en-tête manque.", "attachment")
            continue
        rows = []
        for number, row in enumerate(reader, start=2):
            if number > ATTACHMENT_MAX_ROWS:
                problems.add(
                    name, number, None, f"Plus de {ATTACHMENT_MAX_ROWS} lignes.", "attachment"
                )
                break
            rows.append(
                {
                    (key or "").strip(): (value or "").strip()
                    for key, value in row.items()
                    if key and isinstance(value, str) and value.strip()
                }
            )
        files[name] = rows
        problems.headers[name] = headers
    return files


def _attachment_problem(
    files: dict[str, list[dict[str, str]]],
    name: str,
    row: int | None,
    column: str,
    problems: _Problems,
    *,
    needs: tuple[str, ...] = (),
) -> bool:
    """One message when the form reads a file that was not attached (or lacks a column)."""
    if name in problems.missing_files:
        return True
    if name not in files:
        problems.missing_files.add(name)
        problems.add(
            SURVEY,
            row,
            column,
            f"Le fichier joint « {name} » manque : joignez-le à l'import "
            f"(observatoire barometer import-form ANNÉE formulaire.xlsx {name}) ; les autres "
            "lignes qui le lisent ne sont pas signalées à nouveau.",
            "missing-attachment",
        )
        return True
    headers = {key for record in files[name] for key in record}
    for header in needs:
        if files[name] and header not in headers:
            problems.add(
                SURVEY,
                row,
                column,
                f"Le fichier joint « {name} » n'a pas de colonne « {header} ».",
                "missing-attachment",
            )
            return True
    return False


def _parse_workbook(
    workbook: Any,
    data: bytes,
    problems: _Problems,
    form_id: str,
    files: dict[str, list[dict[str, str]]] | None = None,
) -> Form:
    files = files or {}
    sheets = {name.strip().lower(): workbook[name] for name in workbook.sheetnames}
    for name in sorted(UNSUPPORTED_SHEETS & sheets.keys()):
        problems.add(name, None, None, "Feuille non prise en charge par ce moteur.", "unsupported")

    if SURVEY not in sheets:
        problems.add(SURVEY, None, None, "La feuille « survey » est absente.", "missing-sheet")
        raise XLSFormError(problems.items)
    survey = _read_sheet(sheets[SURVEY], SURVEY, SURVEY_COLUMNS, problems)
    if survey is None:
        problems.add(SURVEY, 1, None, "Feuille vide : la ligne d'en-tête manque.", "empty-sheet")
        raise XLSFormError(problems.items)
    # An empty choices or settings sheet is as good as none (templates often carry one).
    choices_sheet = (
        _read_sheet(sheets[CHOICES], CHOICES, CHOICES_COLUMNS, problems)
        if CHOICES in sheets
        else None
    )
    settings_sheet = (
        _read_sheet(sheets[SETTINGS], SETTINGS, SETTINGS_COLUMNS, problems)
        if SETTINGS in sheets
        else None
    )

    languages = _languages(survey, choices_sheet)
    settings = _read_settings(settings_sheet, languages, problems)
    default_language = settings.get("default_language") or (languages[0] if languages else None)
    label_languages = [lang for lang in languages if _has_column(survey, "label", lang)]
    settings_extra = settings_sheet.rows[0].extra if settings_sheet and settings_sheet.rows else {}
    # pyxform's setting for lists where a filter tells same-named choices apart.
    allow_duplicates = _flag(settings_extra.get("allow_choice_duplicates")) is True
    choice_lists = _read_choices(
        choices_sheet, languages, problems, allow_duplicates=allow_duplicates
    )
    refused: set[str] = set()
    children = _read_survey(
        survey,
        choice_lists,
        label_languages,
        default_language,
        problems,
        all_languages=label_languages,
        refused=refused,
        files=files,
    )
    _check_expressions(children, problems, refused)
    if not problems.items:  # on a form with broken expressions, a cycle would be a guess
        _check_cycles(children, problems)
    _check_grids(children, problems)

    form_id = settings.get("form_id") or form_id
    form = Form(
        form_id=form_id,
        version=settings.get("version", ""),
        title=settings.get("form_title") or form_id,
        default_language_declared=bool(settings.get("default_language")),
        single_colon_headers={
            sheet.name: [key for key, header in sheet.columns.items() if _single_colon(key, header)]
            for sheet in (survey, choices_sheet)
            if sheet and any(_single_colon(key, header) for key, header in sheet.columns.items())
        },
        default_language=default_language,
        languages=languages,
        children=children,
        choice_lists=choice_lists,
        style=settings.get("style"),
        settings_extra=settings_sheet.rows[0].extra
        if settings_sheet and settings_sheet.rows
        else {},
        attachments=files,
        attachment_headers={name: problems.headers[name] for name in files},
    )
    if problems.items:
        raise XLSFormError(problems.items)
    form.warnings = _run_pyxform(data)
    return form


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | PathLike):
        return Path(source).read_bytes()
    return source.read()


# --- Sheets ---------------------------------------------------------------------------------


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _column_key(header: str) -> tuple[str, str | None]:
    """("label", "English (en)") for `label::English (en)`, and for the older `label:English`."""
    base, separator, language = header.partition("::")
    if not separator and ":" in header:
        before, _, after = header.partition(":")
        if _normal(before) in TRANSLATABLE | PASSED_TRANSLATABLE:
            base, separator, language = before, ":", after
    base = _normal(base)
    return base, (language.strip() if separator else None)


def _single_colon(key: str, header: str) -> bool:
    return "::" in key and "::" not in header


def _normal(base: str) -> str:
    base = base.strip().lower().replace(" ", "_")
    return HEADER_ALIASES.get(base, base)


def _is_kept(sheet: str, header: str, base: str) -> bool:
    return header.lower().startswith(KEPT_PREFIXES) or base in KEPT_COLUMNS.get(sheet, ())


# A column key (base, language), or _KEPT for a column whose cells go to _Row.extra.
_KEPT = ("", None)


def _read_sheet(
    worksheet: Any, sheet: str, known: frozenset[str], problems: _Problems
) -> _Sheet | None:
    """The sheet's non-empty rows; None for a sheet without a header row."""
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None)
    # Cells right of the last header are never read: trim before converting anything.
    width = max((i + 1 for i, cell in enumerate(header or ()) if _cell_text(cell)), default=0)
    if not width:
        return None
    keys: list[tuple[str, str | None] | None] = []
    columns: dict[str, str] = {}
    for cell in (header or ())[:width]:
        text = _cell_text(cell)
        if text is None:
            keys.append(None)
            continue
        base, language = _column_key(text)
        key = f"{base}::{language}" if language else base
        if _is_kept(sheet, text, base) or (sheet == CHOICES and base not in known):
            keys.append(_KEPT)
            columns[text] = text
        elif base in UNSUPPORTED_COLUMNS:
            problems.add(sheet, 1, text, UNSUPPORTED_COLUMNS[base], "unsupported-column")
            keys.append(None)
        elif base not in known:
            problems.add(sheet, 1, text, "Colonne inconnue.", "unknown-column")
            keys.append(None)
        elif language is not None and base not in TRANSLATABLE:
            problems.add(
                sheet, 1, text, f"La colonne « {base} » ne se traduit pas.", "unknown-column"
            )
            keys.append(None)
        elif key in columns:
            problems.add(
                sheet, 1, text, f"Colonne en double (déjà « {columns[key]} »).", "duplicate-column"
            )
            keys.append(None)
        else:
            columns[key] = text
            keys.append((base, language))
    headers = [_cell_text(cell) or "" for cell in (header or ())[:width]]

    result: list[_Row] = []
    for number, values in enumerate(rows, start=2):
        row = _Row(number)
        for index, (column, value) in enumerate(zip(keys, values, strict=False)):
            if column is None or value is None:
                continue
            text = _cell_text(value)
            if text is None:
                continue
            base, language = column
            if column is _KEPT:
                row.extra[headers[index]] = text
            elif base in TRANSLATABLE:
                row.texts.setdefault(base, {})[language or DEFAULT_LANGUAGE_KEY] = text
                row.cells[f"{base}::{language}" if language else base] = text
            else:
                row.cells[base] = text
        if row.cells or row.extra:
            result.append(row)
    return _Sheet(sheet, result, columns)


def _has_column(sheet: _Sheet | None, base: str, language: str) -> bool:
    if sheet is None:
        return False
    key = base if language == DEFAULT_LANGUAGE_KEY else f"{base}::{language}"
    return key in sheet.columns


def _languages(*sheets: _Sheet | None) -> list[str]:
    languages: list[str] = []
    for sheet in sheets:
        for key in sheet.columns if sheet else ():
            base, _, language = key.partition("::")
            if base not in TRANSLATABLE:
                continue
            language = language or DEFAULT_LANGUAGE_KEY
            if language not in languages:
                languages.append(language)
    return languages


def _column_for(base: str, language: str | None) -> str:
    if language is None or language == DEFAULT_LANGUAGE_KEY:
        return base
    return f"{base}::{language}"


def _read_settings(
    sheet: _Sheet | None, languages: list[str], problems: _Problems
) -> dict[str, str]:
    if sheet is None:
        return {}
    if len(sheet.rows) > 1:
        problems.add(
            SETTINGS,
            sheet.rows[1].number,
            None,
            "Une seule ligne de réglages est permise.",
            "bad-settings",
        )
    row = sheet.rows[0] if sheet.rows else _Row(2)
    settings = dict(row.cells)
    form_id = settings.get("form_id")
    if form_id and not _NAME.match(form_id):
        problems.add(
            SETTINGS,
            row.number,
            "form_id",
            f"form_id « {form_id} » n'est pas un nom valide (lettres, chiffres, _ - .).",
            "bad-settings",
        )
    default_language = settings.get("default_language")
    if default_language and languages and default_language not in languages:
        problems.add(
            SETTINGS,
            row.number,
            "default_language",
            f"La langue « {default_language} » n'est utilisée par aucune colonne "
            f"(langues : {', '.join(languages)}).",
            "bad-settings",
        )
    return settings


def _texts_problems(
    texts: Texts,
    languages: list[str],
    default_language: str | None,
    *,
    sheet: str,
    row: int,
    what: str,
    problems: _Problems,
    headers: dict[str, str] | None = None,
) -> None:
    """A missing label gives one problem; a label missing in one language gives one each.

    The column is named as written in the header (`label:English` stays so)."""
    written = headers or {}
    if not texts:
        column = _column_for("label", default_language if languages else None)
        column = written.get(column, column)
        problems.add(sheet, row, column, f"Libellé manquant pour {what}.", "missing-label")
        return
    for language in languages:
        if not texts.get(language):
            column = _column_for("label", language)
            problems.add(
                sheet,
                row,
                written.get(column, column),
                f"Libellé manquant pour {what} dans la langue « {language} ».",
                "missing-label",
            )


def _read_choices(
    sheet: _Sheet | None,
    languages: list[str],
    problems: _Problems,
    *,
    allow_duplicates: bool = False,
) -> dict[str, list[Choice]]:
    lists: dict[str, list[Choice]] = {}
    if sheet is None:
        return lists
    label_languages = [lang for lang in languages if _has_column(sheet, "label", lang)]
    default = label_languages[0] if label_languages else None
    for row in sheet.rows:
        list_name, name = row.get("list_name"), row.get("name")
        if not list_name:
            problems.add(CHOICES, row.number, "list_name", "list_name manquant.", "missing-name")
            continue
        if not name:
            problems.add(CHOICES, row.number, "name", "Nom de choix manquant.", "missing-name")
            continue
        if any(character.isspace() for character in name):
            problems.add(
                CHOICES,
                row.number,
                "name",
                f"Le nom de choix « {name} » ne doit pas contenir d'espace.",
                "invalid-name",
            )
        choices = lists.setdefault(list_name, [])
        if not allow_duplicates and any(choice.name == name for choice in choices):
            first = next(c.row for c in choices if c.name == name)
            problems.add(
                CHOICES,
                row.number,
                "name",
                f"Le choix « {name} » est déjà dans la liste « {list_name} » (ligne {first}).",
                "duplicate-name",
            )
            continue
        label = row.texts.get("label", {})
        _texts_problems(
            label,
            label_languages,
            default,
            sheet=CHOICES,
            row=row.number,
            what=f"le choix « {name} »",
            problems=problems,
            headers=sheet.columns,
        )
        choices.append(Choice(name=name, label=label, row=row.number, extra=row.extra))
    return lists


# --- Survey -----------------------------------------------------------------------------------


_SELECT = re.compile(
    r"^(?P<kind>select_one|select one|select_multiple|select multiple|select all that apply|rank)"
    r"(?: from)?\s+(?P<list>\S+)(?P<other>\s+(?:or_other|or specify other))?$",
    re.IGNORECASE,
)
_SELECT_KINDS = {
    "select one": "select_one",
    "select multiple": "select_multiple",
    "select all that apply": "select_multiple",
}


def _parse_type(text: str) -> tuple[str, str | None, bool]:
    """(kind, list name, or_other): ("select_one", "oui_non", False) for "select_one oui_non".

    The legacy spellings pyxform still reads work too: `select one from LIST`,
    `select all that apply from LIST`, `... or specify other` and `... or_other`.
    """
    joined = " ".join(text.split())
    match = _SELECT.match(joined)
    if match:
        kind = match.group("kind").lower()
        return _SELECT_KINDS.get(kind, kind), match.group("list"), bool(match.group("other"))
    words = joined.split()
    for alias, canonical in TYPE_ALIASES.items():
        if joined == alias or joined.startswith(alias + " "):
            words = [canonical, *joined[len(alias) :].split()]
            break
    words[0] = TYPE_ALIASES.get(words[0], words[0])
    if words[0] in SELECT_TYPES:  # a select without its list
        return words[0], None, False
    return " ".join(words), None, False


def _flag(value: str | None) -> bool | None:
    """True/False for yes/no-like values, None for anything else."""
    if value is None:
        return False
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    return None


def _parameters(text: str | None) -> dict[str, str] | None:
    if not text:
        return {}
    parameters: dict[str, str] = {}
    for item in re.split(r"[\s,;]+", text.strip()):
        key, separator, value = item.partition("=")
        if not separator or not key or not value:
            return None
        parameters[key.strip()] = value.strip()
    return parameters


def _read_survey(
    sheet: _Sheet,
    choice_lists: dict[str, list[Choice]],
    languages: list[str],
    default_language: str | None,
    problems: _Problems,
    *,
    all_languages: list[str],
    refused: set[str],
    files: dict[str, list[dict[str, str]]] | None = None,
) -> list[Element]:
    """The element tree. `refused` receives the names of rows refused for their type, so that
    references to them are not reported again (one message per problem)."""
    root: list[Element] = []
    stack: list[Group | Repeat] = []
    names: dict[str, int] = {}

    def add(element: Element) -> None:
        (stack[-1].children if stack else root).append(element)

    for row in sheet.rows:
        type_text = row.get("type")
        if not type_text:
            problems.add(SURVEY, row.number, "type", "Type manquant.", "unknown-type")
            continue
        kind, list_name, or_other = _parse_type(type_text)
        if kind == "end_loop":
            continue  # its begin_loop has the message
        if kind in ("end_group", "end_repeat"):
            expected = Group if kind == "end_group" else Repeat
            if not stack or not isinstance(stack[-1], expected):
                opened = f"« {stack[-1].name} » (ligne {stack[-1].row})" if stack else "aucun"
                problems.add(
                    SURVEY,
                    row.number,
                    "type",
                    f"« {type_text} » ne ferme pas le bloc ouvert : {opened}.",
                    "bad-structure",
                )
                if stack and any(isinstance(e, expected) for e in stack):
                    while not isinstance(stack.pop(), expected):
                        pass
            else:
                stack.pop()
            continue

        name = row.get("name") or ""
        if not name:
            problems.add(SURVEY, row.number, "name", "Nom manquant.", "missing-name")
        elif not _NAME.match(name):
            problems.add(
                SURVEY,
                row.number,
                "name",
                f"« {name} » n'est pas un nom valide : une lettre ou _ puis lettres, "
                "chiffres, _ - . (sans espace).",
                "invalid-name",
            )
        elif name in names:
            problems.add(
                SURVEY,
                row.number,
                "name",
                f"Le nom « {name} » est déjà utilisé ligne {names[name]}.",
                "duplicate-name",
            )
        else:
            names[name] = row.number

        parents = tuple(e.name for e in stack)
        repeat = next((e.name for e in reversed(stack) if isinstance(e, Repeat)), None)
        common: dict[str, Any] = {
            "name": name,
            "label": row.texts.get("label", {}),
            "hint": row.texts.get("hint", {}),
            "relevant": row.get("relevant"),
            "appearance": row.get("appearance"),
            "parents": parents,
            "repeat": repeat,
            "extra": row.extra,
            "row": row.number,
        }
        if kind in ("begin_group", "begin_repeat"):
            container: Group | Repeat = (
                Group(**common)
                if kind == "begin_group"
                else Repeat(count=row.get("repeat_count"), **common)
            )
            _check_group_columns(row, problems)
            add(container)
            stack.append(container)
            continue
        base_kind = kind.split()[0]
        if base_kind in IMPOSSIBLE_TYPES:
            refused.add(name)
            problems.add(
                SURVEY,
                row.number,
                "type",
                f"« {type_text} » est {IMPOSSIBLE_TYPES[base_kind]} : {_WHAT_TO_DO}",
                "impossible-type",
            )
            continue
        if base_kind in UNSUPPORTED_TYPES:
            refused.add(name)
            problems.add(
                SURVEY,
                row.number,
                "type",
                f"Type « {type_text} » pas encore pris en charge par ce moteur "
                "(voir docs/xlsform.md).",
                "unknown-type",
            )
            continue
        if kind not in QUESTION_TYPES and base_kind not in FROM_FILE_TYPES:
            refused.add(name)
            problems.add(
                SURVEY, row.number, "type", f"Type inconnu « {type_text} ».", "unknown-type"
            )
            continue
        lists = choice_lists
        if base_kind in FROM_FILE_TYPES:
            file_name = kind.split()[1] if len(kind.split()) == 2 else ""
            parameters = _parameters(row.get("parameters")) or {}
            if not file_name or _attachment_problem(
                files or {},
                file_name,
                row.number,
                "type",
                problems,
                needs=(parameters.get("value", "name"), parameters.get("label", "label")),
            ):
                refused.add(name)
                continue
            list_name = file_name
            lists = {file_name: file_choices((files or {})[file_name], parameters)}
            kind = FROM_FILE_TYPES[base_kind]
        for column in ("calculation", "default", "relevant", "constraint"):
            for file_name in pulldata_files(row.get(column) or ""):
                if _attachment_problem(files or {}, file_name, row.number, column, problems):
                    refused.add(name)
        question = _question(row, kind, list_name, common, lists, problems)
        unit = row.extra.get("unit_default")
        if unit is not None and unit not in UNIT_ATTRIBUTES:
            problems.add(
                SURVEY,
                row.number,
                "unit_default",
                f"« {unit} » n'est pas un attribut de la collectivité : "
                f"{', '.join(UNIT_ATTRIBUTES)}.",
                "invalid",
            )
        if base_kind in FROM_FILE_TYPES:
            question.written_type = " ".join(type_text.split())
        elif kind not in SELECT_TYPES and " ".join(type_text.split()) != kind:
            question.written_type = " ".join(type_text.split())
        if or_other and kind in ("select_one", "select_multiple"):
            question.or_other = True
            question.choices.append(other_choice(all_languages))
        elif or_other:
            problems.add(
                SURVEY, row.number, "type", "or_other ne s'applique qu'à un select.", "invalid"
            )
        if question.is_shown:
            _texts_problems(
                question.label,
                languages,
                default_language,
                sheet=SURVEY,
                row=row.number,
                what=f"la question « {name} »",
                problems=problems,
                headers=sheet.columns,
            )
        add(question)
        if question.or_other:
            other = specify_other(question, all_languages)
            if other.name in names:
                problems.add(
                    SURVEY,
                    row.number,
                    "type",
                    f"or_other ajoute la question « {other.name} », déjà définie ligne "
                    f"{names[other.name]}.",
                    "duplicate-name",
                )
            elif any(c.name == OTHER_CHOICE for c in choice_lists.get(list_name or "", [])):
                problems.add(
                    SURVEY,
                    row.number,
                    "type",
                    f"or_other ajoute le choix « {OTHER_CHOICE} », déjà dans la liste "
                    f"« {list_name} » : retirez or_other ou ce choix.",
                    "duplicate-name",
                )
            else:
                names[other.name] = row.number
                add(other)

    for container in stack:
        problems.add(
            SURVEY,
            container.row,
            "type",
            f"Le bloc « {container.name} » n'est jamais fermé (end group / end repeat).",
            "bad-structure",
        )
    return root


def _check_group_columns(row: _Row, problems: _Problems) -> None:
    for column in ("constraint", "calculation", "required", "default"):
        if row.get(column):
            problems.add(
                SURVEY,
                row.number,
                column,
                f"La colonne « {column} » ne s'applique pas à un groupe.",
                "unsupported-column",
            )


def _question(
    row: _Row,
    kind: str,
    list_name: str | None,
    common: dict[str, Any],
    choice_lists: dict[str, list[Choice]],
    problems: _Problems,
) -> Question:
    choices: list[Choice] = []
    if kind in SELECT_TYPES:
        if not list_name:
            problems.add(
                SURVEY,
                row.number,
                "type",
                f"« {kind} » doit être suivi du nom d'une liste de choix.",
                "missing-list",
            )
        elif list_name not in choice_lists:
            problems.add(
                SURVEY,
                row.number,
                "type",
                f"La liste de choix « {list_name} » n'existe pas dans la feuille choices.",
                "missing-list",
            )
        else:
            choices = list(choice_lists[list_name])

    required_text = row.get("required")
    required_flag = _flag(required_text)
    required = "yes" if required_flag else (required_text if required_flag is None else None)
    read_only = _flag(row.get("read_only"))
    if read_only is None:
        problems.add(SURVEY, row.number, "read_only", "Valeur attendue : yes ou no.", "invalid")
    parameters = _parameters(row.get("parameters"))
    if parameters is None:
        problems.add(
            SURVEY,
            row.number,
            "parameters",
            "Paramètres attendus sous la forme clé=valeur séparés par des espaces.",
            "invalid",
        )
    if kind == "range" and parameters:
        for key in ("start", "end", "step"):
            try:
                float(parameters.get(key, "1"))
            except ValueError:
                problems.add(
                    SURVEY,
                    row.number,
                    "parameters",
                    f"« {key} » d'un range doit être un nombre.",
                    "invalid",
                )
    question = Question(
        type=kind,
        list_name=list_name if kind in SELECT_TYPES else None,
        choices=choices,
        required=required,
        required_message=row.texts.get("required_message", {}),
        constraint=row.get("constraint"),
        constraint_message=row.texts.get("constraint_message", {}),
        default=row.get("default"),
        calculation=row.get("calculation"),
        choice_filter=row.get("choice_filter") if kind in SELECT_TYPES else None,
        parameters=parameters or {},
        read_only=bool(read_only),
        **common,
    )
    if kind == "calculate" and not question.calculation:
        problems.add(
            SURVEY,
            row.number,
            "calculation",
            "Une question calculate doit avoir une expression dans « calculation ».",
            "missing-calculation",
        )
    if question.default and choices and not default_is_dynamic(question.default):
        known = {choice.name for choice in choices}
        for value in question.default.split():
            if value not in known:
                problems.add(
                    SURVEY,
                    row.number,
                    "default",
                    f"« {value} » n'est pas un choix de la liste « {list_name} ».",
                    "invalid",
                )
    return question


# --- Cross-row checks ---------------------------------------------------------------------------


_EXPRESSION_COLUMNS = (
    "relevant",
    "constraint",
    "calculation",
    "required",
    "default",
    "choice_filter",
    "repeat_count",
)


def _check_expressions(children: list[Element], problems: _Problems, refused: set[str]) -> None:
    elements = [e for e in iter_elements(children) if e.name]
    # A refused row already has its message: references to it are not errors of their own.
    paths: dict[str, tuple[str, ...]] = {name: (name,) for name in refused if name}
    paths.update({element.name: element.path for element in elements})
    repeats = frozenset(e.path for e in elements if isinstance(e, Repeat))
    for element in elements:
        if element.row is None:
            continue
        for column in _EXPRESSION_COLUMNS:
            expression = _expression(element, column)
            if not expression:
                continue
            # A repeat's relevant is evaluated before its instances exist, from its parent.
            context = element.parents if isinstance(element, Repeat) else element.path
            for message in check_expression(
                expression, paths=paths, repeats=repeats, context=context
            ):
                problems.add(SURVEY, element.row, column, message, _code(message))
        for base, texts in (("label", element.label), ("hint", element.hint)):
            for language, text in texts.items():
                for name in REFERENCE.findall(text):
                    if name.strip() not in paths:
                        problems.add(
                            SURVEY,
                            element.row,
                            _column_for(base, language),
                            f"${{{name}}} ne correspond à aucune question du formulaire.",
                            "unknown-reference",
                        )


def _expression(element: Element, column: str) -> str | None:
    if column == "relevant":
        return element.relevant
    if column == "repeat_count" and isinstance(element, Repeat):
        count = (element.count or "").strip()
        return None if count.isdigit() else count or None
    if not isinstance(element, Question):
        return None
    if column == "constraint":
        return element.constraint
    if column == "calculation":
        return element.calculation
    if column == "choice_filter":
        return element.choice_filter
    if column == "required":
        return element.required if element.required != "yes" else None
    if element.default and default_is_dynamic(element.default):
        return element.default
    return None


def _code(message: str) -> str:
    if "ne correspond à aucune question" in message:
        return "unknown-reference"
    return "expression-depth" if "imbriquée sur" in message else "bad-expression"


_DEPENDENCY_COLUMNS = ("relevant", "calculation")


def _check_cycles(children: list[Element], problems: _Problems) -> None:
    """One problem per dependency cycle among `relevant` and `calculation` expressions.

    A question whose relevance depends (through any chain) on its own value can never show:
    it is blank while not relevant. An element also depends on its group's relevance, so a
    group whose `relevant` reads one of its own questions is a cycle too. ODK Collect refuses
    such forms when loading them; pyxform does not check.
    """
    elements = [e for e in iter_elements(children) if e.name and e.row is not None]
    by_name = {element.name: element for element in elements}
    edges: dict[str, list[tuple[str, str]]] = {}  # name -> [(depends on, through column)]
    for element in elements:
        targets = edges.setdefault(element.name, [])
        for column in _DEPENDENCY_COLUMNS:
            expression = _expression(element, column)
            for name in references(expression or ""):
                if name.strip() in by_name:
                    targets.append((name.strip(), column))
        parent = by_name.get(element.parents[-1]) if element.parents else None
        # Not a repeat: its `relevant` is evaluated per instance, from the instance's answers
        # (an instance can be dropped by what it holds), which the engine supports.
        if isinstance(parent, Group):
            targets.append((parent.name, "relevant"))
    for component in _cycles(edges):
        members = sorted(component, key=lambda name: by_name[name].row or 0)
        first = by_name[members[0]]
        column = next((col for target, col in edges[first.name] if target in component), "relevant")
        chain = " → ".join([*members, members[0]])
        problems.add(
            SURVEY,
            first.row,
            column,
            f"Dépendance circulaire entre relevant et calculation : {chain}. Ces questions ne "
            "pourraient jamais s'afficher ni se calculer ; coupez le cycle.",
            "cycle",
        )


def _cycles(edges: dict[str, list[tuple[str, str]]]) -> list[set[str]]:
    """The strongly connected components that hold a cycle (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = [target for target, _ in edges.get(node, [])]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in targets:
                    found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def _check_grids(children: list[Element], problems: _Problems) -> None:
    """A table-list group is a grid: every row a select on the same choice list."""
    for element in iter_elements(children):
        if not isinstance(element, Group) or "table-list" not in (element.appearance or ""):
            continue
        list_names: set[str | None] = set()
        for child in element.children:
            if not isinstance(child, Question) or child.type not in SELECT_TYPES:
                problems.add(
                    SURVEY,
                    child.row,
                    "type",
                    f"Le groupe « {element.name} » (table-list) ne peut contenir que des "
                    "questions à choix sur une même liste.",
                    "bad-grid",
                )
                continue
            list_names.add(child.list_name)
            if len(list_names) > 1:
                problems.add(
                    SURVEY,
                    child.row,
                    "type",
                    f"Toutes les lignes du tableau « {element.name} » doivent utiliser la "
                    f"même liste de choix.",
                    "bad-grid",
                )
                list_names = {next(iter(list_names))}


def _run_pyxform(data: bytes) -> list[str]:
    """Convert with pyxform (ODK's reference converter); its errors become FormProblems."""
    from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
    from pyxform.xls2xform import convert  # type: ignore[import-untyped]

    warnings: list[str] = []
    try:
        convert(xlsform=data, file_type=".xlsx", warnings=warnings)
    except PyXFormError as error:
        raise XLSFormError([pyxform_problem(str(error))]) from None
    except Exception as error:  # pyxform may fail in other ways on input it did not expect
        raise XLSFormError([pyxform_problem(f"{type(error).__name__}: {error}")]) from None
    return warnings


def pyxform_problem(message: str) -> FormProblem:
    """Locate a pyxform message ("[row : 4] On the 'survey' sheet, the 'relevant' value...")."""
    row_match = _PYXFORM_ROW.search(message)
    sheet_match = _PYXFORM_SHEET.search(message)
    column_match = _PYXFORM_COLUMN.search(message)
    return FormProblem(
        sheet=sheet_match.group(1).lower() if sheet_match else SURVEY,
        row=int(row_match.group(1)) if row_match else None,
        column=column_match.group(1) if column_match else None,
        message=f"pyxform : {message.strip()}",
        code="pyxform",
    )
