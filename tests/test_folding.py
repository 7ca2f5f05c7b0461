"""The référentiel, the cartography and the site search fold text the same way
(observatoire/lib/text.py), so a name typed in one is found in the others."""

from observatoire.directory.text import normalise
from observatoire.editorial.text import words
from observatoire.territories.text import normalize_name


def test_every_search_folds_the_same_way():
    name = "L’Haÿ-les-Roses Œuvre"
    assert normalize_name(name) == normalise(name) == " ".join(words(name))
    assert normalise(name) == "l hay les roses oeuvre"
