"""Run every bench/bench_*.py module and print one markdown table.

Each module exposes `run() -> list[dict]`, each dict a row with at least `benchmark`, `value`
and `unit`; optional keys: `baseline` (what the value is compared with, measured in the same
run), `ratio`, `target`, `note`. Machines are noisy: targets are read as ratios and orders of
magnitude, not as exact timings.

    python -m bench                 # all modules
    python -m bench web territories # only bench_web.py and bench_territories.py
"""

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

COLUMNS = ["benchmark", "value", "unit", "baseline", "ratio", "target", "note"]


def _format(value):
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return "" if value is None else str(value)


def markdown_table(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(_format(row.get(c)) for c in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if n.removeprefix("bench_") in argv]
    rows = []
    for name in names:
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        print(f"… {name}", file=sys.stderr, flush=True)
        rows.extend(module.run())
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    print(markdown_table(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
