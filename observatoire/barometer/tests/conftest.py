"""Barometer actors: bob answers for Grenoble, dana for Lyon; alice (staff) runs the survey."""

import pytest
from django.test import Client
from django.utils import translation

from . import factory


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BAROMETER_SEND_RATE = 0
    settings.SITE_URL = "https://observatoire.test"


@pytest.fixture(autouse=True)
def _french():
    """A request under /en/ leaves English active in the thread; reverse() would follow it."""
    with translation.override("fr"):
        yield


@pytest.fixture
def aura(db):
    return factory.region()


@pytest.fixture
def grenoble(aura):
    return factory.territory("commune", "38185", "Grenoble", 158_000, region=aura)


@pytest.fixture
def lyon(aura):
    return factory.territory("commune", "69123", "Lyon", 520_000, region=aura)


@pytest.fixture
def frame(grenoble, lyon, aura):
    return factory.frame(2018, [grenoble, lyon, aura])


@pytest.fixture
def edition(frame):
    return factory.edition(2018, frame=frame)


@pytest.fixture
def bob_invitation(edition, grenoble):
    return factory.invitation(edition, grenoble, "bob@mairie.test", "Bob Martin")


@pytest.fixture
def bob_link(bob_invitation):
    return factory.link(bob_invitation)


@pytest.fixture
def eve_invitation(edition, grenoble):
    """Eve is bob's colleague: same territory, same response."""
    return factory.invitation(edition, grenoble, "eve@mairie.test", "Ève Durand")


@pytest.fixture
def dana_invitation(edition, lyon):
    return factory.invitation(edition, lyon, "dana@lyon.test", "Dana Roux")


@pytest.fixture
def bob_browser():
    return Client()
