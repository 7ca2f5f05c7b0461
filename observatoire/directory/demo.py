"""Demo content of the cartography, loaded by `observatoire demo` (idempotent).

Two parts, never mixed without a label on the public pages:
- the hand-written set (data/demo/*.yaml: actors, tools, one initiative, the ten key dates of
  the field in France), read through the mapping importer by harvest/handwritten.py and
  marked « Donnée de démonstration »;
- real open data, committed snapshots harvested by starter.py (data/sources/SOURCES.md).
"""

from . import starter
from .harvest import handwritten


def load(stdout=None) -> None:
    result, key_dates = handwritten.load()
    if stdout is not None:
        counts = {report.entity: len(report.actions) for report in result.reports}
        stdout.write(
            f"Cartographie de démonstration : {counts['organisation']} acteurs, "
            f"{counts['tool']} outils, {counts['initiative']} initiative(s), "
            f"{key_dates} dates clés ({result.summary()})."
        )
    starter.load(stdout=stdout)
