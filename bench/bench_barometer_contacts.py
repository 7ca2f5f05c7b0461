"""Dry run of a large contacts CSV (IMPORT_MAX_ROWS rows): time and peak memory, and the refusal
of an oversized file.

A child process (SQLite, fresh schema, 5,000 territories in the frame) writes a CSV of 100,000
contacts (20 per territory, about 7 MB) and checks it as the admin upload does
(`import_contacts(dry_run=True)`). The baseline, measured in the same run on the same file, is
a plain pass of Python's csv module over it: the least any importer must do. Peak memory is
Python's allocations during the call (tracemalloc, in a second pass so it does not slow the
timed one). A 50 MB file, the probe's, must be refused by IMPORT_MAX_MB before any reading.

    python -m bench barometer_contacts
"""

import csv
import json
import sys
import time
import tracemalloc
from pathlib import Path

from bench.bench_barometer_submit import _child

TERRITORIES = 5_000
ROWS = 100_000


def run():
    result = _child("bench.bench_barometer_contacts")
    return [
        {
            "benchmark": f"contacts CSV dry run, {ROWS:,} rows ({result['size_mb']:.1f} MB): time",
            "value": result["dry_run_s"],
            "unit": "s",
            "baseline": f"csv module pass {result['baseline_s']:.2f} s",
            "ratio": result["dry_run_s"] / result["baseline_s"],
            "note": "e-mail and territory checks, duplicates, opt-outs; the probe's 50 MB took 39.5 s",
        },
        {
            "benchmark": "contacts CSV dry run: peak Python memory",
            "value": result["dry_run_peak_mb"],
            "unit": "MB",
            "baseline": f"file size {result['size_mb']:.1f} MB",
            "ratio": result["dry_run_peak_mb"] / result["size_mb"],
            "note": "streamed rows; what stays is one small dict per accepted contact "
            "(the probe's 50 MB took 2.47 GB)",
        },
        {
            "benchmark": "contacts CSV of 50 MB: refused by IMPORT_MAX_MB",
            "value": result["refused_ms"],
            "unit": "ms",
            "target": "< 100 ms",
            "note": result["refused_message"][:90],
        },
    ]


def _write_csv(path: Path, codes: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["nom", "courriel", "fonction", "territoire"])
        for number in range(ROWS):
            writer.writerow(
                [
                    f"Prénom Nom {number}",
                    f"personne{number}@mairie.example.org",
                    "Chargée de mission démocratie participative",
                    codes[number % len(codes)],
                ]
            )


def _child_main():
    import os

    import django

    django.setup()
    from django.core.management import call_command

    from bench.bench_barometer_submit import build_population
    from observatoire.barometer.services import BarometerError, import_contacts

    call_command("migrate", verbosity=0)
    edition = build_population(TERRITORIES, contacts_per_territory=0, responses=False)
    codes = list(edition.frame.members.values_list("territory__code", flat=True))
    path = Path(os.environ["VAR_DIR"]) / "contacts.csv"
    _write_csv(path, codes)

    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        baseline_rows = sum(1 for _row in csv.reader(handle, delimiter=";"))
    baseline = time.perf_counter() - started
    assert baseline_rows == ROWS + 1

    started = time.perf_counter()
    with path.open("rb") as source:
        report = import_contacts(edition=edition, source=source, filename=path.name, dry_run=True)
    dry_run = time.perf_counter() - started
    assert report.ok and report.created == ROWS, report.errors[:3]

    tracemalloc.start()
    with path.open("rb") as source:
        import_contacts(edition=edition, source=source, filename=path.name, dry_run=True)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    big = Path(os.environ["VAR_DIR"]) / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    try:
        with big.open("rb") as source:
            import_contacts(edition=edition, source=source, filename=big.name, dry_run=True)
        message = "not refused"
    except BarometerError as error:
        message = str(error)
    refused = time.perf_counter() - started
    print(
        json.dumps(
            {
                "size_mb": path.stat().st_size / 1024 / 1024,
                "baseline_s": baseline,
                "dry_run_s": dry_run,
                "dry_run_peak_mb": peak / 1024 / 1024,
                "refused_ms": refused * 1000,
                "refused_message": message,
            }
        )
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child_main()
    else:
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
