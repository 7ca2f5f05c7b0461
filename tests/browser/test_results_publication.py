"""The results as a publication, on a desktop and on a phone: the overview opens with its key
findings, a section page lists its contents; tables open from "Voir les données" without
JavaScript, chart labels stay at least 12 px and nothing overflows the page at 390 px.
Screenshots of both pages at both widths are saved under var/screenshots/; axe checks each."""

import pytest
from playwright.sync_api import expect

from observatoire.barometer.results.compute import compute_results
from observatoire.barometer.results.tests import factory

IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

# The smallest font size (px, as drawn on screen) of a chart's text, and the page's overflow.
SMALLEST_CHART_TEXT = """() => {
  let smallest = Infinity;
  for (const text of document.querySelectorAll('figure.results-chart svg text')) {
    const box = text.getBoundingClientRect();
    if (!box.height || !text.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(text).fontSize);
    const svg = text.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
    smallest = Math.min(smallest, size * scale);
  }
  return smallest;
}"""
PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def edition(settings):
    settings.TASKS = {"default": IMMEDIATE, "background": IMMEDIATE}
    settings.BAROMETER_RESULTS_THRESHOLD = 10
    small = factory.Small()
    compute_results(edition=small.edition)
    return small.edition


@pytest.mark.parametrize("device", list(WIDTHS))
def test_overview_and_section_read_on_desktop_and_phone(
    page, check_a11y, screenshot, edition, device
):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[device], strict=True)))
    page.goto("/barometre/2018/resultats/")
    expect(page.get_by_role("heading", level=2, name="Constats clés")).to_be_visible()
    findings = page.locator(".results-finding")
    expect(findings).to_have_count(2)
    expect(findings.first.locator("svg[role='img']")).to_be_visible()
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 12
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    check_a11y(page)
    screenshot(page, f"apercu-{device}")

    page.get_by_role("link", name="Prévoyez-vous de nouveaux dispositifs ?").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Prévoyez-vous de nouveaux dispositifs ?"
    )
    expect(page.get_by_role("heading", level=2, name="Dans cette partie")).to_be_visible()
    question = page.locator("#q-nouveaux_dispositifs")
    chart = question.locator("svg[role='img']")
    expect(chart).to_have_attribute("aria-details", "chart-nouveaux_dispositifs-data")
    table = question.locator("table#chart-nouveaux_dispositifs-data")
    expect(table).to_be_hidden()
    question.get_by_text("Voir les données").click()  # <details>: no script involved
    expect(table).to_be_visible()
    expect(table).to_contain_text("Oui")
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 12
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    check_a11y(page)
    screenshot(page, f"partie-{device}")


def test_tables_open_without_javascript(browser, live_server, edition):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/barometre/2018/resultats/partie/nouveaux_dispositifs/")
    table = page.locator("table#chart-nouveaux_dispositifs-data")
    expect(table).to_be_hidden()
    page.get_by_text("Voir les données").first.click()
    expect(table).to_be_visible()
    context.close()
