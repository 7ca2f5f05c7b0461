"""A visitor reads the results, the costs page and the methodology of a small published edition,
then the trends across two published editions: charts come with their data tables; axe-core
checks every page."""

from playwright.sync_api import expect

from observatoire.barometer.results.compute import compute_results
from observatoire.barometer.results.models import DemoEdition
from observatoire.barometer.results.tests import factory

IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}


def test_visitor_reads_results_costs_and_methodology(page, check_a11y, screenshot, settings):
    settings.TASKS = {"default": IMMEDIATE, "background": IMMEDIATE}
    settings.BAROMETER_RESULTS_THRESHOLD = 10
    small = factory.Small()
    compute_results(edition=small.edition)

    page.goto("/barometre/2018/resultats/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultats du baromètre 2018")
    check_a11y(page)
    # The overview leads with findings; each question sits on its section's page.
    page.goto("/barometre/2018/resultats/partie/nouveaux_dispositifs/")
    question = page.locator("#q-nouveaux_dispositifs")
    expect(question.locator("figure svg[role='img']")).to_be_visible()
    question.get_by_text("Voir les données").first.click()
    expect(question.locator("table caption").first).to_be_visible()
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


def _two_published_editions():
    """The small 2018 edition and a 2017 one on the same territories, with fewer "oui"."""
    later = factory.Small(2018)
    members = [(t, "3500-9999") for t in later.communes] + [(t, "0-19999") for t in later.epcis]
    earlier = factory.edition(2017, factory.frame(2017, members), factory.small_definition())
    for n, territory in enumerate(later.communes[:12] + later.epcis[:3]):
        answers = {
            "nouveaux_dispositifs": "oui" if n < 3 else "non",
            "dispositifs": ["budget"],
            "etp": 1,
            "nom_collectivite": territory.name,
        }
        factory.respond(earlier, territory, answers)
    for edition in (earlier, later.edition):
        DemoEdition.objects.create(edition=edition)
        compute_results(edition=edition)


def test_visitor_reads_the_trends_across_two_published_editions(page, check_a11y, settings):
    settings.TASKS = {"default": IMMEDIATE, "background": IMMEDIATE}
    settings.BAROMETER_RESULTS_THRESHOLD = 10
    _two_published_editions()

    page.goto("/barometre/tendances/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tendances du baromètre")
    trend = page.locator("#t-nouveaux_dispositifs")
    expect(trend.locator("figure svg[role='img']")).to_be_visible()
    expect(trend.locator("table caption")).to_contain_text("Évolution")
    expect(trend.locator("table")).to_contain_text("2017")
    expect(trend.locator("table")).to_contain_text("significative")
    check_a11y(page)
