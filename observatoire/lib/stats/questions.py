"""What the statistics engine needs to know about a question, as plain data.

A `QuestionSpec` says how a question is estimated (its `kind`) and names the answer columns it
reads. `questions_from_form` derives the specs from a parsed XLSForm; the app may also build them
by hand (`QuestionSpec.from_dict`), e.g. to declare a bracket list the form cannot describe.

Answer columns, in a respondents (or repeat) DataFrame indexed by unit id:

- single, bracket: the choice name, or None when the unit did not answer;
- multiple: a list (or a space-separated string) of choice names; None when the question was
  not shown; [] when it was shown and nothing was ticked;
- likert, score: one column per item (`items`), as for single / number;
- number, score: a number (French decimals such as "1,5" are accepted), or None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..xlsform.model import Form, Group, Question, Repeat, iter_elements

Kind = Literal["single", "multiple", "likert", "bracket", "number", "score"]
KINDS: tuple[Kind, ...] = ("single", "multiple", "likert", "bracket", "number", "score")

# Choice names read as "don't know" / "impossible to estimate": shown apart, never mixed with the
# substantive answers.
APART_CHOICES = frozenset({"nsp", "ne_sait_pas", "ns", "nsp_npr", "dk", "impossible"})
OTHER_CHOICE = "autre"

_AMOUNT = r"(\d+(?:[.,]\d+)?)([km]?)"
_BRACKET_NAMES = [
    (re.compile(rf"^{_AMOUNT}$"), "exact"),
    (re.compile(rf"^(?:moins|moins_de|lt)_{_AMOUNT}$"), "below"),
    (re.compile(rf"^(?:plus|plus_de|gt)_{_AMOUNT}$"), "above"),
    (re.compile(rf"^{_AMOUNT}_{_AMOUNT}$"), "between"),
]
_SCORE_CONSTRAINT = re.compile(
    r"^\s*\.\s*>=\s*(-?\d+(?:\.\d+)?)\s+and\s+\.\s*<=\s*(-?\d+(?:\.\d+)?)\s*$"
)
MAX_SCORE_RANGE = 10  # an integer constrained to a range this narrow is a score, not a count


@dataclass(frozen=True)
class Option:
    """A choice, a grid item or a bracket. `low`/`high` bound a bracket (None: open)."""

    key: str
    label: str = ""
    low: float | None = None
    high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "label": self.label}
        if self.low is not None or self.high is not None:
            data.update(low=self.low, high=self.high)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | str) -> Option:
        if isinstance(data, str):
            return cls(key=data, label=data)
        return cls(
            key=str(data["key"]),
            label=str(data.get("label") or data["key"]),
            low=_float_or_none(data.get("low")),
            high=_float_or_none(data.get("high")),
        )


@dataclass(frozen=True)
class QuestionSpec:
    """How one question is estimated.

    - `options`: the choices (single, multiple, likert levels) or the brackets, in order;
    - `items`: the rows of a grid (likert, score); each item key is an answer column;
    - `apart`: option keys kept apart ("Ne sait pas", "Impossible à estimer");
    - `scale`: the range of a score, e.g. (0, 8);
    - `other`: the text column of "Autre (veuillez préciser)";
    - `repeat`: the repeat (fiche-dispositif) the question belongs to, if any.
    """

    name: str
    kind: Kind
    label: str = ""
    options: tuple[Option, ...] = ()
    items: tuple[Option, ...] = ()
    apart: tuple[str, ...] = ()
    scale: tuple[float, float] | None = None
    other: str | None = None
    repeat: str | None = None
    unit: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"question {self.name!r}: unknown kind {self.kind!r} ({KINDS})")
        if self.kind in ("likert", "score") and not self.items:
            raise ValueError(f"question {self.name!r}: a {self.kind} grid needs items")
        if self.kind in ("single", "multiple", "likert", "bracket") and not self.options:
            raise ValueError(f"question {self.name!r}: a {self.kind} question needs options")
        if self.kind == "bracket":
            for option in self.options:
                if option.key not in self.apart and option.low is None and option.high is None:
                    raise ValueError(
                        f"question {self.name!r}: bracket {option.key!r} has no bounds "
                        "(give low/high, or list it in `apart`)"
                    )

    @property
    def columns(self) -> tuple[str, ...]:
        """The answer columns this question reads."""
        if self.kind in ("likert", "score"):
            return tuple(item.key for item in self.items)
        return (self.name,)

    @property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(option.key for option in self.options)

    def option(self, key: str) -> Option:
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)

    def label_of(self, key: str) -> str:
        for option in (*self.options, *self.items):
            if option.key == key:
                return option.label or key
        return key

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "label": self.label,
            "options": [option.to_dict() for option in self.options],
            "items": [item.to_dict() for item in self.items],
            "apart": list(self.apart),
            "scale": list(self.scale) if self.scale else None,
            "other": self.other,
            "repeat": self.repeat,
            "unit": self.unit,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionSpec:
        scale = data.get("scale")
        return cls(
            name=str(data["name"]),
            kind=data["kind"],
            label=str(data.get("label") or ""),
            options=tuple(Option.from_dict(o) for o in data.get("options") or ()),
            items=tuple(Option.from_dict(i) for i in data.get("items") or ()),
            apart=tuple(data.get("apart") or ()),
            scale=(float(scale[0]), float(scale[1])) if scale else None,
            other=data.get("other"),
            repeat=data.get("repeat"),
            unit=str(data.get("unit") or ""),
            notes=tuple(data.get("notes") or ()),
        )


def as_spec(question: QuestionSpec | Mapping[str, Any]) -> QuestionSpec:
    return question if isinstance(question, QuestionSpec) else QuestionSpec.from_dict(question)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _amount(number: str, suffix: str) -> float:
    value = float(number.replace(",", "."))
    return value * {"": 1, "k": 1_000, "m": 1_000_000}[suffix]


def bracket_bounds(name: str) -> tuple[float | None, float | None] | None:
    """Bounds encoded in a bracket choice name, or None when the name encodes none.

    `0` → (0, 0); `moins_1k` → (0, 1000); `1k_5k` → (1000, 5000); `plus_1m` → (1e6, None).
    """
    for pattern, shape in _BRACKET_NAMES:
        match = pattern.match(name.lower())
        if not match:
            continue
        groups = match.groups()
        if shape == "exact":
            value = _amount(groups[0], groups[1])
            return (value, value)
        if shape == "below":
            return (0.0, _amount(groups[0], groups[1]))
        if shape == "above":
            return (_amount(groups[0], groups[1]), None)
        return (_amount(groups[0], groups[1]), _amount(groups[2], groups[3]))
    return None


def score_scale(question: Question) -> tuple[float, float] | None:
    """(low, high) when an integer question is a narrow-range score such as 0-8."""
    if question.type != "integer" or not question.constraint:
        return None
    match = _SCORE_CONSTRAINT.match(question.constraint)
    if not match:
        return None
    low, high = float(match.group(1)), float(match.group(2))
    return (low, high) if 0 < high - low <= MAX_SCORE_RANGE else None


_OTHER_RELEVANT = re.compile(r"^\s*selected\(\s*\$\{(\w[\w.-]*)\}\s*,\s*'([^']+)'\s*\)\s*$")


def questions_from_form(
    form: Form, *, language: str = "fr", overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> list[QuestionSpec]:
    """One spec per estimable question of a parsed XLSForm, in form order.

    - a `table-list` group of select_one rows → one likert grid (the group's name);
    - a select_one with appearance `likert` → a one-item likert grid;
    - a select_one whose choices all encode amounts (`0`, `moins_1k`, `1k_5k`, `plus_1m`), apart
      from "don't know" choices → brackets;
    - consecutive integer scores (constraint `. >= a and . <= b`, b - a <= 10) in one group → a
      score grid named after the group; a lone score → a one-item grid;
    - other integer / decimal → number; select_one → single; select_multiple → multiple;
    - a text question relevant when `selected(${q}, 'autre')` is q's "please specify" column.

    `overrides` maps a question name to spec fields to replace (e.g. {"etp": {"unit": "ETP"}}).
    Text, date, rank, note and calculate questions are not estimated.
    """
    others: dict[str, str] = {}
    for question in form.questions():
        match = _OTHER_RELEVANT.match(question.relevant or "")
        # "autre" by the barometer's convention, "other" when or_other added it.
        if question.type == "text" and match and match.group(2) in (OTHER_CHOICE, "other"):
            others[match.group(1)] = question.name

    def text(texts: Mapping[str, str]) -> str:
        return form.text(dict(texts), language)

    def options_of(question: Question) -> tuple[Option, ...]:
        return tuple(Option(key=c.name, label=text(c.label) or c.name) for c in question.choices)

    specs: list[QuestionSpec] = []
    seen: set[str] = set()
    elements = list(iter_elements(form.children))
    for element in elements:
        if isinstance(element, Group) and (element.appearance or "").startswith("table-list"):
            rows = [c for c in element.children if isinstance(c, Question)]
            if rows and all(r.type == "select_one" for r in rows):
                options = options_of(rows[0])
                specs.append(
                    QuestionSpec(
                        name=element.name,
                        kind="likert",
                        label=text(element.label),
                        options=options,
                        items=tuple(Option(r.name, text(r.label) or r.name) for r in rows),
                        apart=tuple(o.key for o in options if o.key in APART_CHOICES),
                        repeat=element.repeat,
                    )
                )
                seen.update(r.name for r in rows)
        elif isinstance(element, Group | Repeat):
            scores = [
                c
                for c in element.children
                if isinstance(c, Question) and score_scale(c) is not None
            ]
            if len(scores) > 1 and len({score_scale(s) for s in scores}) == 1:
                specs.append(
                    QuestionSpec(
                        name=element.name,
                        kind="score",
                        label=text(element.label),
                        items=tuple(Option(s.name, text(s.label) or s.name) for s in scores),
                        scale=score_scale(scores[0]),
                        repeat=scores[0].repeat,
                    )
                )
                seen.update(s.name for s in scores)
        if not isinstance(element, Question) or element.name in seen:
            continue
        spec = _question_spec(element, text, options_of, others.get(element.name))
        if spec is not None:
            specs.append(spec)
    if overrides:
        specs = [_override(spec, overrides.get(spec.name)) for spec in specs]
    return specs


# Types estimated through a column derived from the answer (derived_answers): a time by its
# hour, a date-time by its month, an upload by whether a file was given (its content is never
# analysed). The column is named NAME__hour, NAME__month, NAME__file.
DERIVED_SUFFIX = {"time": "hour", "datetime": "month", "image": "file", "file": "file"}
_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
)
DERIVED_OPTIONS = {
    "hour": tuple(Option(f"{hour:02d}", f"{hour} h – {hour} h 59") for hour in range(24)),
    "month": tuple(Option(f"{number:02d}", month) for number, month in enumerate(_MONTHS, 1)),
    "file": (Option("oui", "Fichier joint"), Option("non", "Aucun fichier")),
}
FILTERED_NOTE = (
    "Choix filtrés par une réponse précédente (choice_filter) : chaque choix n'a été proposé "
    "qu'aux répondants dont les réponses le permettaient ; une part faible peut venir de là."
)


def derived_name(question: Question) -> str | None:
    suffix = DERIVED_SUFFIX.get(question.type)
    return f"{question.name}__{suffix}" if suffix and question.repeat is None else None


def derived_answers(form: Form, answers: Mapping[str, Any]) -> dict[str, str | None]:
    """The derived answer columns of one response (top-level questions; see DERIVED_SUFFIX)."""
    derived: dict[str, str | None] = {}
    for question in form.questions():
        name = derived_name(question)
        if name is None:
            continue
        value = answers.get(question.name)
        text = str(value).strip() if value not in (None, "") else ""
        if question.type == "time":
            derived[name] = text[:2] if re.match(r"^\d{2}:", text) else None
        elif question.type == "datetime":
            derived[name] = text[5:7] if re.match(r"^\d{4}-\d{2}-", text) else None
        else:
            derived[name] = "oui" if text else "non"
    return derived


def _question_spec(
    question: Question, text: Any, options_of: Any, other: str | None
) -> QuestionSpec | None:
    label = text(question.label)
    common: dict[str, Any] = {"name": question.name, "label": label, "repeat": question.repeat}
    if question.choice_filter:
        common["notes"] = (FILTERED_NOTE,)
    derived = derived_name(question)
    if derived:
        suffix = DERIVED_SUFFIX[question.type]
        return QuestionSpec(
            kind="single", options=DERIVED_OPTIONS[suffix], **{**common, "name": derived}
        )
    if question.type == "select_one":
        options: tuple[Option, ...] = options_of(question)
        apart = tuple(o.key for o in options if o.key in APART_CHOICES)
        bounds = {o.key: bracket_bounds(o.key) for o in options if o.key not in apart}
        if len(bounds) >= 3 and all(b is not None for b in bounds.values()):
            brackets = tuple(
                Option(o.key, o.label, *bounds[o.key]) if o.key in bounds else o  # type: ignore[misc]
                for o in options
            )
            return QuestionSpec(kind="bracket", options=brackets, apart=apart, **common)
        if (question.appearance or "").startswith("likert"):
            return QuestionSpec(
                kind="likert",
                options=options,
                items=(Option(question.name, label),),
                apart=apart,
                **common,
            )
        return QuestionSpec(kind="single", options=options, apart=apart, other=other, **common)
    if question.type == "select_multiple":
        return QuestionSpec(kind="multiple", options=options_of(question), other=other, **common)
    if question.type in ("integer", "decimal", "range"):  # a range: a distribution of numbers
        scale = score_scale(question)
        if scale is not None:
            return QuestionSpec(
                kind="score", items=(Option(question.name, label),), scale=scale, **common
            )
        return QuestionSpec(kind="number", **common)
    return None


def _override(spec: QuestionSpec, changes: Mapping[str, Any] | None) -> QuestionSpec:
    if not changes:
        return spec
    return QuestionSpec.from_dict({**spec.to_dict(), **changes})


def specs_by_name(questions: Sequence[QuestionSpec | Mapping[str, Any]]) -> dict[str, QuestionSpec]:
    specs = [as_spec(q) for q in questions]
    return {spec.name: spec for spec in specs}
