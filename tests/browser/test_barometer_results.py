"""A visitor reads the results, the costs page and the methodology of a small published edition:
charts come with their data tables; axe-core checks every page."""

from playwright.sync_api import expect

from observatoire.barometer.results.compute import compute_results
from observatoire.barometer.results.tests import factory

IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}


def test_visitor_reads_results_costs_and_methodology(page, check_a11y, screenshot, settings):
    settings.TASKS = {"default": IMMEDIATE, "background": IMMEDIATE}
    settings.BAROMETER_RESULTS_THRESHOLD = 10
    small = factory.Small()
    compute_results(edition=small.edition)

    page.goto("/barometre/2018/resultats/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultats du baromètre 2018")
    question = page.locator("#q-nouveaux_dispositifs")
    expect(question.locator("figure svg[role='img']")).to_be_visible()
    expect(question.locator("table caption")).to_be_visible()
    expect(question.locator("table")).to_contain_text("Oui")
    expect(question).to_contain_text("50,0")
    check_a11y(page)
    screenshot(page, "resultats")

    page.get_by_role("link", name="Coûts et impact").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coûts et impact")
    check_a11y(page)

    page.get_by_role("link", name="Méthodologie").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Méthodologie")
    expect(page.locator("table").first).to_be_visible()
    check_a11y(page)
