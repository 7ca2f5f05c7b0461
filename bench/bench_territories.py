"""Loading the référentiel, building a frame, searching: on SQLite, and on PostgreSQL if available.

Each database runs in its own process on a scratch database: SQLite under a temporary VAR_DIR,
PostgreSQL in a database created and dropped on the server given by BENCH_POSTGRES_URL
(e.g. postgres://postgres@127.0.0.1:5432/postgres); without it, PostgreSQL is skipped.
The committed snapshots are loaded in order: 2025 (everything created), 2026 (every row gets
the new vintage), 2026 again (nothing to write).

    python -m bench territories       # through the harness
    python bench/bench_territories.py # alone
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "grenoble",
    "42000",
    "saint etienne",
    "st",
    "200046977",
    "montpellier",
    "ile d yeu",
    "2A004",
]
REPEAT = 15


def _worker():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from observatoire.territories.models import Territory
    from observatoire.territories.services import build_frame, load_snapshot
    from observatoire.territories.snapshot import read_snapshot

    call_command("migrate", verbosity=0, interactive=False)
    data = settings.BASE_DIR / "observatoire" / "territories" / "data"
    results = {}

    def timed(name, function):
        started = time.perf_counter()
        value = function()
        results[name] = time.perf_counter() - started
        return value

    older = timed("read", lambda: read_snapshot(data / "decoupage-5.3.0.json.gz"))
    newer = read_snapshot(data / "decoupage-6.0.0.json.gz")
    timed("load_first", lambda: load_snapshot(snapshot=older))
    timed("load_new_vintage", lambda: load_snapshot(snapshot=newer))
    summary = timed("load_again", lambda: load_snapshot(snapshot=newer))
    results["rows"] = summary["unchanged"]
    frame, _created = timed("frame", lambda: build_frame(year=2026))
    results["frame_members"] = frame.total
    latencies = []
    for _ in range(REPEAT):
        for query in QUERIES:
            started = time.perf_counter()
            list(Territory.objects.search(query).select_related("departement")[:10])
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    results["search_p50"] = statistics.median(latencies)
    results["search_p95"] = latencies[int(len(latencies) * 0.95) - 1]
    print(json.dumps(results))


def _measure(env):
    from bench.server import run_worker

    return run_worker(__file__, env, timeout=900)


def _rows(engine, figures):
    rows = figures["rows"]
    return [
        {
            "benchmark": f"territories load, first vintage ({engine})",
            "value": figures["load_first"],
            "unit": "s",
            "target": "< 30 s",
            "note": f"{rows} territories created",
        },
        {
            "benchmark": f"territories load, new vintage ({engine})",
            "value": figures["load_new_vintage"],
            "unit": "s",
            "target": "< 30 s",
            "note": "2025 -> 2026, every row updated",
        },
        {
            "benchmark": f"territories load, same snapshot ({engine})",
            "value": figures["load_again"],
            "unit": "s",
            "baseline": figures["load_first"],
            "ratio": round(figures["load_again"] / figures["load_first"], 2),
            "note": "idempotent: nothing written",
        },
        {
            "benchmark": f"territories frame 2026 ({engine})",
            "value": figures["frame"],
            "unit": "s",
            "note": f"{figures['frame_members']} members",
        },
        {
            "benchmark": f"territories search p50 ({engine})",
            "value": figures["search_p50"],
            "unit": "ms",
            "target": "< 50 ms",
        },
        {
            "benchmark": f"territories search p95 ({engine})",
            "value": figures["search_p95"],
            "unit": "ms",
            "target": "< 50 ms",
            "note": f"{len(QUERIES)} queries × {REPEAT}",
        },
    ]


def run():
    from bench.server import postgres_server, scratch_database

    with tempfile.TemporaryDirectory(prefix="bench-territories-") as var_dir:
        env = {"VAR_DIR": var_dir, "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3"}
        rows = _rows("SQLite", _measure(env))
    server, skipped = postgres_server()
    if server:
        with scratch_database(server, "bench_territories") as url:
            rows += _rows("PostgreSQL", _measure({"DATABASE_URL": url}))
    else:
        rows.append(
            {"benchmark": "territories (PostgreSQL)", "value": None, "unit": "", "note": skipped}
        )
    return rows


if __name__ == "__main__":
    if "--worker" in sys.argv:
        sys.path.insert(0, str(ROOT))
        _worker()
    else:
        sys.path.insert(0, str(ROOT))
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
