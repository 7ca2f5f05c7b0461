"""Evaluate a form over a respondent's answers: what is shown, computed, required and valid.

Answers are a dict {name: value}; a repeat is {repeat_name: [{child_name: value}, ...]};
select_multiple and rank values are lists of choice names; groups do not nest the dict.
Results are keyed by answer path: "name" at the top level, "fiche[2]/nom" in the second
instance of the repeat "fiche" (1-based, like XPath).

The answers are written into an XML instance exactly as ODK does (every node present, empty
when unanswered, non-relevant nodes blanked), and every expression is evaluated on that
instance by expressions.ODKXPathParser, so one evaluator decides relevance, requirement,
constraints and calculations.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from elementpath import XPathContext, get_node_tree
from elementpath.exceptions import ElementPathError
from elementpath.xpath_nodes import ElementNode

from .expressions import (
    ATTACHMENTS,
    CURRENT_VARIABLE,
    NOW_VARIABLE,
    REFERENCE,
    TODAY_VARIABLE,
    ExpressionError,
    compile_xpath,
    format_number,
    to_boolean,
    to_number,
    to_string,
    translate,
)
from .messages import message
from .model import (
    ROOT,
    Element,
    Form,
    Group,
    Question,
    Repeat,
    default_is_dynamic,
    iter_elements,
)

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2})?")
_ISO_DT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?")
_KEY_STEP = re.compile(r"^(.+)\[(\d+)\]$")
_MISSING = object()
logger = logging.getLogger(__name__)


@dataclass
class Evaluation:
    """What the answers imply. Keys are answer paths ("q", "fiche[2]/nom")."""

    # Every question, group, repeat ("fiche") and repeat instance ("fiche[1]").
    relevant: dict[str, bool] = field(default_factory=dict)
    # Results of `calculate` questions (strings, as in an ODK submission).
    values: dict[str, str] = field(default_factory=dict)
    # Whether each relevant input question is required.
    required: dict[str, bool] = field(default_factory=dict)
    # Page name -> relevant.
    pages: dict[str, bool] = field(default_factory=dict)
    # Relevant pages that show something, in order.
    visible_pages: list[str] = field(default_factory=list)
    # Answers given to questions (or repeat instances) that are not relevant: to be cleared.
    non_relevant_answers: list[str] = field(default_factory=list)
    # Expressions that failed at run time (a form bug): logged by the caller.
    errors: list[str] = field(default_factory=list)
    # Selects with a choice_filter: the names of the choices offered, from the answers given.
    choices: dict[str, list[str]] = field(default_factory=dict)
    # Repeats with a repeat_count: how many instances they have.
    repeat_counts: dict[str, int] = field(default_factory=dict)

    def is_relevant(self, key: str) -> bool:
        return self.relevant.get(key, False)


@dataclass
class _Node:
    element: Element
    key: str
    xml: ET.Element
    scope: Mapping[str, Any]
    parent: _Node | None
    # Path used to translate ${name}: the element's own path, or its parent's for the
    # "whole repeat" node which stands for the repeat before any instance exists.
    context_path: tuple[str, ...]
    is_repeat_instance: bool = False

    @property
    def is_whole_repeat(self) -> bool:
        return isinstance(self.element, Repeat) and not self.is_repeat_instance


class _Instance:
    """One XML instance built from the answers, and the means to evaluate expressions on it."""

    def __init__(
        self,
        form: Form,
        answers: Mapping[str, Any],
        *,
        blank: set[str],
        computed: Mapping[str, str],
        variables: dict[str, str],
        errors: list[str],
    ) -> None:
        self.form = form
        self.paths = {element.name: element.path for element in form.elements()}
        self.repeats = frozenset(e.path for e in form.elements() if isinstance(e, Repeat))
        self.blank = blank
        self.computed = computed
        self.variables = variables
        self.errors = errors
        self.root = ET.Element(ROOT)
        self.nodes: list[_Node] = []
        self._add_children(form.children, self.root, answers, "", None)
        tree = get_node_tree(self.root)
        self.xpath_nodes = {
            node.obj: node for node in tree.iter_descendants() if isinstance(node, ElementNode)
        }
        self.tree = tree

    def _add_children(
        self,
        elements: list[Element],
        parent_xml: ET.Element,
        scope: Mapping[str, Any],
        prefix: str,
        parent: _Node | None,
    ) -> None:
        for element in elements:
            key = prefix + element.name
            if isinstance(element, Question):
                xml = ET.SubElement(parent_xml, element.name)
                if key not in self.blank:
                    xml.text = self._text(element, key, scope)
                self.nodes.append(_Node(element, key, xml, scope, parent, element.path))
            elif isinstance(element, Group):
                xml = ET.SubElement(parent_xml, element.name)
                node = _Node(element, key, xml, scope, parent, element.path)
                self.nodes.append(node)
                self._add_children(element.children, xml, scope, prefix, node)
            else:
                whole = _Node(element, key, parent_xml, scope, parent, element.parents)
                self.nodes.append(whole)
                instances = scope.get(element.name)
                if not isinstance(instances, list):
                    continue
                for index, instance in enumerate(instances, 1):
                    instance_key = f"{key}[{index}]"
                    xml = ET.SubElement(parent_xml, element.name)
                    data = instance if isinstance(instance, Mapping) else {}
                    node = _Node(element, instance_key, xml, data, whole, element.path, True)
                    self.nodes.append(node)
                    self._add_children(element.children, xml, data, instance_key + "/", node)

    def _text(self, question: Question, key: str, scope: Mapping[str, Any]) -> str:
        if key in self.computed:
            return self.computed[key]
        return answer_text(question, effective_answer(question, scope))

    def run(self, expression: str, node: _Node) -> Any:
        """Evaluate one expression with the node as context item; None on a run-time error."""
        try:
            xpath = translate(
                expression, paths=self.paths, repeats=self.repeats, context=node.context_path
            )
            token = compile_xpath(xpath)
            item = self.xpath_nodes[node.xml]
            context = XPathContext(
                self.tree, item=item, variables={**self.variables, CURRENT_VARIABLE: item}
            )
            attached = ATTACHMENTS.set(self.form.attachments)  # for pulldata()
            try:
                return token.evaluate(context)
            finally:
                ATTACHMENTS.reset(attached)
        except (ExpressionError, ElementPathError, ArithmeticError, ValueError) as error:
            # A form bug, not the respondent's: logged, and the expression counts as false.
            problem = f"{self.form.form_id} {node.key}: « {expression} » : {error}"
            logger.warning("XLSForm expression failed: %s", problem)
            self.errors.append(problem)
            return None


def effective_answer(question: Question, scope: Mapping[str, Any]) -> Any:
    """The answer, or the static default when the question was never answered."""
    value = scope.get(question.name, _MISSING)
    if value is _MISSING:
        if question.default is not None and not default_is_dynamic(question.default):
            return _default_value(question)
        return None
    return value


def _default_value(question: Question) -> Any:
    assert question.default is not None
    if question.type in ("select_multiple", "rank"):
        return question.default.split()
    return question.default


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set):
        return not value
    return False


def answer_text(question: Question, value: Any) -> str:
    """The text of an answer in the XML instance (ODK's serialisation)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return " ".join(str(item).strip() for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return format_number(float(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if question.type in ("integer", "decimal"):
        # French typing: "1,5" and "12 000" (thin or non-breaking spaces too).
        text = re.sub(r"\s", "", text.replace(",", "."))
    return text


MAX_REPEAT_COUNT = 200


def _counted_repeats(form: Form) -> list[Repeat]:
    """Top-level-data repeats with a repeat_count (not inside another repeat)."""
    return [e for e in form.elements() if isinstance(e, Repeat) and e.count and e.repeat is None]


def _run_state(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: dt.date | None,
    now: dt.datetime | None,
) -> tuple[Evaluation, _Instance]:
    """The evaluation; a repeat with a repeat_count gets exactly that many instances (ODK's
    behaviour): the count is evaluated on the answers, then missing instances are added empty
    and extra ones left out, and everything is evaluated again."""
    counted = _counted_repeats(form)
    if not counted:
        return _run_once(form, answers, today=today, now=now)
    _, instance = _run_once(form, answers, today=today, now=now)
    counts: dict[str, int] = {}
    for repeat in counted:
        node = next(n for n in instance.nodes if n.element is repeat and n.is_whole_repeat)
        text = (repeat.count or "").strip()
        number = to_number(text if text.isdigit() else instance.run(f"number({text})", node))
        counts[repeat.name] = (
            0 if math.isnan(number) else max(0, min(int(number), MAX_REPEAT_COUNT))
        )
    padded = with_repeat_counts(answers, counts)
    evaluation, instance = _run_once(form, padded, today=today, now=now)
    evaluation.repeat_counts = counts
    return evaluation, instance


def with_repeat_counts(answers: Mapping[str, Any], counts: Mapping[str, int]) -> dict[str, Any]:
    """The answers with each counted repeat holding exactly its count of instances."""
    padded = dict(answers)
    for name, count in counts.items():
        instances = answers.get(name)
        instances = list(instances) if isinstance(instances, list) else []
        padded[name] = (instances + [{} for _ in range(count)])[:count]
    return padded


def _run_once(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: dt.date | None,
    now: dt.datetime | None,
) -> tuple[Evaluation, _Instance]:
    moment = now or dt.datetime.now()
    variables = {
        TODAY_VARIABLE: (today or moment.date()).isoformat(),
        NOW_VARIABLE: moment.isoformat(timespec="seconds"),
    }
    errors: list[str] = []
    blank: set[str] = set()
    computed: dict[str, str] = {}
    # Relevance and calculations depend on each other: recompute until nothing changes. Each
    # pass settles at least one more link of a dependency chain, so the number of elements
    # bounds the passes (a circular form stops there).
    limit = 2 + sum(1 for _ in form.elements())
    for _ in range(limit):
        errors.clear()
        instance = _Instance(
            form, answers, blank=blank, computed=computed, variables=variables, errors=errors
        )
        relevant = _relevance(instance)
        new_computed = _calculations(instance, relevant)
        new_blank = {key for key, is_relevant in relevant.items() if not is_relevant}
        if new_computed == computed and new_blank == blank:
            break
        blank, computed = new_blank, new_computed

    evaluation = Evaluation(relevant=relevant, values=dict(computed), errors=list(errors))
    reported: set[str] = set()
    for node in instance.nodes:
        element = node.element
        if isinstance(element, Question) and element.is_input and relevant[node.key]:
            evaluation.required[node.key] = _is_required(instance, node)
        if not relevant[node.key] and _has_answer(node) and not _reported(node, reported):
            # Reported once, at the outermost level: a whole repeat, an instance, a question.
            reported.add(node.key)
            evaluation.non_relevant_answers.append(node.key)
        if isinstance(element, Question) and element.choice_filter and relevant[node.key]:
            evaluation.choices[node.key] = _filtered_choices(instance, node, element)
    for page in form.pages:
        evaluation.pages[page.name] = relevant.get(page.name, False)
        if evaluation.pages[page.name] and not page.is_hidden:
            evaluation.visible_pages.append(page.name)
    evaluation.errors = list(errors)
    return evaluation, instance


_XML_NAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


def _literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in text.split("'")) + ")"


def _filtered_choices(instance: _Instance, node: _Node, question: Question) -> list[str]:
    """The choices whose columns satisfy the choice_filter, as ODK computes an itemset.

    Each `${name}` is first replaced by its current value (from this repeat instance when
    there is one); the filter is then evaluated once per choice, with the choice as context
    node: `region` in the filter is the choice's `region` column, `name` its name.
    """
    assert question.choice_filter is not None

    def value(match: re.Match[str]) -> str:
        return _literal(to_string(instance.run(f"string(${{{match.group(1)}}})", node)))

    try:
        token = compile_xpath(REFERENCE.sub(value, question.choice_filter))
    except ExpressionError as error:
        instance.errors.append(f"{instance.form.form_id} {node.key}: choice_filter : {error}")
        return []
    offered = []
    for choice in question.choices:
        item = ET.Element("item")
        ET.SubElement(item, "name").text = choice.name
        for column, text in choice.extra.items():
            if _XML_NAME.match(column):
                ET.SubElement(item, column).text = text
        tree = get_node_tree(item)
        try:
            keep = to_boolean(token.evaluate(XPathContext(tree, item=tree)))
        except (ElementPathError, ArithmeticError, ValueError) as error:
            instance.errors.append(f"{instance.form.form_id} {node.key}: choice_filter : {error}")
            keep = False
        if keep:
            offered.append(choice.name)
    return offered


def _relevance(instance: _Instance) -> dict[str, bool]:
    relevant: dict[str, bool] = {}
    for node in instance.nodes:
        if node.parent is not None and not relevant[node.parent.key]:
            relevant[node.key] = False
            continue
        # A repeat's relevant is evaluated for the whole repeat (before any instance exists)
        # and again for each instance, whose children it may refer to.
        expression = node.element.relevant
        relevant[node.key] = expression is None or to_boolean(instance.run(expression, node))
    return relevant


def _calculations(instance: _Instance, relevant: Mapping[str, bool]) -> dict[str, str]:
    computed: dict[str, str] = {}
    for node in instance.nodes:
        question = node.element
        if not isinstance(question, Question) or not relevant[node.key]:
            continue
        expression = question.computed_expression
        if expression and question.extra.get("trigger"):
            # Computed only when its trigger changes (apply_triggers), then kept as an answer.
            stored = node.scope.get(question.name)
            if not is_empty(stored):
                computed[node.key] = answer_text(question, stored)
            continue
        if expression is None and question.default and default_is_dynamic(question.default):
            if question.name in node.scope:
                continue
            expression = question.default
        if expression is None:
            continue
        value = instance.run(expression, node)
        if isinstance(value, float) and math.isnan(value):
            computed[node.key] = ""  # ODK stores an empty value, not "NaN"
        else:
            computed[node.key] = to_string(value)
    return computed


def _is_required(instance: _Instance, node: _Node) -> bool:
    assert isinstance(node.element, Question)
    required = node.element.required
    if required is None:
        return False
    if required == "yes":
        return True
    return to_boolean(instance.run(required, node))


def _has_answer(node: _Node) -> bool:
    if isinstance(node.element, Question):
        return node.element.is_input and not is_empty(node.scope.get(node.element.name))
    if node.is_repeat_instance:
        return any(not is_empty(value) for value in node.scope.values())
    if node.is_whole_repeat:
        instances = node.scope.get(node.element.name)
        return isinstance(instances, list) and any(
            isinstance(i, Mapping) and any(not is_empty(v) for v in i.values()) for i in instances
        )
    return False


def _reported(node: _Node, reported: set[str]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.key in reported:
            return True
        parent = parent.parent
    return False


def apply_triggers(
    form: Form,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The answers with each `trigger`ed calculation recomputed when a question its trigger
    names changed between `before` and `after`, as ODK does on the device
    (https://docs.getodk.org/form-logic/#triggering-calculations-on-change); otherwise the
    stored value stays. Top-level questions: a trigger inside a repeat is not applied."""
    answers = dict(after)
    triggered = [
        q for q in form.questions() if q.extra.get("trigger") and q.calculation and q.repeat is None
    ]
    changed = [
        q
        for q in triggered
        if any(
            before.get(name.strip()) != after.get(name.strip())
            for name in REFERENCE.findall(q.extra["trigger"])
        )
    ]
    if not changed:
        return answers
    free = Form.from_dict(form.to_dict())
    for question in free.questions():
        if question.name in {q.name for q in changed}:
            question.extra = {k: v for k, v in question.extra.items() if k != "trigger"}
    values = evaluate(free, answers, today=today, now=now).values
    for question in changed:
        value = values.get(question.name)
        if value in (None, ""):
            answers.pop(question.name, None)
        else:
            answers[question.name] = value
    return answers


def evaluate(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Evaluation:
    """Relevance of every element, calculated values and requirement, for these answers."""
    return _run_state(form, answers, today=today, now=now)[0]


def validate(
    form: Form,
    answers: Mapping[str, Any],
    page: str | None = None,
    *,
    language: str | None = "fr",
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Errors by answer path: required, type and constraint, for relevant questions only.

    With `page` (a page name), only the questions of that page are checked. Messages come from
    the form (required_message, constraint_message) in `language`, else the default ones.
    """
    evaluation, instance = _run_state(form, answers, today=today, now=now)
    names: set[str] | None = None
    if page is not None:
        names = {element.name for element in _page_elements(form, page)}
    errors: dict[str, str] = {}
    for node in instance.nodes:
        element = node.element
        if names is not None and element.name not in names:
            continue
        if not evaluation.relevant[node.key]:
            continue
        if node.is_whole_repeat:
            value = node.scope.get(element.name)
            if value is not None and not isinstance(value, list):
                errors[node.key] = message("repeat", language)
            continue
        if not isinstance(element, Question) or not element.is_input or element.read_only:
            continue
        value = effective_answer(element, node.scope)
        if is_empty(value):
            if evaluation.required.get(node.key):
                errors[node.key] = _form_message(form, element.required_message, language) or (
                    message("required", language)
                )
            continue
        type_error = check_type(element, value, language)
        offered = evaluation.choices.get(node.key)
        if not type_error and offered is not None:
            selected = value if isinstance(value, list | tuple) else str(value).split()
            wrong = [str(item) for item in selected if str(item) not in offered]
            if wrong:
                type_error = message("choice", language, value=wrong[0])
        if type_error:
            errors[node.key] = type_error
            continue
        if element.constraint and not to_boolean(instance.run(element.constraint, node)):
            errors[node.key] = _form_message(form, element.constraint_message, language) or (
                message("constraint", language)
            )
    return errors


def _page_elements(form: Form, name: str) -> Iterator[Element]:
    yield from iter_elements([form.page(name).element])


def _form_message(form: Form, texts: dict[str, str], language: str | None) -> str:
    return form.text(texts, language) if texts else ""


def check_type(question: Question, value: Any, language: str | None = "fr") -> str | None:
    """The message for an answer of the wrong type or outside the choice list, else None."""
    kind = question.type
    if kind == "integer":
        if isinstance(value, bool):
            return message("integer", language)
        if isinstance(value, int) or (
            isinstance(value, float | Decimal) and math.isfinite(value) and value == int(value)
        ):
            return None
        if isinstance(value, str) and _INTEGER.fullmatch(answer_text(question, value)):
            return None
        return message("integer", language)
    if kind == "decimal":
        if isinstance(value, bool):
            return message("decimal", language)
        if isinstance(value, int | float | Decimal) and math.isfinite(value):
            return None
        if isinstance(value, str) and _DECIMAL.fullmatch(answer_text(question, value)):
            return None
        return message("decimal", language)
    if kind == "date":
        if isinstance(value, dt.date):
            return None
        text = str(value).strip()
        if _ISO_DATE.fullmatch(text):
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                return message("date", language)
            return None
        return message("date", language)
    if kind == "time":
        if isinstance(value, dt.time) or _valid(dt.time.fromisoformat, value, _ISO_TIME):
            return None
        return message("time", language)
    if kind == "datetime":
        if isinstance(value, dt.datetime) or _valid(dt.datetime.fromisoformat, value, _ISO_DT):
            return None
        return message("datetime", language)
    if kind == "range":
        return _check_range(question, value, language)
    if kind == "acknowledge":
        return None if str(value).strip() == "OK" else message("acknowledge", language)
    if kind in ("select_one", "select_multiple", "rank"):
        return _check_choices(question, value, language)
    if kind in ("text", "image", "file") and not isinstance(value, str | int | float | Decimal):
        return message("text", language)
    return None


def _valid(parse: Any, value: Any, pattern: re.Pattern[str]) -> bool:
    text = str(value).strip()
    if not pattern.fullmatch(text):
        return False
    try:
        parse(text)
    except ValueError:
        return False
    return True


def range_bounds(question: Question) -> tuple[float, float, float]:
    """(start, end, step) of a range question, XLSForm's defaults 1, 10, 1."""
    parameters = question.parameters
    return (
        float(parameters.get("start", "1")),
        float(parameters.get("end", "10")),
        float(parameters.get("step", "1")),
    )


def _check_range(question: Question, value: Any, language: str | None) -> str | None:
    start, end, step = range_bounds(question)
    text = answer_text(Question(name="", type="decimal"), value)
    low, high = min(start, end), max(start, end)
    bounds = {"start": format_number(low), "end": format_number(high)}
    if not _DECIMAL.fullmatch(text):
        return message("range", language, **bounds)
    number = float(text)
    steps = (number - start) / step if step else 0
    if not low <= number <= high or abs(steps - round(steps)) > 1e-9:
        return message("range", language, **bounds)
    return None


def _check_choices(question: Question, value: Any, language: str | None) -> str | None:
    names = {choice.name for choice in question.choices}
    if isinstance(value, list | tuple | set):
        selected = [str(item).strip() for item in value]
    else:
        selected = str(value).split()
    if question.type == "select_one" and len(selected) > 1:
        return message("single_choice", language)
    seen: set[str] = set()
    for item in selected:
        if item not in names:
            return message("choice", language, value=item)
        if item in seen:
            return message("duplicate_choice", language, value=item)
        seen.add(item)
    return None


def drop_non_relevant(answers: Mapping[str, Any], evaluation: Evaluation) -> dict[str, Any]:
    """A copy of the answers without those that the evaluation found not relevant."""
    cleaned: dict[str, Any] = deepcopy(dict(answers))
    # Remove deepest keys first so that instance indexes stay valid.
    for key in sorted(evaluation.non_relevant_answers, key=lambda k: k.count("/"), reverse=True):
        _drop(cleaned, key.split("/"))
    # A non-relevant repeat instance is emptied, not removed: the others keep their numbers.
    return cleaned


def _drop(scope: Any, steps: list[str]) -> None:
    head, rest = steps[0], steps[1:]
    match = _KEY_STEP.match(head)
    if match is None:
        if isinstance(scope, dict):
            scope.pop(head, None)
        return
    name, index = match.group(1), int(match.group(2)) - 1
    instances = scope.get(name) if isinstance(scope, dict) else None
    if not isinstance(instances, list) or not 0 <= index < len(instances):
        return
    if rest:
        _drop(instances[index], rest)
    else:
        instances[index] = {}


def render_text(
    form: Form,
    texts: dict[str, str],
    *,
    key: str,
    answers: Mapping[str, Any],
    evaluation: Evaluation,
    language: str | None = None,
) -> str:
    """A label or hint in `language` with each ${name} replaced by its current value.

    `key` is the answer path of the element the text belongs to ("fiche[2]/fd_ratio"): a
    reference to a question of the same repeat instance takes that instance's value, as in ODK.
    Choices show their name, like ODK's output of a select without jr:choice-name.
    """
    prefix = key.rsplit("/", 1)[0] + "/" if "/" in key else ""

    def value(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        try:
            target = form.element(name)
        except KeyError:
            return ""
        target_key = prefix + name if target.repeat and prefix else name
        if target_key in evaluation.values:
            return evaluation.values[target_key]
        if not evaluation.relevant.get(target_key, False):
            return ""
        scope: Any = answers
        for step in target_key.split("/")[:-1]:
            match_step = _KEY_STEP.match(step)
            if match_step is None or not isinstance(scope, Mapping):
                return ""
            instances = scope.get(match_step.group(1))
            index = int(match_step.group(2)) - 1
            if not isinstance(instances, list) or not 0 <= index < len(instances):
                return ""
            scope = instances[index]
        if not isinstance(scope, Mapping) or not isinstance(target, Question):
            return ""
        answer = effective_answer(target, scope)
        if isinstance(answer, list | tuple | set):
            return ", ".join(str(item) for item in answer)
        return answer_text(target, answer) if answer is not None else ""

    return REFERENCE.sub(value, form.text(texts, language))
