"""Harvest throughput: a 10,000-row source in the Decidim census format, run twice.

The first run creates every initiative (with its revision, provenance and source); the second
finds each again by its census id and changes nothing, which is what a nightly harvest of an
unchanged source costs. A child process per database: a scratch SQLite file, then a scratch
database on the PostgreSQL server BENCH_POSTGRES_URL names (bench/server.py; skipped with the
reason when none answers).

    python -m bench directory_harvest
    BENCH_HARVEST_ROWS=1000 python bench/bench_directory_harvest.py
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _write_source(path: Path, rows: int) -> None:
    # The census's own columns; addresses unique per row, on French domains so none is filtered.
    lines = ["id,url,source"]
    lines += [f"{i},https://participation-{i}.ville-{i % 997}.fr,," for i in range(1, rows + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _worker():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    django.setup()
    from django.core.management import call_command

    from observatoire.directory.harvest import harvest

    call_command("migrate", verbosity=0, interactive=False)
    rows = int(os.environ.get("BENCH_HARVEST_ROWS", "10000"))
    source = Path(os.environ["VAR_DIR"]) / "instances.csv"
    _write_source(source, rows)
    started = time.perf_counter()
    first = harvest("decidim-census", source, progress=False)
    first_time = time.perf_counter() - started
    started = time.perf_counter()
    second = harvest("decidim-census", source, progress=False)
    second_time = time.perf_counter() - started
    print(
        json.dumps(
            {
                "rows": rows,
                "first": first_time,
                "second": second_time,
                "created": first.counts()["created"],
                "unchanged": second.counts()["unchanged"],
            }
        )
    )


def _measure(env: dict[str, str]) -> dict:
    from bench.server import run_worker

    with tempfile.TemporaryDirectory(prefix="bench-harvest-") as var_dir:
        return run_worker(__file__, {"VAR_DIR": var_dir, **env})


def _rows(engine: str, figures: dict) -> list[dict]:
    return [
        {
            "benchmark": f"harvest first run, decidim-census ({engine})",
            "value": figures["rows"] / figures["first"],
            "unit": "rows/s",
            "note": f"{figures['rows']} rows, {figures['created']} created in {figures['first']:.1f} s",
        },
        {
            "benchmark": f"harvest second run, same source ({engine})",
            "value": figures["second"],
            "unit": "s",
            "baseline": figures["first"],
            "ratio": figures["second"] / figures["first"],
            "note": (
                f"{figures['unchanged']} unchanged, nothing written "
                f"({figures['rows'] / figures['second']:.0f} rows/s)"
            ),
        },
    ]


def run():
    """SQLite in a scratch file, then PostgreSQL in a scratch database on BENCH_POSTGRES_URL."""
    from bench.server import postgres_server, scratch_database

    with tempfile.TemporaryDirectory(prefix="bench-harvest-db-") as folder:
        rows = _rows("SQLite", _measure({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}))
    server, skipped = postgres_server()
    if server:
        with scratch_database(server, "bench_harvest") as url:
            rows += _rows("PostgreSQL", _measure({"DATABASE_URL": url}))
    else:
        rows.append(
            {"benchmark": "harvest (PostgreSQL)", "value": None, "unit": "", "note": skipped}
        )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--worker" in sys.argv:
        _worker()
    else:
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
