"""Text helpers for the référentiel: how names and codes are compared.

Plain functions with no Django state, shared by the loader (which stores `search_name`), the
search queryset and the form field, so that the stored form and the query form always agree.
"""

import re

from observatoire.lib.text import fold

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Usual abbreviations of hagionyms, so that "St Etienne" finds Saint-Étienne.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_CODE = re.compile(r"^(?:\d{2,9}|2[AB]\d{0,3})$")


def normalize_name(value: str, *, typing: bool = False) -> str:
    """Lower-case ASCII words separated by single spaces.

    Accents, case, hyphens, apostrophes and punctuation are ignored:
    "L'Île-d'Yeu" -> "l ile d yeu", "Saint-Étienne" and "st etienne" -> "saint etienne".
    With `typing`, for a query being typed, a last word not yet followed by a space stays as
    it is: "st" may be the start of "Strasbourg" rather than "Saint".
    """
    text = fold(value)
    words = _NOT_ALNUM.sub(" ", text).split()
    unfinished = typing and words and not _NOT_ALNUM.match(text[-1:] or " ")
    expanded = [_ABBREVIATIONS.get(word, word) for word in words]
    if unfinished:
        expanded[-1] = words[-1]
    return " ".join(expanded)


def normalize_code(value: str) -> str:
    """An official code as typed: spaces dropped, Corsican letters upper-cased ("2a004")."""
    return re.sub(r"\s+", "", value or "").upper()


def looks_like_code(value: str) -> bool:
    """True for what can only be a code: an INSEE code, a SIREN, a postcode or a prefix of one."""
    return bool(_CODE.match(normalize_code(value)))
