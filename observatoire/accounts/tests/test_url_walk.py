"""Every URL of the site, opened by every kind of visitor: each gets the access it should.

The list of URLs comes from the URL conf itself, so a new view is walked as soon as it exists.
Each of our URLs must match a line of EXPECTED (who may open it); an URL that matches none
fails the test, and so does a staff view that lets in a role it should refuse. Wagtail's own
admin views are only checked to refuse anonymous visitors: Wagtail guards and tests them, and
our roles reach them through the permissions of roles.py.
"""

from fnmatch import fnmatch

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from observatoire.accounts import roles
from observatoire.barometer.models import Edition
from observatoire.barometer.results.tests import factory

pytestmark = pytest.mark.django_db

PUBLIC = "public"
NOBODY = "nobody"  # not even a superuser: the view exists but its action is refused to all
SUPERUSER = "superuser"
BAROMETER, CARTOGRAPHY, EDITION = roles.BAROMETER.name, roles.CARTOGRAPHY.name, roles.EDITION.name
ADMINISTRATION = roles.ADMINISTRATION.name
ANY_STAFF = (BAROMETER, CARTOGRAPHY, EDITION)

# URL name pattern -> the roles that may open it (Administration and superusers always may).
# First match wins.
EXPECTED = [
    # The staff journey and the staff side of the results (the edition walked is unpublished).
    ("barometer:staff*", (BAROMETER,)),
    ("barometer_results:trends", PUBLIC),
    ("barometer_results:benchmark", PUBLIC),
    # The results' sections, chart files and staff's acceptance of a proposed key finding
    # (the edition walked is unpublished: the results team only).
    ("barometer_results:section", (BAROMETER,)),
    ("barometer_results:chart-file", (BAROMETER,)),
    ("barometer_results:accept-finding", (BAROMETER,)),
    ("barometer_results:*", (BAROMETER,)),
    ("barometer:*", PUBLIC),
    ("territories:*", PUBLIC),
    ("directory:*", PUBLIC),
    ("editorial:*", PUBLIC),
    # The public API, its documentation and the frozen data releases.
    ("api:*", PUBLIC),
    ("api_docs:*", PUBLIC),
    ("releases:*", PUBLIC),
    ("healthz", PUBLIC),
    ("robots-txt", PUBLIC),
    ("sitemap", PUBLIC),
    ("set_language", PUBLIC),
    ("javascript-catalog", PUBLIC),
    ("wagtaildocs_authenticate_with_password", PUBLIC),
    ("wagtailcore_*", PUBLIC),
    ("wagtail_serve", PUBLIC),
    # Our admin pages and viewsets.
    # Object histories show the audit log: administrators only.
    ("barometer_*:history*", ()),
    ("barometer_*:*", (BAROMETER,)),
    ("territories_*:*", (BAROMETER, CARTOGRAPHY)),
    # Territories are public data; every staff form that names one uses this chooser.
    ("directory_territory_chooser:create", NOBODY),
    ("directory_territory_chooser:*", ANY_STAFF),
    ("directory_*:*", (CARTOGRAPHY,)),
    # Wagtail lets every admin user open snippet choosers (to pick a record in a form) and
    # create from them only with the add permission.
    ("wagtailsnippetchoosers_directory_*:create", (CARTOGRAPHY,)),
    ("wagtailsnippetchoosers_editorial_*:create", (EDITION,)),
    ("wagtailsnippetchoosers_*:*", ANY_STAFF),
    ("wagtailsnippets_directory_*:*", (CARTOGRAPHY,)),
    ("wagtailsnippets_editorial_*:*", (EDITION,)),
    ("editorial_*:*", (EDITION,)),
    # Releases: each team cuts its own data's (observatoire/api/tests/test_releases.py checks
    # who may cut which); the walked URL names no dataset (kind=commune), refused to all.
    ("releases_admin:cut", NOBODY),
    ("releases_admin:*", (BAROMETER, CARTOGRAPHY)),
    # The audit log.
    ("wagtailadmin_reports:site_history*", ()),
    ("second-factor-*", ANY_STAFF),
]
# Our URLs not walked, each with its reason.
SKIPPED = {
    "wagtaildocs_serve": "a stored file; Wagtail's serve view applies the collection's privacy",
    "wagtail_serve": "Wagtail's page tree: pages are checked by the pages and editorial tests",
}
WAGTAIL_ADMIN = "admin/"
# Wagtail's admin views meant for signed-out visitors.
WAGTAIL_SIGNED_OUT = {
    "wagtailadmin_login",
    "wagtailadmin_sprite",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
}
ACTORS = ["anonymous", "bob", *(role.name for role in roles.ROLES), SUPERUSER]


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), namespace + pattern.name, pattern


def _expected(name):
    for glob, who in EXPECTED:
        if fnmatch(name, glob):
            return who
    return None


class Fixtures:
    def __init__(self):
        self.small = factory.Small(year=2026, status=Edition.Status.OPEN)
        self.response = self.small.responses[0]
        self.values = {
            "year": 2026,
            "kind": "commune",
            "code": self.response.territory.code,
            "channel": "phone",
            "page": "etp",
            "question": "etp",
            "section": "etp",
            "fmt": "svg",
            "name": "barometre-2026.csv",
            "response": self.response.pk,
            "index": 1,
            "token": "x" * 43,
            "signed": "x",
            "slug": "inconnu",
        }

    def url(self, name, pattern):
        if isinstance(pattern.pattern, RegexPattern):
            regex = pattern.pattern.regex
            if regex.groups != len(regex.groupindex):
                return None
            kwargs = {key: self._value(key, pattern) for key in regex.groupindex}
        else:
            kwargs = {key: self._value(key, pattern) for key in pattern.pattern.converters}
        return reverse(name, kwargs=kwargs)

    def _value(self, key, pattern):
        if key in self.values:
            return self.values[key]
        model = getattr(pattern.callback, "view_initkwargs", {}).get("model")
        if isinstance(model, str):
            model = apps.get_model(model)
        if key == "pk" and model is not None:
            instance = model._default_manager.order_by("pk").first()
            return instance.pk if instance else 1
        return 1


def _clients(django_user_model):
    from django.contrib.auth.models import Group

    clients = {"anonymous": Client(raise_request_exception=False)}
    bob = django_user_model.objects.create_user("walk-bob")
    clients["bob"] = Client(raise_request_exception=False)
    clients["bob"].force_login(bob)
    for role in roles.ROLES:
        user = django_user_model.objects.create_user(f"walk-{role.name}", is_staff=True)
        user.groups.add(Group.objects.get(name=role.name))
        clients[role.name] = Client(raise_request_exception=False)
        clients[role.name].force_login(user)
    superuser = django_user_model.objects.create_superuser("walk-root", "root@example.org", "pw")
    clients[SUPERUSER] = Client(raise_request_exception=False)
    clients[SUPERUSER].force_login(superuser)
    return clients


def _open(client, url):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def _refused(response) -> bool:
    if response.status_code in (403, 404):
        return True
    location = response.get("Location", "")
    # Wagtail sends a user without the right back to the admin home, with a message.
    return response.status_code == 302 and ("/login/" in location or location == "/admin/")


def test_every_url_gives_each_role_the_expected_access(django_user_model, settings):
    settings.BAROMETER_SEND_RATE = 0
    fixtures = Fixtures()
    clients = _clients(django_user_model)
    problems, walked = [], 0
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if name in SKIPPED:
            continue
        expected = _expected(name)
        ours = expected is not None
        if route.startswith(WAGTAIL_ADMIN) and not ours:
            if name in WAGTAIL_SIGNED_OUT:
                continue
            # Wagtail's own admin view: signed-out visitors are sent to sign in.
            url = fixtures.url(name, pattern)
            if url and not _refused(_open(clients["anonymous"], url)):
                problems.append(f"{url} ({name}) opens to an anonymous visitor")
            continue
        if not ours:
            problems.append(f"{route} ({name}): not in EXPECTED, say who may open it")
            continue
        url = fixtures.url(name, pattern)
        if url is None:
            problems.append(f"{route} ({name}): cannot build its URL; add it to SKIPPED")
            continue
        walked += 1
        if expected == PUBLIC:
            allowed = ACTORS
        elif expected == NOBODY:
            allowed = ()
        else:
            allowed = (*expected, ADMINISTRATION, SUPERUSER)
        for actor in ACTORS:
            response = _open(clients[actor], url)
            if response.status_code >= 500:
                problems.append(f"{url} ({name}) as {actor}: {response.status_code}")
            elif actor in allowed and _refused(response) and response.status_code != 404:
                problems.append(f"{url} ({name}) refuses {actor}: {response.status_code}")
            elif actor not in allowed and not _refused(response):
                problems.append(f"{url} ({name}) lets {actor} in: {response.status_code}")
    assert walked > 100
    assert not problems, "\n".join(problems)
