"""The respondent's pages, built from a parsed XLSForm and the library's evaluation.

Plain functions, no database: `page_blocks` turns one page of the form, the answers and the
evaluation into nested blocks that the templates render (only what the evaluation says is
relevant, with its requirement and its errors); `read_page` turns a POST back into answers;
`merge_page` is the three-way merge used when two people saved the same page.

Answer paths are the library's: "name" at the top level, "fiche[2]/nom" in the second instance
of the repeat "fiche". They are also the HTML field names.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from observatoire.lib.xlsform import (
    Evaluation,
    Form,
    Group,
    Question,
    Repeat,
    check_type,
    evaluate,
)
from observatoire.lib.xlsform.engine import range_bounds, with_repeat_counts
from observatoire.lib.xlsform.expressions import format_number
from observatoire.lib.xlsform.model import FILE_TYPES, SELECT_TYPES

SHOWN_FIELD = "_shown"
_REFERENCE = re.compile(r"\$\{([^}]+)\}")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_POSITION = re.compile(r"[0-9]{1,4}")  # not str.isdigit(): "²" is a digit int() refuses


def html_id(key: str) -> str:
    return "q-" + _ID_UNSAFE.sub("-", key).strip("-")


def count_field(repeat_key: str) -> str:
    return f"{repeat_key}__count"


@dataclass
class Option:
    value: str
    label: str
    id: str
    selected: bool = False
    position: str = ""  # rank questions: the position chosen for this option


@dataclass
class Field:
    question: Question
    key: str
    label: str
    hint: str
    value: Any
    required: bool
    error: str = ""
    options: list[Option] = dataclasses.field(default_factory=list)
    file_url: str = ""

    @property
    def from_unit(self) -> bool:
        """Pre-filled from the sampling frame (`unit_default`): the page says so."""
        return bool(
            self.question.extra.get("unit_default")
        )  # image / file questions: where the answered file is downloaded

    @property
    def id(self) -> str:
        return html_id(self.key)

    @property
    def widget(self) -> str:
        kind = self.question.type
        appearance = self.question.appearance or ""
        if kind == "select_one" and "minimal" in appearance.split():
            return "select"  # a drop-down list, as ODK shows `minimal`
        if kind == "select_one":
            return "radio"
        if kind == "select_multiple":
            return "checkbox"
        if kind == "rank":
            return "rank"
        if kind in ("date", "time", "range", "acknowledge"):
            return kind
        if kind in FILE_TYPES:
            return "file"
        if kind == "datetime":
            return "datetime-local"
        if kind in ("integer", "decimal"):
            return kind
        return "textarea" if "multiline" in appearance else "text"

    @property
    def range(self) -> dict[str, str]:
        """min, max and step of a range question (a number input: it works without JS)."""
        start, end, step = range_bounds(self.question)
        return {
            "min": format_number(min(start, end)),
            "max": format_number(max(start, end)),
            "step": format_number(step),
        }

    @property
    def refreshes(self) -> bool:
        """A filtered select: its choices follow earlier answers, recomputed on "Actualiser"."""
        return bool(self.question.choice_filter)

    @property
    def inputmode(self) -> str:
        return {"integer": "numeric", "decimal": "decimal"}.get(self.question.type, "")

    @property
    def is_grouped(self) -> bool:
        """Radios and checkboxes go in a fieldset whose legend is the question."""
        return self.question.type in SELECT_TYPES and self.widget != "select"

    @property
    def accept(self) -> str:
        from .answer_files import accept_attribute

        return accept_attribute(self.question.type)

    @property
    def clear_name(self) -> str:
        """The checkbox that removes the file answered (a file input cannot be emptied)."""
        return f"{self.key}::clear"

    @property
    def text_value(self) -> str:
        if self.value is None or isinstance(self.value, list):
            return ""
        return str(self.value)

    @property
    def display(self) -> str:
        return display_value(self)

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.id}-hint")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclass
class Block:
    kind: str  # field, note, group, grid, repeat
    field: Field | None = None
    label: str = ""
    hint: str = ""
    key: str = ""
    blocks: list[Block] = dataclasses.field(default_factory=list)
    columns: list[str] = dataclasses.field(default_factory=list)  # grid: the choice labels
    instances: list[RepeatInstance] = dataclasses.field(default_factory=list)
    error: str = ""
    is_page: bool = False  # a grid that is the whole page: its title is the page's h1
    counted: bool = False  # a repeat with repeat_count: no add / remove buttons

    @property
    def id(self) -> str:
        return html_id(self.key)


@dataclass
class RepeatInstance:
    key: str
    number: int
    label: str
    blocks: list[Block]

    @property
    def id(self) -> str:
        return html_id(self.key)


class PageContext:
    """What the blocks need: the form, the answers, the evaluation, errors and the language."""

    def __init__(
        self,
        form: Form,
        answers: dict[str, Any],
        evaluation: Evaluation,
        errors: dict[str, str] | None = None,
        language: str | None = None,
    ) -> None:
        self.form = form
        self.answers = answers
        self.evaluation = evaluation
        self.errors = errors or {}
        self.language = language

    def text(self, texts: dict[str, str]) -> str:
        return self.form.text(texts, self.language) if texts else ""

    def interpolate(self, text: str, prefix: str, scope: dict[str, Any]) -> str:
        """Replace ${name} in a label by the value it refers to (ODK's output in labels)."""

        def value(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            for key in (prefix + name, name):
                if key in self.evaluation.values:
                    return self.evaluation.values[key]
            found = scope.get(name, self.answers.get(name))
            if isinstance(found, list):
                return ", ".join(str(item) for item in found)
            return "" if found is None else str(found)

        return _REFERENCE.sub(value, text)


def page_blocks(context: PageContext, page_name: str) -> list[Block]:
    page = context.form.page(page_name)
    blocks = _blocks(context, page.children, "", context.answers)
    element = page.element
    if isinstance(element, Group) and "table-list" in (element.appearance or "") and blocks:
        # A whole page as a grid: the page title (the h1) is the grid's title.
        first = next(e for e in element.children if isinstance(e, Question))
        columns = [context.text(choice.label) for choice in first.choices]
        label = context.text(element.label)
        return [
            Block(
                "grid", label=label, key=element.name, blocks=blocks, columns=columns, is_page=True
            )
        ]
    if isinstance(element, Repeat) and blocks:
        blocks[0].is_page = True  # a lone repeat: the page's h1 and lead are its title and hint
    return blocks


def _blocks(
    context: PageContext, elements: list[Any], prefix: str, scope: dict[str, Any]
) -> list[Block]:
    blocks = []
    for element in elements:
        key = prefix + element.name
        if not context.evaluation.is_relevant(key):
            continue
        if isinstance(element, Question):
            block = question_block(context, element, key, prefix, scope)
            if block:
                blocks.append(block)
        elif isinstance(element, Repeat):
            blocks.append(_repeat_block(context, element, key, scope))
        elif isinstance(element, Group):
            label = context.interpolate(context.text(element.label), prefix, scope)
            hint = context.text(element.hint)
            children = _blocks(context, element.children, prefix, scope)
            if "table-list" in (element.appearance or "") and children:
                first = next(e for e in element.children if isinstance(e, Question))
                columns = [context.text(choice.label) for choice in first.choices]
                blocks.append(
                    Block("grid", label=label, hint=hint, key=key, blocks=children, columns=columns)
                )
            elif children:
                blocks.append(Block("group", label=label, hint=hint, key=key, blocks=children))
    return blocks


def question_block(
    context: PageContext, question: Question, key: str, prefix: str, scope: dict[str, Any]
) -> Block | None:
    if not question.is_shown:
        return None
    label = context.interpolate(context.text(question.label), prefix, scope)
    hint = context.interpolate(context.text(question.hint), prefix, scope)
    if question.type == "note":
        return Block("note", label=label, hint=hint, key=key)
    value = scope.get(question.name)
    if value is None and question.name not in scope and question.default is not None:
        if "${" not in question.default and "(" not in question.default:
            value = (
                question.default.split()
                if question.type in ("select_multiple", "rank")
                else question.default
            )
    selected = (
        set(value) if isinstance(value, list) else {str(value)} if value is not None else set()
    )
    options = []
    offered = context.evaluation.choices.get(key)
    for index, choice in enumerate(question.choices):
        if offered is not None and choice.name not in offered:
            continue
        option = Option(
            value=choice.name,
            label=context.text(choice.label),
            id=f"{html_id(key)}-{index}",
            selected=choice.name in selected,
        )
        if question.type == "rank" and isinstance(value, list) and choice.name in value:
            option.position = str(value.index(choice.name) + 1)
        options.append(option)
    if (question.parameters.get("randomize") or "").lower() in ("true", "yes", "true()"):
        # The same order at every visit, so that a respondent's page does not reshuffle; a
        # numeric `seed` parameter is used as is, else one derived from the form and question.
        seed = question.parameters.get("seed", "")
        random.Random(seed if seed.isdigit() else f"{context.form.form_id}:{key}").shuffle(options)
    return Block(
        "field",
        key=key,
        field=Field(
            question=question,
            key=key,
            label=label,
            hint=hint,
            value=value,
            required=context.evaluation.required.get(key, False),
            error=context.errors.get(key, ""),
            options=options,
        ),
    )


def _repeat_block(context: PageContext, repeat: Repeat, key: str, scope: dict[str, Any]) -> Block:
    instances = []
    values = scope.get(repeat.name)
    counted = repeat.name in context.evaluation.repeat_counts
    if counted:  # repeat_count: exactly that many instances, added empty
        count = context.evaluation.repeat_counts[repeat.name]
        values = with_repeat_counts({repeat.name: values}, {repeat.name: count})[repeat.name]
    label = context.text(repeat.label)
    for number, data in enumerate(values if isinstance(values, list) else [], 1):
        instance_key = f"{key}[{number}]"
        if not context.evaluation.is_relevant(instance_key):
            continue
        data = data if isinstance(data, dict) else {}
        blocks = _blocks(context, repeat.children, instance_key + "/", data)
        instances.append(
            RepeatInstance(
                key=instance_key, number=number, label=f"{label} {number}", blocks=blocks
            )
        )
    return Block(
        "repeat",
        key=key,
        label=label,
        hint=context.text(repeat.hint),
        instances=instances,
        error=context.errors.get(key, ""),
        counted=counted,
    )


def shown_keys(blocks: list[Block]) -> list[str]:
    """Answer paths of the inputs rendered, in order (posted back in the hidden `_shown`)."""
    keys = []
    for block in blocks:
        if block.kind == "field":
            keys.append(block.key)
        elif block.kind in ("group", "grid"):
            keys += shown_keys(block.blocks)
        elif block.kind == "repeat":
            for instance in block.instances:
                keys += shown_keys(instance.blocks)
    return keys


def fields(blocks: list[Block]) -> list[Field]:
    """Every field of the blocks, in order, inside groups, grids and repeat instances."""
    found: list[Field] = []
    for block in blocks:
        if block.kind == "field" and block.field:
            found.append(block.field)
        elif block.kind in ("group", "grid"):
            found += fields(block.blocks)
        elif block.kind == "repeat":
            for instance in block.instances:
                found += fields(instance.blocks)
    return found


def repeat_keys(blocks: list[Block]) -> list[str]:
    keys = []
    for block in blocks:
        if block.kind == "repeat":
            keys.append(block.key)
        elif block.kind in ("group", "grid"):
            keys += repeat_keys(block.blocks)
    return keys


def page_names(form: Form, page_name: str) -> list[str]:
    """Top-level answer names a page owns: its questions outside repeats, and its repeats."""
    page = form.page(page_name)
    names = []
    stack = list(page.children)
    while stack:
        element = stack.pop(0)
        if isinstance(element, Repeat):
            names.append(element.name)
        elif isinstance(element, Group):
            stack = list(element.children) + stack
        elif element.is_input:
            names.append(element.name)
    return names


def read_value(question: Question, data: Any, key: str) -> Any:
    """One answer from the POST, typed like the library expects (None when empty)."""
    if question.type == "select_multiple":
        values = [value for value in data.getlist(key) if value]
        return values or None
    if question.type == "rank":
        positions = []
        for index, choice in enumerate(question.choices):
            raw = (data.get(f"{key}::{choice.name}") or "").strip()
            if _POSITION.fullmatch(raw):
                positions.append((int(raw), index, choice.name))
        return [name for _position, _index, name in sorted(positions)] or None
    raw = data.get(key)
    if raw is None:
        return None
    text = str(raw).strip()
    if question.type == "datetime":
        text = text.replace(" ", "T")
    if not text:
        return None
    if question.type == "range" and check_type(question, text) is None:
        number = float(text.replace(",", "."))
        return int(number) if number.is_integer() else number
    if question.type in ("integer", "decimal") and check_type(question, text) is None:
        number = _number_text(text)
        try:
            value = int(number) if question.type == "integer" else float(number)
        except ValueError:  # over Python's 4,300-digit limit for int()
            return text
        # Out of range, the text is kept as typed and `input_errors` reports it.
        return value if not too_big(value) else text
    return text


# Beyond 15 digits a float loses units (2**53 is about 9.007e15) and no figure of the
# barometer (budgets, staff, participants) comes near it.
NUMBER_DIGITS = 15


def _number_text(text: str) -> str:
    return text.strip().replace(",", ".").replace(" ", "").replace("\u202f", "")


def too_big(value: Any) -> bool:
    """A number no integer or decimal question takes: infinite, NaN or of more than 15 digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = Decimal(_number_text(value))
        except InvalidOperation:
            return False
    if isinstance(value, int | float | Decimal):
        return not math.isfinite(value) or abs(value) >= 10**NUMBER_DIGITS
    return False


def input_errors(form: Form, answers: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Answers refused before anything is saved, by answer path: a NUL character (PostgreSQL
    stores none, and no one means to type it), a number too large to be a figure."""
    errors: dict[str, str] = {}
    for name, value in answers.items():
        key = prefix + name
        if isinstance(value, list):
            for number, item in enumerate(value, 1):
                if isinstance(item, dict):
                    errors.update(input_errors(form, item, f"{key}[{number}]/"))
                elif has_nul(item):
                    errors[key] = nul_message()
        elif has_nul(value):
            errors[key] = nul_message()
        elif _is_number_question(form, name) and too_big(value):
            errors[key] = _("Nombre trop grand : %(digits)d chiffres au plus avant la virgule.") % {
                "digits": NUMBER_DIGITS
            }
    return errors


def has_nul(value: Any) -> bool:
    return isinstance(value, str) and "\x00" in value


def nul_message() -> str:
    return _(
        "Caractère invalide : la réponse contient un caractère nul (invisible, souvent venu "
        "d'un copier-coller). Il a été retiré : vérifiez la réponse et enregistrez à nouveau."
    )


def without_nul(answers: Any) -> Any:
    """The answers with NUL characters removed, to show them back for correction."""
    if isinstance(answers, str):
        return answers.replace("\x00", "")
    if isinstance(answers, list):
        return [without_nul(item) for item in answers]
    if isinstance(answers, dict):
        return {key: without_nul(value) for key, value in answers.items()}
    return answers


def _is_number_question(form: Form, name: str) -> bool:
    try:
        element = form.element(name)
    except KeyError:
        return False
    return isinstance(element, Question) and element.type in ("integer", "decimal")


def json_object(text: str | None) -> dict[str, Any] | None:
    """A JSON object posted back in a hidden field, or None when it is not one."""
    try:
        value = json.loads(text or "{}")
    except (ValueError, RecursionError):  # RecursionError: deeply nested arrays
        return None
    return value if isinstance(value, dict) else None


def _is_answer(value: Any) -> bool:
    """The shapes `read_page` produces: a scalar, a list of choice names, a list of instances."""
    scalar = (str, int, float)
    if value is None or isinstance(value, scalar):
        return True
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value) or all(
            isinstance(item, dict)
            and all(v is None or isinstance(v, (*scalar, list)) for v in item.values())
            for item in value
        )
    return False


def page_answers_of(value: dict[str, Any] | None, names: list[str]) -> dict[str, Any] | None:
    """The page's answers in a posted JSON object, or None when it holds anything else."""
    if value is None or not all(_is_answer(answer) for answer in value.values()):
        return None
    return {name: value.get(name) for name in names if name in value}


def read_page(form: Form, page_name: str, data: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """The page's answers after this POST: {name: value} for every name the page owns.

    Only the inputs listed in `_shown` (those rendered) are read, so an answer to a question
    that was hidden stays as it was; repeats are read instance by instance, up to the posted
    count, starting from the stored instance so that hidden children keep their values.
    """
    shown = set((data.get(SHOWN_FIELD) or "").split())
    result: dict[str, Any] = {}
    page = form.page(page_name)
    counts = evaluate(form, stored).repeat_counts
    if counts:  # counted repeats are read up to their count, whatever was posted
        data = data.copy()
        for name, count in counts.items():
            data[count_field(name)] = str(count)
    _read_elements(page.children, "", data, stored, shown, result)
    return result


def _read_elements(elements, prefix, data, stored, shown, result):
    for element in elements:
        key = prefix + element.name
        if isinstance(element, Group):
            _read_elements(element.children, prefix, data, stored, shown, result)
        elif isinstance(element, Repeat):
            previous = stored.get(element.name)
            previous = previous if isinstance(previous, list) else []
            try:
                count = max(0, min(int(data.get(count_field(key), len(previous))), 200))
            except (TypeError, ValueError):
                count = len(previous)
            instances = []
            for number in range(1, count + 1):
                before = previous[number - 1] if number <= len(previous) else {}
                instance = dict(before) if isinstance(before, dict) else {}
                _read_elements(
                    element.children, f"{key}[{number}]/", data, instance, shown, instance
                )
                instances.append(instance)
            result[element.name] = instances
        elif element.type in FILE_TYPES:
            # The file itself comes in request.FILES, checked and stored by the view.
            if key in shown and data.get(f"{key}::clear"):
                result[element.name] = None
            elif element.name in stored:
                result[element.name] = stored[element.name]
        elif element.is_input:
            if key in shown:
                result[element.name] = read_value(element, data, key)
            elif element.name in stored:
                result[element.name] = stored[element.name]


# `unit_default = kind`: the choice names a form may use for each kind of unit, tried in order
# (the demo's list says `intercommunalite` and `metropole` where the référentiel says `epci`).
KIND_CHOICES = {
    "commune": ("commune",),
    "epci": ("epci", "intercommunalite", "epci_fp"),
    "metropole": ("metropole", "epci", "intercommunalite"),
    "departement": ("departement",),
    "region": ("region",),
}


def unit_defaults(form: Form, unit: dict[str, Any]) -> dict[str, Any]:
    """Answers taken from what the frame knows of the unit (`unit_default` column: name, kind,
    population, region, code), for the top-level questions that ask it: "ask nothing the
    frame knows". A kind that is not a choice of the question's list gives no default."""
    answers: dict[str, Any] = {}
    for question in form.questions():
        attribute = question.extra.get("unit_default")
        if not attribute or question.repeat is not None or unit.get(attribute) in (None, ""):
            continue
        value = unit[attribute]
        if question.type in SELECT_TYPES:
            names = {choice.name for choice in question.choices}
            candidates = (
                KIND_CHOICES.get(str(value), (str(value),))
                if attribute == "kind"
                else (str(value),)
            )
            value = next((name for name in candidates if name in names), None)
            if value is None:
                continue
            if question.type != "select_one":
                value = [value]
        answers[question.name] = value
    return answers


def set_answer(answers: dict[str, Any], key: str, value: Any) -> None:
    """Set the answer at a path ("photo", "fiche[2]/photo") in a page's answers."""
    head, _sep, rest = key.partition("/")
    if not rest:
        answers[head] = value
        return
    name, _bracket, number = head.partition("[")
    instances = answers.get(name)
    index = int(number.rstrip("]")) - 1
    if isinstance(instances, list) and 0 <= index < len(instances):
        set_answer(instances[index], rest, value)


def file_questions(form: Form, page_name: str) -> list[Question]:
    return [q for q in form.page(page_name).questions if q.type in FILE_TYPES]


def apply_page(
    answers: dict[str, Any], names: list[str], page_answers: dict[str, Any]
) -> dict[str, Any]:
    """The whole response's answers with this page's names replaced."""
    merged = {key: value for key, value in answers.items() if key not in names}
    for name in names:
        value = normalise(page_answers.get(name))
        if value is not None:
            merged[name] = value
    return merged


def _clean_instance(instance: Any) -> Any:
    if isinstance(instance, dict):
        return {key: value for key, value in instance.items() if value is not None}
    return instance


def normalise(value: Any) -> Any:
    if isinstance(value, list):
        return [_clean_instance(item) for item in value]
    return value


@dataclass
class Conflict:
    name: str
    mine: Any
    theirs: Any


def merge_page(
    names: list[str], base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> tuple[dict[str, Any], list[Conflict]]:
    """Three-way merge of one page: (merged page answers, conflicts left to the person).

    A name changed by only one side takes that side's value; a name changed by both sides to
    different values is a conflict. Nothing the other person saved is lost silently.
    """
    merged: dict[str, Any] = {}
    conflicts = []
    for name in names:
        b, m, t = (normalise(side.get(name)) for side in (base, mine, theirs))
        if m == t or m == b:
            merged[name] = t
        elif t == b:
            merged[name] = m
        else:
            merged[name] = t
            conflicts.append(Conflict(name, m, t))
    return merged, conflicts


def display_value(field: Field) -> str:
    """An answer as a person reads it: choice labels rather than names."""
    value = field.value
    if value is None or value == [] or value == "":
        return ""
    if field.options:
        labels = {option.value: option.label for option in field.options}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(item), str(item)) for item in values)
    return str(value)


def page_of_names(form: Form) -> dict[str, str]:
    """The page each element name belongs to."""
    pages = {}
    for page in form.pages:
        pages[page.name] = page.name
        stack = list(page.children)
        while stack:
            element = stack.pop()
            pages[element.name] = page.name
            if not isinstance(element, Question):
                stack += element.children
    return pages


def page_of_key(form: Form, key: str, pages: dict[str, str] | None = None) -> str | None:
    """The page of an answer path ("fiche[2]/nom" belongs to the page of "fiche")."""
    pages = pages or page_of_names(form)
    head = key.split("/", 1)[0].split("[", 1)[0]
    return pages.get(head)
