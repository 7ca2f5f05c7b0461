"""The public cartography in a browser: search with facets, entry pages, comparison, and a
proposal that a staff member approves in the admin's moderation queue."""

import re

import pytest
from playwright.sync_api import expect

from observatoire.directory import search
from observatoire.directory.models import Contribution
from observatoire.directory.tests.test_public_search import build_directory


@pytest.fixture
def directory(site_pages):
    search.forget()
    yield build_directory()
    search.forget()


def test_visitor_filters_opens_a_tool_and_compares_two(page, directory, check_a11y, screenshot):
    page.goto("/cartographie/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cartographie de la civic tech")
    expect(page.get_by_role("heading", name="10 résultats")).to_be_visible()
    check_a11y(page)

    facets = page.get_by_role("complementary")
    facets.get_by_role("group", name="Objectif principal").get_by_label(
        re.compile("^Coproduction")
    ).check()
    facets.get_by_role("group", name="Région").get_by_label(
        re.compile("^Auvergne-Rhône-Alpes")
    ).check()
    facets.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"objectif=coproduction.*region=84"))
    expect(page.get_by_role("heading", name="2 résultats")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Région : Auvergne-Rhône-Alpes"))
    ).to_be_visible()
    screenshot(page, "filtered")
    check_a11y(page)

    page.get_by_role("link", name="Cap Collectif Plateforme", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cap Collectif Plateforme")
    expect(page.get_by_text("Développé par")).to_be_visible()
    check_a11y(page)

    page.go_back()
    page.get_by_role("link", name=re.compile("Région : Auvergne-Rhône-Alpes")).click()
    expect(page.get_by_role("heading", name="4 résultats")).to_be_visible()
    page.get_by_label("Comparer Cap Collectif Plateforme").check()
    page.get_by_label("Comparer Decidim").check()
    page.get_by_role("button", name="Comparer la sélection").click()
    expect(page).to_have_url(re.compile(r"/cartographie/comparer/\?outils="))
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Cap Collectif Plateforme")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Decidim")).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("Logiciel libre"))).to_contain_text("Oui")
    check_a11y(page)


def test_maps_timeline_and_data_pages_are_accessible(page, directory, check_a11y):
    for url, heading in [
        ("/cartographie/carte/", "Cartes de la civic tech"),
        ("/cartographie/chronologie/", "Chronologie de la civic tech"),
        ("/cartographie/donnees/", "Données ouvertes de la cartographie"),
    ]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_a11y(page)
    page.goto("/cartographie/carte/")
    # Every node of the ecosystem map is a link reachable from the keyboard.
    node = page.locator("svg.ecosystem a").filter(has_text="Decidim")
    node.focus()
    expect(node).to_be_focused()
    node.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decidim")


def test_contributor_proposes_an_entry_and_staff_approve_it(page, directory, alice, check_a11y):
    page.goto("/cartographie/contribuer/")
    page.get_by_role("radio", name=re.compile("Un outil")).check()
    page.get_by_role("textbox", name=re.compile("^Nom")).fill("Parlement et Citoyens")
    page.get_by_role("textbox", name=re.compile("^Site web")).fill(
        "https://parlement-et-citoyens.fr"
    )
    page.get_by_role("textbox", name=re.compile("^Description")).fill(
        "Des parlementaires consultent les citoyens sur leurs textes."
    )
    tool_fields = page.get_by_role("group", name="Pour un outil ou une initiative")
    tool_fields.get_by_role("combobox", name=re.compile("^Objectif principal")).select_option(
        "coproduction"
    )
    page.get_by_role("textbox", name=re.compile("^Précisions et sources")).fill(
        "Vu sur le site de l'Assemblée."
    )
    page.get_by_role("textbox", name=re.compile("^Votre courriel")).fill("camille@example.org")
    check_a11y(page)
    page.get_by_role("button", name="Envoyer la proposition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre proposition")
    assert Contribution.objects.pending().count() == 1

    page.goto("/admin/login/?next=/admin/cartographie/contributions/")
    page.get_by_label(re.compile("Nom d.utilisateur|Username")).fill("alice")
    page.get_by_label(re.compile("Mot de passe|Password")).fill("alice-password")
    page.get_by_role("button", name=re.compile("S.identifier|Sign in")).click()
    expect(page).to_have_url(re.compile(r"/admin/cartographie/contributions/"))
    page.get_by_role("link", name="Examiner").first.click()
    page.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text(re.compile("Contribution acceptée"))).to_be_visible()
    assert Contribution.objects.get().status == Contribution.Status.APPROVED

    page.goto("/cartographie/?q=parlement")
    page.get_by_role("link", name="Parlement et Citoyens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parlement et Citoyens")
