"""The snapshot file and the refresh pipeline, on small files built here (no network)."""

import gzip
import json
import subprocess

import pytest
from django.core.management import CommandError, call_command

from observatoire.territories import refresh as refresh_module
from observatoire.territories.refresh import (
    RefreshError,
    snapshot_from_tarball,
    vintage_from_readme,
)
from observatoire.territories.snapshot import (
    SnapshotError,
    read_snapshot,
    successor_codes,
    territory_records,
)

from . import factory


def test_snapshot_round_trip_keeps_every_row_and_the_provenance(tmp_path):
    written = factory.write_mini_snapshot(tmp_path / "s.json.gz", vintage=2026, version="6.0.0")
    again = read_snapshot(tmp_path / "s.json.gz")
    assert again.provenance["version"] == "6.0.0" and again.vintage == 2026
    assert again.provenance["licence"].startswith("Licence Ouverte")
    assert again.sha256 == written.sha256
    assert list(again.rows("communes")) == factory.tables()["communes"]
    assert again.count("epci") == len(factory.EPCI)


def test_same_data_gives_the_same_bytes(tmp_path):
    factory.write_mini_snapshot(tmp_path / "a.json.gz")
    factory.write_mini_snapshot(tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()


def test_truncated_snapshot_is_refused_with_its_name(tmp_path, mini_snapshot):
    raw = mini_snapshot.path.read_bytes()
    truncated = tmp_path / "truncated.json.gz"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SnapshotError, match=r"truncated\.json\.gz: not a complete gzip file"):
        read_snapshot(truncated)


def test_unknown_file_is_refused(tmp_path):
    other = tmp_path / "other.json.gz"
    other.write_bytes(gzip.compress(json.dumps({"type": "FeatureCollection"}).encode()))
    with pytest.raises(SnapshotError, match="unknown file format"):
        read_snapshot(other)
    plain = tmp_path / "plain.json"
    plain.write_text("{}")
    with pytest.raises(SnapshotError, match="not a complete gzip file"):
        read_snapshot(plain)


def test_newer_format_version_is_refused(tmp_path, mini_snapshot):
    document = json.loads(gzip.decompress(mini_snapshot.path.read_bytes()))
    document["format_version"] = 2
    path = tmp_path / "future.json.gz"
    path.write_bytes(gzip.compress(json.dumps(document).encode()))
    with pytest.raises(SnapshotError, match="format version 2 is not supported"):
        read_snapshot(path)


def test_edited_data_fails_the_checksum(tmp_path, mini_snapshot):
    document = json.loads(gzip.decompress(mini_snapshot.path.read_bytes()))
    document["data"]["communes"]["population"][0] += 1
    path = tmp_path / "edited.json.gz"
    path.write_bytes(gzip.compress(json.dumps(document).encode()))
    with pytest.raises(SnapshotError, match="checksum mismatch"):
        read_snapshot(path)


def test_dangling_reference_names_the_table_row_and_field(tmp_path):
    data = factory.tables()
    data["communes"][3]["departement"] = "99"
    with pytest.raises(
        SnapshotError, match=r"communes row 4, field 'departement': unknown code '99'"
    ):
        factory.write_mini_snapshot(tmp_path / "bad.json.gz", data=data)


def test_records_derive_parent_populations_and_epci_parents(mini_snapshot):
    records = territory_records(mini_snapshot)
    isere = next(r for r in records["departement"] if r["code"] == "38")
    assert isere["population"] == sum(c[6] for c in factory.COMMUNES if c[3] == "38")
    grenoble_metro = next(r for r in records["epci"] if r["code"] == "200040715")
    assert (grenoble_metro["departement"], grenoble_metro["region"]) == ("38", "84")
    assert grenoble_metro["siren"] == "200040715"
    saint_etienne = next(r for r in records["commune"] if r["code"] == "42218")
    assert saint_etienne["postcodes"] == ["42000", "42100", "42230"]


def test_successors_come_from_former_codes_and_chefs_lieux(tmp_path):
    snapshot = factory.write_mini_snapshot(
        tmp_path / "n.json.gz", data=factory.next_vintage_tables()
    )
    successors = successor_codes(snapshot)
    assert successors["38397"] == "38439"
    assert successors["42292"] == "42218"
    assert "69381" not in successors or successors["69381"] == "69123"


def test_vintage_is_read_from_the_package_readme():
    readme = "| Année | Version |\n|---|---|\n| 2026  | 6.0.0 | x |\n| 2025  | 5.3.0 | y |\n"
    assert vintage_from_readme(readme, "5.3.0") == 2025
    assert vintage_from_readme(readme, "4.1.0") is None


def test_refresh_builds_a_loadable_snapshot_from_an_npm_tarball(tmp_path, db):
    tarball = factory.npm_tarball(tmp_path / "pkg.tgz", version="9.9.9", vintage=2030)
    output = tmp_path / "decoupage-9.9.9.json.gz"
    call_command(
        "territories",
        "refresh",
        "--version",
        "9.9.9",
        "--tarball",
        str(tarball),
        "--output",
        str(output),
    )
    snapshot = read_snapshot(output)
    assert snapshot.vintage == 2030 and snapshot.version == "9.9.9"
    assert len(snapshot.provenance["tarball_sha256"]) == 64
    assert snapshot.count("communes") == len(factory.COMMUNES)
    assert {row["type"] for row in snapshot.rows("subdivisions")} == {"arrondissement", "associee"}
    communes = {row["code"]: row for row in snapshot.rows("communes")}
    assert communes["38185"]["epci"] == "200040715"
    assert communes["97502"]["epci"] is None and communes["97502"]["siren"] is None
    assert communes["98412"]["population"] is None
    call_command("territories", "load", str(output))
    from observatoire.territories.models import Territory

    assert Territory.objects.get(kind="commune", code="38185").epci.code == "200040715"


def test_refresh_without_vintage_in_readme_asks_for_it(tmp_path):
    tarball = factory.npm_tarball(tmp_path / "pkg.tgz", readme=False)
    with pytest.raises(RefreshError, match="--vintage"):
        snapshot_from_tarball(tarball, tmp_path / "out.json.gz")
    snapshot = snapshot_from_tarball(tarball, tmp_path / "out.json.gz", vintage=2031)
    assert snapshot.vintage == 2031


def test_refresh_with_broken_package_keeps_the_previous_snapshot(tmp_path, mini_snapshot):
    tarball = factory.npm_tarball(tmp_path / "pkg.tgz", version="9.9.9", broken_epci=True)
    before = mini_snapshot.path.read_bytes()
    with pytest.raises(CommandError, match=r"data/epci\.json: row 1 .* has no 'nom'"):
        call_command(
            "territories",
            "refresh",
            "--version",
            "9.9.9",
            "--tarball",
            str(tarball),
            "--output",
            str(mini_snapshot.path),
        )
    assert mini_snapshot.path.read_bytes() == before


def test_refresh_fetches_the_package_with_npm_pack(tmp_path, monkeypatch):
    """npm is the network boundary: replaced by a stand-in that drops the fake tarball."""
    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        destination = command[command.index("--pack-destination") + 1]
        factory.npm_tarball(
            f"{destination}/etalab-decoupage-administratif-9.9.9.tgz", version="9.9.9"
        )
        stdout = json.dumps([{"filename": "etalab-decoupage-administratif-9.9.9.tgz"}])
        return subprocess.CompletedProcess(command, 0, stdout=stdout, stderr="")

    monkeypatch.setattr(refresh_module.subprocess, "run", fake_run)
    snapshot = refresh_module.refresh("9.9.9", tmp_path / "out.json.gz")
    assert calls[0][:3] == ["npm", "pack", "@etalab/decoupage-administratif@9.9.9"]
    assert snapshot.version == "9.9.9" and snapshot.provenance["tarball"].endswith("9.9.9.tgz")


def test_refresh_rejects_a_malformed_version(tmp_path):
    with pytest.raises(RefreshError, match="not a package version"):
        refresh_module.refresh("latest; rm -rf /", tmp_path / "out.json.gz")


def test_committed_snapshots_are_complete_and_small():
    from django.conf import settings

    data = settings.BASE_DIR / "observatoire" / "territories" / "data"
    for version, vintage in [("6.0.0", 2026), ("5.3.0", 2025)]:
        path = data / f"decoupage-{version}.json.gz"
        assert path.stat().st_size < 2_000_000
        snapshot = read_snapshot(path)
        assert (snapshot.version, snapshot.vintage) == (version, vintage)
        assert snapshot.count("communes") == 34969 and snapshot.count("epci") == 1255
