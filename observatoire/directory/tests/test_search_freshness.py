"""The search index's freshness stamp lives in the database: another process's change shows."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from observatoire.directory import search

from . import factory


def test_invalidate_moves_the_stamp_kept_in_the_shared_cache(db):
    from django.core.cache import cache

    before = search.read_stamp()
    search.invalidate()
    assert search.read_stamp() > before
    assert cache.get(search.STAMP_KEY) == search.read_stamp()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="a second process needs a database server (the SQLite test database is in memory)",
)
def test_a_change_made_by_another_process_is_visible_at_the_next_search(charlie, tmp_path):
    factory.tool("Outil alpha")
    assert "Outil alpha" in charlie.get("/cartographie/?q=alpha").content.decode()
    assert "Outil bêta" not in charlie.get("/cartographie/?q=beta").content.decode()

    settings_dict = connection.settings_dict
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**settings_dict)
    env = {**os.environ, "DATABASE_URL": url, "VAR_DIR": str(tmp_path), "DEBUG": "1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "observatoire.cli",
            "shell",
            "-c",
            "from observatoire.directory.models import Tool; "
            "Tool(name='Outil bêta', is_published=True).save()",
        ],
        env=env,
        check=True,
        timeout=120,
    )
    # No wait: the next request reads the stamp the other process wrote, and rebuilds.
    assert "Outil bêta" in charlie.get("/cartographie/?q=beta").content.decode()
