"""The living home page and the ecosystem map in a browser, on a desktop and on a phone:
screenshots under var/screenshots/, axe-core on each, the phone's folded menu without JS."""

import re

import pytest
from playwright.sync_api import expect

from observatoire.barometer.results.compute import compute_results
from observatoire.barometer.results.tests import factory as results_factory
from observatoire.directory import search
from observatoire.directory.tests import factory as directory_factory
from observatoire.directory.tests.test_public_search import build_directory
from observatoire.editorial import demo as editorial_demo

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def home_content(site_pages, settings):
    settings.BAROMETER_RESULTS_THRESHOLD = 10
    search.forget()
    small = results_factory.Small()
    compute_results(edition=small.edition)
    decidim = directory_factory.tool("Decidim", objective="coproduction")
    directory_factory.initiative("Budget participatif de Rennes", tools=[decidim])
    editorial_demo.load()
    yield small
    search.forget()


@pytest.fixture
def directory(site_pages):
    search.forget()
    yield build_directory()
    search.forget()


def test_home_page_on_desktop_and_phone(page, home_content, check_a11y, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    expect(page.get_by_role("heading", name="Chiffres clés")).to_be_visible()
    expect(page.get_by_role("heading", name="Le baromètre 2018")).to_be_visible()
    expect(page.get_by_role("heading", name="Ce que dit le baromètre")).to_be_visible()
    expect(page.locator(".finding-chart svg").first).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Carte des initiatives"))).to_be_visible()
    screenshot(page, "1280")
    check_a11y(page)

    page.set_viewport_size(PHONE)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav).to_be_hidden()  # folded: the first screen shows the page, not two bars
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 140, header
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider"
    screenshot(page, "390")
    check_a11y(page)
    page.get_by_text("Menu", exact=True).click()
    expect(nav.get_by_role("link", name="Cartographie")).to_be_visible()
    check_a11y(page)

    page.get_by_role("searchbox").fill("decidim")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"/recherche/\?q=decidim"))


def test_ecosystem_map_on_desktop_and_phone(page, directory, check_a11y, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/cartographie/carte/")
    node = page.get_by_role("link", name="Decidim (1 initiative)")
    expect(node).to_be_visible()
    screenshot(page, "1280")
    check_a11y(page)
    # Keyboard: the node is reached with Tab and opens the tool.
    for _ in range(80):
        page.keyboard.press("Tab")
        if node.evaluate("el => el === document.activeElement"):
            break
    expect(node).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decidim")

    page.set_viewport_size(PHONE)
    page.goto("/cartographie/carte/")
    expect(page.get_by_role("link", name="Decidim (1 initiative)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "390")
    check_a11y(page)
