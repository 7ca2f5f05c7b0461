"""The public results pages under /en/ speak English; the French pages stay as they were.

The figures, question labels and tables come from the results cache and stay French; these
tests check the pages' own wording, translated in observatoire/barometer/locale/en.
"""

from tests.english import assert_english, page


def test_english_results_page(charlie, small):
    html = page(charlie, "/en/barometre/2018/resultats/")
    assert_english(
        html,
        [
            "<h1>Barometer 2018 results</h1>",
            "Key figures",
            "comes with its 95% confidence interval",
            "(“too few respondents”)",
            ">Methodology</a>",
            ">Trends</a>",
        ],
        [
            "Résultats du baromètre",
            "Chiffres clés",
            "Base : 15 collectivités répondantes",
            "Chaque pourcentage est",
            "Méthodologie détaillée",
            ">Tendances</a>",
        ],
    )


def test_english_section_page(charlie, small):
    html = page(charlie, "/en/barometre/2018/resultats/partie/nouveaux_dispositifs/")
    assert_english(
        html,
        ["Base: 15 responding local governments."],
        ["Base : 15 collectivités répondantes"],
    )


def test_english_methodology_page(charlie, small):
    html = page(charlie, "/en/barometre/2018/methodologie/")
    assert_english(
        html,
        [
            "Barometer 2018 methodology",
            "Sampling frame and responses",
            "holds <strong>60</strong> local governments, all of them invited.",
            "Design effect due to weighting",
            "Precision and thresholds",
        ],
        ["Méthodologie du baromètre", "toutes invitées", "Effet de plan", "Précision et seuils"],
    )


def test_english_downloads_page(charlie, small):
    html = page(charlie, "/en/barometre/2018/donnees/")
    assert_english(
        html,
        ["Barometer 2018 data", "One row per responding local government"],
        ["Données du baromètre", "Une ligne par collectivité répondante"],
    )


def test_english_trends_page(charlie, small):
    html = page(charlie, "/en/barometre/tendances/")
    assert_english(
        html,
        ["<h1>Barometer trends</h1>", "At least two published editions are needed"],
        ["Tendances du baromètre", "Il faut au moins deux éditions"],
    )


def test_english_costs_page_counts_in_the_plural(charlie, small):
    html = page(charlie, "/en/barometre/2018/couts/")
    assert_english(
        html,
        ["Costs and impact of the schemes (2018)", "0 published initiatives, started in 2018"],
        ["Coûts et impact des dispositifs", "initiatives publiées"],
    )


def test_french_results_pages_are_unchanged(charlie, small):
    html = page(charlie, "/barometre/2018/resultats/")
    assert '<html lang="fr"' in html
    assert "<h1>Résultats du baromètre 2018</h1>" in html
    html = page(charlie, "/barometre/2018/resultats/partie/nouveaux_dispositifs/")
    assert "Base : 15 collectivités répondantes." in html
    assert "Barometer" not in html
    html = page(charlie, "/barometre/2018/methodologie/")
    assert "<strong>60</strong> collectivités, toutes invitées." in html
    html = page(charlie, "/barometre/2018/couts/")
    assert "0 initiatives publiées, commencées en 2018 et organisées par 0 collectivités." in html
