"""No dead end: follow every link of the public site, as an anonymous visitor, in French and
in English, from the home pages, on demo-like content (the demo's pages, cartography and
editorial content, and a small published barometer edition with its results).

Every page reached must answer without a 4xx/5xx; an HTML page must weigh at most
MAX_HTML_BYTES and carry no duplicate id. The crawl runs once for the module.
"""

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client, override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db

MAX_HTML_BYTES = 300_000
MAX_PAGES = 450
# Facet and sort links combine without end: a few variants of each address are enough.
MAX_QUERY_VARIANTS = 3
SKIPPED_PREFIXES = ("/admin/", "/documents/", "/static/", "/media/", "/i18n/", "/cms/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: list[str] = []
        self.untyped_emails: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        name = attributes.get("name") or ""
        if (
            tag == "input"
            and re.search("e-?mail|courriel", name)
            and attributes.get("type") != "email"
        ):
            self.untyped_emails.append(name)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])


def _internal(href: str) -> str | None:
    href, _fragment = urldefrag(href.strip())
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or not href:
        return None
    if parts.netloc and parts.netloc not in ("testserver",):
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
        return None
    return f"{path}?{parts.query}" if parts.query else path


def crawl(client: Client, starts: list[str]) -> dict[str, dict]:
    seen: dict[str, dict] = {}
    variants: Counter = Counter()
    queue = deque(starts)
    queued = set(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        page = {"status": response.status_code, "size": 0, "duplicate_ids": [], "emails": []}
        seen[url] = page
        content_type = response.get("Content-Type", "")
        if response.streaming or not content_type.startswith("text/html"):
            continue
        page["size"] = len(response.content)
        parser = _Links()
        parser.feed(response.content.decode())
        page["duplicate_ids"] = sorted(i for i, n in Counter(parser.ids).items() if n > 1)
        page["emails"] = parser.untyped_emails
        for href in parser.hrefs:
            target = _internal(href)
            if target is None or target in queued:
                continue
            path = target.split("?", 1)[0]
            if "?" in target:
                if variants[path] >= MAX_QUERY_VARIANTS:
                    continue
                variants[path] += 1
            queued.add(target)
            queue.append(target)
    return seen


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import transaction

    from observatoire.barometer.results.compute import compute_results
    from observatoire.barometer.results.tests import factory as results_factory
    from observatoire.directory import demo as directory_demo
    from observatoire.directory import search
    from observatoire.editorial import demo as editorial_demo
    from observatoire.pages import demo as pages_demo

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            PUBLIC_PAGE_CACHE_SECONDS=0,
            BAROMETER_RESULTS_THRESHOLD=10,
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            STORAGES=storages,
            RATELIMIT_ENABLED=False,
        ),
        transaction.atomic(),
    ):
        search.forget()
        pages_demo.load()
        directory_demo.load()
        editorial_demo.load()
        small = results_factory.Small()
        compute_results(edition=small.edition)
        search.forget()
        pages = crawl(Client(), ["/", "/en/"])
        translation.activate("fr")
        transaction.set_rollback(True)
    search.forget()
    return pages


def test_the_walk_reaches_every_part_of_the_site(walked):
    paths = set(walked)
    for expected in (
        "/",
        "/en/",
        "/cartographie/",
        "/cartographie/carte/",
        "/barometre/",
        "/barometre/2018/resultats/",
        "/publications/",
        "/evenements/",
        "/mentions-legales/",
    ):
        assert expected in paths, f"{expected} not reached from the home pages"
    assert any(re.match(r"^/en/.+", path) for path in paths), "English pages walked too"
    assert len(walked) > 100


def test_no_link_leads_to_an_error(walked):
    errors = {url: page["status"] for url, page in walked.items() if page["status"] >= 400}
    assert not errors, f"dead ends: {errors}"


def test_no_page_is_over_300_kb_of_html(walked):
    heavy = {url: page["size"] for url, page in walked.items() if page["size"] > MAX_HTML_BYTES}
    assert not heavy, f"pages over {MAX_HTML_BYTES} bytes: {heavy}"


def test_no_page_repeats_an_id(walked):
    repeated = {url: page["duplicate_ids"] for url, page in walked.items() if page["duplicate_ids"]}
    assert not repeated, f"duplicate ids: {repeated}"


def test_email_fields_are_typed_email(walked):
    untyped = {url: page["emails"] for url, page in walked.items() if page["emails"]}
    assert not untyped, f"e-mail fields without type=email: {untyped}"
    forms_with_email = [
        url for url in walked if url.rstrip("/").endswith(("lettre", "contribuer", "a-propos"))
    ]
    assert forms_with_email, "the walk reached the forms that ask for an e-mail address"
