""" "Autre (veuillez préciser)": list the texts, recode them, never touch the raw answers.

Staff keep a recoding table (one row per unit and category); `apply_recoding` returns a new spec
and a recoded *copy* of the answers, so an estimate can be made with or without the recoding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from .estimates import choice_sets, choice_values
from .questions import OTHER_CHOICE, Option, QuestionSpec, as_spec


@dataclass(frozen=True)
class Recode:
    """One line of the recoding table: unit `unit`'s "other" text goes into `category` (an
    existing option key, or a new key with its `label`). `text` is kept for the record."""

    unit: Hashable
    category: str
    label: str = ""
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recode:
        return cls(
            unit=data["unit"],
            category=str(data["category"]),
            label=str(data.get("label") or ""),
            text=str(data.get("text") or ""),
        )


def _as_recodes(recodes: Sequence[Recode | Mapping[str, Any]]) -> list[Recode]:
    return [r if isinstance(r, Recode) else Recode.from_dict(r) for r in recodes]


def other_texts(
    question: QuestionSpec | Mapping[str, Any],
    answers: pd.DataFrame,
    *,
    recodes: Sequence[Recode | Mapping[str, Any]] = (),
    other_choice: str = OTHER_CHOICE,
) -> list[dict[str, Any]]:
    """Every non-empty "please specify" text with the categories it is recoded into."""
    spec = as_spec(question)
    if not spec.other or spec.other not in answers.columns:
        return []
    table: dict[Hashable, list[Recode]] = defaultdict(list)
    for recode in _as_recodes(recodes):
        table[recode.unit].append(recode)
    out = []
    for unit, text in answers[spec.other].items():
        if not isinstance(text, str) or not text.strip():
            continue
        categories = table.get(unit, [])
        out.append(
            {
                "unit": unit,
                "text": text,
                "categories": [r.category for r in categories],
                "labels": [r.label or spec.label_of(r.category) for r in categories],
                "recoded": bool(categories),
            }
        )
    return out


def apply_recoding(
    question: QuestionSpec | Mapping[str, Any],
    answers: pd.DataFrame,
    recodes: Sequence[Recode | Mapping[str, Any]],
    *,
    other_choice: str = OTHER_CHOICE,
) -> tuple[QuestionSpec, pd.DataFrame]:
    """(spec with the new categories, copy of the answers with recoded choices).

    Single choice: `other_choice` is replaced by the category. Multiple choice: the categories
    are added and `other_choice` removed (kept if one of the unit's lines recodes to it). The
    text column and the original DataFrame are left unchanged.
    """
    spec = as_spec(question)
    if spec.kind not in ("single", "multiple"):
        raise ValueError(f"question {spec.name!r}: only single and multiple choices are recoded")
    table: dict[Hashable, list[Recode]] = defaultdict(list)
    for recode in _as_recodes(recodes):
        if recode.unit not in answers.index:
            raise ValueError(
                f"recoding of {spec.name!r}: unit {recode.unit!r} is not in the answers"
            )
        table[recode.unit].append(recode)
    known = set(spec.option_keys)
    new_options: dict[str, str] = {}
    for lines in table.values():
        for recode in lines:
            if recode.category not in known and recode.category not in new_options:
                if not recode.label:
                    raise ValueError(
                        f"recoding of {spec.name!r}: new category {recode.category!r} needs a label"
                    )
                new_options[recode.category] = recode.label
    recoded = answers.copy()
    if spec.kind == "single":
        values: dict[Any, Any] = choice_values(answers[spec.name]).to_dict()
        for unit, lines in table.items():
            if values[unit] != other_choice:
                raise ValueError(
                    f"recoding of {spec.name!r}: unit {unit!r} did not answer {other_choice!r}"
                )
            if len({r.category for r in lines}) > 1:
                raise ValueError(
                    f"recoding of {spec.name!r}: unit {unit!r} gets several categories for a "
                    "single-choice question"
                )
            values[unit] = lines[0].category
        recoded[spec.name] = pd.Series(values, dtype=object).reindex(answers.index)
    else:
        sets = choice_sets(answers[spec.name])
        out = []
        for unit, chosen in sets.items():
            found = table.get(unit)
            if not found:
                out.append(None if chosen is None else sorted(chosen))
                continue
            if chosen is None or other_choice not in chosen:
                raise ValueError(
                    f"recoding of {spec.name!r}: unit {unit!r} did not tick {other_choice!r}"
                )
            categories = {r.category for r in found}
            result = set(chosen) | categories
            if other_choice not in categories:
                result.discard(other_choice)
            out.append(sorted(result))
        recoded[spec.name] = pd.Series(out, index=answers.index, dtype=object)
    # New categories go just before "other", which stays last.
    added = [Option(key, label) for key, label in new_options.items()]
    keys = spec.option_keys
    cut = keys.index(other_choice) if other_choice in keys else len(keys)
    options = (*spec.options[:cut], *added, *spec.options[cut:])
    new_spec = QuestionSpec.from_dict({**spec.to_dict(), "options": [o.to_dict() for o in options]})
    return new_spec, recoded
