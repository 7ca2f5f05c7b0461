"""A large search index is never built during a request: a builder process writes this host's
file, keyed by the database's stamp, and workers load it; a change made by another process is
found within the freshness bound."""

import os
import time

import pytest
from django.core.management import call_command
from django.db import connection

from observatoire.directory import index_store, search
from observatoire.directory.models import Tool

from . import factory

FRESHNESS_BOUND_S = 5


@pytest.fixture
def large(settings, tmp_path, monkeypatch):
    """Every index counts as large (the rule for 20,000 entries and more); files in tmp_path."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(search, "SYNC_REBUILD_MAX_ROWS", 0)
    search._state.update(index=None, stamp=None, built=0.0)
    yield
    search._state.update(index=None, stamp=None, built=0.0)


def _found(query):
    params = search.SearchParams(q=query)
    return [entry.name for entry in search.search(params, search.get_index()).entries]


def test_the_command_writes_the_index_for_the_current_stamp(db, large):
    factory.tool("Outil alpha")
    call_command("build_search_index", verbosity=0)
    path = index_store.path_for(search.read_stamp())
    assert path.exists()
    assert index_store.load(path).size == 1


def test_a_worker_loads_the_stored_index_instead_of_building_it(db, large):
    factory.tool("Outil alpha")
    call_command("build_search_index", verbosity=0)
    # Written without signals: the stamp does not move, so a build would see it, a load not.
    Tool.objects.bulk_create([Tool(name="Outil bêta", name_key="outil beta", is_published=True)])
    assert _found("alpha") == ["Outil alpha"]
    assert _found("beta") == []


def test_a_stale_large_index_keeps_answering_while_a_builder_runs(db, large, monkeypatch):
    started = []
    # The boundary: the builder is another process (tested below on PostgreSQL).
    monkeypatch.setattr(index_store, "start_builder", lambda build: started.append(build))
    factory.tool("Outil alpha")
    call_command("build_search_index", verbosity=0)
    before = search.get_index()
    factory.tool("Outil bêta")  # moves the stamp
    assert search.get_index() is before
    assert started
    call_command("build_search_index", verbosity=0)  # what the builder does
    assert _found("beta") == ["Outil bêta"]


def test_a_small_index_is_rebuilt_during_the_request(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    search.forget()
    factory.tool("Outil alpha")
    assert _found("alpha") == ["Outil alpha"]
    factory.tool("Outil bêta")
    assert _found("beta") == ["Outil bêta"]
    assert not list(index_store.folder().glob("index-*"))  # no file for a small index


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="a second process needs a database server (the SQLite test database is in memory)",
)
def test_another_process_change_is_found_within_the_bound_through_the_builder(large, tmp_path):
    """Real processes: one saves a tool, the builder forked by this worker rebuilds the file."""
    import subprocess
    import sys

    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    factory.tool("Outil alpha")
    call_command("build_search_index", verbosity=0)
    assert _found("alpha") == ["Outil alpha"]
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
        env={**os.environ, "DATABASE_URL": url, "VAR_DIR": str(tmp_path), "DEBUG": "1"},
        check=True,
        timeout=120,
    )
    saved = time.monotonic()
    first = _found("beta")  # answers at once, with the index it has
    while not first and time.monotonic() - saved < FRESHNESS_BOUND_S:
        time.sleep(0.1)
        first = _found("beta")
    assert first == ["Outil bêta"]
