from observatoire.lib.text import fold, strip_accents
from observatoire.territories.text import normalize_name


def test_fold_removes_accents_ligatures_and_case():
    assert fold("Démocratie Œuvre à Nîmes") == "democratie oeuvre a nimes"
    assert fold("Cœuvres-et-Valsery") == "coeuvres-et-valsery"
    assert fold("l’État, Łódź, Søndre, Straße") == "l'etat, lodz, sondre, strasse"
    assert fold(None) == ""


def test_strip_accents_keeps_case():
    assert strip_accents("Île-de-France") == "Ile-de-France"


def test_every_search_folds_the_same_way():
    """The référentiel, the cartography and the site search compare the same folded words."""
    from observatoire.directory.text import normalise
    from observatoire.editorial.text import words

    name = "L’Haÿ-les-Roses Œuvre"
    assert normalize_name(name) == normalise(name) == " ".join(words(name))
