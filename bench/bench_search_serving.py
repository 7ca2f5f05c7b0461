"""The search index as `observatoire serve` holds it: memory per worker with and without it,
time to the first search after a start, and how soon a change is seen by every worker.

A synthetic directory (bench_directory_data; BENCH_DIRECTORY_SCALE, default 1 = 170,000
entries) in SQLite in a temporary folder, served by `observatoire serve --workers 2`. The
baselines, measured in the same run: the workers of a server that never loads the index
(`--no-search-index`, serving the home page), the time to `/healthz`, the index's build time.

    python -m bench search_serving
    BENCH_DIRECTORY_SCALE=0.1 python -m bench search_serving
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
SEARCHES = [
    "/cartographie/?q=consultation",
    "/cartographie/?type=outil&region=84",
    "/cartographie/?objectif=coproduction&tri=maj",
    "/cartographie/?q=budget+participatif&departement=69",
]
VISIBLE_TARGET_S = 5
MEMORY_TARGET_MB = 60


def _worker():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    django.setup()
    from django.core.management import call_command

    sys.path.insert(0, str(ROOT))
    from bench.bench_directory_data import generate_synthetic

    call_command("migrate", verbosity=0, interactive=False)
    call_command("territories", "load", verbosity=0)
    scale = float(os.environ.get("BENCH_DIRECTORY_SCALE", "1"))
    generate_synthetic(
        n_tools=int(50_000 * scale), n_orgs=int(20_000 * scale), n_initiatives=int(100_000 * scale)
    )
    print(json.dumps({"entries": int(170_000 * scale)}))


def _hit(port, paths, rounds=10, concurrency=4):
    """Every path `rounds` times from `concurrency` clients, so that every worker serves some."""
    from bench.server import get

    def one(path):
        status, _body = get(port, path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, paths * rounds))


def _workers_memory(server):
    from bench.server import memory_mb, worker_pids

    figures = [memory_mb(pid) for pid in worker_pids(server)]
    return {key: statistics.mean(figure[key] for figure in figures) for key in figures[0]}


def _first_search(environment, options=()):
    """(seconds to /healthz, seconds to the first search's answer) from the start command."""
    from bench.server import get, serve

    started = time.perf_counter()
    with serve(environment, WORKERS, options) as (port, _server):
        ready = time.perf_counter() - started
        status, _body = get(port, SEARCHES[0])
        assert status == 200, status
        return ready, time.perf_counter() - started


def _until_visible(port, name, timeout=120):
    """Seconds until `name` is found by 10 searches in a row (every worker sees it)."""
    from bench.server import get

    started, in_a_row = time.perf_counter(), 0
    query = f"/cartographie/?q={name}"
    while time.perf_counter() - started < timeout:
        _status, body = get(port, query)
        in_a_row = in_a_row + 1 if name.encode() in body else 0
        if in_a_row >= 10:
            return time.perf_counter() - started
        time.sleep(0.05)
    return float("inf")


def _measure(environment):
    from bench.server import OBSERVATOIRE, serve

    index_files = Path(environment["VAR_DIR"]) / "search-index"
    shutil.rmtree(index_files, ignore_errors=True)
    cold = _first_search(environment)  # no index file yet: serve builds it first
    warm = _first_search(environment)  # the file of the previous start
    build = subprocess.run(
        [*OBSERVATOIRE, "build_search_index", "--force"],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    build_s = float(build.stdout.split(" en ")[1].split(" s")[0])

    with serve(environment, WORKERS, ["--no-search-index"]) as (port, server):
        _hit(port, ["/"])
        without = _workers_memory(server)
    with serve(environment, WORKERS) as (port, server):
        _hit(port, SEARCHES)
        shared = _workers_memory(server)
        name = "Zyxwvbench"
        subprocess.run(
            [
                *OBSERVATOIRE,
                "shell",
                "-c",
                "from observatoire.directory.models import Tool; "
                f"Tool(name='{name}', is_published=True).save()",
            ],
            env=environment,
            check=True,
            capture_output=True,
        )
        visible = _until_visible(port, name)
        _hit(port, SEARCHES)
        refreshed = _workers_memory(server)
    return {
        "cold": cold,
        "warm": warm,
        "build_s": build_s,
        "without": without,
        "shared": shared,
        "refreshed": refreshed,
        "visible_s": visible,
    }


def _rows(entries, figures):
    without = figures["without"]
    rows = []
    for label, key in (
        ("index shared from the master", "shared"),
        ("after a change (each worker loads its copy)", "refreshed"),
    ):
        memory = figures[key]
        for kind in ("rss", "uss"):
            added = memory[kind] - without[kind]
            rows.append(
                {
                    "benchmark": f"memory added per worker, {kind.upper()}: {label}",
                    "value": added,
                    "unit": "MB",
                    "baseline": f"worker without the index {without[kind]:.0f} MB",
                    "ratio": memory[kind] / without[kind],
                    "target": f"≤ {MEMORY_TARGET_MB} MB",
                    "note": f"{entries} entries, {WORKERS} workers, PSS {memory['pss']:.0f} MB",
                }
            )
    for label, (ready, first) in (
        ("first start, no index file", figures["cold"]),
        ("later start, file of the last run", figures["warm"]),
    ):
        rows.append(
            {
                "benchmark": f"time to first search after start ({label})",
                "value": first,
                "unit": "s",
                "baseline": f"/healthz after {ready:.1f} s",
                "ratio": first / ready,
                "note": "serve builds the index before its workers only when no file exists",
            }
        )
    rows.append(
        {
            "benchmark": "a change seen by every worker",
            "value": figures["visible_s"],
            "unit": "s",
            "baseline": f"index build {figures['build_s']:.1f} s",
            "ratio": figures["visible_s"] / figures["build_s"],
            "target": f"≤ {VISIBLE_TARGET_S} s",
            "note": "a tool saved by another process; 10 searches in a row find it",
        }
    )
    return rows


def run():
    from bench.server import run_worker

    with tempfile.TemporaryDirectory(prefix="bench-search-serving-") as var_dir:
        environment = {
            **{key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
            "VAR_DIR": var_dir,
            "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
        }
        entries = run_worker(__file__, environment)["entries"]
        return _rows(entries, _measure(environment))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--worker" in sys.argv:
        _worker()
    else:
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
