"""The committed snapshot of the référentiel: a compact, checksummed extract of the npm package.

A snapshot is one gzipped JSON document:

    {"format": "observatoire.territories.snapshot", "format_version": 1,
     "provenance": {"package": ..., "version": ..., "vintage": ..., "licence": ..., ...},
     "counts": {"regions": 26, ...}, "sha256": "<digest of the canonical `data`>",
     "data": {"regions": {"code": [...], "name": [...], ...}, ...}}

Tables are stored by column, which gzip compresses well (about 1 MB for a whole vintage).
`read_snapshot` checks everything (gzip stream complete, known format, checksum, columns,
references between tables) before the loader touches the database, so a truncated or foreign
file fails with a message naming the file and the problem, and nothing is written.
"""

import gzip
import hashlib
import json
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "observatoire.territories.snapshot"
FORMAT_VERSION = 1

# Columns of each table, in the order they are written. Lists (postcodes, former codes) are
# stored as space-separated strings: smaller and they compress better.
COLUMNS = {
    "regions": ["code", "name", "zone", "chef_lieu"],
    "departements": ["code", "name", "region", "zone", "chef_lieu"],
    "epci": ["siren", "name", "nature", "financing", "population", "population_total"],
    "communes": [
        "code",
        "name",
        "siren",
        "departement",
        "region",
        "zone",
        "population",
        "postcodes",
        "epci",
        "former_codes",
    ],
    # Communes déléguées and associées, and the municipal arrondissements of Paris, Lyon and
    # Marseille: not local governments of their own, kept to trace where an old code went.
    "subdivisions": ["code", "name", "type", "parent"],
}
ZONES = {"metro", "drom", "com"}
EPCI_NATURES = {"CC", "CA", "CU", "METRO", "MET69"}
SUBDIVISION_TYPES = {"deleguee", "associee", "arrondissement"}


class SnapshotError(Exception):
    """A snapshot file that cannot be used; the message says which file and why."""


@dataclass
class Snapshot:
    path: Path | None
    provenance: dict[str, Any]
    sha256: str
    data: dict[str, dict[str, list[Any]]] = field(repr=False)

    @property
    def vintage(self) -> int:
        return int(self.provenance["vintage"])

    @property
    def version(self) -> str:
        return str(self.provenance["version"])

    def count(self, table: str) -> int:
        return len(self.data[table][COLUMNS[table][0]])

    def rows(self, table: str):
        """The rows of one table as dicts, in file order."""
        columns = self.data[table]
        names = COLUMNS[table]
        for values in zip(*(columns[name] for name in names), strict=True):
            yield dict(zip(names, values, strict=True))


def canonical_digest(data: dict[str, Any]) -> str:
    payload = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def write_snapshot(
    path: Path, *, provenance: dict[str, Any], tables: dict[str, list[dict]]
) -> Snapshot:
    """Write rows (dicts per table) as a snapshot file; returns it as read back."""
    data = {
        table: {name: [row[name] for row in tables.get(table, [])] for name in names}
        for table, names in COLUMNS.items()
    }
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "provenance": provenance,
        "counts": {table: len(tables.get(table, [])) for table in COLUMNS},
        "sha256": canonical_digest(data),
        "data": data,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # mtime=0 and no file name in the header: the same data gives the same bytes.
    with (
        open(path, "wb") as handle,
        gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=9) as stream,
    ):
        stream.write(raw)
    return read_snapshot(path)


def read_snapshot(path: Path) -> Snapshot:
    """Read and check a snapshot file completely; raise SnapshotError on any problem."""
    path = Path(path)
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except FileNotFoundError as error:
        raise SnapshotError(f"{path}: no such snapshot file.") from error
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
        raise SnapshotError(
            f"{path}: not a complete gzip file ({error}); the file is truncated or is not a "
            "territories snapshot. Rebuild it with `observatoire territories refresh`."
        ) from error
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SnapshotError(f"{path}: the content is not valid JSON ({error}).") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SnapshotError(
            f"{path}: unknown file format (expected a '{FORMAT}' document, found "
            f"{document.get('format') if isinstance(document, dict) else type(document).__name__!r})."
        )
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise SnapshotError(
            f"{path}: snapshot format version {version!r} is not supported (this version of "
            f"Observatoire reads version {FORMAT_VERSION})."
        )
    data = document.get("data")
    if not isinstance(data, dict):
        raise SnapshotError(f"{path}: the 'data' section is missing.")
    digest = canonical_digest(data)
    if digest != document.get("sha256"):
        raise SnapshotError(
            f"{path}: checksum mismatch (sha256 {digest[:12]}… instead of "
            f"{str(document.get('sha256'))[:12]}…); the data was modified or damaged."
        )
    provenance = document.get("provenance") or {}
    for key in ("package", "version", "vintage", "licence"):
        if key not in provenance:
            raise SnapshotError(f"{path}: provenance field '{key}' is missing.")
    snapshot = Snapshot(path=path, provenance=provenance, sha256=digest, data=data)
    _check_tables(snapshot, document.get("counts") or {})
    return snapshot


def _check_tables(snapshot: Snapshot, counts: dict[str, int]) -> None:
    name = snapshot.path
    for table, columns in COLUMNS.items():
        if table not in snapshot.data:
            raise SnapshotError(f"{name}: table '{table}' is missing.")
        lengths = set()
        for column in columns:
            values = snapshot.data[table].get(column)
            if not isinstance(values, list):
                raise SnapshotError(f"{name}: table '{table}' has no column '{column}'.")
            lengths.add(len(values))
        if len(lengths) != 1:
            raise SnapshotError(f"{name}: the columns of table '{table}' have different lengths.")
        if counts.get(table) != lengths.pop():
            raise SnapshotError(
                f"{name}: table '{table}' has {snapshot.count(table)} rows, the header says "
                f"{counts.get(table)}."
            )

    def fail(table, row, column, why):
        raise SnapshotError(f"{name}: {table} row {row + 1}, field '{column}': {why}.")

    keys = {"regions": "code", "departements": "code", "epci": "siren", "communes": "code"}
    known: dict[str, set[str]] = {}
    for table, key in keys.items():
        values = snapshot.data[table][key]
        duplicates = [code for code, n in Counter(values).items() if n > 1]
        if duplicates:
            row = values.index(duplicates[0], values.index(duplicates[0]) + 1)
            fail(table, row, key, f"duplicate code {duplicates[0]!r}")
        known[table] = set(values)
    for table, column, target in [
        ("departements", "region", "regions"),
        ("communes", "departement", "departements"),
        ("communes", "region", "regions"),
    ]:
        for row, value in enumerate(snapshot.data[table][column]):
            if value not in known[target]:
                fail(table, row, column, f"unknown code {value!r}")
    for row, value in enumerate(snapshot.data["communes"]["epci"]):
        if value is not None and value not in known["epci"]:
            fail("communes", row, "epci", f"unknown EPCI {value!r}")
    for table in ("regions", "departements", "communes"):
        for row, value in enumerate(snapshot.data[table]["zone"]):
            if value not in ZONES:
                fail(table, row, "zone", f"{value!r} is not one of {sorted(ZONES)}")
    for row, value in enumerate(snapshot.data["epci"]["nature"]):
        if value not in EPCI_NATURES:
            fail("epci", row, "nature", f"{value!r} is not one of {sorted(EPCI_NATURES)}")
    for table in ("epci", "communes"):
        for column in ("population", "population_total") if table == "epci" else ("population",):
            for row, value in enumerate(snapshot.data[table][column]):
                if value is not None and (not isinstance(value, int) or value < 0):
                    fail(table, row, column, f"{value!r} is not a population")
    for row, value in enumerate(snapshot.data["subdivisions"]["type"]):
        if value not in SUBDIVISION_TYPES:
            fail(
                "subdivisions", row, "type", f"{value!r} is not one of {sorted(SUBDIVISION_TYPES)}"
            )


def _majority(weights: dict[str, int]) -> str | None:
    if not weights:
        return None
    return max(sorted(weights), key=lambda code: weights[code])


def territory_records(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
    """The territories a snapshot describes, by kind, with the fields the database stores.

    Derived values, all from the snapshot itself:
    - the population of a département or a région is the sum of the municipal populations of
      its communes (INSEE's definition of the municipal population of a larger area);
    - an EPCI's département and région are those holding most of its members' population
      (89 EPCI span two départements); its zone is that of its members.
    """
    communes = list(snapshot.rows("communes"))
    dept_population: dict[str, int] = defaultdict(int)
    region_population: dict[str, int] = defaultdict(int)
    epci_weights: dict[str, dict[str, Counter]] = defaultdict(
        lambda: {"departement": Counter(), "region": Counter(), "zone": Counter()}
    )
    for commune in communes:
        population = commune["population"] or 0
        dept_population[commune["departement"]] += population
        region_population[commune["region"]] += population
        if commune["epci"]:
            weights = epci_weights[commune["epci"]]
            # +1 so that members without population still count.
            weights["departement"][commune["departement"]] += population + 1
            weights["region"][commune["region"]] += population + 1
            weights["zone"][commune["zone"]] += population + 1

    def record(kind, code, name, **fields):
        values = {
            "kind": kind,
            "code": code,
            "siren": "",
            "name": name,
            "epci_nature": "",
            "population": None,
            "population_total": None,
            "zone": "",
            "postcodes": [],
            "departement": None,
            "region": None,
            "epci": None,
            "former_codes": [],
        }
        values.update(fields)
        return values

    records: dict[str, list[dict[str, Any]]] = {
        "region": [
            record(
                "region",
                row["code"],
                row["name"],
                zone=row["zone"],
                population=region_population.get(row["code"]),
            )
            for row in snapshot.rows("regions")
        ],
        "departement": [
            record(
                "departement",
                row["code"],
                row["name"],
                zone=row["zone"],
                region=row["region"],
                population=dept_population.get(row["code"]),
            )
            for row in snapshot.rows("departements")
        ],
        "epci": [],
        "commune": [],
    }
    for row in snapshot.rows("epci"):
        weights = epci_weights.get(row["siren"], {})
        records["epci"].append(
            record(
                "epci",
                row["siren"],
                row["name"],
                siren=row["siren"],
                epci_nature=row["nature"],
                population=row["population"],
                population_total=row["population_total"],
                zone=_majority(weights.get("zone", {})) or "metro",
                departement=_majority(weights.get("departement", {})),
                region=_majority(weights.get("region", {})),
            )
        )
    for row in communes:
        records["commune"].append(
            record(
                "commune",
                row["code"],
                row["name"],
                siren=row["siren"] or "",
                population=row["population"],
                zone=row["zone"],
                postcodes=row["postcodes"].split() if row["postcodes"] else [],
                departement=row["departement"],
                region=row["region"],
                epci=row["epci"],
                former_codes=row["former_codes"].split() if row["former_codes"] else [],
            )
        )
    return records


def successor_codes(snapshot: Snapshot) -> dict[str, str]:
    """Old commune code -> the current commune that absorbed it.

    INSEE lists, on each current commune, the codes it absorbed (`anciensCodes`); communes
    déléguées and associées also point to their chef-lieu. Both are used, the first wins.
    """
    current = set(snapshot.data["communes"]["code"])
    mapping: dict[str, str] = {}
    for row in snapshot.rows("communes"):
        for old in (row["former_codes"] or "").split():
            if old not in current:
                mapping.setdefault(old, row["code"])
    for row in snapshot.rows("subdivisions"):
        if row["code"] not in current and row["parent"] in current:
            mapping.setdefault(row["code"], row["parent"])
    return mapping
