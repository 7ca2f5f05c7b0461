"""The territory search: keyboard use of the autocomplete, the no-JavaScript fallback, axe checks."""

import re

import pytest
from playwright.sync_api import expect

from observatoire.territories.services import load_snapshot
from observatoire.territories.tests import factory


@pytest.fixture
def referentiel(tmp_path):
    load_snapshot(snapshot=factory.write_mini_snapshot(tmp_path / "mini.json.gz"))


def test_keyboard_user_picks_grenoble_in_the_autocomplete(
    page, referentiel, check_a11y, screenshot
):
    page.goto("/territoires/")
    combobox = page.get_by_role("combobox", name="Rechercher une collectivité")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    combobox.focus()
    page.keyboard.type("greno")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    # Both names start with "greno": the larger population comes first.
    expect(options.first).to_contain_text("Grenoble-Alpes-Métropole")
    expect(options.nth(1)).to_contain_text("Grenoble (38185)")
    expect(page.get_by_role("status").filter(has_text="territoires trouvés")).to_have_text(
        "2 territoires trouvés."
    )
    check_a11y(page)

    page.keyboard.press("ArrowDown")
    screenshot(page, "suggestions")
    expect(options.first).to_have_attribute("aria-selected", "true")
    active = combobox.get_attribute("aria-activedescendant")
    assert active and active == options.first.get_attribute("id")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowDown")  # wraps to the first option
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")  # and back to the last one
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/territoires/commune/38185/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Grenoble")
    check_a11y(page)


def test_escape_closes_the_suggestions_and_enter_then_searches(page, referentiel):
    page.goto("/territoires/")
    combobox = page.get_by_role("combobox", name="Rechercher une collectivité")
    combobox.focus()
    page.keyboard.type("saint etienne")
    expect(page.get_by_role("listbox")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/territoires/\?q=saint\+etienne$"))
    first = page.get_by_role("table").get_by_role("row").nth(1)
    expect(first).to_contain_text("Saint-Étienne")
    expect(first).to_contain_text("42218")


def test_search_works_without_javascript(browser, live_server, referentiel):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="fr-FR"
    )
    page = context.new_page()
    page.goto("/territoires/")
    field = page.get_by_label("Rechercher une collectivité")
    expect(field).not_to_have_attribute("role", "combobox")
    field.fill("42000")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="Saint-Étienne")).to_be_visible()
    page.get_by_role("link", name="Saint-Étienne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Étienne")
    context.close()


def test_epci_page_is_accessible(page, referentiel, check_a11y):
    page.goto("/territoires/epci/200040715/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grenoble-Alpes-Métropole")
    expect(page.get_by_role("table")).to_contain_text("Échirolles")
    check_a11y(page)
