"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every page a test visits is checked with axe-core (installed from npm by `make install`):
serious or critical violations fail the test. A screenshot of the last page of every test is
saved to var/screenshots/. Requests to any other host than the live server are blocked and
fail the test: pages must work with no external request.
"""

import importlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body (fixtures, assertions) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
AXE_SCRIPT = settings.NODE_MODULES_DIR / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}
FAILING_IMPACTS = {"serious", "critical"}
SCREENSHOTS = settings.VAR_DIR / "screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            # Restores the migrations' data (Wagtail root page, locales, taxonomy) after each
            # test, since the live server needs real commits.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(autouse=True)
def _migration_data_restored():
    """Put back what data migrations create, when another transactional test flushed it.

    Django's serialized_rollback restores it through the connection object that created the
    test database, which the test no longer holds once Playwright runs; so we re-run the
    idempotent seeders instead: the cartography's taxonomy (Wagtail's root page and locales
    are recreated by the `site_pages` fixture).
    """
    from django.apps import apps

    seed_taxonomy = importlib.import_module(
        "observatoire.directory.migrations.0002_seed_taxonomy"
    ).seed
    seed_taxonomy(apps, None)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: run `make browser` (apt-get install chromium).")
    if not AXE_SCRIPT.exists():
        pytest.fail("axe-core is missing: run `make install` (npm ci).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def axe_violations(page):
    """Serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)
    return [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]


def format_violations(url, violations):
    lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {url}"]
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({targets})"
        )
    return "\n".join(lines)


class _Visits:
    """Main-frame URLs a test visited, and those already checked with axe."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.visited: list[str] = []
        self.checked: set[str] = set()
        self.external: list[str] = []

    def key(self, url):
        parts = urlsplit(url)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def page(browser, live_server, request):
    """A fresh French browser page on the live server; axe checks every page it visited."""
    visits = _Visits(live_server.url)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)

    def guard(route):
        if route.request.url.startswith(live_server.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            visits.external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page._visits = visits

    def on_navigation(frame):
        if frame == page.main_frame and frame.url.startswith(live_server.url):
            visits.visited.append(frame.url)

    page.on("framenavigated", on_navigation)
    yield page

    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if page.url.startswith(live_server.url):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    problems = []
    if visits.external:
        problems.append(f"external requests were attempted: {sorted(set(visits.external))}")
    # Pages visited but not explicitly checked: reopen them in the same context (same login).
    for url in dict.fromkeys(visits.visited):
        if visits.key(url) in visits.checked or url.endswith((".ics", ".pdf", ".csv", ".json")):
            continue
        checker = context.new_page()
        response = checker.goto(url)
        content_type = response.headers.get("content-type", "") if response else ""
        if content_type.startswith("text/html"):
            violations = axe_violations(checker)
            if violations:
                problems.append(format_violations(url, violations))
        visits.checked.add(visits.key(url))
        checker.close()
    context.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def check_a11y():
    """Check the page as it is now (after interactions) with axe-core."""

    def check(page):
        violations = axe_violations(page)
        assert not violations, format_violations(page.url, violations)
        page._visits.checked.add(page._visits.key(page.url))

    return check


@pytest.fixture
def screenshot(request):
    def take(page, label):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-{label}")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take
