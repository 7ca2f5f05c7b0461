"""Plain text helpers for the site search: accent folding and French stemming.

PostgreSQL indexes the folded text with its `french` configuration (a Snowball stemmer); on
SQLite we stem the query with the same Snowball algorithm and match word prefixes in the folded
text, so both databases find "participation" when asked for "participatives".
"""

import re

import snowballstemmer

from observatoire.lib.text import fold

_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("french")

# PostgreSQL's french configuration drops these too (its list is longer; these are the frequent).
STOP_WORDS = frozenset(
    "a au aux avec ce ces d dans de des du elle en et il l la le les leur lui ma mais me "
    "meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses son "
    "sur ta te tes toi ton tu un une vos votre vous y".split()
)


def words(text: str | None) -> list[str]:
    return _WORD.findall(fold(text))


def search_text(*parts: str | None) -> str:
    """The searchable form of a document: folded words, single spaces, a space at both ends.

    The surrounding spaces let SQLite match the start of any word with `contains(" stem")`.
    """
    found = words(" ".join(part for part in parts if part))
    return f" {' '.join(found)} " if found else ""


def query_stems(query: str) -> list[str]:
    """Snowball stems of the query's meaningful words, in order, without repeats."""
    stems = [_STEMMER.stemWord(word) for word in words(query) if word not in STOP_WORDS]
    return list(dict.fromkeys(stem for stem in stems if stem))
