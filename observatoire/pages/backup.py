"""Backups that restore: the database and the media folder in one archive, with a manifest.

An archive is a `.tar.gz` holding `manifest.json`, the database (`database.sqlite3`, made with
SQLite's online backup API, safe while the site runs; or `database.dump`, `pg_dump`'s custom
format) and `media/`. The manifest says when and from which database vendor the archive was
made, which migrations were applied, and the SHA-256 of every other member: `restore` checks all
of it before touching anything, and refuses an archive it cannot trust with one clear message.

PostgreSQL flags, and why (https://www.postgresql.org/docs/15/app-pgrestore.html):
- `pg_dump --format=custom --no-owner --no-privileges`: one compressed file that pg_restore
  reads selectively; no role names, so it restores under whatever role the site uses.
- `pg_restore --clean --if-exists`: drops each object before recreating it, and `IF EXISTS`
  keeps those drops from failing on an empty database (without it, an empty database gives one
  error per object); `--single-transaction --exit-on-error`: all or nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "observatoire-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
MEDIA = "media"


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why and what to do."""


@dataclass
class Restored:
    manifest: dict[str, Any]
    media_files: int
    missing_migrations: list[str]


def database_vendor() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"unsupported database vendor {vendor!r}: only SQLite and PostgreSQL.")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    """The connection arguments of `program` for the default database, password in the env."""
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is missing: install the PostgreSQL client (postgresql-client)."
        )
    db = settings.DATABASES["default"]
    args = [program, "--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed (exit {result.returncode}): {result.stderr.strip()}")


def _applied_migrations() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _known_migrations() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _dump_database(vendor: str, target: Path) -> None:
    if vendor == "sqlite":
        # The online backup API copies a consistent snapshot while others read and write.
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
    else:
        args, env = _pg_command("pg_dump")
        _run(
            [*args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)], env
        )


def create_backup(*, output: Path) -> dict[str, Any]:
    """Write the archive to `output` (through a temporary file: never a half-written archive)."""
    vendor = database_vendor()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="observatoire-backup-") as scratch:
        database = Path(scratch) / DATABASE_MEMBERS[vendor]
        _dump_database(vendor, database)
        media_root = Path(settings.MEDIA_ROOT)
        media = (
            sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        )
        checksums = {DATABASE_MEMBERS[vendor]: _sha256(database)}
        for path in media:
            checksums[f"{MEDIA}/{path.relative_to(media_root).as_posix()}"] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": timezone.now().isoformat(timespec="seconds"),
            "database_vendor": vendor,
            "migrations": _applied_migrations(),
            "media_files": len(media),
            "sha256": checksums,
        }
        manifest_path = Path(scratch) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = output.with_name(f".{output.name}.partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            archive.add(database, arcname=DATABASE_MEMBERS[vendor])
            for path in media:
                archive.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
        partial.replace(output)
    return manifest


def read_manifest(archive: Path) -> dict[str, Any]:
    """The archive's manifest, checked to be ours and of a version this code reads."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file.")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.load(member) if member else None
    except (tarfile.TarError, KeyError, OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive}: not an Observatoire backup (no valid {MANIFEST}); "
            "make archives with `observatoire backup`."
        )
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{archive}: backup format version {manifest.get('version')!r}, "
            f"this Observatoire reads version {VERSION} only."
        )
    return manifest


def _check(manifest: dict[str, Any], archive: Path) -> list[str]:
    """Refuse an archive of another vendor or of a newer code; the migrations to run after."""
    vendor = database_vendor()
    if manifest["database_vendor"] != vendor:
        raise BackupError(
            f"{archive}: this archive holds a {manifest['database_vendor']} database, the "
            f"current database is {vendor}; set DATABASE_URL to a {manifest['database_vendor']} "
            "database to restore it."
        )
    known = _known_migrations()
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            f"{archive}: made by a newer Observatoire (migrations unknown here: "
            f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}); "
            "upgrade the code first, then restore."
        )
    return sorted(known - set(manifest["migrations"]))


def _extract(archive: Path, manifest: dict[str, Any], scratch: Path) -> None:
    """Extract every member listed in the manifest, each checked against its SHA-256."""
    expected = manifest["sha256"]
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name != MANIFEST]
        names = {m.name for m in members}
        if names != set(expected):
            strays = sorted(names ^ set(expected))[:5]
            raise BackupError(
                f"{archive}: the archive and its manifest disagree on {', '.join(strays)}."
            )
        for member in members:
            path = PurePosixPath(member.name)
            if not member.isfile() or path.is_absolute() or ".." in path.parts:
                raise BackupError(f"{archive}: unsafe member {member.name!r}.")
        # The "data" filter refuses links, devices and paths leaving the folder.
        tar.extractall(scratch, members=members, filter="data")
    for name, digest in expected.items():
        if _sha256(scratch / name) != digest:
            raise BackupError(
                f"{archive}: {name} is damaged (its SHA-256 differs from the manifest)."
            )


def _restore_database(vendor: str, dump: Path) -> None:
    connections.close_all()
    if vendor == "sqlite":
        source = sqlite3.connect(dump)
        destination = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=20)
        try:
            # The backup API replaces the whole destination in one step, under its lock.
            source.backup(destination)
        finally:
            destination.close()
            source.close()
    else:
        args, env = _pg_command("pg_restore")
        _run(
            [
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(dump),
            ],
            env,
        )


def _replace_media(extracted: Path) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    count = 0
    if extracted.exists():
        for child in extracted.iterdir():
            shutil.move(child, media_root / child.name)
        count = sum(1 for p in media_root.rglob("*") if p.is_file())
    return count


def restore_backup(*, archive: Path) -> Restored:
    """Replace the database and the media folder with the archive's, after checking it all."""
    manifest = read_manifest(archive)
    missing = _check(manifest, archive)
    with tempfile.TemporaryDirectory(prefix="observatoire-restore-") as scratch:
        _extract(archive, manifest, Path(scratch))
        vendor = manifest["database_vendor"]
        _restore_database(vendor, Path(scratch) / DATABASE_MEMBERS[vendor])
        count = _replace_media(Path(scratch) / MEDIA)
    return Restored(manifest=manifest, media_files=count, missing_migrations=missing)
