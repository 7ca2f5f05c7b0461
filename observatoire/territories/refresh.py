"""Rebuild a snapshot from the npm package `@etalab/decoupage-administratif`.

The package is fetched with `npm pack` (the only network access of the app, at refresh time)
and read straight from the tarball, without extracting it. Only the fields we use are kept.
Package layout, for the record (version 6.0.0):
- data/communes.json: one row per current commune (`type: commune-actuelle`, with `siren`,
  `population`, `codesPostaux`, `anciensCodes`), per commune déléguée or associée (with
  `chefLieu`), and per municipal arrondissement of Paris, Lyon and Marseille (with `commune`);
- data/epci.json: EPCI à fiscalité propre (DGCL) with their members and populations;
- data/departements.json, data/regions.json: COG codes, names, zones, chefs-lieux.
"""

import datetime
import hashlib
import json
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from .snapshot import Snapshot, SnapshotError, read_snapshot, write_snapshot

PACKAGE = "@etalab/decoupage-administratif"
LICENCE = "Licence Ouverte / Open Licence (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
SUBDIVISION_TYPES = {
    "commune-deleguee": "deleguee",
    "commune-associee": "associee",
    "arrondissement-municipal": "arrondissement",
}
DATA_FILES = ["communes", "epci", "departements", "regions"]


class RefreshError(Exception):
    pass


def npm_pack(version: str, destination: Path) -> Path:
    """Download the package tarball with `npm pack` into destination; return its path."""
    if not re.fullmatch(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?", version):
        raise RefreshError(f"{version!r} is not a package version (expected X.Y.Z).")
    command = [
        "npm",
        "pack",
        f"{PACKAGE}@{version}",
        "--json",
        "--pack-destination",
        str(destination),
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=destination
        )
    except FileNotFoundError as error:
        raise RefreshError("npm is not installed; it is needed to fetch the package.") from error
    if result.returncode != 0:
        raise RefreshError(f"`{' '.join(command)}` failed:\n{result.stderr.strip()}")
    try:
        filename = json.loads(result.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        tarballs = sorted(destination.glob("*.tgz"))
        if not tarballs:
            raise RefreshError(f"`npm pack` produced no tarball:\n{result.stdout}") from None
        return tarballs[-1]
    # npm names scoped tarballs "etalab-decoupage-administratif-X.Y.Z.tgz".
    return destination / Path(filename).name


def _read_tarball(tarball: Path) -> dict[str, Any]:
    wanted = {"package/package.json", "package/README.md"} | {
        f"package/data/{name}.json" for name in DATA_FILES
    }
    contents: dict[str, Any] = {}
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            for member in archive:
                if member.name in wanted and member.isfile():
                    handle = archive.extractfile(member)
                    contents[member.name] = handle.read() if handle else b""
    except (tarfile.TarError, OSError, EOFError) as error:
        raise RefreshError(f"{tarball}: not a readable npm tarball ({error}).") from error
    missing = sorted(wanted - set(contents) - {"package/README.md"})
    if missing:
        raise RefreshError(f"{tarball}: missing {', '.join(missing)}.")
    parsed: dict[str, Any] = {"README.md": contents.get("package/README.md", b"").decode("utf-8")}
    for name, raw in contents.items():
        if name.endswith(".json"):
            try:
                parsed[name.removeprefix("package/")] = json.loads(raw)
            except ValueError as error:
                raise RefreshError(f"{tarball}: {name} is not valid JSON ({error}).") from error
    return parsed


def vintage_from_readme(readme: str, version: str) -> int | None:
    """The year the package's README table gives for this version ("| 2026 | 6.0.0 | ...")."""
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"\d{4}", cells[0]) and cells[1] == version:
            return int(cells[0])
    return None


def _required(row: dict, key: str, file: str, index: int) -> Any:
    if row.get(key) in (None, ""):
        raise RefreshError(f"{file}: row {index + 1} ({row.get('code')!r}) has no '{key}'.")
    return row[key]


def derive_tables(files: dict[str, Any]) -> dict[str, list[dict]]:
    """Keep only what the référentiel uses, with our column names."""
    communes, subdivisions = [], []
    membership: dict[str, str] = {}
    for index, row in enumerate(files["data/epci.json"]):
        siren = _required(row, "code", "data/epci.json", index)
        for member in row.get("membres") or []:
            membership[member["code"]] = siren
    for index, row in enumerate(files["data/communes.json"]):
        file = "data/communes.json"
        kind = _required(row, "type", file, index)
        code = _required(row, "code", file, index)
        if kind == "commune-actuelle":
            communes.append(
                {
                    "code": code,
                    "name": _required(row, "nom", file, index),
                    "siren": row.get("siren") or None,
                    "departement": _required(row, "departement", file, index),
                    "region": _required(row, "region", file, index),
                    "zone": _required(row, "zone", file, index),
                    "population": row.get("population"),
                    "postcodes": " ".join(row.get("codesPostaux") or []),
                    "epci": membership.get(code),
                    "former_codes": " ".join(row.get("anciensCodes") or []),
                }
            )
        elif kind in SUBDIVISION_TYPES:
            subdivisions.append(
                {
                    "code": code,
                    "name": _required(row, "nom", file, index),
                    "type": SUBDIVISION_TYPES[kind],
                    "parent": row.get("chefLieu") or row.get("commune"),
                }
            )
        else:
            raise RefreshError(f"{file}: row {index + 1} ({code!r}) has an unknown type {kind!r}.")
    epci = [
        {
            "siren": row["code"],
            "name": _required(row, "nom", "data/epci.json", index),
            "nature": _required(row, "type", "data/epci.json", index),
            "financing": row.get("modeFinancement") or "",
            "population": row.get("populationMunicipale"),
            "population_total": row.get("populationTotale"),
        }
        for index, row in enumerate(files["data/epci.json"])
    ]
    departements = [
        {
            "code": _required(row, "code", "data/departements.json", index),
            "name": _required(row, "nom", "data/departements.json", index),
            "region": _required(row, "region", "data/departements.json", index),
            "zone": _required(row, "zone", "data/departements.json", index),
            "chef_lieu": row.get("chefLieu"),
        }
        for index, row in enumerate(files["data/departements.json"])
    ]
    regions = [
        {
            "code": _required(row, "code", "data/regions.json", index),
            "name": _required(row, "nom", "data/regions.json", index),
            "zone": _required(row, "zone", "data/regions.json", index),
            "chef_lieu": row.get("chefLieu"),
        }
        for index, row in enumerate(files["data/regions.json"])
    ]
    return {
        "regions": regions,
        "departements": departements,
        "epci": epci,
        "communes": communes,
        "subdivisions": subdivisions,
    }


def snapshot_from_tarball(
    tarball: Path, output: Path, *, vintage: int | None = None, today: datetime.date | None = None
) -> Snapshot:
    """Build the snapshot file `output` from an npm tarball of the package."""
    tarball = Path(tarball)
    files = _read_tarball(tarball)
    package = files["package.json"]
    if package.get("name") != PACKAGE:
        raise RefreshError(f"{tarball}: this is {package.get('name')!r}, not {PACKAGE}.")
    version = str(package.get("version"))
    vintage = vintage or vintage_from_readme(files["README.md"], version)
    if vintage is None:
        raise RefreshError(
            f"The README of {PACKAGE} {version} does not say which year (millésime) it holds; "
            "give it with --vintage YEAR."
        )
    provenance = {
        "package": PACKAGE,
        "version": version,
        "vintage": vintage,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "repository": package.get("repository") or "",
        "sources": "INSEE Code officiel géographique and populations légales; DGCL list of "
        "EPCI à fiscalité propre; La Poste postcodes (see the package README).",
        "tarball": tarball.name,
        "tarball_sha256": hashlib.sha256(tarball.read_bytes()).hexdigest(),
        "refreshed_on": (today or datetime.date.today()).isoformat(),
        "refreshed_with": "observatoire territories refresh",
    }
    tables = derive_tables(files)
    # Written next to the target and renamed once checked: a failed refresh leaves the
    # committed snapshot as it was.
    output = Path(output)
    partial = output.with_name(output.name + ".partial")
    try:
        write_snapshot(partial, provenance=provenance, tables=tables)
    except SnapshotError as error:
        partial.unlink(missing_ok=True)
        raise RefreshError(
            f"The package data does not make a consistent snapshot: {error}"
        ) from error
    partial.replace(output)
    return read_snapshot(output)


def refresh(
    version: str, output: Path, *, tarball: Path | None = None, vintage: int | None = None
) -> Snapshot:
    """Fetch the package (unless a tarball is given) and write the snapshot."""
    with tempfile.TemporaryDirectory(prefix="territories-npm-") as directory:
        if tarball is None:
            tarball = npm_pack(version, Path(directory))
        found = _read_tarball(Path(tarball))["package.json"].get("version")
        if found != version:
            raise RefreshError(f"{tarball}: the package is version {found}, not {version}.")
        return snapshot_from_tarball(tarball, output, vintage=vintage)
