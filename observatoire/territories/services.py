"""Workflows over the référentiel: loading a snapshot, building a sampling frame."""

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from tqdm import tqdm

from . import rules as frame_rules_module
from .models import Frame, FrameMember, LoadedSnapshot, SearchKey, Territory, search_keys
from .snapshot import Snapshot, read_snapshot, successor_codes, territory_records
from .text import normalize_name

KINDS = ["region", "departement", "epci", "commune"]  # parents before children
FIELDS = [
    "siren",
    "name",
    "epci_nature",
    "population",
    "population_total",
    "zone",
    "postcodes",
    "former_codes",
    "vintage",
    "is_current",
    "ended_vintage",
    "search_name",
    "lookup_codes",
    "epci_id",
    "departement_id",
    "region_id",
    "successor_id",
]
PARENT_OF = {"epci": "epci_id", "departement": "departement_id", "region": "region_id"}
CHUNK = 900  # under SQLite's historical limit of 999 query parameters


class LoadError(Exception):
    """The référentiel cannot take this snapshot; nothing was written."""


def default_snapshot_path() -> Path:
    return Path(settings.TERRITORIES_SNAPSHOT)


def _lookup_codes(record: dict[str, Any]) -> str:
    codes = [record["code"], record["siren"], *record["postcodes"], *record["former_codes"]]
    return " " + " ".join(dict.fromkeys(code for code in codes if code)) + " "


def _values(
    record: dict[str, Any], vintage: int, pk_of: dict[tuple[str, str], int]
) -> dict[str, Any]:
    """The database columns (FIELDS) of a current territory described by a snapshot record."""

    def parent(kind):
        return pk_of.get((kind, record[kind])) if record[kind] else None

    return {
        "siren": record["siren"],
        "name": record["name"],
        "epci_nature": record["epci_nature"],
        "population": record["population"],
        "population_total": record["population_total"],
        "zone": record["zone"],
        "postcodes": record["postcodes"],
        "former_codes": record["former_codes"],
        "vintage": vintage,
        "is_current": True,
        "ended_vintage": None,
        "search_name": normalize_name(record["name"]),
        "lookup_codes": _lookup_codes(record),
        "epci_id": parent("epci"),
        "departement_id": parent("departement"),
        "region_id": parent("region"),
        "successor_id": None,
    }


def load_snapshot(
    *,
    path: Path | None = None,
    snapshot: Snapshot | None = None,
    progress: bool = False,
    allow_older: bool = False,
) -> dict[str, Any]:
    """Create or update the référentiel from a snapshot, in one transaction.

    The snapshot is read and checked completely first. Rows are compared in memory and only
    differences are written, so loading the same snapshot again writes nothing. Territories
    missing from the snapshot are never deleted: they become historical, with their successor
    (for a commune, the one that absorbed it; for a larger territory, the one that now holds
    most of its former members).
    """
    snapshot = snapshot or read_snapshot(path or default_snapshot_path())
    latest = LoadedSnapshot.objects.order_by("-vintage").first()
    if latest and snapshot.vintage < latest.vintage and not allow_older:
        raise LoadError(
            f"The référentiel already holds the {latest.vintage} vintage ({latest}); loading "
            f"the older {snapshot.vintage} vintage would roll it back. Use --allow-older to do so."
        )
    records = territory_records(snapshot)
    total = sum(len(rows) for rows in records.values())
    summary: dict[str, Any] = {
        "vintage": snapshot.vintage,
        "version": snapshot.version,
        "created": Counter(),
        "updated": Counter(),
        "retired": Counter(),
        "unchanged": 0,
    }
    with (
        transaction.atomic(),
        tqdm(total=total + 1, desc="Territoires", unit=" lignes", disable=not progress) as bar,
    ):
        existing = {
            (row["kind"], row["code"]): row
            for row in Territory.objects.values("id", "kind", "code", *FIELDS)
        }
        pk_of = {key: row["id"] for key, row in existing.items()}
        updates: list[tuple[int, dict[str, Any]]] = []
        # pk -> every column as it will be once loaded: what the search keys are made of.
        state = {row["id"]: row for row in existing.values()}
        for kind in KINDS:
            creations = []
            for record in records[kind]:
                values = _values(record, snapshot.vintage, pk_of)
                key = (kind, record["code"])
                row = existing.get(key)
                if row is None:
                    creations.append((kind, record["code"], *(values[field] for field in FIELDS)))
                    continue
                changed = {field: value for field, value in values.items() if row[field] != value}
                if changed:
                    updates.append((row["id"], changed))
                    summary["updated"][kind] += 1
                else:
                    summary["unchanged"] += 1
            if creations:
                _insert_rows(Territory, ["kind", "code", *FIELDS], creations)
                created = {row[1]: row for row in creations}
                for code, pk in Territory.objects.filter(kind=kind).values_list("code", "pk"):
                    if code in created:
                        pk_of[(kind, code)] = pk
                        state[pk] = {
                            "id": pk,
                            **dict(zip(["kind", "code", *FIELDS], created[code], strict=True)),
                        }
            summary["created"][kind] += len(creations)
            bar.update(len(records[kind]))

        seen = {(kind, record["code"]) for kind in KINDS for record in records[kind]}
        updates += _retirements(snapshot, records, existing, seen, pk_of, summary)
        _write_updates(updates)
        for pk, changed in updates:
            state[pk] = {**state[pk], **changed}
        changed_fields = set().union(*(changed.keys() for _pk, changed in updates))
        summary["search_keys"] = _sync_search_keys(
            state,
            changed=bool({"search_name", "lookup_codes", "siren"} & changed_fields)
            or sum(summary["created"].values()) > 0,
        )
        if {"population", "is_current"} & changed_fields:
            _copy_ranking_columns()
        LoadedSnapshot.objects.get_or_create(
            sha256=snapshot.sha256,
            defaults={
                "vintage": snapshot.vintage,
                "package": snapshot.provenance["package"],
                "version": snapshot.version,
                "provenance": snapshot.provenance,
                "summary": {
                    key: dict(value) if isinstance(value, Counter) else value
                    for key, value in summary.items()
                },
            },
        )
        bar.update(1)
    return summary


def _retirements(snapshot, records, existing, seen, pk_of, summary):
    """Updates that mark territories absent from the snapshot as historical."""
    gone = [row for key, row in existing.items() if key not in seen and row["is_current"]]
    if not gone:
        return []
    absorbed_by = successor_codes(snapshot)
    # Where the children of each former parent now belong, for EPCI, départements, régions.
    new_parent: dict[str, dict[str, str | None]] = {
        kind: {} for kind in ("epci", "departement", "region")
    }
    for record in records["commune"]:
        new_parent["epci"][record["code"]] = record["epci"]
        new_parent["departement"][record["code"]] = record["departement"]
    for record in records["departement"]:
        new_parent["region"][record["code"]] = record["region"]
    children: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for (kind, code), row in existing.items():
        for parent_kind, column in PARENT_OF.items():
            child_kind = "departement" if parent_kind == "region" else "commune"
            if kind == child_kind and row[column]:
                children[row[column]].append((parent_kind, code))

    updates = []
    for row in gone:
        successor = None
        if row["kind"] == "commune" and row["code"] in absorbed_by:
            successor = pk_of.get(("commune", absorbed_by[row["code"]]))
        elif row["kind"] != "commune":
            votes = Counter(
                new_parent[parent_kind].get(code)
                for parent_kind, code in children.get(row["id"], [])
            )
            votes.pop(None, None)
            if votes:
                winner = max(sorted(votes), key=lambda code: votes[code])
                successor = pk_of.get((row["kind"], winner))
        updates.append(
            (
                row["id"],
                {"is_current": False, "ended_vintage": snapshot.vintage, "successor_id": successor},
            )
        )
        summary["retired"][row["kind"]] += 1
    return updates


def _write_updates(updates: list[tuple[int, dict[str, Any]]]) -> None:
    """Write changed fields, grouped so that a new vintage costs a few UPDATE statements.

    Rows whose changes are identical (typically only `vintage`) share one UPDATE ... WHERE id IN;
    the others go through bulk_update with only the fields that changed.
    """
    groups: dict[frozenset, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for pk, changed in updates:
        groups[frozenset(changed)].append((pk, changed))
    for fields, rows in groups.items():
        shared: dict[str, Any] = {}
        for field in fields:
            values = {repr(changed[field]) for _pk, changed in rows}
            if len(values) == 1:
                shared[field] = rows[0][1][field]
        varying = [field for field in fields if field not in shared]
        pks = [pk for pk, _changed in rows]
        if shared:
            for start in range(0, len(pks), CHUNK):
                Territory.objects.filter(pk__in=pks[start : start + CHUNK]).update(**shared)
        if varying:
            objects = [
                Territory(pk=pk, **{field: changed[field] for field in varying})
                for pk, changed in rows
            ]
            names = [field.removesuffix("_id") for field in varying]
            Territory.objects.bulk_update(objects, names, batch_size=500)


def _copy_ranking_columns() -> None:
    """Copy each territory's population and status onto its search keys, where they differ."""
    key_table = connection.ops.quote_name(SearchKey._meta.db_table)
    territory_table = connection.ops.quote_name(Territory._meta.db_table)
    differs = (
        "NOT (k.population IS t.population)"
        if connection.vendor == "sqlite"
        else "k.population IS DISTINCT FROM t.population"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {key_table} AS k SET population = t.population, is_current = t.is_current, "
            f"territory_kind = t.kind FROM {territory_table} AS t WHERE t.id = k.territory_id "
            f"AND ({differs} OR k.is_current <> t.is_current OR k.territory_kind <> t.kind)"
        )


def _sync_search_keys(state: dict[int, dict[str, Any]], *, changed: bool) -> dict[str, int]:
    """Make the SearchKey table match the territories' names and codes; write only differences.

    When no name or code changed and the table has as many keys of each kind as it should, it
    is left alone (reading its 170,000 rows would be the slowest part of reloading the same
    snapshot). Keys of territories whose population or status changed are brought up to date
    by `_copy_ranking_columns`.
    """
    wanted = {
        (pk, key, kind)
        for pk, row in state.items()
        for key, kind in search_keys(
            row["search_name"], row["lookup_codes"], {row["code"], row["siren"]}
        )
    }
    if not changed:
        present_counts = dict(
            SearchKey.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
        )
        if present_counts == dict(Counter(kind for _pk, _key, kind in wanted)):
            return {"created": 0, "deleted": 0}
    present = {
        (territory, key, kind): pk
        for pk, territory, key, kind in SearchKey.objects.values_list(
            "pk", "territory_id", "key", "kind"
        )
    }
    stale = [pk for triple, pk in present.items() if triple not in wanted]
    for start in range(0, len(stale), CHUNK):
        SearchKey.objects.filter(pk__in=stale[start : start + CHUNK]).delete()
    missing = sorted(wanted - present.keys())
    _insert_rows(
        SearchKey,
        ["territory_id", "key", "kind", "territory_kind", "population", "is_current"],
        [
            (pk, key, kind, state[pk]["kind"], state[pk]["population"], state[pk]["is_current"])
            for pk, key, kind in missing
        ],
    )
    return {"created": len(missing), "deleted": len(stale)}


def _insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain INSERTs (COPY on PostgreSQL) for tens of thousands of rows.

    Building a model instance per row costs more than the database work itself (170,000
    search keys, 36,000 territories). Values go through each field's own conversion.
    """
    fields = [model._meta.get_field(column) for column in columns]
    prepared = [
        tuple(
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, row, strict=True)
        )
        for row in rows
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        for start in range(0, len(prepared), 2000):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
                prepared[start : start + 2000],
            )


def database_records() -> dict[str, list[dict[str, Any]]]:
    """The current territories of the database, in the shape `territory_records` gives."""
    records: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    rows = Territory.objects.current().values(
        "kind",
        "code",
        "name",
        "population",
        "zone",
        "epci_nature",
        "departement__code",
        "region__code",
        "epci__code",
    )
    for row in rows:
        records[row["kind"]].append(
            {
                "kind": row["kind"],
                "code": row["code"],
                "name": row["name"],
                "population": row["population"],
                "zone": row["zone"],
                "epci_nature": row["epci_nature"],
                "departement": row["departement__code"],
                "region": row["region__code"],
                "epci": row["epci__code"],
            }
        )
    return records


def build_frame(
    *,
    year: int,
    snapshot: Snapshot | None = None,
    rules: dict[str, Any] | None = None,
    rebuild: bool = False,
) -> tuple[Frame, bool]:
    """The sampling frame of a barometer year: (frame, created).

    An existing frame is returned as it is unless `rebuild` is set: a frame is a record of what
    was sampled. It is built from the vintage in the database, or from an older snapshot file
    (its territories must exist in the référentiel, current or historical).
    """
    frame = Frame.objects.filter(year=year).first()
    if frame is not None and not rebuild:
        return frame, False
    rules = rules or frame_rules_module.frame_rules()
    if snapshot is not None:
        records = territory_records(snapshot)
        vintage = snapshot.vintage
        source = f"{snapshot.provenance['package']} {snapshot.version}"
    else:
        loaded = LoadedSnapshot.objects.order_by("-vintage").first()
        if loaded is None or not Territory.objects.exists():
            raise LoadError(
                "The référentiel is empty: run `observatoire territories load` before building a frame."
            )
        records = database_records()
        vintage = loaded.vintage
        source = f"{loaded.package} {loaded.version}"
    members, exclusions = frame_rules_module.select_members(records, rules)
    pks = {
        (kind, code): pk for kind, code, pk in Territory.objects.values_list("kind", "code", "pk")
    }
    missing = [member for member in members if (member["kind"], member["code"]) not in pks]
    if missing:
        first = missing[0]
        raise LoadError(
            f"{len(missing)} territories of {source} are not in the référentiel (first: "
            f"{first['kind']} {first['code']} {first['name']}); load that vintage first."
        )
    note = ""
    if vintage != year:
        note = (
            f"Base construite à partir du millésime {vintage} des données officielles ({source}), "
            f"le plus proche disponible : elle approche la base {year}, elle ne la reproduit pas."
        )
    with transaction.atomic():
        if frame is not None:
            frame.delete()
        frame = Frame.objects.create(
            year=year,
            vintage=vintage,
            source=source,
            rules=rules,
            counts=frame_rules_module.count_strata(members, rules),
            exclusions=exclusions,
            note=note,
        )
        FrameMember.objects.bulk_create(
            [
                FrameMember(
                    frame=frame,
                    territory_id=pks[(member["kind"], member["code"])],
                    kind=member["kind"],
                    band=member["band"],
                    population=member["population"],
                    name=member["name"],
                )
                for member in members
            ],
            batch_size=1000,
        )
    return frame, True
