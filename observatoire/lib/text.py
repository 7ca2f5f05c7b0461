"""Accent folding shared by every search of the site (territories, cartography, editorial).

One definition, so that the form stored at save time and the form of a query always agree,
whichever app stores or asks.
"""

import unicodedata

# Letters NFKD does not decompose into ASCII (ligatures, stroked letters) and typographic
# apostrophes: "Œuilly", "Cœuvres-et-Valsery", "l’État".
_TRANSLITERATE = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "ł": "l",
        "Ł": "L",
        "’": "'",
        "‘": "'",
    }
)


def strip_accents(text: str | None) -> str:
    """The text without diacritics or ligatures, case kept: "Œuvre à Nîmes" -> "OEuvre a Nimes"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str | None) -> str:
    """Lower-case text without accents: "Démocratie Œuvre" -> "democratie oeuvre"."""
    return strip_accents(text).lower()
