"""XLSForm parsing: `import-form`'s parse (our checks + pyxform) against pyxform alone.

Same bytes for both, best of 5. Files: the three demo barometer forms, and a wide sheet of
513 rows whose dimension declares 6,587 columns, almost all empty (the issue's file: 9.2 s
before the reader streamed the sheet, 0.03 s for pyxform). Target: <= 3x pyxform.

    python -m bench xlsform
"""

import time
from pathlib import Path

from pyxform.xls2xform import convert

from observatoire.lib.tests.xlsform_files import wide_workbook
from observatoire.lib.xlsform import parse_xlsform

DEMO = Path(__file__).resolve().parent.parent / "observatoire" / "lib" / "xlsform" / "demo"
REPEAT = 5


def _best(function):
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def run():
    files = {path.name: path.read_bytes() for path in sorted(DEMO.glob("*.xlsx"))}
    files["wide 513 x 6,587"] = wide_workbook()
    rows = []
    for name, data in files.items():
        ours = _best(lambda data=data: parse_xlsform(data))
        theirs = _best(lambda data=data: convert(xlsform=data, file_type=".xlsx"))
        rows.append(
            {
                "benchmark": f"xlsform: parse {name}",
                "value": ours * 1000,
                "unit": "ms",
                "baseline": theirs * 1000,
                "ratio": ours / theirs,
                "target": "<= 3x pyxform",
                "note": "parse_xlsform (includes a pyxform run) vs pyxform convert",
            }
        )
    return rows
