"""ODK expressions (relevant, constraint, calculation, required) on a real XPath 1.0 evaluator.

`${name}` references are translated to paths in an XML instance, the way pyxform does for ODK
Collect: an absolute path (`/data/page/name`), or a path relative to `current()` when both the
question being evaluated and the referenced one sit in the same repeat instance
(https://getodk.github.io/xforms-spec/#xpath-paths). The paths are then evaluated by
elementpath's XPath 1.0 parser extended with the ODK functions that XPath 1.0 lacks
(https://getodk.github.io/xforms-spec/#xpath-functions). Python's eval is never used.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from copy import copy
from decimal import Decimal
from functools import lru_cache
from typing import Any

from elementpath import XPath1Parser
from elementpath.aliases import ContextType
from elementpath.exceptions import ElementPathError
from elementpath.xpath_nodes import XPathNode
from elementpath.xpath_tokens import XPathFunction, XPathToken

from .model import ROOT

REFERENCE = re.compile(r"\$\{([^}]*)\}")
_STRING_LITERAL = re.compile(r"('[^']*'|\"[^\"]*\")")
_CURRENT = re.compile(r"\bcurrent\s*\(\s*\)")
CURRENT_VARIABLE = "__odk_current__"
TODAY_VARIABLE = "__odk_today__"
NOW_VARIABLE = "__odk_now__"

_NUMBER = re.compile(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*")
_DATE = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?\s*"
)
_EPOCH = dt.date(1970, 1, 1).toordinal()


# The CSV files attached to the form being evaluated (pulldata), file name -> rows; set by the
# engine for the duration of an evaluation (elementpath's variables hold XPath values only).
ATTACHMENTS: ContextVar[Mapping[str, list[dict[str, str]]] | None] = ContextVar(
    "xlsform_attachments", default=None
)
PULLDATA = re.compile(r"pulldata\s*\(\s*(?:'([^']*)'|\"([^\"]*)\")")


def pulldata_files(expression: str) -> list[str]:
    """The attached files an expression's pulldata() calls read ("fruits" -> fruits.csv)."""
    return [f"{a or b}.csv" for a, b in PULLDATA.findall(expression or "")]


class ExpressionError(Exception):
    """An expression that cannot be parsed, or refers to a question that does not exist."""


# --- Conversions following XPath 1.0 section 4, with ODK's dates as numbers of days ----------


def date_to_days(value: str) -> float | None:
    """Days since 1970-01-01 for an ISO date or date-time string (ODK's decimal-date-time)."""
    match = _DATE.fullmatch(value)
    if not match:
        return None
    year, month, day, hour, minute, second, _zone = match.groups()
    try:
        days = float(dt.date(int(year), int(month), int(day)).toordinal() - _EPOCH)
    except ValueError:
        return None
    if hour is not None:
        days += (int(hour) * 3600 + int(minute) * 60 + int(second or 0)) / 86400
    return days


def to_number(value: Any) -> float:
    if isinstance(value, XPathNode):
        value = value.string_value
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, str):
        match = _NUMBER.fullmatch(value)
        if match:
            return float(match.group(1))
        days = date_to_days(value)
        return math.nan if days is None else days
    if isinstance(value, list):
        return to_number(value[0]) if value else math.nan
    return math.nan


def format_number(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number):
        return str(int(number))
    return format(Decimal(repr(number)), "f")


def to_string(value: Any) -> str:
    if isinstance(value, XPathNode):
        return value.string_value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return format_number(float(value))
    if isinstance(value, list):
        return to_string(value[0]) if value else ""
    if value is None:
        return ""
    return str(value)


def to_boolean(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return not math.isnan(value) and value != 0
    if isinstance(value, XPathNode):
        return True
    return bool(value)


def _evaluate(token: XPathToken, context: ContextType) -> Any:
    return token.evaluate(copy(context)) if context is not None else token.evaluate()


def _argument_string(function: XPathFunction, index: int, context: ContextType) -> str:
    return to_string(_evaluate(function[index], context))


def _argument_number(function: XPathFunction, index: int, context: ContextType) -> float:
    return to_number(_evaluate(function[index], context))


def _argument_items(function: XPathFunction, context: ContextType) -> list[Any]:
    """All the values of all arguments, node-sets flattened (for min, max, join...)."""
    items: list[Any] = []
    for argument in function:
        result = _evaluate(argument, context)
        items.extend(result if isinstance(result, list) else [result])
    return items


def _variable(context: ContextType, name: str, function: XPathFunction) -> Any:
    if context is None:
        raise function.missing_context()
    return context.variables.get(name)


# --- The parser: XPath 1.0 plus ODK functions -------------------------------------------------


class ODKXPathParser(XPath1Parser):
    """XPath 1.0 with ODK's functions and XPath 1.0 comparisons where dates compare as dates."""


# Own token classes replace the inherited ones, so that XPath1Parser itself is left untouched.
for _symbol in ("round", "position"):
    del ODKXPathParser.symbol_table[_symbol]

_function = ODKXPathParser.function
_method = ODKXPathParser.method


@_method(_function("selected", nargs=2))
def evaluate__selected(self: XPathFunction, context: ContextType = None) -> bool:
    return _argument_string(self, 1, context).strip() in _argument_string(self, 0, context).split()


@_method(_function("count-selected", nargs=1))
def evaluate__count_selected(self: XPathFunction, context: ContextType = None) -> float:
    return float(len(_argument_string(self, 0, context).split()))


@_method(_function("selected-at", nargs=2))
def evaluate__selected_at(self: XPathFunction, context: ContextType = None) -> str:
    values = _argument_string(self, 0, context).split()
    index = _argument_number(self, 1, context)
    if math.isnan(index) or not 0 <= int(index) < len(values):
        return ""
    return values[int(index)]


@_method(_function("pulldata", nargs=4))
def evaluate__pulldata(self: XPathFunction, context: ContextType = None) -> str:
    """ODK's pulldata(file, column, key column, key): the column of the first matching row of
    the attached CSV file (https://docs.getodk.org/form-datasets/#pulldata), else ""."""
    name = _argument_string(self, 0, context)
    column = _argument_string(self, 1, context)
    key_column = _argument_string(self, 2, context)
    key = _argument_string(self, 3, context)
    for row in (ATTACHMENTS.get() or {}).get(f"{name}.csv", []):
        if row.get(key_column) == key:
            return row.get(column, "")
    return ""


@_method(_function("if", nargs=3))
def evaluate__if(self: XPathFunction, context: ContextType = None) -> Any:
    if to_boolean(_evaluate(self[0], context)):
        return _evaluate(self[1], context)
    return _evaluate(self[2], context)


@_method(_function("coalesce", nargs=2))
def evaluate__coalesce(self: XPathFunction, context: ContextType = None) -> str:
    return _argument_string(self, 0, context) or _argument_string(self, 1, context)


@_method(_function("today", nargs=0))
def evaluate__today(self: XPathFunction, context: ContextType = None) -> str:
    return str(_variable(context, TODAY_VARIABLE, self))


@_method(_function("now", nargs=0))
def evaluate__now(self: XPathFunction, context: ContextType = None) -> str:
    return str(_variable(context, NOW_VARIABLE, self))


@_method(_function("int", nargs=1))
def evaluate__int(self: XPathFunction, context: ContextType = None) -> float:
    number = _argument_number(self, 0, context)
    return number if math.isnan(number) or math.isinf(number) else float(math.trunc(number))


@_method(_function("round", nargs=(1, 2)))
def evaluate__round(self: XPathFunction, context: ContextType = None) -> float:
    number = _argument_number(self, 0, context)
    digits = int(_argument_number(self, 1, context)) if len(self) == 2 else 0
    if math.isnan(number) or math.isinf(number):
        return number
    factor = 10.0**digits
    # Half away from zero, like ODK (Python's round() rounds half to even).
    return math.copysign(math.floor(abs(number) * factor + 0.5), number) / factor


@_method(_function("position", nargs=(0, 1)))
def evaluate__position(self: XPathFunction, context: ContextType = None) -> float:
    if context is None:
        raise self.missing_context()
    if len(self) == 0:
        return float(context.position)
    # ODK's position(node): the 1-based index of the node among its same-named siblings,
    # e.g. position(..) is the number of the current repeat instance.
    result = _evaluate(self[0], context)
    node = result[0] if isinstance(result, list) and result else result
    if not isinstance(node, XPathNode) or node.parent is None:
        return math.nan
    siblings = [n for n in node.parent if isinstance(n, XPathNode) and n.name == node.name]
    return float(next(i for i, sibling in enumerate(siblings, 1) if sibling is node))


@_method(_function("regex", nargs=2))
def evaluate__regex(self: XPathFunction, context: ContextType = None) -> bool:
    try:
        pattern = _compiled_regex(_argument_string(self, 1, context))
    except re.error as error:
        raise self.error("FORX0002", f"invalid regular expression: {error}") from None
    return pattern.search(_argument_string(self, 0, context)) is not None


@lru_cache(maxsize=256)
def _compiled_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@_method(_function("substr", nargs=(2, 3)))
def evaluate__substr(self: XPathFunction, context: ContextType = None) -> str:
    text = _argument_string(self, 0, context)
    start = int(_argument_number(self, 1, context))
    end = int(_argument_number(self, 2, context)) if len(self) == 3 else len(text)
    return text[start:end]


@_method(_function("boolean-from-string", nargs=1))
def evaluate__boolean_from_string(self: XPathFunction, context: ContextType = None) -> bool:
    return _argument_string(self, 0, context).strip() in ("true", "1")


@_method(_function("pow", nargs=2))
def evaluate__pow(self: XPathFunction, context: ContextType = None) -> float:
    try:
        return float(_argument_number(self, 0, context) ** _argument_number(self, 1, context))
    except (OverflowError, ZeroDivisionError, TypeError):
        return math.nan


@_method(_function("abs", nargs=1))
def evaluate__abs(self: XPathFunction, context: ContextType = None) -> float:
    return abs(_argument_number(self, 0, context))


def _extremum(choose: Callable[[Iterable[float]], float]) -> Callable[..., float]:
    def evaluate(self: XPathFunction, context: ContextType = None) -> float:
        numbers = [to_number(item) for item in _argument_items(self, context)]
        if not numbers or any(math.isnan(n) for n in numbers):
            return math.nan
        return choose(numbers)

    return evaluate


_method(_function("min", nargs=(1, None)))(_extremum(min))
_method(_function("max", nargs=(1, None)))(_extremum(max))


@_method(_function("join", nargs=(2, None)))
def evaluate__join(self: XPathFunction, context: ContextType = None) -> str:
    separator = _argument_string(self, 0, context)
    values: list[Any] = []
    for argument in list(self)[1:]:
        result = _evaluate(argument, context)
        values.extend(result if isinstance(result, list) else [result])
    return separator.join(to_string(value) for value in values)


@_method(_function("decimal-date-time", nargs=1))
def evaluate__decimal_date_time(self: XPathFunction, context: ContextType = None) -> float:
    return to_number(_evaluate(self[0], context))


@_method(_function("date", nargs=1))
def evaluate__date(self: XPathFunction, context: ContextType = None) -> str:
    days = to_number(_evaluate(self[0], context))
    if math.isnan(days) or math.isinf(days):
        return ""
    try:
        return dt.date.fromordinal(math.floor(days) + _EPOCH).isoformat()
    except (ValueError, OverflowError):
        return ""


def _format_date_field(day: dt.date, code: str) -> str:
    fields = {
        "%Y": f"{day.year:04d}",
        "%y": f"{day.year % 100:02d}",
        "%m": f"{day.month:02d}",
        "%n": str(day.month),
        "%d": f"{day.day:02d}",
        "%e": str(day.day),
    }
    return fields.get(code, code)


@_method(_function("format-date", nargs=2))
def evaluate__format_date(self: XPathFunction, context: ContextType = None) -> str:
    days = to_number(_evaluate(self[0], context))
    if math.isnan(days) or math.isinf(days):
        return ""
    try:
        day = dt.date.fromordinal(math.floor(days) + _EPOCH)
    except (ValueError, OverflowError):
        return ""
    pattern = _argument_string(self, 1, context)
    return re.sub(r"%[a-zA-Z]", lambda match: _format_date_field(day, match.group()), pattern)


# --- Comparisons (XPath 1.0 section 3.4) -------------------------------------------------------
# elementpath compares with XPath 2.0 rules even in its 1.0 parser (a node "5" is not equal to
# the number 5), and fails on dates; ODK forms rely on both, so the six operators are redefined.


def _operand(token: XPathToken, context: ContextType) -> tuple[bool, list[Any]]:
    result = _evaluate(token, context)
    if isinstance(result, list):
        return True, [to_string(item) for item in result]
    return False, [result]


def _compare_atoms(symbol: str, left: Any, right: Any) -> bool:
    if symbol in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_boolean(left) == to_boolean(right)
        elif isinstance(left, int | float | Decimal) or isinstance(right, int | float | Decimal):
            equal = to_number(left) == to_number(right)
        else:
            equal = to_string(left) == to_string(right)
        return equal if symbol == "=" else not equal
    a, b = to_number(left), to_number(right)
    if symbol == "<":
        return a < b
    if symbol == "<=":
        return a <= b
    if symbol == ">":
        return a > b
    return a >= b


def evaluate__comparison(self: XPathToken, context: ContextType = None) -> bool:
    left_is_set, left = _operand(self[0], context)
    right_is_set, right = _operand(self[1], context)
    # A node-set compared with a boolean is converted to a boolean first.
    if left_is_set and not right_is_set and isinstance(right[0], bool):
        left_is_set, left = False, [bool(left)]
    elif right_is_set and not left_is_set and isinstance(left[0], bool):
        right_is_set, right = False, [bool(right)]
    return any(_compare_atoms(self.symbol, a, b) for a in left for b in right)


for _symbol in ("=", "!=", "<", "<=", ">", ">="):
    _inherited = ODKXPathParser.symbol_table[_symbol]
    ODKXPathParser.symbol_table[_symbol] = type(
        f"_ODK{_inherited.__name__}", (_inherited,), {"evaluate": evaluate__comparison}
    )


# --- Translation of ${name} references ----------------------------------------------------------


def references(expression: str) -> list[str]:
    return [name.strip() for name in REFERENCE.findall(expression)]


def absolute_path(path: tuple[str, ...]) -> str:
    return "/" + "/".join((ROOT, *path))


def translate(
    expression: str,
    *,
    paths: Mapping[str, tuple[str, ...]],
    repeats: frozenset[tuple[str, ...]],
    context: tuple[str, ...],
) -> str:
    """Replace each ${name} with an XPath path, relative inside a shared repeat instance.

    `paths` maps every name of the form to its path (without the root), `repeats` holds the
    paths of the repeats, `context` is the path of the element the expression belongs to.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name not in paths:
            raise ExpressionError(f"${{{name}}} ne correspond à aucune question du formulaire.")
        target = paths[name]
        shared = [
            repeat
            for repeat in repeats
            if target[: len(repeat)] == repeat
            and len(target) > len(repeat)
            and context[: len(repeat)] == repeat
        ]
        if not shared:
            return f" {absolute_path(target)} "
        repeat = max(shared, key=len)
        steps = [".."] * (len(context) - len(repeat)) + list(target[len(repeat) :])
        return f" ${CURRENT_VARIABLE}/" + "/".join(steps) + " "

    # elementpath does not accept a function call before "/" (current()/../x), a variable it
    # does: current() becomes a variable bound to the node being evaluated.
    parts = _STRING_LITERAL.split(REFERENCE.sub(replace, expression))
    return "".join(
        part if part[:1] in ("'", '"') else _CURRENT.sub(f"${CURRENT_VARIABLE}", part)
        for part in parts
    )


# Deeper expressions are refused when the form is read: parsing and evaluating recurse once per
# level, and a 3,000-deep expression exhausted Python's stack (RecursionError, a 500). No
# hand-written form comes near it; generated ones can.
MAX_DEPTH = 100


def _depth_message(depth: int | str) -> str:
    return (
        f"expression imbriquée sur {depth} niveaux, au plus {MAX_DEPTH} : découpez-la en "
        "plusieurs calculs (calculate)."
    )


def _nesting(xpath: str) -> int:
    """The deepest nesting of parentheses and brackets, outside string literals."""
    depth = deepest = 0
    for character in _STRING_LITERAL.sub("''", xpath):
        if character in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif character in ")]":
            depth -= 1
    return deepest


def _tree_depth(token: XPathToken) -> int:
    """Depth of the parsed tree (a chain of 3,000 `+` is as deep as 3,000 parentheses)."""
    deepest = 0
    stack = [(token, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node)
    return deepest


@lru_cache(maxsize=4096)
def compile_xpath(xpath: str) -> XPathToken:
    """Parse an XPath expression (after translation); raises ExpressionError."""
    nesting = _nesting(xpath)
    if nesting > MAX_DEPTH:
        raise ExpressionError(_depth_message(nesting))
    try:
        token = ODKXPathParser().parse(xpath)
    except ElementPathError as error:
        raise ExpressionError(_clean_error(error)) from None
    except (re.error, ValueError, TypeError, ZeroDivisionError) as error:
        raise ExpressionError(str(error)) from None
    except RecursionError:
        raise ExpressionError(_depth_message(f"plus de {MAX_DEPTH}")) from None
    depth = _tree_depth(token)
    if depth > MAX_DEPTH:
        raise ExpressionError(_depth_message(depth))
    return token


def _clean_error(error: ElementPathError) -> str:
    message = getattr(error, "message", None) or str(error)
    return re.sub(r"\[err:[A-Z0-9]+\]\s*", "", str(message)).strip()


def check_expression(
    expression: str,
    *,
    paths: Mapping[str, tuple[str, ...]],
    repeats: frozenset[tuple[str, ...]],
    context: tuple[str, ...],
) -> list[str]:
    """Every problem of one expression: each unknown ${name}, else the XPath syntax error."""
    unknown = [name for name in references(expression) if name not in paths]
    if unknown:
        return [f"${{{name}}} ne correspond à aucune question du formulaire." for name in unknown]
    try:
        compile_xpath(translate(expression, paths=paths, repeats=repeats, context=context))
    except ExpressionError as error:
        shown = expression if len(expression) <= 120 else f"{expression[:100]}…"
        return [f"Expression invalide « {shown} » : {error}"]
    return []
