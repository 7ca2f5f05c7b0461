"""Loading snapshots into the database, on the small référentiel (fast)."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from observatoire.territories import services
from observatoire.territories.models import Frame, FrameMember, LoadedSnapshot, Territory
from observatoire.territories.services import LoadError, build_frame, load_snapshot

from . import factory

pytestmark = pytest.mark.django_db


def _state():
    """Everything the référentiel holds, to compare before and after."""
    return sorted(
        Territory.objects.values_list(named=False).order_by("kind", "code")
    ), LoadedSnapshot.objects.count()


def test_load_creates_every_territory_with_its_parents(mini_referentiel):
    assert Territory.objects.filter(kind="commune").count() == len(factory.COMMUNES)
    grenoble = Territory.objects.get(kind="commune", code="38185")
    assert (grenoble.epci.code, grenoble.departement.code, grenoble.region.code) == (
        "200040715",
        "38",
        "84",
    )
    assert grenoble.siren == "213801855" and grenoble.postcodes == ["38000", "38100"]
    assert grenoble.vintage == 2026 and grenoble.is_current and grenoble.zone == "metro"
    assert grenoble.search_name == "grenoble"
    isere = Territory.objects.get(kind="departement", code="38")
    assert isere.region.code == "84"
    lyon_metropole = Territory.objects.get(kind="epci", code="200046977")
    assert lyon_metropole.epci_nature == "MET69" and lyon_metropole.population_total == 1460000
    assert lyon_metropole.siren == "200046977"
    assert Territory.objects.get(kind="commune", code="97502").epci is None


def test_loading_the_same_snapshot_twice_changes_nothing(mini_referentiel):
    before = _state()
    summary = load_snapshot(snapshot=mini_referentiel)
    assert sum(summary["created"].values()) == sum(summary["updated"].values()) == 0
    assert summary["unchanged"] == Territory.objects.count()
    assert _state() == before


def test_a_new_vintage_retires_merged_territories_with_their_successor(mini_referentiel, tmp_path):
    versoud = Territory.objects.get(kind="commune", code="38397")
    villefranche_ca = Territory.objects.get(kind="epci", code="200040574")
    newer = factory.write_mini_snapshot(
        tmp_path / "next.json.gz", vintage=2027, version="7.0.0", data=factory.next_vintage_tables()
    )
    summary = load_snapshot(snapshot=newer)
    assert dict(summary["retired"]) == {"commune": 1, "epci": 1}

    versoud.refresh_from_db()
    assert not versoud.is_current and versoud.ended_vintage == 2027 and versoud.vintage == 2026
    assert versoud.successor.code == "38439"
    assert versoud.epci.code == "200018166"  # the link it had is kept
    villefranche_ca.refresh_from_db()
    assert not villefranche_ca.is_current and villefranche_ca.successor.code == "200018166"

    saint_chamond = Territory.objects.get(kind="commune", code="42207")
    assert (
        saint_chamond.name == "Saint-Chamond-en-Forez"
        and saint_chamond.search_name == "saint chamond en forez"
    )
    assert Territory.objects.get(kind="commune", code="38185").population == 157000
    assert Territory.objects.get(kind="commune", code="69264").epci.code == "200018166"
    assert not Territory.objects.filter(vintage=2026, is_current=True).exists()


def test_a_historical_commune_is_found_through_its_successor_page(
    mini_referentiel, tmp_path, charlie
):
    newer = factory.write_mini_snapshot(
        tmp_path / "next.json.gz", vintage=2027, data=factory.next_vintage_tables()
    )
    load_snapshot(snapshot=newer)
    page = charlie.get("/territoires/commune/38397/").content.decode()
    assert "n’existe plus dans les données officielles depuis le millésime 2027" in page
    assert 'href="/territoires/commune/38439/"' in page
    successor = charlie.get("/territoires/commune/38439/").content.decode()
    assert "Le Versoud" in successor


def test_an_older_vintage_is_refused_unless_asked(mini_referentiel, tmp_path):
    older = factory.write_mini_snapshot(tmp_path / "old.json.gz", vintage=2020, version="0.7.0")
    before = _state()
    with pytest.raises(LoadError, match="already holds the 2026 vintage"):
        load_snapshot(snapshot=older)
    assert _state() == before
    load_snapshot(snapshot=older, allow_older=True)
    assert Territory.objects.get(kind="commune", code="38185").vintage == 2020


@pytest.mark.parametrize("damage", ["truncate", "foreign"])
def test_damaged_snapshot_gives_a_clear_error_and_leaves_the_database_as_it_was(
    mini_referentiel, tmp_path, damage
):
    path = tmp_path / "damaged.json.gz"
    if damage == "truncate":
        raw = factory.write_mini_snapshot(
            tmp_path / "next.json.gz", vintage=2027, data=factory.next_vintage_tables()
        ).path.read_bytes()
        path.write_bytes(raw[:-100])
    else:
        path.write_bytes(b"\x1f\x8b not really gzip")
    before = _state()
    with pytest.raises(CommandError, match=r"damaged\.json\.gz: not a complete gzip file"):
        call_command("territories", "load", str(path))
    assert _state() == before


def test_a_database_failure_midway_rolls_everything_back(mini_referentiel, tmp_path, monkeypatch):
    newer = factory.write_mini_snapshot(
        tmp_path / "next.json.gz", vintage=2027, data=factory.next_vintage_tables()
    )
    before = _state()

    def failing_write(updates):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "_write_updates", failing_write)
    with pytest.raises(DatabaseError):
        load_snapshot(snapshot=newer)
    assert _state() == before


def test_a_frame_does_not_change_when_newer_data_is_loaded(mini_referentiel, tmp_path):
    frame, created = build_frame(year=2026)
    assert created
    members_before = sorted(
        FrameMember.objects.filter(frame=frame).values_list(
            "territory_id", "band", "population", "name"
        )
    )
    newer = factory.write_mini_snapshot(
        tmp_path / "next.json.gz", vintage=2027, data=factory.next_vintage_tables()
    )
    load_snapshot(snapshot=newer)
    again, created = build_frame(year=2026)
    assert not created and again.pk == frame.pk
    assert (
        sorted(
            FrameMember.objects.filter(frame=frame).values_list(
                "territory_id", "band", "population", "name"
            )
        )
        == members_before
    )
    grenoble = FrameMember.objects.get(frame=frame, territory__code="38185")
    assert grenoble.population == 156140  # the 2026 figure, not 2027's 157,000
    newer_frame, _created = build_frame(year=2027)
    assert newer_frame.members.filter(territory__code="38397").count() == 0
    assert newer_frame.members.get(territory__code="38439").population == 11800


def test_frame_from_an_older_snapshot_says_which_vintage_it_used(mini_referentiel, tmp_path):
    older = factory.write_mini_snapshot(tmp_path / "old.json.gz", vintage=2025, version="5.3.0")
    frame, _created = build_frame(year=2018, snapshot=older)
    assert frame.vintage == 2025 and frame.source.endswith("5.3.0")
    assert "millésime 2025" in frame.note and "ne la reproduit pas" in frame.note
    assert Frame.objects.get(year=2018).communes == 16


def test_frame_needs_a_loaded_referentiel(db):
    with pytest.raises(LoadError, match="référentiel is empty"):
        build_frame(year=2026)


def test_frame_command_prints_strata_writes_csv_and_then_shows_the_same_frame(
    mini_referentiel, tmp_path, capsys
):
    csv_path = tmp_path / "frame.csv"
    call_command("territories", "frame", "2026", "--csv", str(csv_path))
    output = capsys.readouterr().out
    assert "Base de sondage 2026 construite" in output
    assert re.search(r"Communes +100000\+ +6\n", output)
    assert re.search(r"Ensemble +36\n", output)
    assert "departement 75 Paris" in output
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("annee,strate,tranche,code,siren,nom,population")
    assert len(lines) == 1 + 36
    assert any(
        line.startswith("2026,commune,100000+,38185,213801855,Grenoble,156140") for line in lines
    )
    call_command("territories", "frame", "2026")
    assert "déjà construite" in capsys.readouterr().out
    assert Frame.objects.count() == 1
