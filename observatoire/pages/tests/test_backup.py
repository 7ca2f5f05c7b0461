"""`observatoire backup` and `observatoire restore`: real archives, real databases, real processes.

The round trips run the console command in subprocesses against throwaway databases of the
vendor the suite runs on (SQLite by default; PostgreSQL with real pg_dump and pg_restore when
DATABASE_URL points at one), so both vendors are proved in CI. The refusals run in-process:
they must fail before anything is touched.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from observatoire.pages import backup

OBSERVATOIRE = [sys.executable, "-m", "observatoire.cli"]
CHECK_SCRIPT = (
    "from django.contrib.auth.models import User; "
    "print(','.join(sorted(User.objects.values_list('username', flat=True))))"
)


class Site:
    """One throwaway installation: its own VAR_DIR, media folder and database."""

    def __init__(self, tmp_path: Path, database_url: str | None):
        self.var = tmp_path
        self.media = tmp_path / "media"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
        self.env = {**env, "VAR_DIR": str(tmp_path), "DEBUG": "1"}
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def run(self, *args, check=True):
        result = subprocess.run(
            [*OBSERVATOIRE, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def users(self):
        return self.run("shell", "--no-imports", "-c", CHECK_SCRIPT).stdout.strip().split(",")

    def add_user(self, name):
        self.run(
            "shell",
            "--no-imports",
            "-c",
            f"from django.contrib.auth.models import User; User.objects.create(username='{name}')",
        )


@pytest.fixture
def database_urls():
    """Two database URLs of the suite's vendor: a source, and an empty target."""
    if connection.vendor == "sqlite":
        yield [None, None]
        return
    db = settings.DATABASES["default"]
    names = [f"obs_backup_{uuid.uuid4().hex[:8]}_{role}" for role in ("source", "target")]
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
    server = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    admin = psycopg.connect(f"{server}/postgres", autocommit=True)
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield [f"{server}/{name}" for name in names]
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db
def test_backup_restores_into_the_same_site_and_into_an_empty_database(tmp_path, database_urls):
    source_url, target_url = database_urls
    source = Site(tmp_path / "source", source_url)
    source.run("migrate", "--no-input")
    source.add_user("kept")
    (source.media / "documents").mkdir(parents=True)
    (source.media / "documents" / "note.pdf").write_bytes(b"%PDF-1.4 the original")
    archive = tmp_path / "backup.tar.gz"

    made = source.run("backup", str(archive))
    assert f"{connection.vendor} database" in made.stdout
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database_vendor"] == connection.vendor
    assert "pages.0001_initial" in manifest["migrations"]
    assert set(manifest["sha256"]) == {
        backup.DATABASE_MEMBERS[connection.vendor],
        "media/documents/note.pdf",
    }

    # The site goes on changing after the backup; the restore puts it back as it was.
    source.add_user("added-later")
    (source.media / "documents" / "note.pdf").write_bytes(b"overwritten")
    (source.media / "stray.txt").write_text("not in the backup")
    restored = source.run("restore", str(archive), "--no-input")
    assert "Restored the backup" in restored.stdout
    assert source.users() == ["kept"]
    assert (source.media / "documents" / "note.pdf").read_bytes() == b"%PDF-1.4 the original"
    assert not (source.media / "stray.txt").exists()

    # A new machine: an empty database (never migrated) and no media folder.
    target = Site(tmp_path / "target", target_url)
    restored = target.run("restore", str(archive), "--no-input")
    assert "migrate" not in restored.stdout  # the archive is as recent as the code
    assert target.users() == ["kept"]
    assert target.run("migrate", "--check").returncode == 0
    assert (target.media / "documents" / "note.pdf").read_bytes() == b"%PDF-1.4 the original"


def _archive(path, manifest, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **members}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(**changes):
    database = backup.DATABASE_MEMBERS[connection.vendor]
    manifest = {
        "format": backup.FORMAT,
        "version": backup.VERSION,
        "created": "2026-01-01T00:00:00+00:00",
        "database_vendor": connection.vendor,
        "migrations": ["pages.0001_initial"],
        "media_files": 0,
        "sha256": {database: backup._sha256_bytes(b"dump")},
    }
    return {**manifest, **changes}


@pytest.fixture
def untouched(alice, settings):
    """What a refused restore must leave as it was: alice in the database, a media file."""
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    kept = Path(settings.MEDIA_ROOT) / "kept.txt"
    kept.write_text("kept")
    yield
    from django.contrib.auth.models import User

    assert User.objects.filter(username="alice").exists()
    assert kept.read_text() == "kept"


def _refused(path):
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path), "--no-input")
    return str(error.value)


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, untouched):
    path = tmp_path / "photo.tar.gz"
    path.write_bytes(b"not an archive")
    assert "not an Observatoire backup" in _refused(path)
    assert "not an Observatoire backup" in _refused(_archive(tmp_path / "x.tar.gz", {}, {}))
    assert "no such file" in _refused(tmp_path / "missing.tar.gz")


@pytest.mark.django_db
def test_restore_refuses_an_archive_of_the_other_database_vendor(tmp_path, untouched):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = _archive(tmp_path / "b.tar.gz", _manifest(database_vendor=other), {})
    message = _refused(path)
    assert f"holds a {other} database" in message and "DATABASE_URL" in message


@pytest.mark.django_db
def test_restore_refuses_an_archive_made_by_a_newer_code(tmp_path, untouched):
    path = _archive(tmp_path / "b.tar.gz", _manifest(migrations=["pages.9999_from_the_future"]), {})
    message = _refused(path)
    assert "newer Observatoire" in message and "pages.9999_from_the_future" in message


@pytest.mark.django_db
def test_restore_refuses_a_damaged_archive(tmp_path, untouched):
    database = backup.DATABASE_MEMBERS[connection.vendor]
    path = _archive(tmp_path / "b.tar.gz", _manifest(), {database: b"dump, but altered"})
    assert f"{database} is damaged" in _refused(path)
    extra = {database: b"dump", "media/unlisted.txt": b"x"}
    assert "disagree on media/unlisted.txt" in _refused(
        _archive(tmp_path / "c.tar.gz", _manifest(), extra)
    )


@pytest.mark.django_db
def test_restore_refuses_a_member_leaving_the_media_folder(tmp_path, untouched):
    database = backup.DATABASE_MEMBERS[connection.vendor]
    members = {database: b"dump", "media/../../escape.txt": b"x"}
    sums = {name: backup._sha256_bytes(data) for name, data in members.items()}
    path = _archive(tmp_path / "b.tar.gz", _manifest(sha256=sums), members)
    assert "unsafe member" in _refused(path)
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.django_db
def test_restore_asks_before_replacing_anything(tmp_path, untouched, monkeypatch):
    database = backup.DATABASE_MEMBERS[connection.vendor]
    path = _archive(tmp_path / "b.tar.gz", _manifest(), {database: b"dump"})
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(path))
