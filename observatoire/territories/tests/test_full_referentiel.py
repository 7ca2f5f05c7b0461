"""The acceptance criteria, on the committed snapshots (the whole référentiel).

Loading 37,000 rows takes a few seconds, so this module loads the 2025 vintage then the 2026 one
once, inside a transaction that is rolled back at the end; each test runs in a savepoint.
"""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q

from observatoire.territories import demo
from observatoire.territories.models import Frame, LoadedSnapshot, Territory
from observatoire.territories.services import build_frame, load_snapshot
from observatoire.territories.snapshot import read_snapshot

DATA = settings.BASE_DIR / "observatoire" / "territories" / "data"
SNAPSHOT_2025 = DATA / "decoupage-5.3.0.json.gz"
SNAPSHOT_2026 = DATA / "decoupage-6.0.0.json.gz"


@pytest.fixture(scope="module")
def referentiel(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        summaries = [
            load_snapshot(snapshot=read_snapshot(SNAPSHOT_2025)),
            load_snapshot(snapshot=read_snapshot(SNAPSHOT_2026)),
        ]
        # Every foreign key must hold (PostgreSQL checks its deferred constraints here, once,
        # rather than after each test's savepoint).
        connection.check_constraints()
        yield summaries
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("referentiel")


@pytest.mark.django_db
def test_the_2026_vintage_replaced_the_2025_one_and_every_link_is_valid(referentiel):
    first, second = referentiel
    assert first["vintage"] == 2025 and sum(first["created"].values()) == 26 + 109 + 1255 + 34969
    assert second["vintage"] == 2026 and sum(second["created"].values()) == 0
    assert Territory.objects.current().count() == 26 + 109 + 1255 + 34969
    assert not Territory.objects.current().exclude(vintage=2026).exists()
    # Every foreign key points to a row of the right kind.
    for column, kind in [("epci", "epci"), ("departement", "departement"), ("region", "region")]:
        dangling = Territory.objects.filter(**{f"{column}__isnull": False}).exclude(
            **{f"{column}__kind": kind}
        )
        assert not dangling.exists(), column
    assert not Territory.objects.filter(kind="commune", departement__isnull=True).exists()
    assert not Territory.objects.filter(kind="commune", region__isnull=True).exists()
    assert not Territory.objects.filter(kind="departement", region__isnull=True).exists()
    # 19 communes were renamed between the two vintages (e.g. Cransac -> Cransac-les-Thermes).
    assert Territory.objects.get(kind="commune", code="12083").name == "Cransac-les-Thermes"
    assert Territory.objects.get(kind="commune", code="12083").search_name == "cransac les thermes"


@pytest.mark.django_db
def test_loading_the_2026_snapshot_again_changes_nothing():
    before = list(Territory.objects.order_by("pk").values_list())
    summary = load_snapshot(snapshot=read_snapshot(SNAPSHOT_2026))
    assert sum(summary["created"].values()) == sum(summary["updated"].values()) == 0
    assert summary["unchanged"] == 36359
    assert list(Territory.objects.order_by("pk").values_list()) == before
    assert LoadedSnapshot.objects.count() == 2


@pytest.mark.django_db
def test_the_2026_frame_counts_3290_communes_and_1255_epci():
    frame, created = build_frame(year=2026)
    assert created and frame.vintage == 2026 and not frame.note
    assert frame.counts["by_kind"] == {
        "commune": 3290,
        "epci": 1255,
        "departement": 96,
        "region": 17,
    }
    assert frame.members.count() == 3290 + 1255 + 96 + 17
    by_zone = frame.members.filter(kind="commune").aggregate(
        metro=Count("pk", filter=Q(territory__zone="metro")),
        drom=Count("pk", filter=Q(territory__zone="drom")),
        com=Count("pk", filter=Q(territory__zone="com")),
    )
    assert by_zone == {"metro": 3149, "drom": 105, "com": 36}
    assert frame.counts["by_stratum"]["commune"]["100000+"] == 42
    excluded = {(item["kind"], item["code"]) for item in frame.exclusions}
    assert {
        ("departement", "75"),
        ("departement", "2A"),
        ("departement", "2B"),
        ("departement", "972"),
        ("departement", "973"),
        ("region", "06"),
    } <= excluded
    assert (
        len([item for item in frame.exclusions if "population légale inconnue" in item["reason"]])
        == 6
    )
    rhone = frame.members.get(kind="departement", territory__code="69")
    assert rhone.population == Territory.objects.get(
        kind="departement", code="69"
    ).population - sum(
        Territory.objects.filter(kind="commune", epci__epci_nature="MET69").values_list(
            "population", flat=True
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "first_code"),
    [
        ("grenoble", "38185"),
        ("42000", "42218"),
        ("saint etienne", "42218"),
        ("Saint-Étienne", "42218"),
        ("ST ETIENNE", "42218"),
    ],
)
def test_acceptance_searches_list_the_expected_commune_first(charlie, query, first_code):
    results = charlie.get("/territoires/recherche/", {"q": query}).json()
    assert results[0]["code"] == first_code and results[0]["kind"] == "commune"
    assert set(results[0]) >= {"code", "name", "kind", "population", "department"}


@pytest.mark.django_db
def test_search_by_siren_insee_code_and_former_code():
    assert Territory.objects.search("200046977").first().name == "Métropole de Lyon"
    assert Territory.objects.search("213801855").first().code == "38185"  # Grenoble's SIREN
    assert Territory.objects.search("2a004").first().name == "Ajaccio"
    assert Territory.objects.search("42190").first().code == "42218"  # absorbed by Saint-Étienne


@pytest.mark.django_db
def test_demo_load_is_quick_when_the_snapshot_is_loaded(capsys):
    class Out:
        lines: list[str] = []

        def write(self, line):
            self.lines.append(line)

    out = Out()
    demo.load(stdout=out)
    assert "déjà chargé" in out.lines[0]
    frames = {frame.year: frame for frame in Frame.objects.all()}
    assert frames[2026].vintage == 2026 and frames[2018].vintage == 2025
    assert frames[2018].communes == 3290 and "approche la base 2018" in frames[2018].note
    demo.load()
    assert Frame.objects.count() == 2
