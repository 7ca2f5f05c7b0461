import pytest

from . import factory


@pytest.fixture(autouse=True)
def _editorial_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://observatoire.example"
    settings.EDITORIAL_POSTS_PER_HOUR = 10
    settings.PROXY_COUNT = 0


@pytest.fixture
def sections(site_pages):
    return factory.sections("fr")
