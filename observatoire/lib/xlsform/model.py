"""The parsed form: plain dataclasses that serialise to JSON for storage in a JSONField.

Texts that can be translated (labels, hints, messages) are dicts keyed by the XLSForm language
name as written in the column header ("Français (fr)", "English (en)"), or "default" for a
column without a language suffix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Texts = dict[str, str]

DEFAULT_LANGUAGE_KEY = "default"
ROOT = "data"

SELECT_TYPES = frozenset({"select_one", "select_multiple", "rank"})
NUMERIC_TYPES = frozenset({"integer", "decimal"})
INPUT_TYPES = frozenset(
    {
        "select_one",
        "select_multiple",
        "rank",
        "integer",
        "decimal",
        "text",
        "date",
        "time",
        "datetime",
        "range",
        "acknowledge",
        "image",
        "file",
    }
)
# Uploads: the answer is the file's name; the file itself is stored by the caller.
FILE_TYPES = frozenset({"image", "file"})
# Filled by the server, never shown: the moment the response started / was last saved, the day,
# and what a phone would know (empty on the web).
METADATA_TYPES = frozenset(
    {"start", "end", "today", "deviceid", "username", "email", "phonenumber", "audit"}
)
METADATA_EXPRESSIONS = {"start": "now()", "end": "now()", "today": "today()"}
# Questions the respondent never sees: computed, hidden (a default value) or metadata.
UNSHOWN_TYPES = frozenset({"calculate", "hidden"}) | METADATA_TYPES
QUESTION_TYPES = INPUT_TYPES | {"note"} | UNSHOWN_TYPES

_LANGUAGE_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)\s*$")


FROM_FILE_TYPES = {
    "select_one_from_file": "select_one",
    "select_multiple_from_file": "select_multiple",
}


def file_choices(rows: list[dict[str, str]], parameters: dict[str, str]) -> list[Choice]:
    """The choices of a select_*_from_file: one per CSV row, its `name` column the value and
    its `label` column (or `label::Language` columns) the label, as ODK reads them; the
    `value` and `label` parameters name other columns. The other columns are kept (choice_filter)."""
    value_column = parameters.get("value", "name")
    label_column = parameters.get("label", "label")
    choices = []
    for row in rows:
        value = (row.get(value_column) or "").strip()
        if not value:
            continue
        label: Texts = {}
        for header, text in row.items():
            if header == label_column and text:
                label[DEFAULT_LANGUAGE_KEY] = text
            elif header.startswith(label_column + "::") and text:
                label[header.split("::", 1)[1]] = text
        extra = {
            k: v for k, v in row.items() if k != value_column and not k.startswith(label_column)
        }
        choices.append(
            Choice(name=value, label=label or {DEFAULT_LANGUAGE_KEY: value}, extra=extra)
        )
    return choices


def default_is_dynamic(value: str) -> bool:
    """A default with a function call or a ${reference} is an expression, evaluated once."""
    return "${" in value or "(" in value or "[" in value


@dataclass(frozen=True)
class FormProblem:
    """One problem in an XLSForm. `row` is the spreadsheet row number (1-based, header = 1)."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        where = [f"feuille « {self.sheet} »"]
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        return f"{', '.join(where)} : {self.message}"


class XLSFormError(Exception):
    """Raised by parse_xlsform with every problem found, not only the first one."""

    def __init__(self, errors: list[FormProblem]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class Choice:
    name: str
    label: Texts
    row: int | None = field(default=None, compare=False)
    # Other columns of the choices sheet (a `choice_filter` reads them), header -> text.
    extra: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": dict(self.label),
            "row": self.row,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Choice:
        return cls(
            name=data["name"],
            label=dict(data["label"]),
            row=data.get("row"),
            extra=dict(data.get("extra") or {}),
        )


OTHER_CHOICE = "other"


def other_choice(languages: list[str]) -> Choice:
    """The choice `or_other` adds, labelled "Autre" in French and "Other" in English."""
    from .messages import message

    keys = languages or [DEFAULT_LANGUAGE_KEY]
    return Choice(name=OTHER_CHOICE, label={key: message("other", key) for key in keys})


def specify_other(question: Question, languages: list[str]) -> Question:
    """The text question `or_other` adds after its select, shown when "other" is chosen."""
    from .messages import message

    keys = languages or [DEFAULT_LANGUAGE_KEY]
    return Question(
        name=f"{question.name}_other",
        type="text",
        label={key: message("specify_other", key) for key in keys},
        relevant=f"selected(${{{question.name}}}, '{OTHER_CHOICE}')",
        parents=question.parents,
        repeat=question.repeat,
        row=question.row,
        generated=True,
    )


@dataclass
class Question:
    name: str
    type: str
    label: Texts = field(default_factory=dict)
    hint: Texts = field(default_factory=dict)
    list_name: str | None = None
    choices: list[Choice] = field(default_factory=list)
    # None: optional; "yes": always required; anything else: an XPath expression.
    required: str | None = None
    required_message: Texts = field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Texts = field(default_factory=dict)
    default: str | None = None
    calculation: str | None = None
    # `choice_filter`: an XPath predicate over each choice's columns (`region = ${region}`).
    choice_filter: str | None = None
    appearance: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    read_only: bool = False
    # Names of the enclosing groups and repeats, outermost first (the XML path minus the root).
    parents: tuple[str, ...] = ()
    # Name of the innermost enclosing repeat, if any.
    repeat: str | None = None
    # `select_one LIST or_other`: an "other" choice and a generated `NAME_other` text question.
    or_other: bool = False
    # The type as written when it is a spelling variant (`dateTime`, `phone number`).
    written_type: str | None = None
    # Added by the reader (the `NAME_other` of or_other), not written back by the writer.
    generated: bool = False
    # Columns kept and ignored (tool-specific, guidance_hint...), header -> text, written back.
    extra: dict[str, str] = field(default_factory=dict)
    row: int | None = field(default=None, compare=False)

    kind: Literal["question"] = field(default="question", init=False, repr=False)

    @property
    def path(self) -> tuple[str, ...]:
        return (*self.parents, self.name)

    @property
    def is_input(self) -> bool:
        """True when the respondent gives an answer (not a note nor a calculation)."""
        return self.type in INPUT_TYPES

    @property
    def is_shown(self) -> bool:
        return self.type not in UNSHOWN_TYPES

    @property
    def from_file(self) -> str | None:
        """The attached file a select_*_from_file takes its choices from."""
        written = (self.written_type or "").split()
        return written[1] if len(written) == 2 and written[0] in FROM_FILE_TYPES else None

    @property
    def computed_expression(self) -> str | None:
        """The expression giving the value: `calculation`, or now()/today() for metadata."""
        return self.calculation or METADATA_EXPRESSIONS.get(self.type)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "question",
            "name": self.name,
            "type": self.type,
            "label": dict(self.label),
            "hint": dict(self.hint),
            "list_name": self.list_name,
            "required": self.required,
            "required_message": dict(self.required_message),
            "relevant": self.relevant,
            "constraint": self.constraint,
            "constraint_message": dict(self.constraint_message),
            "default": self.default,
            "calculation": self.calculation,
            "choice_filter": self.choice_filter,
            "appearance": self.appearance,
            "parameters": dict(self.parameters),
            "read_only": self.read_only,
            "parents": list(self.parents),
            "repeat": self.repeat,
            "or_other": self.or_other,
            "written_type": self.written_type,
            "generated": self.generated,
            "extra": dict(self.extra),
            "row": self.row,
        }

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        choice_lists: dict[str, list[Choice]],
        attachments: dict[str, list[dict[str, str]]] | None = None,
    ) -> Question:
        list_name = data.get("list_name")
        question = cls(
            name=data["name"],
            type=data["type"],
            label=dict(data.get("label") or {}),
            hint=dict(data.get("hint") or {}),
            list_name=list_name,
            choices=list(choice_lists.get(list_name, [])) if list_name else [],
            required=data.get("required"),
            required_message=dict(data.get("required_message") or {}),
            relevant=data.get("relevant"),
            constraint=data.get("constraint"),
            constraint_message=dict(data.get("constraint_message") or {}),
            default=data.get("default"),
            calculation=data.get("calculation"),
            choice_filter=data.get("choice_filter"),
            appearance=data.get("appearance"),
            parameters=dict(data.get("parameters") or {}),
            read_only=bool(data.get("read_only")),
            parents=tuple(data.get("parents") or ()),
            repeat=data.get("repeat"),
            or_other=bool(data.get("or_other")),
            written_type=data.get("written_type"),
            generated=bool(data.get("generated")),
            extra=dict(data.get("extra") or {}),
            row=data.get("row"),
        )
        if question.from_file:
            rows = (attachments or {}).get(question.from_file, [])
            question.choices = file_choices(rows, question.parameters)
        return question


@dataclass
class Group:
    """A `begin group` ... `end group` block; at the top level of the form it is a page."""

    name: str
    label: Texts = field(default_factory=dict)
    hint: Texts = field(default_factory=dict)
    relevant: str | None = None
    appearance: str | None = None
    children: list[Element] = field(default_factory=list)
    parents: tuple[str, ...] = ()
    repeat: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    row: int | None = field(default=None, compare=False)

    kind: Literal["group"] = field(default="group", init=False, repr=False)

    @property
    def path(self) -> tuple[str, ...]:
        return (*self.parents, self.name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "label": dict(self.label),
            "hint": dict(self.hint),
            "relevant": self.relevant,
            "appearance": self.appearance,
            "children": [child.to_dict() for child in self.children],
            "parents": list(self.parents),
            "repeat": self.repeat,
            "extra": dict(self.extra),
            "row": self.row,
        }


@dataclass
class Repeat:
    """A `begin repeat` block: the respondent adds any number of instances (a fiche-dispositif)."""

    name: str
    label: Texts = field(default_factory=dict)
    hint: Texts = field(default_factory=dict)
    relevant: str | None = None
    appearance: str | None = None
    children: list[Element] = field(default_factory=list)
    parents: tuple[str, ...] = ()
    repeat: str | None = None  # the enclosing repeat, for nested repeats
    # `repeat_count`: a number or an expression fixing how many instances there are.
    count: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    row: int | None = field(default=None, compare=False)

    kind: Literal["repeat"] = field(default="repeat", init=False, repr=False)

    @property
    def path(self) -> tuple[str, ...]:
        return (*self.parents, self.name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "label": dict(self.label),
            "hint": dict(self.hint),
            "relevant": self.relevant,
            "appearance": self.appearance,
            "children": [child.to_dict() for child in self.children],
            "parents": list(self.parents),
            "repeat": self.repeat,
            "count": self.count,
            "extra": dict(self.extra),
            "row": self.row,
        }


Element = Question | Group | Repeat


def _element_from_dict(
    data: dict[str, Any],
    choice_lists: dict[str, list[Choice]],
    attachments: dict[str, list[dict[str, str]]] | None = None,
) -> Element:
    if data["kind"] == "question":
        return Question.from_dict(data, choice_lists, attachments)
    common: dict[str, Any] = {
        "name": data["name"],
        "label": dict(data.get("label") or {}),
        "hint": dict(data.get("hint") or {}),
        "relevant": data.get("relevant"),
        "appearance": data.get("appearance"),
        "children": [
            _element_from_dict(child, choice_lists, attachments)
            for child in data.get("children", [])
        ],
        "parents": tuple(data.get("parents") or ()),
        "repeat": data.get("repeat"),
        "extra": dict(data.get("extra") or {}),
        "row": data.get("row"),
    }
    if data["kind"] == "group":
        return Group(**common)
    return Repeat(count=data.get("count"), **common)


def iter_elements(elements: list[Element]) -> Iterator[Element]:
    """Every element in document order, groups and repeats before their children."""
    for element in elements:
        yield element
        if not isinstance(element, Question):
            yield from iter_elements(element.children)


@dataclass
class Page:
    """A screen of the questionnaire: a top-level group, or a lone top-level question/repeat."""

    element: Element

    @property
    def name(self) -> str:
        return self.element.name

    @property
    def label(self) -> Texts:
        return self.element.label

    @property
    def is_group(self) -> bool:
        return isinstance(self.element, Group)

    @property
    def children(self) -> list[Element]:
        return self.element.children if isinstance(self.element, Group) else [self.element]

    @property
    def questions(self) -> list[Question]:
        return [e for e in iter_elements(self.children) if isinstance(e, Question)]

    @property
    def is_hidden(self) -> bool:
        """A page with only calculations and no repeat shows nothing to the respondent."""
        return not any(
            isinstance(e, Repeat) or (isinstance(e, Question) and e.is_shown)
            for e in iter_elements(self.children)
        )


@dataclass
class Form:
    form_id: str
    version: str
    title: str
    default_language: str | None = None
    languages: list[str] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)
    choice_lists: dict[str, list[Choice]] = field(default_factory=dict)
    style: str | None = None
    # Settings columns kept and ignored (instance_name, submission_url...), written back.
    settings_extra: dict[str, str] = field(default_factory=dict)
    # Whether default_language was written in settings (pyxform marks it in the XForm then).
    default_language_declared: bool = False
    # Headers written the older way, `label:English`, by sheet (as keys `label::English`):
    # written back so, since pyxform reads them differently.
    single_colon_headers: dict[str, list[str]] = field(default_factory=dict)
    # CSV files attached to the form (select_one_from_file, pulldata): file name -> rows, each
    # a dict header -> text, in file order.
    attachments: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # Their header rows in file order (a JSONB column does not keep the order of keys).
    attachment_headers: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list, compare=False)

    @property
    def pages(self) -> list[Page]:
        return [Page(element) for element in self.children]

    def elements(self) -> Iterator[Element]:
        return iter_elements(self.children)

    def questions(self) -> list[Question]:
        return [e for e in self.elements() if isinstance(e, Question)]

    def element(self, name: str) -> Element:
        for element in self.elements():
            if element.name == name:
                return element
        raise KeyError(name)

    def question(self, name: str) -> Question:
        element = self.element(name)
        if not isinstance(element, Question):
            raise KeyError(name)
        return element

    def page(self, name: str) -> Page:
        for page in self.pages:
            if page.name == name:
                return page
        raise KeyError(name)

    def resolve_language(self, language: str | None) -> str | None:
        """The form language matching a code ("en"), a full name ("English (en)") or None."""
        if language is None:
            return self.default_language
        for candidate in self.languages:
            if candidate == language:
                return candidate
            match = _LANGUAGE_CODE.search(candidate)
            if match and match.group(1).lower() == language.lower():
                return candidate
        return None

    def text(self, texts: Texts, language: str | None = None) -> str:
        """A translated text, falling back to the default language, then to any language."""
        for key in (self.resolve_language(language), self.default_language, DEFAULT_LANGUAGE_KEY):
            if key and texts.get(key):
                return texts[key]
        return next((text for text in texts.values() if text), "")

    def initial_answers(self) -> dict[str, Any]:
        """Static defaults of top-level questions, the starting values of a new response."""
        return {
            q.name: q.default.split() if q.type in ("select_multiple", "rank") else q.default
            for q in self.questions()
            if q.default is not None and q.repeat is None and not default_is_dynamic(q.default)
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "version": self.version,
            "title": self.title,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "style": self.style,
            "settings_extra": dict(self.settings_extra),
            "default_language_declared": self.default_language_declared,
            "single_colon_headers": {k: list(v) for k, v in self.single_colon_headers.items()},
            "choice_lists": {
                name: [choice.to_dict() for choice in choices]
                for name, choices in self.choice_lists.items()
            },
            "children": [child.to_dict() for child in self.children],
            "attachments": {name: list(rows) for name, rows in self.attachments.items()},
            "attachment_headers": {k: list(v) for k, v in self.attachment_headers.items()},
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Form:
        choice_lists = {
            name: [Choice.from_dict(choice) for choice in choices]
            for name, choices in data.get("choice_lists", {}).items()
        }
        attachments = {
            name: [dict(row) for row in rows]
            for name, rows in (data.get("attachments") or {}).items()
        }
        form = cls(
            form_id=data["form_id"],
            version=data["version"],
            title=data["title"],
            default_language=data.get("default_language"),
            languages=list(data.get("languages") or []),
            children=[
                _element_from_dict(child, choice_lists, attachments) for child in data["children"]
            ],
            choice_lists=choice_lists,
            style=data.get("style"),
            settings_extra=dict(data.get("settings_extra") or {}),
            # Stored before this flag existed: the language was written in settings then.
            default_language_declared=bool(data.get("default_language_declared", True)),
            single_colon_headers={
                k: list(v) for k, v in (data.get("single_colon_headers") or {}).items()
            },
            attachments=attachments,
            attachment_headers={
                k: list(v) for k, v in (data.get("attachment_headers") or {}).items()
            },
            warnings=list(data.get("warnings") or []),
        )
        for question in form.questions():
            if question.or_other:
                question.choices.append(other_choice(form.languages))
        return form
