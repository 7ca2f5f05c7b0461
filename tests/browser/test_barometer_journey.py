"""A respondent answers half the questionnaire, leaves, comes back with the link, adds two
fiche-dispositif entries and submits. axe-core checks every page visited (see conftest)."""

import re

from playwright.sync_api import expect

from observatoire.barometer.models import Response
from observatoire.barometer.tests import factory

CONTINUE = "Enregistrer et continuer"


def _open_edition():
    region = factory.region()
    grenoble = factory.territory("commune", "38185", "Grenoble", 158_000, region=region)
    edition = factory.edition(2018, frame=factory.frame(2018, [grenoble, region]))
    invitation = factory.invitation(edition, grenoble, "bob@mairie.test", "Bob Martin")
    return f"/barometre/repondre/{factory.link(invitation)}/", grenoble


def _continue(page):
    page.get_by_role("button", name=CONTINUE).click()


def test_respondent_answers_half_comes_back_adds_two_fiches_and_submits(page, check_a11y):
    link, grenoble = _open_edition()

    # First visit: the welcome page, the profile, the schemes, the means; then "later".
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Baromètre")
    page.get_by_role("link", name="Commencer").click()
    _continue(page)  # welcome page
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre collectivité")
    _continue(page)  # nothing answered: the error summary lists the required questions
    expect(page.locator(".error-summary")).to_contain_text("3 réponses à corriger")
    check_a11y(page)
    page.get_by_label("Nom de la collectivité").fill("Ville de Grenoble")
    page.get_by_label("Commune", exact=True).check()
    page.get_by_label("Élu·e").check()
    _continue(page)
    page.get_by_label("Budget participatif en ligne").check()
    page.get_by_label("Cartographie participative").check()
    _continue(page)  # a new question appears on the page (who helped you)
    expect(page.get_by_text("nouvelles questions")).to_be_visible()
    check_a11y(page)
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos moyens")
    page.get_by_label("Combien de personnes").fill("1,5")
    page.get_by_role("button", name="Enregistrer et finir plus tard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos réponses sont enregistrées")

    # Later, from another device: only the link.
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_role("link", name="Reprendre là où vous en étiez").click()
    expect(page.get_by_label("Combien de personnes")).to_have_value("1.5")
    page.goto(link)
    page.get_by_role("link", name="Fiche-dispositif").click()

    page.get_by_role("button", name="Ajouter une fiche-dispositif").click()
    first = page.locator("#q-fiche_dispositif-1")
    first.get_by_label("Nom du dispositif").fill("Budget participatif 2018")
    first.get_by_label("Budget participatif en ligne").check()
    first.get_by_label("Nombre de participants").fill("1200")
    first.get_by_label("Nombre de contributions").fill("300")
    page.get_by_role("button", name="Ajouter une fiche-dispositif").click()
    second = page.locator("#q-fiche_dispositif-2")
    second.get_by_label("Nom du dispositif").fill("Carte des idées")
    second.get_by_label("Cartographie participative").check()
    second.get_by_label("Personnel mobilisé").fill("300")  # above the form's maximum
    _continue(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(second.locator(".field-error")).to_be_visible()
    check_a11y(page)
    expect(first).to_contain_text("Soit 0.3 contribution(s) par participant.")
    second.get_by_label("Personnel mobilisé").fill("0,5")
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Pour finir")
    page.get_by_label("Oui", exact=True).check()
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif de vos réponses")
    expect(page.locator("main")).to_contain_text("Carte des idées")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre réponse est envoyée")
    expect(page).to_have_url(re.compile(r"/merci/$"))

    response = Response.objects.get(territory=grenoble)
    assert response.is_submitted and response.consent_to_name is True
    assert [f["fd_nom"] for f in response.answers["fiche_dispositif"]] == [
        "Budget participatif 2018",
        "Carte des idées",
    ]
    assert response.answers["etp"] == 1.5
