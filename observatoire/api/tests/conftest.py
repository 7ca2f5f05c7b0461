"""A small public world for the API, with what must never show beside it: an unpublished
entry, a draft page, an unpublished edition, contacts and free-text answers."""

import datetime

import pytest
from django.core.cache import cache

from observatoire.barometer.models import Edition
from observatoire.barometer.results.tests import factory as barometer
from observatoire.directory.models import KeyDate, OrganisationSource
from observatoire.directory.tests import factory as directory
from observatoire.territories.models import Territory


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    settings.SITE_URL = "https://observatoire.example"
    cache.clear()  # rate-limit counters and the search index stamp


class World:
    def __init__(self):
        # The barometer's small edition makes the same région: reuse it.
        self.region = Territory.objects.filter(kind="region", code="84").first() or (
            Territory.objects.create(
                kind="region", code="84", name="Auvergne-Rhône-Alpes", zone="metro", vintage=2026
            )
        )
        self.grenoble = Territory.objects.create(
            kind="commune",
            code="38185",
            siren="213801855",
            name="Grenoble",
            zone="metro",
            vintage=2026,
            postcodes=["38000", "38100"],
            region=self.region,
            population=158000,
        )
        self.regards = directory.organisation("Regards Citoyens", kind="association")
        OrganisationSource.objects.create(
            organisation=self.regards, title="Statuts", url="https://regardscitoyens.org"
        )
        self.secret = directory.organisation("Association en brouillon", published=False)
        self.decidim = directory.tool(
            "Decidim budget", makers=[self.regards, self.secret], is_open_source=True
        )
        self.closed = directory.tool("Outil fermé")
        self.grenoble_budget = directory.initiative(
            "Budget participatif de Grenoble",
            tools=[self.decidim],
            organiser_territory=self.grenoble,
        )
        directory.relation("uses", self.regards, self.closed)
        directory.relation("uses", self.secret, self.regards)
        key_date = KeyDate.objects.create(
            title="Création", date=datetime.date(2009, 1, 1), is_published=True
        )
        key_date.organisations.set([self.regards])
        key_date.save()


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def edition(db):
    """The barometer's hand-made published edition (2018), and an unpublished one (2026)."""
    small = barometer.Small(year=2018)
    return small


@pytest.fixture
def unpublished_edition(db):
    return barometer.edition(
        2026, barometer.frame(2026, []), barometer.small_definition(), status=Edition.Status.OPEN
    )
