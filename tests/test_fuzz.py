"""Hostile input on every public form and the respondent's pages: a message, never a 5xx.

Hypothesis draws the values (NUL characters, 400-digit and 5,000-digit numbers, very long
strings, unicode and control characters, JSON fragments, path fragments, lists where one value
is expected, missing and extra fields) and posts them through the Django test client, which
re-raises any exception a view lets escape, so a crash fails with its traceback.
"""

import os

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatoire.barometer.tests import factory as barometer
from observatoire.directory import views as directory_views
from observatoire.directory.search import FACETS
from observatoire.editorial.tests import factory as editorial

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SPECIAL = [
    "\x00",
    "a\x00b",
    "9" * 400,
    "-" + "9" * 5000,
    "1e400",
    "NaN",
    "Infinity",
    "0x1F",
    "²",
    "٣",
    "goto:",
    "goto:a/b",
    "goto:../../admin",
    "goto:summary",
    "add:fiche",
    "remove:fiche:²",
    "remove:fiche:" + "9" * 5000,
    "[",
    "{}",
    "[]",
    "null",
    '{"nom_collectivite": [1, {"b": 2}]}',
    '{"fiche": "x"}',
    "[" * 3000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "Objet\r\nBcc: victime@ailleurs.test",
    "%00",
    " ",
    "",
    "x" * 100_000,
    "mine",
    "theirs",
    "both",
    "\ufeff\u202e\u200b",
    "🏛️ Mairie",
    "\x1b[31m\x07",
]

hostile = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(min_size=1, max_size=3).map(lambda text: text * 3000),  # up to 9,000 characters
)
value = st.one_of(hostile, st.lists(hostile, min_size=0, max_size=4))
extra_names = st.text(alphabet="abcxyz_[]/:0123456789", min_size=1, max_size=12)


@st.composite
def posted(draw, fields, start=None):
    """A form's data: the untouched form (`start`) with fields changed, removed or added."""
    data = dict(start or {})
    for name in fields:
        choice = draw(st.sampled_from(["keep", "change", "drop"]))
        if choice == "change":
            data[name] = draw(value)
        elif choice == "drop":
            data.pop(name, None)
    data.update(draw(st.dictionaries(extra_names, value, max_size=3)))
    return data


@pytest.fixture
def public(site_pages, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EDITORIAL_POSTS_PER_HOUR = 10**6
    settings.PROXY_COUNT = 0
    settings.BAROMETER_SEND_RATE = 0
    settings.BAROMETER_TOKEN_FAILURES = 10**6
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    editorial.sections("fr")
    event = editorial.event("Atelier", registration_open=True, capacity=3)
    region = barometer.region()
    grenoble = barometer.territory("commune", "38185", "Grenoble", 158_000, region=region)
    frame = barometer.frame(2018, [grenoble, region])
    edition = barometer.edition(2018, frame=frame)
    invitation = barometer.invitation(edition, grenoble, "bob@mairie.test", "Bob Martin")
    return {"event": event, "edition": edition, "token": barometer.link(invitation)}


def _assert_no_server_error(response, data):
    assert response.status_code < 500, {k: str(v)[:80] for k, v in data.items()}


FORMS = {
    "/a-propos/": ["name", "email", "subject", "message", "website"],
    "/lettre/": ["email", "website"],
    "/cartographie/contribuer/": [
        "entity",
        "name",
        "website",
        "description",
        "kind",
        "city",
        "objective",
        "tags",
        "functions",
        "is_open_source",
        "start_on",
        "message",
        "contributor_name",
        "contributor_email",
        "champ_controle",
        "confirm",
    ],
    "/barometre/2018/inscription/": ["territory", "name", "role", "email"],
    "event": ["name", "email", "organisation", "website"],
}

SEARCHES = {
    "/territoires/recherche/": ["q", "kind", "limit"],
    "/territoires/": ["q"],
    "/cartographie/": ["q", "tri", "page", *[facet.param for facet in FACETS]],
    "/cartographie/comparer/": ["outils"],
    "/cartographie/contribuer/": ["organisation", "tool", "initiative"],
    "/publications/": ["kind", "year", "tag", "page"],
    "/recherche/": ["q", "type", "page"],
    "/evenements/": ["page"],
}


@st.composite
def requests(draw, targets):
    """(url, data) for one of the targets {url: field names}."""
    url = draw(st.sampled_from(sorted(targets)))
    return url, draw(posted(targets[url]))


def test_public_forms_and_searches_answer_hostile_input_without_a_server_error(
    client, public, monkeypatch
):
    monkeypatch.setattr(directory_views, "RATE_LIMIT", 10**6)
    event_url = public["event"].get_url()

    @EXAMPLES
    @given(form=requests(FORMS), search=requests(SEARCHES))
    def send(form, search):
        cache.clear()  # the rate limits of the forms would answer 429 after a few posts
        url, data = form
        _assert_no_server_error(client.post(event_url if url == "event" else url, data), data)
        url, data = search
        _assert_no_server_error(client.get(url, data), data)

    send()


def _untouched(client, url):
    """What the page posts back when nobody touches it, and the names it may post."""
    opened = client.get(url)
    assert opened.status_code == 200
    context = opened.context
    data = {
        "version": str(context["response"].version),
        "base": context["base"],
        "_shown": context["shown"],
        "action": "next",
    }
    names = [*context["shown"].split(), *(name for name, _count in context["repeat_counts"])]
    return data, names


PAGES = ["profil", "dispositifs_page", "moyens", "renforcer", "fiche_dispositif"]


def test_respondent_pages_answer_hostile_posts_without_a_server_error(client, public):
    token = public["token"]
    targets = {}
    for page in PAGES:
        url = reverse("barometer:respond-page", kwargs={"token": token, "page": page})
        start, names = _untouched(client, url)
        targets[url] = (start, [*names, "version", "base", "_shown", "action"])
        # The conflict page posts the person's answers back as JSON, with a choice per question.
        merge = {**start, "merge": "1", "action": "stay", "mine": start["base"]}
        choices = [f"merge::{name}" for name in names]
        targets[url + "#merge"] = (merge, ["version", "base", "mine", "conflict", *choices])
    summary = reverse("barometer:respond-summary", kwargs={"token": token})
    targets[summary] = ({}, ["version"])

    @st.composite
    def page_posts(draw):
        url = draw(st.sampled_from(sorted(targets)))
        start, fields = targets[url]
        return url.removesuffix("#merge"), draw(posted(fields, start=start))

    @EXAMPLES
    @given(request=page_posts())
    def post(request):
        url, data = request
        _assert_no_server_error(client.post(url, data), data)

    post()
