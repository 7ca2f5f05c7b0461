"""Read and check an XLSForm workbook (.xlsx), then confirm it with pyxform.

The sheets are read with openpyxl here, rather than through pyxform's dict, to keep the
spreadsheet row of every cell: each problem names its sheet, row (1-based, header = 1) and
column, and all problems are collected before raising. pyxform runs last, on a form that
passed our checks, so that what ODK would reject is reported too
(https://xlsform.org/en/ref-table/ is the column reference).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from io import BytesIO
from os import PathLike
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from .expressions import REFERENCE, check_expression
from .model import (
    DEFAULT_LANGUAGE_KEY,
    INPUT_TYPES,
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
    iter_elements,
)

SURVEY = "survey"
CHOICES = "choices"
SETTINGS = "settings"

TRANSLATABLE = frozenset({"label", "hint", "constraint_message", "required_message"})
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
        "appearance",
        "parameters",
        "read_only",
    }
)
CHOICES_COLUMNS = frozenset({"list_name", "name", "label"})
SETTINGS_COLUMNS = frozenset({"form_title", "form_id", "version", "default_language", "style"})
# Standard XLSForm columns this engine does not implement: an error rather than a silent
# difference between what the author meant and what respondents get.
UNSUPPORTED_COLUMNS = frozenset(
    {
        "choice_filter",
        "repeat_count",
        "trigger",
        "save_to",
        "media",
        "image",
        "audio",
        "video",
        "big-image",
        "guidance_hint",
        "body",
        "bind",
        "control",
        "instance",
        "autoplay",
        "accuracythreshold",
        "instance_name",
        "submission_url",
        "public_key",
        "allow_choice_duplicates",
        "namespaces",
        "clean_text_values",
    }
)
UNSUPPORTED_SHEETS = frozenset({"external_choices", "entities", "osm"})
HEADER_ALIASES = {
    "list_name": "list_name",
    "calculate": "calculation",
    "constraint_msg": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
    "readonly": "read_only",
    "title": "form_title",
    "id_string": "form_id",
}
TYPE_ALIASES = {
    "int": "integer",
    "string": "text",
    "select one": "select_one",
    "select multiple": "select_multiple",
    "begin group": "begin_group",
    "end group": "end_group",
    "begin repeat": "begin_repeat",
    "end repeat": "end_repeat",
}
# Known XLSForm types that this engine does not implement.
UNSUPPORTED_TYPES = frozenset(
    {
        "time",
        "datetime",
        "dateTime",
        "geopoint",
        "geotrace",
        "geoshape",
        "image",
        "audio",
        "video",
        "file",
        "barcode",
        "acknowledge",
        "range",
        "hidden",
        "background-audio",
        "background-geopoint",
        "start",
        "end",
        "today",
        "deviceid",
        "phonenumber",
        "username",
        "email",
        "audit",
        "xml-external",
        "csv-external",
        "select_one_from_file",
        "select_multiple_from_file",
        "begin_loop",
        "end_loop",
    }
)
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

    def add(self, sheet: str, row: int | None, column: str | None, message: str, code: str) -> None:
        self.items.append(FormProblem(sheet, row, column, message, code))


def parse_xlsform(source: Source) -> Form:
    """Parse and check an XLSForm; raises XLSFormError listing every problem found."""
    data = _read_bytes(source)
    problems = _Problems()
    try:
        workbook = load_workbook(BytesIO(data), data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as error:
        raise XLSFormError(
            [FormProblem("(fichier)", None, None, f"Classeur .xlsx illisible : {error}", "file")]
        ) from None
    sheets = {name.strip().lower(): workbook[name] for name in workbook.sheetnames}
    for name in sorted(UNSUPPORTED_SHEETS & sheets.keys()):
        problems.add(name, None, None, "Feuille non prise en charge par ce moteur.", "unsupported")

    if SURVEY not in sheets:
        problems.add(SURVEY, None, None, "La feuille « survey » est absente.", "missing-sheet")
        raise XLSFormError(problems.items)
    survey = _read_sheet(sheets[SURVEY], SURVEY, SURVEY_COLUMNS, problems)
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
    choice_lists = _read_choices(choices_sheet, languages, problems)
    children = _read_survey(survey, choice_lists, label_languages, default_language, problems)
    _check_expressions(children, problems)
    _check_grids(children, problems)

    form = Form(
        form_id=settings.get("form_id", ""),
        version=settings.get("version", ""),
        title=settings.get("form_title") or settings.get("form_id", ""),
        default_language=default_language,
        languages=languages,
        children=children,
        choice_lists=choice_lists,
        style=settings.get("style"),
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
    base, separator, language = header.partition("::")
    base = base.strip().lower().replace(" ", "_")
    base = HEADER_ALIASES.get(base, base)
    return base, (language.strip() if separator else None)


def _read_sheet(
    worksheet: Worksheet, sheet: str, known: frozenset[str], problems: _Problems
) -> _Sheet:
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None)
    keys: list[tuple[str, str | None] | None] = []
    columns: dict[str, str] = {}
    for cell in header or ():
        text = _cell_text(cell)
        if text is None or text.startswith("$"):  # KoboToolbox's $kuid, $autoname...
            keys.append(None)
            continue
        base, language = _column_key(text)
        key = f"{base}::{language}" if language else base
        if base in UNSUPPORTED_COLUMNS or base.startswith(("media", "image", "audio", "video")):
            problems.add(sheet, 1, text, "Colonne non prise en charge.", "unsupported-column")
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
    if header is None:
        problems.add(sheet, 1, None, "Feuille vide : la ligne d'en-tête manque.", "empty-sheet")

    result: list[_Row] = []
    for number, values in enumerate(rows, start=2):
        row = _Row(number)
        for column, value in zip(keys, values, strict=False):
            text = _cell_text(value)
            if column is None or text is None:
                continue
            base, language = column
            if base in TRANSLATABLE:
                row.texts.setdefault(base, {})[language or DEFAULT_LANGUAGE_KEY] = text
                row.cells[f"{base}::{language}" if language else base] = text
            else:
                row.cells[base] = text
        if row.cells:
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
        problems.add(
            SETTINGS,
            None,
            None,
            "La feuille « settings » est absente (form_id et version sont requis).",
            "bad-settings",
        )
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
    if not form_id:
        problems.add(SETTINGS, row.number, "form_id", "form_id est obligatoire.", "bad-settings")
    elif not _NAME.match(form_id):
        problems.add(
            SETTINGS,
            row.number,
            "form_id",
            f"form_id « {form_id} » n'est pas un nom valide (lettres, chiffres, _ - .).",
            "bad-settings",
        )
    if not settings.get("version"):
        problems.add(SETTINGS, row.number, "version", "version est obligatoire.", "bad-settings")
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
) -> None:
    """A missing label gives one problem; a label missing in one language gives one each."""
    if not texts:
        column = _column_for("label", default_language if languages else None)
        problems.add(sheet, row, column, f"Libellé manquant pour {what}.", "missing-label")
        return
    for language in languages:
        if not texts.get(language):
            problems.add(
                sheet,
                row,
                _column_for("label", language),
                f"Libellé manquant pour {what} dans la langue « {language} ».",
                "missing-label",
            )


def _read_choices(
    sheet: _Sheet | None, languages: list[str], problems: _Problems
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
        if any(choice.name == name for choice in choices):
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
        )
        choices.append(Choice(name=name, label=label, row=row.number))
    return lists


# --- Survey -----------------------------------------------------------------------------------


def _parse_type(text: str) -> tuple[str, str | None]:
    """("select_one", "oui_non") for "select_one oui_non"; ("integer", None) for "integer"."""
    words = text.split()
    joined = " ".join(words)
    for alias, canonical in TYPE_ALIASES.items():
        if joined == alias or joined.startswith(alias + " "):
            words = [canonical, *joined[len(alias) :].split()]
            break
    words[0] = TYPE_ALIASES.get(words[0], words[0])
    if words[0] in SELECT_TYPES:
        return words[0], " ".join(words[1:]) or None
    return " ".join(words), None


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
) -> list[Element]:
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
        kind, list_name = _parse_type(type_text)
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
            "row": row.number,
        }
        if kind in ("begin_group", "begin_repeat"):
            container: Group | Repeat = (
                Group(**common) if kind == "begin_group" else Repeat(**common)
            )
            _check_group_columns(row, problems)
            add(container)
            stack.append(container)
            continue
        if kind in UNSUPPORTED_TYPES or kind.split()[0] in UNSUPPORTED_TYPES:
            problems.add(
                SURVEY,
                row.number,
                "type",
                f"Type « {type_text} » non pris en charge par ce moteur.",
                "unknown-type",
            )
            continue
        if kind.endswith("or_other") or (list_name or "").endswith("or_other"):
            problems.add(
                SURVEY,
                row.number,
                "type",
                "« or_other » n'est pas pris en charge : ajoutez un choix « autre » et une "
                "question texte avec relevant selected(${question}, 'autre').",
                "unknown-type",
            )
            continue
        if kind not in INPUT_TYPES | {"note", "calculate"}:
            problems.add(
                SURVEY, row.number, "type", f"Type inconnu « {type_text} ».", "unknown-type"
            )
            continue
        question = _question(row, kind, list_name, common, choice_lists, problems)
        if question.type != "calculate":
            _texts_problems(
                question.label,
                languages,
                default_language,
                sheet=SURVEY,
                row=row.number,
                what=f"la question « {name} »",
                problems=problems,
            )
        add(question)

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


_EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "required", "default")


def _check_expressions(children: list[Element], problems: _Problems) -> None:
    elements = [e for e in iter_elements(children) if e.name]
    paths = {element.name: element.path for element in elements}
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
    if not isinstance(element, Question):
        return None
    if column == "constraint":
        return element.constraint
    if column == "calculation":
        return element.calculation
    if column == "required":
        return element.required if element.required != "yes" else None
    if element.default and default_is_dynamic(element.default):
        return element.default
    return None


def _code(message: str) -> str:
    return "unknown-reference" if "ne correspond à aucune question" in message else "bad-expression"


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
