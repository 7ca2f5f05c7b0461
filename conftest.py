"""Shared fixtures: the named actors of our tests and the site's pages.

alice is a staff member, bob a non-staff user (a respondent or contributor), charlie an anonymous
visitor. Later apps add their own actors (bob's territory...) in their conftest.
"""

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests read what they just wrote: the anonymous page cache has its own tests.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    # A request to an /en/ page leaves English active in the thread (LocaleMiddleware does not
    # switch back): every test starts in the site's language, whatever ran before it.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(
        "alice", "alice@observatoire.test", "alice-password", is_staff=True, is_superuser=True
    )


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@mairie.test", "bob-password")


@pytest.fixture
def charlie():
    return Client()


@pytest.fixture
def alice_client(alice):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def site_pages(db):
    from observatoire.pages import demo

    demo.load()


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    vendor = database["ENGINE"].rsplit(".", 1)[-1]
    where = database.get("HOST") or database["NAME"]
    return f"database: {vendor} ({where})"
