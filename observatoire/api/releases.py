"""Cut a frozen release: data package, codebook, changelog, checksums, citation metadata.

`cut_release(kind=..., edition=..., by=...)` builds every file in memory, zips them with fixed
timestamps in name order (so unchanged data gives the same bytes and the same SHA-256), and
stores one Release row with its archive. The changelog compares each table with the previous
release's copy, row by row: by primary key when the table has one (entries, key dates,
taxonomy: added, removed, and which fields changed), as whole rows otherwise (relations,
sources, responses).
"""

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from observatoire.directory.datapackage import LICENCE, datapackage_files, default_querysets

from .models import Release

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Fields that change whenever anything else does: listing them would hide the real change.
NOISE_FIELDS = {"updated_at"}
CITATION_FILES = ("CHANGELOG.md", "CITATION.cff", "datacite.json", "SHA256SUMS")


class ReleaseError(ValueError):
    """Why a release cannot be cut, in French."""


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def deterministic_zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out.getvalue()


# --- The data files ---------------------------------------------------------------------------


def _last_change() -> str:
    moments = [
        queryset.aggregate(last=Max("updated_at"))["last"]
        for queryset in default_querysets().values()
    ]
    moments = [moment for moment in moments if moment is not None]
    return max(moments).isoformat(timespec="seconds") if moments else "1970-01-01T00:00:00+00:00"


def cartography_files() -> dict[str, bytes]:
    files, descriptor = datapackage_files(None, created=_last_change())
    files["codebook.csv"] = codebook_csv(descriptor)
    return files


def edition_files(edition) -> dict[str, bytes]:
    from observatoire.barometer.results.exports import export_bytes

    if edition.status != edition.Status.PUBLISHED:
        raise ReleaseError(f"L'édition {edition.year} n'est pas publiée : pas de version.")
    if edition.frame_id is None or edition.questionnaire_id is None:
        raise ReleaseError(f"Édition {edition.year} : pas de base de sondage ou de questionnaire.")
    package, _type = export_bytes(edition, "datapackage")
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["codebook.csv"] = codebook_csv(json.loads(files["datapackage.json"]))
    return files


def codebook_csv(descriptor: dict) -> bytes:
    """One row per column of each table: its type, title, description and allowed values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "field", "type", "title", "description", "values"])
    for resource in descriptor["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            writer.writerow(
                [
                    resource["name"],
                    field["name"],
                    field.get("type", "string"),
                    field.get("title", ""),
                    field.get("description", ""),
                    "; ".join(map(str, field.get("constraints", {}).get("enum", []))),
                ]
            )
    return out.getvalue().encode("utf-8")


# --- The changelog ----------------------------------------------------------------------------


def _rows(content: bytes) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(content.decode("utf-8")))
    header = next(reader, [])
    return header, list(reader)


def _primary_keys(descriptor: dict) -> dict[str, list[str]]:
    keys = {}
    for resource in descriptor.get("resources", []):
        key = resource.get("schema", {}).get("primaryKey")
        if key:
            keys[resource["path"]] = [key] if isinstance(key, str) else list(key)
    return keys


def compare(previous: dict[str, bytes] | None, current: dict[str, bytes]) -> dict[str, Any]:
    """What changed in each CSV table of `current` since `previous` (None: the first release)."""
    if previous is None:
        return {"first": True, "tables": {}}
    keys = _primary_keys(json.loads(current["datapackage.json"]))
    tables = {}
    for name in sorted(n for n in current if n.endswith(".csv") and n != "codebook.csv"):
        header, rows = _rows(current[name])
        old_header, old_rows = _rows(previous.get(name, b""))
        key = keys.get(name)
        if key and all(column in header for column in key):
            tables[name] = _compare_keyed(header, rows, old_header, old_rows, key)
        else:
            tables[name] = _compare_rows(header, rows, old_header, old_rows)
    return {"first": False, "tables": tables}


def _compare_keyed(header, rows, old_header, old_rows, key) -> dict[str, Any]:
    def by_key(columns, table):
        index = [columns.index(column) for column in key]
        return {
            ":".join(row[i] for i in index): dict(zip(columns, row, strict=False)) for row in table
        }

    now, before = by_key(header, rows), by_key(old_header, old_rows)
    changed = []
    for identifier in sorted(now.keys() & before.keys()):
        fields = [
            column
            for column in header
            if column not in NOISE_FIELDS
            and now[identifier].get(column) != before[identifier].get(column)
        ]
        if fields:
            changed.append({"id": identifier, "fields": fields})
    return {
        "added": sorted(now.keys() - before.keys()),
        "removed": sorted(before.keys() - now.keys()),
        "changed": changed,
    }


def _compare_rows(header, rows, old_header, old_rows) -> dict[str, Any]:
    from collections import Counter

    def as_counter(columns, table):
        return Counter(json.dumps(dict(zip(columns, row, strict=False))) for row in table)

    now, before = as_counter(header, rows), as_counter(old_header, old_rows)
    return {
        "rows_added": sum((now - before).values()),
        "rows_removed": sum((before - now).values()),
    }


def is_unchanged(changelog: dict[str, Any]) -> bool:
    if changelog.get("first"):
        return False
    return all(
        not any(table.get(part) for part in ("added", "removed", "changed", "rows_added"))
        and not table.get("rows_removed")
        for table in changelog["tables"].values()
    )


def changelog_markdown(release_title: str, previous: Release | None, changelog: dict) -> str:
    lines = [f"# {release_title}", ""]
    if previous is None:
        lines.append("Première version : aucune version précédente.")
        return "\n".join(lines) + "\n"
    lines.append(f"Changements depuis la version {previous.version} ({previous.slug}).")
    if is_unchanged(changelog):
        lines += ["", "Aucun changement dans les données."]
    for name, table in changelog["tables"].items():
        lines += ["", f"## {name}", ""]
        if "added" in table:
            lines.append(f"- ajoutées ({len(table['added'])}) : {', '.join(table['added'])}")
            lines.append(f"- retirées ({len(table['removed'])}) : {', '.join(table['removed'])}")
            lines.append(f"- modifiées ({len(table['changed'])}) :")
            lines += [
                f"  - {item['id']} : {', '.join(item['fields'])}" for item in table["changed"]
            ]
        else:
            lines.append(f"- lignes ajoutées : {table['rows_added']}")
            lines.append(f"- lignes retirées : {table['rows_removed']}")
    return "\n".join(lines) + "\n"


# --- Citation ---------------------------------------------------------------------------------


def citation_metadata(*, title: str, version: int, slug: str, issued, description: str) -> dict:
    """A DataCite-style record (kernel 4 property names) of the release."""
    from django.urls import reverse

    url = settings.SITE_URL + reverse("releases:archive", kwargs={"slug": slug})
    publisher = settings.WAGTAIL_SITE_NAME
    return {
        "schemaVersion": "http://datacite.org/schema/kernel-4",
        "identifiers": [{"identifier": url, "identifierType": "URL"}],
        "creators": [{"name": publisher, "nameType": "Organizational"}],
        "titles": [{"title": title, "lang": "fr"}],
        "publisher": {"name": publisher},
        "publicationYear": str(issued.year),
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Data package"},
        "version": str(version),
        "dates": [{"date": issued.date().isoformat(), "dateType": "Issued"}],
        "language": "fr",
        "formats": ["text/csv", "application/json"],
        "rightsList": [
            {
                "rights": LICENCE["title"],
                "rightsUri": LICENCE["path"],
                "rightsIdentifier": "etalab-2.0",
                "rightsIdentifierScheme": "SPDX",
            }
        ],
        "descriptions": [{"description": description, "descriptionType": "Abstract"}],
        "url": url,
    }


def citation_cff(metadata: dict) -> bytes:
    """CITATION.cff (https://citation-file-format.github.io/, version 1.2.0) of the release."""
    cff = {
        "cff-version": "1.2.0",
        "message": "Pour citer ces données, merci d'utiliser ces métadonnées.",
        "type": "dataset",
        "title": metadata["titles"][0]["title"],
        "authors": [{"name": creator["name"]} for creator in metadata["creators"]],
        "version": metadata["version"],
        "date-released": metadata["dates"][0]["date"],
        "license": "etalab-2.0",
        "url": metadata["url"],
        "abstract": metadata["descriptions"][0]["description"],
    }
    return yaml.safe_dump(cff, allow_unicode=True, sort_keys=False).encode("utf-8")


# --- Cutting ----------------------------------------------------------------------------------


def _identity(kind: str, edition) -> tuple[str, str, str]:
    if kind == Release.Kind.CARTOGRAPHY:
        return (
            "cartographie",
            "Cartographie de la civic tech et de la démocratie numérique",
            "Acteurs, outils et initiatives publiés, leurs relations, sources et dates clés.",
        )
    return (
        f"barometre-{edition.year}",
        f"Baromètre {edition.year} de la démocratie locale numérique",
        "Réponses (poids inclus, collectivités nommées seulement si elles l'acceptent) et "
        "fiches-dispositif de l'édition publiée.",
    )


def data_files(kind: str, edition=None) -> dict[str, bytes]:
    if kind == Release.Kind.CARTOGRAPHY:
        return cartography_files()
    if kind == Release.Kind.EDITION:
        if edition is None:
            raise ReleaseError("Une version d'édition demande une année.")
        return edition_files(edition)
    raise ReleaseError(f"Jeu de données inconnu : {kind!r} (cartography ou edition).")


def _previous_files(previous: Release | None) -> dict[str, bytes] | None:
    if previous is None:
        return None
    with previous.archive.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@transaction.atomic
def cut_release(*, kind: str, edition=None, by=None, now=None) -> Release:
    """Freeze the current public data of `kind` as a new numbered release."""
    files = data_files(kind, edition)
    edition = edition if kind == Release.Kind.EDITION else None
    previous = Release.objects.select_for_update().previous_of(kind=kind, edition=edition)
    version = previous.version + 1 if previous else 1
    prefix, name, description = _identity(kind, edition)
    slug = f"{prefix}-v{version}"
    title = f"{name}, version {version}"
    issued = now or timezone.now()
    changelog = compare(_previous_files(previous), files)
    metadata = citation_metadata(
        title=title, version=version, slug=slug, issued=issued, description=description
    )
    files["CHANGELOG.md"] = changelog_markdown(title, previous, changelog).encode("utf-8")
    files["CITATION.cff"] = citation_cff(metadata)
    files["datacite.json"] = json.dumps(metadata, ensure_ascii=False, indent=2).encode("utf-8")
    checksums = {name: sha256(content) for name, content in sorted(files.items())}
    files["SHA256SUMS"] = "".join(
        f"{digest}  {name}\n" for name, digest in checksums.items()
    ).encode()
    archive = deterministic_zip(files)
    release = Release(
        kind=kind,
        edition=edition,
        version=version,
        slug=slug,
        title=title,
        created_at=issued,
        created_by=by,
        checksum=sha256(archive),
        files=checksums,
        changelog=changelog,
        citation=metadata,
    )
    release.archive.save(f"{slug}.zip", ContentFile(archive), save=False)
    release.save()
    return release
