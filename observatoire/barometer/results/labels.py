"""Words for what the cached results store as codes, in the page's language.

The cached payload is computed once (in French, with the stratum codes of the frame); every
label a visitor reads is applied here, at render: the questionnaire's own translations for
question, option and item labels, gettext for the strata (type, size band, région).

    data = localise(estimate_dict, edition.form)     # a copy, labels in the active language
"""

import copy
import re
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext, gettext_lazy

from observatoire.lib.stats.weighting import band_sort_key
from observatoire.lib.xlsform.model import Form, Question

DIMENSION_LABELS = {
    "kind": gettext_lazy("Type de collectivité"),
    "band": gettext_lazy("Taille (population)"),
    "region": gettext_lazy("Région"),
}
KIND_WORDS = {
    "commune": gettext_lazy("Communes"),
    "epci": gettext_lazy("Intercommunalités"),
    "departement": gettext_lazy("Départements"),
    "region": gettext_lazy("Régions"),
}
_RANGE = re.compile(r"^(\d+)-(\d+)$")
_BELOW = re.compile(r"^<(\d+)$")
_ABOVE = re.compile(r"^(\d+)\+$")


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def band_words(code: str) -> str:
    """ "3500-9999" → "3 500 à 9 999 habitants", "<3500" → "moins de 3 500 habitants"."""
    code = str(code)
    if match := _RANGE.match(code):
        low, high = int(match.group(1)), int(match.group(2))
        if low == 0:
            return gettext("moins de %(n)s habitants") % {"n": _number(high + 1)}
        return gettext("%(low)s à %(high)s habitants") % {
            "low": _number(low),
            "high": _number(high),
        }
    if match := _BELOW.match(code):
        return gettext("moins de %(n)s habitants") % {"n": _number(int(match.group(1)))}
    if match := _ABOVE.match(code):
        return gettext("%(n)s habitants et plus") % {"n": _number(int(match.group(1)))}
    if code == "inconnue":
        return gettext("population inconnue")
    if code == "toutes":
        return gettext("toutes tailles")
    if "+" in code:  # merged weighting cells: "3500-9999+10000-19999"
        return " ; ".join(band_words(part) for part in code.split("+") if part)
    return code


def group_words(dimension: str | None, key: str | None, label: str | None) -> str | None:
    """The words of a group of a cross-tab (None stays None: the overall row)."""
    if key is None:
        return label
    if dimension == "kind" and key in KIND_WORDS:
        return str(KIND_WORDS[key])
    if dimension == "band":
        return band_words(key)
    return label or key


def _language() -> str:
    return (translation.get_language() or "fr").split("-")[0]


def _element(form: Form | None, name: str | None) -> Any:
    if form is None or not name:
        return None
    try:
        return form.element(name)
    except KeyError:
        return None


def _texts_of(form: Form, element: Any, language: str) -> tuple[dict[str, str], dict[str, str]]:
    """(options, items) of a question or of a grid (a group of questions), translated."""
    rows = [c for c in getattr(element, "children", []) if isinstance(c, Question)]
    if isinstance(element, Question):
        rows = [element]
    items = {row.name: form.text(row.label, language) for row in rows}
    choices = rows[0].choices if rows else []
    options = {choice.name: form.text(choice.label, language) for choice in choices}
    return options, items


def localise(data: dict[str, Any], form: Form | None, *, dimension: str | None = None) -> dict:
    """A copy of an estimate's dict whose labels read in the active language: the question,
    its options and items from the questionnaire's translations (the cached French ones when
    the questionnaire has none), the cross-tab's dimension and groups in words."""
    out = copy.deepcopy(data)
    language = _language()
    element = _element(form, out["question"])
    options: dict[str, str] = {}
    items: dict[str, str] = {}
    if form is not None and element is not None:
        out["label"] = form.text(element.label, language) or out["label"]
        options, items = _texts_of(form, element, language)
    if dimension is not None:
        out["by_label"] = str(DIMENSION_LABELS.get(dimension, dimension))
    elif form is not None and (by := _element(form, out.get("by"))) is not None:
        out["by_label"] = form.text(by.label, language) or out.get("by_label")
        groups, _items = _texts_of(form, by, language)
        for row in out["rows"]:
            row["group_label"] = groups.get(row.get("group"), row.get("group_label"))
        out["groups"] = [[key, groups.get(key, label)] for key, label in out.get("groups") or []]
    for row in out["rows"]:
        if row.get("statistic") == "proportion" and row["key"] in options:
            row["label"] = options[row["key"]] or row["label"]
        if row.get("item") in items:
            row["item_label"] = items[row["item"]] or row.get("item_label")
        if dimension is not None:
            row["group_label"] = group_words(dimension, row.get("group"), row.get("group_label"))
    if dimension is not None:
        out["groups"] = [
            [key, group_words(dimension, key, label)] for key, label in out.get("groups") or []
        ]
    return out


def kind_words(kind: str) -> str:
    return str(KIND_WORDS.get(kind, kind))


def method_in_words(method: dict[str, Any]) -> dict[str, Any]:
    """The methodology's tables with kinds and bands in words (a copy)."""
    out = copy.deepcopy(method)
    for row in out.get("by_kind") or []:
        row["label"] = kind_words(row["kind"])
    out["strata"] = sorted(
        out.get("strata") or [], key=lambda row: (row["kind"], band_sort_key(row["band"]))
    )
    for row in out["strata"]:
        row["kind_label"] = kind_words(row["kind"])
        row["band"] = band_words(row["band"])
    for cell in (out.get("weighting") or {}).get("cells") or []:
        if cell.get("kind") and cell.get("bands"):
            bands = " ; ".join(band_words(band) for band in cell["bands"])
            cell["label"] = f"{kind_words(cell['kind'])} — {bands}"
    return out
