"""Export the directory as a Frictionless data package: one CSV per table + datapackage.json.

Used by `observatoire directory export DIR` and meant for the public download page
(/cartographie/donnees/): pass the filtered querysets and a directory, a .zip path or an
open binary file (an HttpResponse works).

Spec: https://specs.frictionlessdata.io/data-package/ ; licence: Licence Ouverte 2.0 (Etalab).
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from observatoire.lib.formulas import neutralise

from .choices import DataOrigin
from .models import (
    ENTRY_MODELS,
    ActorKind,
    Ecosystem,
    Function,
    KeyDate,
    Objective,
    Relation,
    RelationType,
    Tag,
    Theme,
)
from .schema import LIST_SEPARATOR, export_value, field_specs, table_schema_type

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
RESOURCE_NAMES = {"organisation": "organisations", "tool": "tools", "initiative": "initiatives"}
ENTITY_TITLES = {"organisation": "Acteurs", "tool": "Outils", "initiative": "Initiatives"}
VOCABULARIES = [
    ("actor_kind", ActorKind),
    ("ecosystem", Ecosystem),
    ("objective", Objective),
    ("tag", Tag),
    ("function", Function),
    ("theme", Theme),
    ("relation_type", RelationType),
]
PREFETCH = {
    "organisation": ["ecosystems"],
    "tool": ["tags", "functions", "makers"],
    "initiative": ["themes", "functions", "tools"],
}
SELECT = {
    "organisation": ["kind", "territory"],
    "tool": ["objective"],
    "initiative": ["objective", "organiser_territory", "organiser_organisation"],
}


def default_querysets() -> dict[str, QuerySet]:
    """Everything the public may see."""
    return {entity: model.objects.published() for entity, model in ENTRY_MODELS.items()}


class _Table:
    def __init__(
        self, name: str, title: str, fields: list[dict], primary_key=None, foreign_keys=None
    ):
        self.name, self.title, self.fields = name, title, fields
        self.primary_key, self.foreign_keys = primary_key, foreign_keys or []
        self.rows: list[list[Any]] = []

    def csv_bytes(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([field["name"] for field in self.fields])
        for row in self.rows:
            writer.writerow(["" if value is None else neutralise(value) for value in row])
        return buffer.getvalue().encode("utf-8")

    def descriptor(self) -> dict:
        schema: dict[str, Any] = {"fields": self.fields}
        if self.primary_key:
            schema["primaryKey"] = self.primary_key
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return {
            "name": self.name,
            "title": self.title,
            "path": f"{self.name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }


# Real and demo data never travel unlabelled: the demo's hand-written entries say so.
ORIGIN_FIELD = {
    "name": "data_origin",
    "type": "string",
    "title": "Origine des données",
    "description": "reelle, ou demo : fiche du jeu de démonstration, rédigée à la main",
    "constraints": {"enum": [choice.value for choice in DataOrigin]},
}


def _entity_table(entity: str, entries: Iterable, exported: dict[str, set[str]]) -> _Table:
    specs = [spec for spec in field_specs(entity) if spec.name != "slug"]
    fields = [
        {
            "name": "slug",
            "type": "string",
            "title": "Identifiant",
            "constraints": {"required": True, "unique": True},
        },
        {"name": "url", "type": "string", "format": "uri", "title": "Fiche publique"},
    ]
    for spec in specs:
        field = {"name": spec.name, "title": str(spec.label), **table_schema_type(spec)}
        if spec.is_list:
            field["description"] = f"Identifiants séparés par « {LIST_SEPARATOR} »"
        fields.append(field)
    if entity == "initiative":
        fields += [
            {"name": "budget_min", "type": "number", "title": "Budget minimal (€)"},
            {"name": "budget_max", "type": "number", "title": "Budget maximal (€), vide si ouvert"},
        ]
    # Provenance travels with the data: the entry's ids in the sources it came from, and for
    # each harvested field which source gave it and when.
    fields += [
        {
            "name": "external_ids",
            "type": "object",
            "title": "Identifiants dans les sources",
            "description": 'Objet JSON source -> identifiant, ex. {"pabulib": "France_Toulouse_2019"}',
        },
        {
            "name": "field_sources",
            "type": "object",
            "title": "Provenance des champs",
            "description": "Objet JSON champ -> {source, on (date), value}",
        },
        ORIGIN_FIELD,
    ]
    fields.append({"name": "updated_at", "type": "datetime", "title": "Dernière modification"})

    foreign_keys = []
    for spec in specs:
        if spec.kind == "entry" and spec.model.entity in exported:
            foreign_keys.append(
                {
                    "fields": spec.name,
                    "reference": {"resource": RESOURCE_NAMES[spec.model.entity], "fields": "slug"},
                }
            )
    table = _Table(RESOURCE_NAMES[entity], ENTITY_TITLES[entity], fields, ["slug"], foreign_keys)
    for entry in entries:
        row = [entry.slug, f"{settings.SITE_URL}{entry.get_absolute_url()}"]
        for spec in specs:
            if spec.kind == "entries":
                kept = exported.get(spec.model.entity, set())
                items = [item.slug for item in getattr(entry, spec.name).all() if item.slug in kept]
                row.append(LIST_SEPARATOR.join(items))
            elif spec.kind == "entry":
                value = export_value(entry, spec)
                row.append(value if value in exported.get(spec.model.entity, set()) else "")
            else:
                row.append(export_value(entry, spec))
        if entity == "initiative":
            row += [entry.budget_min, entry.budget_max]
        row += [
            json.dumps(entry.external_ids, ensure_ascii=False, sort_keys=True),
            json.dumps(entry.field_sources, ensure_ascii=False, sort_keys=True),
            entry.data_origin,
        ]
        row.append(entry.updated_at.isoformat(timespec="seconds"))
        table.rows.append(row)
    return table


def build_datapackage(
    querysets: dict[str, QuerySet] | None,
    target: Path | str | BinaryIO,
    *,
    key_dates: QuerySet | None = None,
) -> dict:
    """Write the package for `querysets` ({"organisation": qs, "tool": qs, "initiative": qs},
    any subset; None = all published entries) to `target`: a directory, a path ending in
    .zip, or a writable binary file (written as a zip). Returns the descriptor.

    Links to entries outside the exported sets are left out, so a filtered export never
    reveals unpublished entries and its foreign keys stay valid.
    """
    files, descriptor = datapackage_files(querysets, key_dates=key_dates)
    _write(files, target)
    return descriptor


def datapackage_files(
    querysets: dict[str, QuerySet] | None,
    *,
    key_dates: QuerySet | None = None,
    created: str | None = None,
) -> tuple[dict[str, bytes], dict]:
    """The package's files by name, and its descriptor; `created` defaults to now (a frozen
    release passes the time of the data's last change, so that unchanged data gives the same
    bytes)."""
    querysets = default_querysets() if querysets is None else querysets
    entries_by_entity = {
        entity: list(
            queryset.select_related(*SELECT[entity])
            .prefetch_related(*PREFETCH[entity])
            .order_by("slug")
        )
        for entity, queryset in querysets.items()
    }
    exported = {
        entity: {entry.slug for entry in entries} for entity, entries in entries_by_entity.items()
    }
    ids = {entity: {entry.pk for entry in entries} for entity, entries in entries_by_entity.items()}

    tables = [
        _entity_table(entity, entries, exported) for entity, entries in entries_by_entity.items()
    ]
    tables.append(_relations_table(ids))
    tables.append(_sources_table(entries_by_entity))
    tables.append(_key_dates_table(key_dates, exported))
    tables.append(_taxonomy_table())

    descriptor = {
        "profile": "tabular-data-package",
        "name": "observatoire-cartographie-civic-tech",
        "title": "Cartographie de la civic tech et de la démocratie numérique",
        "description": (
            "Acteurs, outils et initiatives de la participation citoyenne numérique recensés par "
            "l'Observatoire des civic tech et de la démocratie numérique, avec leurs relations, "
            "leurs sources et les dates clés du domaine."
        ),
        "homepage": f"{settings.SITE_URL}/cartographie/",
        "created": created or timezone.now().isoformat(timespec="seconds"),
        "licenses": [LICENCE],
        "sources": [
            {"title": settings.WAGTAIL_SITE_NAME, "path": f"{settings.SITE_URL}/cartographie/"}
        ],
        "resources": [table.descriptor() for table in tables],
    }
    files = {f"{table.name}.csv": table.csv_bytes() for table in tables}
    files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False, indent=2).encode("utf-8")
    return files, descriptor


def _relations_table(ids: dict[str, set[int]]) -> _Table:
    table = _Table(
        "relations",
        "Relations",
        [
            {
                "name": "source_type",
                "type": "string",
                "constraints": {"enum": list(RESOURCE_NAMES)},
            },
            {"name": "source_slug", "type": "string"},
            {"name": "relation", "type": "string", "title": "Code du type de relation"},
            {"name": "label", "type": "string", "title": "Libellé"},
            {
                "name": "target_type",
                "type": "string",
                "constraints": {"enum": list(RESOURCE_NAMES)},
            },
            {"name": "target_slug", "type": "string"},
            {"name": "start_on", "type": "date"},
            {"name": "end_on", "type": "date"},
            {"name": "source_title", "type": "string"},
            {"name": "source_url", "type": "string", "format": "uri"},
        ],
    )
    relations = Relation.objects.select_related(
        "type",
        "source_organisation",
        "source_tool",
        "source_initiative",
        "target_organisation",
        "target_tool",
        "target_initiative",
    ).order_by("pk")
    for relation in relations:
        source, target = relation.source, relation.target
        if source.pk not in ids.get(source.entity, ()) or target.pk not in ids.get(
            target.entity, ()
        ):
            continue
        table.rows.append(
            [
                source.entity,
                source.slug,
                relation.type.code,
                relation.type.name,
                target.entity,
                target.slug,
                relation.start_on.isoformat() if relation.start_on else "",
                relation.end_on.isoformat() if relation.end_on else "",
                relation.source_title,
                relation.source_url,
            ]
        )
    return table


def _sources_table(entries_by_entity: dict[str, list]) -> _Table:
    table = _Table(
        "sources",
        "Sources des fiches",
        [
            {
                "name": "entity_type",
                "type": "string",
                "constraints": {"enum": list(RESOURCE_NAMES)},
            },
            {"name": "entity_slug", "type": "string"},
            {"name": "title", "type": "string"},
            {"name": "url", "type": "string", "format": "uri"},
            {"name": "accessed_on", "type": "date"},
        ],
    )
    for entity, entries in entries_by_entity.items():
        model = ENTRY_MODELS[entity]
        source_model = model.sources.rel.related_model
        parent = model.sources.rel.field.name
        slugs = {entry.pk: entry.slug for entry in entries}
        sources = source_model.objects.filter(**{f"{parent}__in": list(slugs)}).order_by(
            parent, "sort_order"
        )
        for source in sources:
            table.rows.append(
                [
                    entity,
                    slugs[getattr(source, f"{parent}_id")],
                    source.title,
                    source.url,
                    source.accessed_on.isoformat() if source.accessed_on else "",
                ]
            )
    return table


def _key_dates_table(key_dates: QuerySet | None, exported: dict[str, set[str]]) -> _Table:
    table = _Table(
        "key_dates",
        "Dates clés",
        [
            {"name": "slug", "type": "string", "constraints": {"required": True, "unique": True}},
            {"name": "date", "type": "date"},
            {
                "name": "precision",
                "type": "string",
                "constraints": {"enum": ["day", "month", "year"]},
            },
            {"name": "title", "type": "string"},
            {"name": "description", "type": "string"},
            {"name": "organisations", "type": "string"},
            {"name": "tools", "type": "string"},
            {"name": "initiatives", "type": "string"},
            ORIGIN_FIELD,
        ],
        primary_key=["slug"],
    )
    key_dates = KeyDate.objects.published() if key_dates is None else key_dates
    for key_date in key_dates.prefetch_related("organisations", "tools", "initiatives").order_by(
        "date", "slug"
    ):

        def linked(manager, entity):
            kept = exported.get(entity, set())
            return LIST_SEPARATOR.join(item.slug for item in manager.all() if item.slug in kept)

        table.rows.append(
            [
                key_date.slug,
                key_date.date.isoformat(),
                key_date.precision,
                key_date.title,
                key_date.description,
                linked(key_date.organisations, "organisation"),
                linked(key_date.tools, "tool"),
                linked(key_date.initiatives, "initiative"),
                key_date.data_origin,
            ]
        )
    return table


def _taxonomy_table() -> _Table:
    table = _Table(
        "taxonomy",
        "Taxonomie",
        [
            {"name": "vocabulary", "type": "string", "constraints": {"required": True}},
            {"name": "code", "type": "string", "constraints": {"required": True}},
            {"name": "name", "type": "string"},
            {"name": "inverse_name", "type": "string"},
            {"name": "description", "type": "string"},
        ],
        primary_key=["vocabulary", "code"],
    )
    for vocabulary, model in VOCABULARIES:
        for term in model.objects.all():
            table.rows.append(
                [
                    vocabulary,
                    term.code,
                    term.name,
                    getattr(term, "inverse_name", ""),
                    term.description,
                ]
            )
    return table


def _write(files: dict[str, bytes], target: Path | str | BinaryIO) -> None:
    if isinstance(target, str | Path):
        path = Path(target)
        if path.suffix.lower() == ".zip":
            with path.open("wb") as handle:
                _write_zip(files, handle)
            return
        path.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (path / name).write_bytes(content)
        return
    _write_zip(files, target)


def _write_zip(files: dict[str, bytes], handle: BinaryIO) -> None:
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
