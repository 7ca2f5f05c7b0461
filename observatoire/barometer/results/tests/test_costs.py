"""The costs and impact page on a hand-made edition with exact ranges.

Survey: 12 communes (same weight) each describe one fiche: 7 at 10-50 k€ for 100 participants
([100 ; 500] € each), 5 at 1-5 k€ for 50 participants ([20 ; 100] €): the median cost per
participant is 100 € à 500 €, the first quartile 20 € à 100 €. One intercommunalité describes
a fiche whose budget is "impossible à estimer": no cost, the intercommunalités are suppressed.

Cartography: 10 communes ran a 5-10 k€ initiative for 50 participants ([100 ; 200] €) in 2018,
one intercommunalité a > 1 M€ one for 1,000 (at least 1,000 €): overall median 100 € à 200 €;
the intercommunalités (1 territory) are suppressed. Unpublished or 2017 initiatives are left out.
"""

import datetime

import pytest
from django.urls import reverse

from observatoire.barometer.models import Response
from observatoire.directory.models import Initiative

from . import factory

NBSP = "\u00a0"


def fiche(budget, participants):
    return {
        "fd_type": "budget_participatif",
        "fd_fonction": "information",
        "fd_budget": budget,
        "fd_participants": participants,
        "fd_etp": 0.5,
        "fd_contributions": participants * 2,
        "fd_effet_decisions": "moyen",
    }


@pytest.fixture
def costs_edition(db):
    small = factory.Small(definition=factory.demo_definition(2018))
    for n, response in enumerate(small.responses[:12]):
        scheme = fiche("10k_50k", 100) if n < 7 else fiche("1k_5k", 50)
        answers = {**response.answers, "fiche_dispositif": [scheme]}
        Response.objects.filter(pk=response.pk).update(answers=answers)
    # An intercommunalité's fiche with no budget estimate: no cost, its group is suppressed.
    epci = small.responses[12]
    answers = {**epci.answers, "fiche_dispositif": [fiche("nsp", 30)]}
    Response.objects.filter(pk=epci.pk).update(answers=answers)
    start = datetime.date(2018, 3, 1)
    for commune in small.communes[:10]:
        Initiative.objects.create(
            name=f"Budget participatif de {commune.name}",
            is_published=True,
            organiser_territory=commune,
            start_on=start,
            budget_bracket="5k-10k",
            participants=50,
            staff_fte=1,
            contributions=80,
            decision_effect="considered",
        )
    Initiative.objects.create(
        name="Grande concertation",
        is_published=True,
        organiser_territory=small.epcis[0],
        start_on=start,
        budget_bracket="gt1m",
        participants=1000,
    )
    Initiative.objects.create(
        name="Brouillon",
        organiser_territory=small.communes[11],
        start_on=start,
        budget_bracket="0",
        participants=1,
    )
    Initiative.objects.create(
        name="Ancienne",
        is_published=True,
        organiser_territory=small.communes[11],
        start_on=datetime.date(2017, 1, 1),
        budget_bracket="0",
        participants=1,
    )
    return small


def section(html, anchor):
    start = html.index(f'id="{anchor}"')
    end = html.find('<section class="results-question"', start + 10)
    return html[start : end if end > 0 else None]


def test_costs_page_gives_ranges_with_suppression(charlie, costs_edition):
    response = charlie.get(reverse("barometer_results:costs", args=[2018]))
    assert response.status_code == 200
    html = response.content.decode().replace(NBSP, " ")
    assert html.count("<h1") == 1
    overall = section(html, "enquete-overall")
    assert "100 € à 500 €" in overall  # median
    assert "20 € à 100 €" in overall  # first quartile
    by_kind = section(html, "enquete-kind")
    assert "Communes" in by_kind and "100 € à 500 €" in by_kind
    assert "Intercommunalités" in by_kind and "effectif insuffisant" in by_kind
    carto = section(html, "carto-overall")
    assert "100 € à 200 €" in carto
    carto_kind = section(html, "carto-kind")
    assert "100 € à 200 €" in carto_kind and "effectif insuffisant" in carto_kind
    assert "11 initiatives publiées" in html
    assert "par 11 collectivités" in html
    assert 'role="img"' in html and "<caption>" in html  # charts with their tables


def test_results_page_links_to_the_costs_page(charlie, costs_edition):
    html = charlie.get(reverse("barometer_results:results", args=[2018])).content.decode()
    assert reverse("barometer_results:costs", args=[2018]) in html


def test_costs_page_of_an_unpublished_edition_is_hidden(charlie, db):
    factory.Small(status="open")
    assert charlie.get(reverse("barometer_results:costs", args=[2018])).status_code == 404
