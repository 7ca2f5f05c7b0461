"""Import entries from other directories' exports (CSV, JSON, XLSX) through a mapping file.

The mapping file (TOML or JSON, format in docs/directory.md) says which entity the rows
become, which source column feeds which field, how source values translate into our
taxonomy, how lists are split and dates parsed, and how to recognise an entry that already
exists. A new source needs a new mapping file, not new code.

Everything runs in one transaction: a dry run or any row error rolls it all back, so the
report of a dry run is exactly what a real run would do.
"""

import copy
import csv
import dataclasses
import datetime
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from observatoire.lib.tabular import TabularError, csv_rows, xlsx_rows

from .models import ENTRY_MODELS, Contribution, Entry
from .schema import (
    LIST_SEPARATOR,
    FieldError,
    FieldSpec,
    Resolver,
    apply_values,
    export_value,
    parse_value,
    spec_by_name,
)
from .text import normalise, normalise_url


class ImportFileError(Exception):
    """The file or the mapping cannot be used at all; nothing was read into the directory."""


@dataclasses.dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def __str__(self):
        where = _("ligne %(row)d") % {"row": self.row}
        if self.column:
            where += _(", colonne « %(column)s »") % {"column": self.column}
        value = f" = « {self.value[:80]} »" if self.value else ""
        return f"{where}{value} : {self.reason}"


@dataclasses.dataclass
class RowAction:
    row: int
    action: str  # created, updated, unchanged, proposed, possible_duplicate, duplicate
    name: str
    detail: str = ""
    changes: dict[str, list[Any]] = dataclasses.field(default_factory=dict)  # field: [old, new]
    proposed: dict[str, Any] = dataclasses.field(default_factory=dict)  # sent for review

    LABELS = {
        "created": _("créé"),
        "updated": _("mis à jour"),
        "unchanged": _("inchangé"),
        "proposed": _("modification proposée à la relecture"),
        "possible_duplicate": _("doublon possible, envoyé à la modération"),
        "duplicate": _("doublon ignoré"),
    }

    def __str__(self):
        text = _("ligne %(row)d : %(action)s — %(name)s") % {
            "row": self.row,
            "action": self.LABELS[self.action],
            "name": self.name,
        }
        return f"{text} ({self.detail})" if self.detail else text


@dataclasses.dataclass
class ImportReport:
    entity: str
    dry_run: bool
    keep_going: bool = False
    actions: list[RowAction] = dataclasses.field(default_factory=list)
    errors: list[RowError] = dataclasses.field(default_factory=list)
    related_created: list[str] = dataclasses.field(default_factory=list)
    filtered: int = 0
    # (entity, pk) of every entry the run created, and the state before of the ones it changed,
    # so a harvest batch can be undone as a whole.
    created: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    before: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    contributions: list[int] = dataclasses.field(default_factory=list)  # pks sent to moderation

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return not self.dry_run and (self.ok or self.keep_going)

    @property
    def rejected_rows(self) -> int:
        return len({error.row for error in self.errors})

    def count(self, action: str) -> int:
        if action == "proposed":  # an update may also propose what it could not change
            return sum(1 for item in self.actions if item.proposed)
        return sum(1 for item in self.actions if item.action == action)

    @property
    def imported(self) -> int:
        """Rows that went in, changed something or not: zero means the run was useless."""
        kept = {"created", "updated", "unchanged", "proposed"}
        return sum(1 for item in self.actions if item.action in kept)

    def summary(self) -> str:
        return _(
            "créées : %(created)d, mises à jour : %(updated)d, inchangées : %(unchanged)d, "
            "modifications proposées : %(proposed)d, doublons possibles : %(possible)d, "
            "doublons ignorés : %(duplicate)d, lignes écartées par [where] : %(filtered)d, "
            "fiches liées créées : %(related)d, rejetées : %(rejected)d"
        ) % {
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "proposed": self.count("proposed"),
            "possible": self.count("possible_duplicate"),
            "duplicate": self.count("duplicate"),
            "filtered": self.filtered,
            "related": len(self.related_created),
            "rejected": self.rejected_rows,
        }

    def write_rejects(self, path: Path) -> None:
        """The rejected rows as CSV: row number, column, value and reason, one error a line."""
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["ligne", "colonne", "valeur", "motif"])
            for error in self.errors:
                writer.writerow([error.row, error.column, error.value, error.reason])


# --- Mapping ----------------------------------------------------------------------------------

MAPPING_KEYS = {
    "entity",
    "source_name",
    "match_on",
    "on_match",
    "publish",
    "file",
    "source",
    "defaults",
    "fields",
    "merge",
    "where",
}
FILE_KEYS = {"format", "delimiter", "encoding", "sheet", "records"}
FIELD_KEYS = {
    "column",
    "columns",
    "value",
    "join",
    "split",
    "values",
    "unmapped",
    "pick",
    "date_formats",
    "territory_kind",
    "create_missing",
    "merge",
}
MERGE_POLICIES = {"fill_empty", "overwrite", "keep"}
WHERE_KEYS = {"equals", "in", "not_in", "not_empty", "matches", "not_matches"}
MATCH_KEYS = {"external_id", "slug", "name", "website", "siren", "rna", "wikidata_id"}


@dataclasses.dataclass
class FieldMapping:
    field: str
    columns: list[str]
    constant: Any = None
    join: str = " "
    split: str = ""
    values: dict[str, Any] | None = None
    unmapped: str = "error"  # error, skip, keep
    pick: str = ""  # "first": keep the first of several values for a single-valued field
    date_formats: list[str] = dataclasses.field(default_factory=list)
    territory_kind: str = ""
    create_missing: dict[str, Any] | None = None
    merge: str = ""  # empty: the mapping's policy


@dataclasses.dataclass
class RowFilter:
    """One condition of [where]: rows failing it are left out, counted, never errors."""

    column: str
    equals: Any = None
    within: list[str] | None = None
    not_within: list[str] | None = None
    not_empty: bool = False
    matches: re.Pattern | None = None
    not_matches: re.Pattern | None = None

    def accepts(self, record: dict) -> bool:
        cell = _lookup(record, self.column)
        text = "" if cell is None else str(cell).strip()
        if self.not_empty and not text:
            return False
        if self.equals is not None and normalise(text) != normalise(str(self.equals)):
            return False
        folded = normalise(text)
        if self.within is not None and folded not in {normalise(v) for v in self.within}:
            return False
        if self.not_within is not None and folded in {normalise(v) for v in self.not_within}:
            return False
        if self.matches is not None and not self.matches.search(text):
            return False
        return not (self.not_matches is not None and self.not_matches.search(text))


@dataclasses.dataclass
class Mapping:
    entity: str
    fields: dict[str, FieldMapping]
    source_name: str = ""
    match_on: list[str] = dataclasses.field(default_factory=lambda: ["name"])
    on_match: str = "skip"
    publish: bool = False
    file: dict[str, Any] = dataclasses.field(default_factory=dict)
    source: dict[str, str] = dataclasses.field(default_factory=dict)
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    merge: str = "fill_empty"
    where: list[RowFilter] = dataclasses.field(default_factory=list)
    # Set by connectors, not by mapping files: extra data an entry keeps beside its fields
    # (a participatory budget's projects). Called with (entry, record), returns True on change.
    apply_extra: Any = None

    def policy(self, field: str) -> str:
        mapping = self.fields.get(field)
        return (mapping.merge if mapping else "") or self.merge

    def accepts(self, record: dict) -> bool:
        return all(condition.accepts(record) for condition in self.where)

    @property
    def columns(self) -> set[str]:
        return {column for field in self.fields.values() for column in field.columns}


def load_mapping(path: Path | str) -> Mapping:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFileError(
            _("Mapping %(path)s illisible : %(error)s") % {"path": path, "error": error.strerror}
        ) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportFileError(
            _("Mapping %(path)s mal formé : %(error)s") % {"path": path, "error": error}
        ) from None
    return parse_mapping(data, where=str(path))


def parse_mapping(data: dict[str, Any], where: str = "mapping") -> Mapping:
    def fail(message: str, **params):
        raise ImportFileError(f"{where} : " + message % params)

    if not isinstance(data, dict):
        fail(_("un objet est attendu"))
    unknown = sorted(set(data) - MAPPING_KEYS)
    if unknown:
        fail(
            _("clés inconnues %(keys)s (clés possibles : %(allowed)s)"),
            keys=unknown,
            allowed=", ".join(sorted(MAPPING_KEYS)),
        )
    entity = data.get("entity")
    if entity not in ENTRY_MODELS:
        fail(_("« entity » doit valoir %(allowed)s"), allowed=" / ".join(ENTRY_MODELS))
    specs = spec_by_name(entity)
    mapping = Mapping(
        entity=entity,
        fields={},
        source_name=str(data.get("source_name", "")),
        match_on=list(data.get("match_on", ["name"])),
        on_match=data.get("on_match", "skip"),
        publish=bool(data.get("publish", False)),
        file=dict(data.get("file", {})),
        source=dict(data.get("source", {})),
        defaults=dict(data.get("defaults", {})),
        merge=data.get("merge", "fill_empty"),
    )
    if mapping.on_match not in {"skip", "update"}:
        fail(_("« on_match » doit valoir skip ou update"))
    if mapping.merge not in MERGE_POLICIES:
        fail(_("« merge » doit valoir fill_empty, overwrite ou keep"))
    mapping.where = _parse_where(data.get("where", {}), fail)
    bad_match = sorted(set(mapping.match_on) - MATCH_KEYS)
    if bad_match:
        fail(_("« match_on » : clés inconnues %(keys)s"), keys=bad_match)
    if entity != "organisation" and {"siren", "rna", "wikidata_id"} & set(mapping.match_on):
        fail(_("« match_on » : siren, rna et wikidata_id ne valent que pour les acteurs"))
    if "external_id" in mapping.match_on and not mapping.source_name:
        fail(_("« match_on » utilise external_id : indiquez « source_name »"))
    bad_file = sorted(set(mapping.file) - FILE_KEYS)
    if bad_file:
        fail(_("[file] : clés inconnues %(keys)s"), keys=bad_file)
    bad_source = sorted(set(mapping.source) - {"title", "url"})
    if bad_source:
        fail(_("[source] : clés inconnues %(keys)s"), keys=bad_source)
    for name in mapping.defaults:
        if name not in specs:
            fail(_("[defaults] : champ inconnu « %(name)s »"), name=name)

    fields = data.get("fields")
    if not isinstance(fields, dict) or not fields:
        fail(_("la table [fields] est vide"))
    allowed_fields = sorted([*specs, "external_id"])
    for name, options in fields.items():
        if name not in specs and name != "external_id":
            fail(
                _("champ inconnu « %(name)s » (champs possibles : %(allowed)s)"),
                name=name,
                allowed=", ".join(allowed_fields),
            )
        if name == "external_id" and not mapping.source_name:
            fail(_("le champ external_id demande « source_name »"))
        if isinstance(options, str):
            options = {"column": options}
        if not isinstance(options, dict):
            fail(_("[fields] %(name)s : une colonne ou une table est attendue"), name=name)
        bad = sorted(set(options) - FIELD_KEYS)
        if bad:
            fail(_("[fields] %(name)s : options inconnues %(keys)s"), name=name, keys=bad)
        columns = options.get("columns") or ([options["column"]] if "column" in options else [])
        if not columns and "value" not in options:
            fail(_("[fields] %(name)s : indiquez « column », « columns » ou « value »"), name=name)
        unmapped = options.get("unmapped", "error" if "values" in options else "keep")
        if unmapped not in {"error", "skip", "keep"}:
            fail(_("[fields] %(name)s : « unmapped » doit valoir error, skip ou keep"), name=name)
        pick = options.get("pick", "")
        if pick not in {"", "first"}:
            fail(_("[fields] %(name)s : « pick » ne connaît que first"), name=name)
        merge = options.get("merge", "")
        if merge and merge not in MERGE_POLICIES:
            fail(
                _("[fields] %(name)s : « merge » doit valoir fill_empty, overwrite ou keep"),
                name=name,
            )
        create_missing = options.get("create_missing")
        spec = specs.get(name)
        if create_missing is not None:
            if spec is None or spec.kind not in {"entry", "entries"}:
                fail(
                    _("[fields] %(name)s : create_missing ne vaut que pour un lien vers une fiche"),
                    name=name,
                )
            create_missing = {} if create_missing is True else dict(create_missing)
        mapping.fields[name] = FieldMapping(
            field=name,
            columns=[str(column) for column in columns],
            constant=options.get("value"),
            join=options.get("join", " "),
            split=options.get("split", ""),
            values=options.get("values"),
            unmapped=unmapped,
            pick=pick,
            date_formats=list(options.get("date_formats", [])),
            territory_kind=options.get("territory_kind", ""),
            create_missing=create_missing,
            merge=merge,
        )
    if "name" not in mapping.fields and "name" not in mapping.defaults:
        fail(_("le champ « name » doit être lu dans une colonne"))
    return mapping


def _parse_where(where: Any, fail) -> list[RowFilter]:
    """[where] column = "value" | ["a", "b"] | { not_in = [...], matches = "regex", ... }."""
    if not isinstance(where, dict):
        fail(_("[where] : une table colonne = condition est attendue"))
    filters = []
    for column, condition in where.items():
        if isinstance(condition, str | int | float):
            filters.append(RowFilter(column=column, equals=condition))
            continue
        if isinstance(condition, list):
            filters.append(RowFilter(column=column, within=[str(v) for v in condition]))
            continue
        if not isinstance(condition, dict) or not condition:
            fail(_("[where] %(column)s : condition illisible"), column=column)
        bad = sorted(set(condition) - WHERE_KEYS)
        if bad:
            fail(
                _("[where] %(column)s : conditions inconnues %(keys)s (possibles : %(allowed)s)"),
                column=column,
                keys=bad,
                allowed=", ".join(sorted(WHERE_KEYS)),
            )
        patterns = {}
        for key in ("matches", "not_matches"):
            if key in condition:
                try:
                    patterns[key] = re.compile(str(condition[key]))
                except re.error as error:
                    fail(_("[where] %(column)s : expression %(error)s"), column=column, error=error)
        filters.append(
            RowFilter(
                column=column,
                equals=condition.get("equals"),
                within=[str(v) for v in condition["in"]] if "in" in condition else None,
                not_within=[str(v) for v in condition["not_in"]] if "not_in" in condition else None,
                not_empty=bool(condition.get("not_empty", False)),
                matches=patterns.get("matches"),
                not_matches=patterns.get("not_matches"),
            )
        )
    return filters


# --- Reading files ----------------------------------------------------------------------------


def check_size(path: Path) -> None:
    limit = settings.DIRECTORY_IMPORT_MAX_MB * 1024 * 1024
    size = path.stat().st_size
    if size > limit:
        raise ImportFileError(
            _(
                "%(path)s : fichier trop volumineux (%(size).1f Mo, maximum %(limit)d Mo ; "
                "voir DIRECTORY_IMPORT_MAX_MB)"
            )
            % {
                "path": path.name,
                "size": size / 1024 / 1024,
                "limit": settings.DIRECTORY_IMPORT_MAX_MB,
            }
        )


def read_rows(path: Path, mapping: Mapping) -> tuple[list[str] | None, Iterator[tuple[int, dict]]]:
    """(header or None for JSON, iterator of (row number, record)) for the file."""
    if not path.is_file():
        raise ImportFileError(_("%(path)s : fichier introuvable") % {"path": path})
    check_size(path)
    fmt = mapping.file.get("format") or path.suffix.lower().lstrip(".")
    if fmt in {"csv", "tsv", "txt"}:
        return _read_csv(path, mapping)
    if fmt == "json":
        return None, _read_json(path, mapping)
    if fmt == "xlsx":
        return _read_xlsx(path, mapping)
    raise ImportFileError(
        _("%(path)s : format « %(format)s » non pris en charge (csv, json, xlsx)")
        % {"path": path.name, "format": fmt}
    )


def _table_error(path: Path, error: TabularError) -> ImportFileError:
    return ImportFileError(f"{path.name}, {error}" if error.row else f"{path.name} : {error}")


def _read_csv(path: Path, mapping: Mapping):
    # Streamed through observatoire.lib.tabular: memory stays flat, and the dry run meets
    # the same NUL byte, bad encoding or excess of rows as the real run.
    handle = path.open("rb")
    try:
        header, cells, delimiter = csv_rows(
            handle,
            max_rows=settings.IMPORT_MAX_ROWS,
            encoding=mapping.file.get("encoding", ""),
            delimiter=mapping.file.get("delimiter", ""),
        )
    except TabularError as error:
        handle.close()
        raise _table_error(path, error) from None

    def rows():
        try:
            for number, values in cells:
                if len(values) > len(header):
                    raise ImportFileError(
                        _(
                            "%(path)s, ligne %(row)d : %(count)d valeurs pour %(columns)d colonnes "
                            "(séparateur « %(delimiter)s » ?)"
                        )
                        % {
                            "path": path.name,
                            "row": number,
                            "count": len(values),
                            "columns": len(header),
                            "delimiter": delimiter,
                        }
                    )
                yield number, dict(zip(header, values, strict=False))
        except TabularError as error:
            raise _table_error(path, error) from None
        finally:
            handle.close()

    return header, rows()


def _read_json(path: Path, mapping: Mapping):
    try:
        data = json.loads(path.read_text(encoding=mapping.file.get("encoding", "utf-8-sig")))
    except UnicodeDecodeError:
        raise ImportFileError(
            _("%(path)s : le fichier n'est pas en UTF-8") % {"path": path.name}
        ) from None
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("%(path)s : JSON mal formé ligne %(line)d, colonne %(column)d (%(error)s)")
            % {"path": path.name, "line": error.lineno, "column": error.colno, "error": error.msg}
        ) from None
    records_path = mapping.file.get("records", "")
    for key in [part for part in records_path.split(".") if part]:
        if not isinstance(data, dict) or key not in data:
            raise ImportFileError(
                _("%(path)s : pas de clé « %(key)s » (voir [file] records)")
                % {"path": path.name, "key": key}
            )
        data = data[key]
    if not isinstance(data, list):
        raise ImportFileError(
            _("%(path)s : une liste d'enregistrements est attendue (voir [file] records)")
            % {"path": path.name}
        )
    if len(data) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _(
                "%(path)s : plus de %(max)d enregistrements (voir IMPORT_MAX_ROWS) : découpez le "
                "fichier en plusieurs fichiers"
            )
            % {"path": path.name, "max": settings.IMPORT_MAX_ROWS}
        )
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise ImportFileError(
                _("%(path)s, enregistrement %(row)d : un objet est attendu")
                % {"path": path.name, "row": number}
            )
        key = _nul_key(record)
        if key is not None:
            # PostgreSQL refuses NUL in text: the dry run must say so, on any database.
            raise ImportFileError(
                _("%(path)s, enregistrement %(row)d, clé « %(key)s » : caractère NUL (\\u0000)")
                % {"path": path.name, "row": number, "key": key}
            )
    return enumerate(data, start=1)


def _nul_key(value: Any, key: str = "") -> str | None:
    """The key of the first string holding a NUL character, or None."""
    if isinstance(value, str):
        return key if "\x00" in value else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for name, item in items:
        found = _nul_key(item, f"{key}.{name}" if key else str(name))
        if found is not None:
            return found
    return None


def _read_xlsx(path: Path, mapping: Mapping):
    try:
        header, cells, _delimiter = xlsx_rows(
            path, max_rows=settings.IMPORT_MAX_ROWS, sheet=mapping.file.get("sheet", "")
        )
    except TabularError as error:
        raise _table_error(path, error) from None

    def records():
        try:
            for number, values in cells:
                yield (
                    number,
                    {column: cell for column, cell in zip(header, values, strict=False) if column},
                )
        except TabularError as error:
            raise _table_error(path, error) from None

    return header, records()


def _lookup(record: dict, column: str) -> Any:
    if column in record:
        return record[column]
    value: Any = record
    for part in column.split("."):  # nested JSON: "organization.name"
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


# --- Importing --------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


class _RowRejected(Exception):
    pass


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def value_text(spec: FieldSpec, value: Any) -> Any:
    """A parsed value in the plain form export_value gives: codes, slugs, ISO dates, lists."""
    if value is None:
        return [] if spec.is_list else ""
    if spec.kind == "terms":
        return [term.code for term in value]
    if spec.kind == "entries":
        return [item.slug for item in value]
    if spec.kind == "term":
        return value.code
    if spec.kind == "entry":
        return value.slug
    if spec.kind == "territory":
        return f"{value.kind}:{value.code}"
    if spec.kind == "date":
        return value[0].isoformat()
    if spec.kind == "bool":
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return value


def current_text(entry: Entry, spec: FieldSpec) -> Any:
    value = export_value(entry, spec)
    if spec.is_list:
        return [item for item in str(value).split(LIST_SEPARATOR) if item]
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return "" if value is None else value


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def same_value(spec: FieldSpec, current: Any, new: Any) -> bool:
    if spec.is_list:
        return sorted(map(str, current)) == sorted(map(str, new))
    if spec.kind == "url":
        return normalise_url(str(current)) == normalise_url(str(new))
    return str(current).strip() == str(new).strip()


def fingerprint(record: dict, columns: list[str]) -> str:
    """A stable key for a row with no identifier: its mapped cells, normalised."""
    cells = {column: normalise(_cell_text(_lookup(record, column))) for column in sorted(columns)}
    digest = hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()
    return digest[:20]


class Importer:
    def __init__(
        self,
        mapping: Mapping,
        *,
        dry_run: bool,
        progress: bool | None = None,
        keep_going: bool = False,
        retrieved_on: datetime.date | None = None,
    ):
        self.mapping = mapping
        self.model: type[Entry] = ENTRY_MODELS[mapping.entity]
        self.specs = spec_by_name(mapping.entity)
        self.report = ImportReport(entity=mapping.entity, dry_run=dry_run, keep_going=keep_going)
        self.progress = progress
        self.seen: dict[tuple[str, str], int] = {}  # match key -> row that introduced it
        self.today = retrieved_on or datetime.date.today()
        self.source_label = mapping.source_name or "import"
        self._indexes: dict[str, dict[str, int]] = {}
        # Set before the per-field resolvers: their stub defaults are parsed with it.
        self.resolver = Resolver()
        self.resolvers: dict[str, Resolver] = {}
        for name, field in mapping.fields.items():
            if field.create_missing is not None:
                spec = self.specs[name]
                self.resolvers[name] = Resolver(
                    create_missing={spec.model: self._stub_defaults(spec, field.create_missing)},
                    on_create=self._record_stub,
                )

    def _stub_defaults(self, spec: FieldSpec, options: dict[str, Any]) -> dict[str, Any]:
        target_specs = spec_by_name(spec.model.entity)
        defaults = {}
        for name, value in options.items():
            if name not in target_specs or target_specs[name].kind not in {
                "term",
                "text",
                "country",
                "choice",
            }:
                raise ImportFileError(
                    _(
                        "[fields] %(field)s : create_missing ne peut fixer que des champs simples, pas « %(name)s »"
                    )
                    % {"field": spec.name, "name": name}
                )
            try:
                defaults[name] = parse_value(target_specs[name], value, self.resolver)
            except FieldError as error:
                raise ImportFileError(
                    f"[fields] {spec.name} create_missing {name} : {error}"
                ) from None
        return defaults

    def _record_stub(self, entry: Entry) -> None:
        entry.save_revision(log_action="wagtail.create", clean=False)
        self.report.related_created.append(f"{entry._meta.verbose_name} « {entry.name} »")
        self.report.created.append((entry.entity, entry.pk))

    def run(self, path: Path) -> ImportReport:
        header, rows = read_rows(path, self.mapping)
        if header is not None:
            missing = sorted(self.mapping.columns - set(header))
            if missing:
                raise ImportFileError(
                    _("%(path)s : colonnes absentes %(missing)s (colonnes du fichier : %(header)s)")
                    % {
                        "path": path.name,
                        "missing": ", ".join(missing),
                        "header": ", ".join(header),
                    }
                )
        return self.run_rows(rows)

    def run_rows(self, rows) -> ImportReport:
        """Import (row number, record) pairs: all or nothing, or the good rows with keep_going."""
        try:
            with transaction.atomic():
                # disable=None lets tqdm show the bar only on a terminal.
                disable = {True: False, False: True, None: None}[self.progress]
                for number, record in tqdm(
                    rows, desc=_("Import"), unit=_(" lignes"), disable=disable
                ):
                    self.import_row(number, record)
                if self.report.dry_run or (self.report.errors and not self.report.keep_going):
                    raise _Rollback
        except _Rollback:
            pass
        return self.report

    # --- one row

    def import_row(self, number: int, record: dict) -> None:
        if not record.get("_error") and not self.mapping.accepts(record):
            self.report.filtered += 1
            return
        marks = (
            len(self.report.related_created),
            len(self.report.created),
            len(self.report.contributions),
        )
        try:
            with transaction.atomic():
                self._import_row(number, record)
        except _RowRejected:
            # The row's savepoint is gone, and so are the stubs it created: forget them.
            del self.report.related_created[marks[0] :]
            del self.report.created[marks[1] :]
            del self.report.contributions[marks[2] :]
            for resolver in [self.resolver, *self.resolvers.values()]:
                resolver._entries.clear()

    def _reject(self, errors: list[RowError]) -> None:
        self.report.errors.extend(errors)
        raise _RowRejected

    def _import_row(self, number: int, record: dict) -> None:
        if record.get("_error"):  # a connector could not read this part of the source
            self._reject([RowError(number, "", "", str(record["_error"]))])
        values, raw_values, errors = self.read_values(number, record)
        if errors:
            self._reject(errors)
        name = values.get("name") or ""
        external_id = raw_values.get("external_id")
        keys = self.match_keys(values, external_id)
        if not keys:
            # Nothing identifies the row: its content does, so a second run finds it again.
            keys = [("fingerprint", fingerprint(record, sorted(self.mapping.columns)))]
        duplicate_row = next((self.seen[key] for key in keys if key in self.seen), None)
        if duplicate_row is not None:
            self.report.actions.append(
                RowAction(
                    number,
                    "duplicate",
                    name,
                    _("même fiche que la ligne %(row)d") % {"row": duplicate_row},
                )
            )
            return
        for key in keys:
            self.seen[key] = number
        existing = self.find_existing(keys)
        if existing is not None and self.mapping.on_match == "skip":
            self.report.actions.append(
                RowAction(
                    number, "duplicate", name, _("existe déjà : %(slug)s") % {"slug": existing.slug}
                )
            )
            return
        if existing is None:
            similar = self.similar_entry(values)
            if similar is not None:
                self.propose_new(number, values, similar)
                return
        try:
            with transaction.atomic():
                action = self.save_entry(number, existing, values, keys, external_id, record)
        except ValidationError as error:
            self._reject(self.validation_errors(number, error, raw_values))
        except DatabaseError as error:
            self._reject(
                [RowError(number, "", "", _("refusé par la base : %(error)s") % {"error": error})]
            )
        self.report.actions.append(action)

    def read_values(self, number: int, record: dict):
        values: dict[str, Any] = {}
        raw_values: dict[str, Any] = {}
        errors: list[RowError] = []
        for name, default in self.mapping.defaults.items():
            try:
                values[name] = parse_value(self.specs[name], default, self.resolver)
            except FieldError as error:
                errors.append(RowError(number, "[defaults]", str(default), str(error)))
        for name, field in self.mapping.fields.items():
            column = ", ".join(field.columns) or "[value]"
            try:
                raw = self.raw_value(field, record)
            except FieldError as error:
                errors.append(
                    RowError(number, column, _cell_text(self._cells(field, record)), str(error))
                )
                continue
            raw_values[name] = raw
            if name == "external_id":
                if not _is_blank(raw):
                    raw_values[name] = str(raw).strip()
                continue
            if _is_blank(raw) and name in values:
                continue  # a default fills an empty cell
            spec = self.specs[name]
            if _is_blank(raw) and not spec.required:
                continue  # empty cells never erase what the directory knows
            try:
                values[name] = parse_value(
                    spec,
                    raw,
                    self.resolvers.get(name, self.resolver),
                    date_formats=field.date_formats,
                    territory_kind=field.territory_kind,
                )
            except FieldError as error:
                errors.append(RowError(number, column, _cell_text(raw), str(error)))
        return values, raw_values, errors

    def _cells(self, field: FieldMapping, record: dict) -> list[Any]:
        return [_lookup(record, column) for column in field.columns]

    def raw_value(self, field: FieldMapping, record: dict) -> Any:
        spec = self.specs.get(field.field)
        is_list = spec is not None and spec.is_list
        if field.columns:
            cells = [cell for cell in self._cells(field, record) if not _is_blank(cell)]
        else:
            cells = [field.constant]
        items: list[Any] = []
        for cell in cells:
            if isinstance(cell, list):
                items.extend(cell)
            elif field.split and isinstance(cell, str):
                items.extend(part.strip() for part in cell.split(field.split) if part.strip())
            else:
                items.append(cell.strip() if isinstance(cell, str) else cell)
        if field.values is not None:
            items = self.translate(field, items)
        if is_list:
            return items
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        if field.pick == "first":
            return items[0]
        if field.split or field.values is not None:
            raise FieldError(_('plusieurs valeurs pour un champ simple (ajoutez pick = "first")'))
        return field.join.join(str(item) for item in items)

    def translate(self, field: FieldMapping, items: list[Any]) -> list[Any]:
        table = field.values or {}
        folded = {normalise(str(key)): value for key, value in table.items()}
        result = []
        for item in items:
            key = str(item).strip()
            if key in table:
                mapped = table[key]
            elif normalise(key) in folded:
                mapped = folded[normalise(key)]
            elif field.unmapped == "skip":
                continue
            elif field.unmapped == "keep":
                mapped = item
            else:
                raise FieldError(
                    _("valeur « %(value)s » absente de la table values du mapping") % {"value": key}
                )
            if isinstance(mapped, list):
                result.extend(mapped)
            elif mapped not in ("", None):
                result.append(mapped)
        return result

    # --- matching

    def match_keys(self, values: dict[str, Any], external_id: str | None) -> list[tuple[str, str]]:
        keys = []
        for key in self.mapping.match_on:
            if key == "external_id":
                value = external_id or ""
            elif key == "name":
                value = normalise(values.get("name") or "")
            elif key == "website":
                value = normalise_url(values.get("website") or "")
            else:
                value = str(values.get(key) or "")
            if value:
                keys.append((key, value))
        return keys

    @property
    def fingerprint_key(self) -> str:
        return f"{self.source_label}:empreinte"

    def _index(self, key: str) -> dict[str, int]:
        """value -> pk for the keys a database index cannot serve (JSON ids, full addresses).

        Built once per run, so matching 10,000 rows costs one pass over the table, not one
        per row; entries this run saves are added as they are saved.
        """
        if key not in self._indexes:
            index: dict[str, int] = {}
            if key == "website":
                rows = self.model.objects.exclude(website="").values_list("pk", "website")
                for pk, website in rows.order_by("pk"):
                    index.setdefault(normalise_url(website), pk)
            else:
                name = self.mapping.source_name if key == "external_id" else self.fingerprint_key
                for pk, ids in self.model.objects.values_list("pk", "external_ids").order_by("pk"):
                    if isinstance(ids, dict) and ids.get(name) not in (None, ""):
                        index.setdefault(str(ids[name]), pk)
            self._indexes[key] = index
        return self._indexes[key]

    def _remember(self, entry: Entry, keys: list[tuple[str, str]]) -> None:
        for key, value in keys:
            if key in self._indexes:
                self._indexes[key].setdefault(value, entry.pk)

    def find_existing(self, keys: list[tuple[str, str]]) -> Entry | None:
        for key, value in keys:
            queryset = self.model.objects.all()
            if key in {"external_id", "fingerprint", "website"}:
                # The whole address for websites, not the host: one platform hosts many
                # consultations.
                pk = self._index(key).get(value)
                found = queryset.filter(pk=pk).first() if pk is not None else None
            elif key == "name":
                found = queryset.filter(name_key=value).order_by("pk").first()
            else:
                found = queryset.filter(**{key: value}).first()
            if found is not None:
                return found
        return None

    def similar_entry(self, values: dict[str, Any], threshold: float = 0.85) -> Entry | None:
        """An entry with a close name in the same territory: a possible duplicate to review."""
        name_key = normalise(values.get("name") or "")
        if not name_key:
            return None
        queryset = self.model.objects.all()
        for field in ("organiser_territory", "territory"):
            if field in self.specs:
                territory = values.get(field)
                if territory is None:
                    return None  # without a territory, a close name proves too little
                queryset = queryset.filter(**{field: territory})
        best, best_ratio = None, threshold
        for entry in queryset.only("pk", "name_key", "name", "slug"):
            ratio = difflib.SequenceMatcher(None, name_key, entry.name_key).ratio()
            if ratio >= best_ratio:
                best, best_ratio = entry, ratio
        return best

    def propose_new(self, number: int, values: dict[str, Any], similar: Entry) -> None:
        data = {name: value_text(self.specs[name], value) for name, value in values.items()}
        detail = _("proche de « %(name)s » (%(slug)s)") % {
            "name": similar.name,
            "slug": similar.slug,
        }
        self.report.actions.append(
            RowAction(number, "possible_duplicate", str(values.get("name") or ""), detail)
        )
        pending = Contribution.objects.pending().filter(
            entity=self.mapping.entity, kind=Contribution.Kind.NEW
        )
        if any(item.data == data for item in pending):
            return  # already in the queue from an earlier run
        queued = Contribution.objects.create(
            entity=self.mapping.entity,
            kind=Contribution.Kind.NEW,
            data=data,
            contributor_name=_("Moissonnage %(source)s") % {"source": self.source_label},
            message=_("Doublon possible de « %(name)s » (/%(slug)s), moissonné le %(date)s.")
            % {"name": similar.name, "slug": similar.slug, "date": self.today.isoformat()},
        )
        self.report.contributions.append(queued.pk)

    # --- writing

    def save_entry(
        self,
        number: int,
        existing: Entry | None,
        values: dict,
        keys: list[tuple[str, str]],
        external_id: str | None,
        record: dict,
    ) -> RowAction:
        entry = existing or self.model(is_published=self.mapping.publish)
        if existing is None:
            applied = values
            changes = {}
            proposals: dict[str, Any] = {}
        else:
            applied, changes, proposals = self.merge(existing, values)
        ids = dict(entry.external_ids)
        if external_id:
            ids[self.mapping.source_name] = external_id
        if keys and keys[0][0] == "fingerprint":
            ids[self.fingerprint_key] = keys[0][1]
        ids_changed = ids != entry.external_ids
        source = self.missing_source(entry, record)
        extra_before = copy.deepcopy(getattr(entry, "budget_vote", None))
        extra_changed = bool(self.mapping.apply_extra and self.mapping.apply_extra(entry, record))
        if existing is not None and not (applied or ids_changed or source or extra_changed):
            # Decided before reading the whole entry: a second run of a source reads only what
            # it compares, so an unchanged row costs a few queries.
            self.propose_corrections(existing, proposals)
            action = "proposed" if proposals else "unchanged"
            return RowAction(number, action, existing.name, existing.slug, proposed=proposals)
        before = self.snapshot(entry, extra=extra_before) if existing else None
        apply_values(entry, applied, self.mapping.entity)
        provenance = dict(entry.field_sources)
        for name, value in applied.items():
            provenance[name] = {
                "source": self.source_label,
                "on": self.today.isoformat(),
                "value": value_text(self.specs[name], value),
            }
        entry.field_sources = provenance
        entry.external_ids = ids
        if source is not None:
            entry.sources.add(source)
        entry.full_clean()
        entry.save()
        entry.save_revision(
            log_action="wagtail.edit" if existing else "wagtail.create", clean=False
        )
        self._remember(entry, keys)
        if existing is None:
            self.report.created.append((self.mapping.entity, entry.pk))
            return RowAction(number, "created", entry.name, entry.slug)
        self.report.before.setdefault(f"{self.mapping.entity}:{entry.pk}", before)
        self.propose_corrections(entry, proposals)
        return RowAction(
            number, "updated", entry.name, entry.slug, changes=changes, proposed=proposals
        )

    def merge(self, entry: Entry, values: dict) -> tuple[dict, dict, dict]:
        """(values to apply, {field: [old, new]}, values proposed for review) per field policy.

        fill_empty only fills what is empty, so curated names stay; overwrite replaces what a
        harvest set earlier, never a value a person typed (that one is proposed for review);
        keep leaves the field alone.
        """
        applied, changes, proposals = {}, {}, {}
        for name, value in values.items():
            spec = self.specs[name]
            policy = self.mapping.policy(name)
            current = current_text(entry, spec)
            new = value_text(spec, value)
            if policy == "keep" or same_value(spec, current, new):
                continue
            if _is_blank(current):
                applied[name] = value
            elif policy == "overwrite":
                origin = entry.field_sources.get(name) or {}
                if "value" in origin and same_value(spec, current, origin["value"]):
                    applied[name] = value
                else:
                    proposals[name] = new
                    continue
            else:
                continue
            changes[name] = [current, new]
        return applied, changes, proposals

    def propose_corrections(self, entry: Entry, proposals: dict[str, Any]) -> None:
        if not proposals:
            return
        pending = Contribution.objects.pending().filter(
            target_content_type=ContentType.objects.get_for_model(entry),
            target_object_id=entry.pk,
        )
        if any(item.data == proposals for item in pending):
            return
        contribution = Contribution(
            entity=self.mapping.entity,
            kind=Contribution.Kind.CORRECTION,
            data=proposals,
            contributor_name=_("Moissonnage %(source)s") % {"source": self.source_label},
            message=_(
                "La source %(source)s (%(date)s) donne une autre valeur qu'une saisie de "
                "l'équipe : rien n'a été remplacé."
            )
            % {"source": self.source_label, "date": self.today.isoformat()},
        )
        contribution.target = entry
        contribution.save()
        self.report.contributions.append(contribution.pk)

    def snapshot(self, entry: Entry, extra: Any = None) -> dict[str, Any]:
        """What undoing this run must restore on an existing entry (`extra`: its budget data)."""
        return {
            "fields": {name: current_text(entry, spec) for name, spec in self.specs.items()},
            "external_ids": dict(entry.external_ids),
            "field_sources": dict(entry.field_sources),
            "source_pks": sorted(entry.sources.values_list("pk", flat=True)),
            "extra": extra,
        }

    def missing_source(self, entry: Entry, record: dict):
        """The source row [source] gives for this record, unsaved, or None if the entry has it."""
        if not self.mapping.source:
            return None
        fields = {"title": "", "url": ""}
        for key, template in self.mapping.source.items():
            try:
                fields[key] = template.format_map(_FormatRecord(record)).strip()
            except (ValueError, IndexError) as error:
                raise ValidationError({NON_FIELD_ERRORS: [f"[source] {key} : {error}"]}) from None
        title = fields["title"] or fields["url"]
        if not title:
            return None
        if any(
            source.url == fields["url"] and source.title == title for source in entry.sources.all()
        ):
            return None
        source_model = type(entry).sources.rel.related_model
        return source_model(title=title[:300], url=fields["url"], accessed_on=self.today)

    def add_source(self, entry: Entry, record: dict) -> bool:
        source = self.missing_source(entry, record)
        if source is not None:
            entry.sources.add(source)
        return source is not None

    def validation_errors(
        self, number: int, error: ValidationError, raw_values: dict
    ) -> list[RowError]:
        result = []
        for field, messages in error.message_dict.items():
            mapping = self.mapping.fields.get(field)
            column = (
                ", ".join(mapping.columns)
                if mapping
                else ("" if field == NON_FIELD_ERRORS else field)
            )
            value = _cell_text(raw_values.get(field)) if field != NON_FIELD_ERRORS else ""
            for message in messages:
                result.append(RowError(number, column, value, message))
        return result


class _FormatRecord(dict):
    """Lets "{title}" templates read a record; unknown columns become empty strings."""

    def __init__(self, record: dict):
        super().__init__({key: ("" if value is None else value) for key, value in record.items()})

    def __missing__(self, key):
        return ""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def import_file(
    path: Path | str,
    mapping: Mapping | Path | str,
    *,
    dry_run: bool = False,
    progress: bool | None = None,
    keep_going: bool = False,
) -> ImportReport:
    """Import `path` with `mapping`; raises ImportFileError for unusable files or mappings.

    The returned report lists row actions and row errors; the directory is changed only when
    `report.written` is true (not a dry run, and no error or keep_going).
    """
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    importer = Importer(mapping, dry_run=dry_run, progress=progress, keep_going=keep_going)
    return importer.run(Path(path))
