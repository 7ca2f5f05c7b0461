"""Every page type carries the Content-Security-Policy and the Permissions-Policy.

The public site gets the strict policy (no inline script or style, no nonce); the Wagtail admin
its looser one. The HTML of the public pages holds nothing the strict policy would block: no
inline script that runs, no event-handler attribute, no style attribute or element.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from observatoire.barometer.results.tests import factory as results_factory
from observatoire.barometer.tests import factory as barometer_factory
from observatoire.directory.tests import factory as directory_factory
from observatoire.editorial.tests import factory as editorial_factory

STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# An inline <script> that would run (JSON data blocks never run, CSP lets them be).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"\sstyle\s*=|<style\b", re.I)


def directives(header):
    """{directive: its sources} of a policy header, in any order."""
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.fixture
def public_pages(db, site_pages, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    editorial_factory.sections()
    publication = editorial_factory.publication("Une note sur les budgets participatifs")
    event = editorial_factory.event("Une matinée de questionnement")
    tool = directory_factory.tool("Decidim", objective="coproduction", tags=("communautes",))
    small = results_factory.Small()
    grenoble = barometer_factory.territory()
    edition = barometer_factory.edition(
        2026, frame=barometer_factory.frame(2026, [grenoble]), form_year=2018
    )
    token = barometer_factory.link(barometer_factory.invitation(edition, grenoble))
    start = Client().get(reverse("barometer:respond", args=[token])).content.decode()
    first_page = re.search(r'(?:href|action)="([^"]*/repondre/[^"]*/page/[^"]+/)"', start)
    return {
        "home": "/",
        "Wagtail page (about)": "/a-propos/",
        "publications": "/publications/",
        "publication": publication.url,
        "events": "/evenements/",
        "event": event.url,
        "cartography search": reverse("directory:search"),
        "cartography entry": tool.get_absolute_url(),
        "cartography maps": reverse("directory:map"),
        "territories": reverse("territories:index"),
        "territory": small.communes[0].get_absolute_url(),
        "barometer results": reverse("barometer_results:results", args=[2018]),
        "barometer question": reverse(
            "barometer_results:question", args=[2018, "nouveaux_dispositifs"]
        ),
        "respondent start": reverse("barometer:respond", args=[token]),
        "respondent page": first_page.group(1) if first_page else "(no page link)",
        "not found": "/cette-page-n-existe-pas/",
    }


def test_every_public_page_type_carries_the_strict_policy_and_nothing_it_blocks(
    charlie, public_pages
):
    pages = {}
    for name, url in public_pages.items():
        response = charlie.get(url, follow=True)
        pages[name] = response.content.decode()
        assert response.status_code in {200, 404}, (name, url, response.status_code)
        assert directives(response["Content-Security-Policy"]) == directives(STRICT), name
        assert "nonce" not in response["Content-Security-Policy"]
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
            assert feature in policy, (name, feature)
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (name, INLINE_SCRIPT.search(html).group(0))
        assert not EVENT_HANDLER.search(html), (name, EVENT_HANDLER.search(html).group(0))
        assert not STYLE.search(html), (name, html[STYLE.search(html).start() - 80 :][:200])
    # The checks read real content: the results' SVG chart, the respondent's form, the entry's
    # tool, the map's legend.
    assert 'role="img"' in pages["barometer results"]
    assert "<form" in pages["respondent page"]
    assert "Decidim" in pages["cartography entry"]
    assert '<svg class="swatch"' in pages["cartography maps"]


def test_the_admin_gets_its_own_looser_policy(charlie, alice_client, site_pages):
    for client, url in ((charlie, "/admin/login/"), (alice_client, "/admin/")):
        response = client.get(url)
        assert response.status_code == 200
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == "'self' 'unsafe-inline'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'self'"
        assert "camera=()" in response["Permissions-Policy"]


def test_the_policy_keeps_out_scripts_of_other_origins(charlie, site_pages):
    policy = directives(charlie.get("/")["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in policy["style-src"]
    assert "unsafe-eval" not in " ".join(policy.values())
