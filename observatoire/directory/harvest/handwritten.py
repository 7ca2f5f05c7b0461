"""The demo's hand-written cartography (data/demo/*.yaml), through the mapping importer.

Each entry file holds a `mapping` (the keys of a mapping file, docs/directory.md) and its
`records`; `each` gives values every record has unless it says otherwise. The rows go through
the same Importer as `directory harvest` and mapping files, so matching (by the demo's slug,
kept as the external id "demo"), merge policies (a value a staff member edited is proposed,
never overwritten), per-field provenance and the batch report are those of every source.
What a mapping has no field for is added by `_demo_extras`: the mark "donnée de
démonstration" shown on the public pages, the several sources of an entry and its first
status. Relations and key dates, which are not entries, are read from their own files here.

Our own files must be clean: any rejected row or possible duplicate stops the load and
rolls it all back, with the file, row and reason.
"""

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.signal_handlers import disable_reference_index_auto_update

from observatoire.territories.models import Territory

from ..choices import DataOrigin
from ..importing import Importer, ImportFileError, Mapping, parse_mapping
from ..models import KeyDate, KeyDateSource, Organisation, Relation, RelationType
from ..schema import FieldError, parse_date
from . import HarvestResult, record_batch, update_reference_index

FOLDER = Path(__file__).resolve().parent.parent / "data" / "demo"
SOURCE_NAME = "demo"
ENTRY_FILES = ["organisations.yaml", "tools.yaml", "initiatives.yaml"]


class DemoDataError(ImportFileError):
    """The demo's files are wrong; nothing was loaded."""


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DemoDataError(f"{path} : {error.strerror}") from None
    except yaml.YAMLError as error:
        raise DemoDataError(f"{path} : YAML illisible ({error})") from None
    if not isinstance(data, dict):
        raise DemoDataError(_("%(path)s : une table clé: valeur est attendue") % {"path": path})
    return data


def _list(data: dict, key: str, path: Path) -> list:
    items = data.get(key)
    if not isinstance(items, list):
        raise DemoDataError(
            _("%(path)s : la clé « %(key)s » doit être une liste") % {"path": path, "key": key}
        )
    return items


def _titles(keys: list[str], references: dict[str, str], where: str) -> list[str]:
    unknown = [key for key in keys if key not in references]
    if unknown:
        raise DemoDataError(
            _("%(where)s : références inconnues %(keys)s (voir references.yaml)")
            % {"where": where, "keys": ", ".join(unknown)}
        )
    return [references[key] for key in keys]


def _territory_known(value: str) -> bool:
    kind, _sep, code = value.rpartition(":")
    queryset = Territory.objects.filter(code=code)
    return (queryset.filter(kind=kind) if kind else queryset).exists()


def entry_dataset(path: Path, references: dict[str, str]) -> tuple[Mapping, list[tuple[int, dict]]]:
    """The mapping and (row, record) pairs of one entry file."""
    data = read_yaml(path)
    if not isinstance(data.get("mapping"), dict):
        raise DemoDataError(_("%(path)s : table « mapping » absente") % {"path": path})
    mapping = parse_mapping(data["mapping"], where=str(path))
    mapping.apply_extra = _demo_extras
    each = data.get("each") or {}
    rows = []
    for number, item in enumerate(_list(data, "records", path), start=1):
        if not isinstance(item, dict):
            message = _("%(path)s, fiche %(row)d : une table est attendue")
            raise DemoDataError(message % {"path": path, "row": number})
        record = {**each, **item}
        where = f"{path.name}, {record.get('slug') or number}"
        record["sources"] = _titles(record.get("sources") or [], references, where)
        # The territories referential may not be loaded yet: the entry keeps its city, and
        # the next load links it (the importer fills an empty field).
        if record.get("territory") and not _territory_known(str(record["territory"])):
            del record["territory"]
        rows.append((number, record))
    return mapping, rows


def _demo_extras(entry, record: dict) -> bool:
    """What the mapping cannot say; True when the entry changed (the importer saves it then)."""
    changed = entry.data_origin != DataOrigin.DEMO
    entry.data_origin = DataOrigin.DEMO
    titles = record.get("sources") or []
    if titles and (entry.pk is None or not entry.sources.exists()):
        source_model = type(entry).sources.rel.related_model
        entry.sources = [source_model(title=title) for title in titles]
        changed = True
    status = record.get("status")
    if status and hasattr(entry, "statuses") and (entry.pk is None or not entry.statuses.exists()):
        since = parse_date(record["founded_on"])[0] if record.get("founded_on") else None
        period_model = type(entry).statuses.rel.related_model
        entry.statuses = [
            period_model(status=status, start_on=since, note=record.get("status_note", ""))
        ]
        changed = True
    return changed


def _check(result: HarvestResult, files: list[Path]) -> None:
    problems = []
    for path, report in zip(files, result.reports, strict=True):
        problems += [f"{path.name}, {error}" for error in report.errors]
        problems += [
            f"{path.name}, {action}"
            for action in report.actions
            if action.action in {"possible_duplicate", "duplicate"}
        ]
    if problems:
        raise DemoDataError(
            _("Jeu de démonstration refusé, rien n'a été chargé :") + "\n" + "\n".join(problems)
        )


def _load_relations(path: Path, references: dict[str, str]) -> int:
    types = {relation_type.code: relation_type for relation_type in RelationType.objects.all()}
    organisations = {o.slug: o for o in Organisation.objects.filter(data_origin=DataOrigin.DEMO)}
    count = 0
    for number, item in enumerate(_list(read_yaml(path), "relations", path), start=1):
        if item["type"] not in types:
            continue  # staff removed this relation type
        ends = [organisations.get(item[end]) for end in ("source", "target")]
        if None in ends:
            raise DemoDataError(
                _("%(path)s, relation %(row)d : acteur inconnu") % {"path": path, "row": number}
            )
        Relation.objects.get_or_create(
            type=types[item["type"]],
            source_organisation=ends[0],
            target_organisation=ends[1],
            defaults={
                "note": item.get("note", ""),
                "source_title": _titles([item["reference"]], references, path.name)[0],
            },
        )
        count += 1
    return count


def _load_key_dates(path: Path, references: dict[str, str]) -> int:
    from ..models import Initiative, Tool

    demo_entries = {
        name: {e.slug: e for e in model.objects.filter(data_origin=DataOrigin.DEMO)}
        for name, model in (
            ("organisations", Organisation),
            ("tools", Tool),
            ("initiatives", Initiative),
        )
    }
    items = _list(read_yaml(path), "key_dates", path)
    for number, item in enumerate(items, start=1):
        where = f"{path.name}, {number}"
        try:
            date, precision = parse_date(str(item["date"]))
        except (KeyError, FieldError) as error:
            raise DemoDataError(f"{where} : date — {error}") from None
        key_date = KeyDate.objects.filter(date=date, title=item["title"]).first()
        created = key_date is None
        key_date = key_date or KeyDate(date=date, title=item["title"])
        key_date.precision = precision
        key_date.description = item.get("description", "")
        key_date.is_published = True
        key_date.data_origin = DataOrigin.DEMO
        for name, entries in demo_entries.items():
            slugs = item.get(name) or []
            missing = [slug for slug in slugs if slug not in entries]
            if missing:
                raise DemoDataError(f"{where} : {name} inconnus {', '.join(missing)}")
            getattr(key_date, name).set([entries[slug] for slug in slugs])
        if key_date.pk is None or not key_date.sources.exists():
            titles = _titles(item.get("sources") or [], references, where)
            key_date.sources = [KeyDateSource(title=title) for title in titles]
        key_date.save()
        if created or key_date.latest_revision_id is None:
            key_date.save_revision(log_action="wagtail.create", clean=False)
    return len(items)


def load(folder: Path = FOLDER) -> tuple[HarvestResult, int]:
    """Load the hand-written set: (the harvest result of its entries, its key dates count)."""
    references = read_yaml(folder / "references.yaml").get("references") or {}
    files = [folder / name for name in ENTRY_FILES]
    result = HarvestResult(source=SOURCE_NAME, dry_run=False, reports=[])
    with transaction.atomic():
        with disable_reference_index_auto_update():
            for path in files:
                mapping, rows = entry_dataset(path, references)
                importer = Importer(mapping, dry_run=False, progress=False)
                result.reports.append(importer.run_rows(rows))
            _check(result, files)
            update_reference_index(result)
        _load_relations(folder / "relations.yaml", references)
        key_dates = _load_key_dates(folder / "key_dates.yaml", references)
        if result.count("created") or result.count("updated"):
            result.batch = record_batch(SOURCE_NAME, str(folder), result)
    return result, key_dates
