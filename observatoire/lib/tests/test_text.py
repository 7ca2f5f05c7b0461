from observatoire.lib.text import fold, strip_accents


def test_fold_removes_accents_ligatures_and_case() -> None:
    assert fold("Démocratie Œuvre à Nîmes") == "democratie oeuvre a nimes"
    assert fold("Cœuvres-et-Valsery") == "coeuvres-et-valsery"
    assert fold("l’État, Łódź, Søndre, Straße") == "l'etat, lodz, sondre, strasse"
    assert fold(None) == ""


def test_strip_accents_keeps_case() -> None:
    assert strip_accents("Île-de-France") == "Ile-de-France"
