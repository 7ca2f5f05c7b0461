"""Real starter data for the demo: committed snapshots of open sources, harvested.

The demo is the connectors' first user: the snapshots in data/sources/ (origins, commits and
licences in data/sources/SOURCES.md) go through `harvest()` like any file. Entries created
this way are published so the public pages and the map show real initiatives; each page
lists its source ("consultation.gouv.fr : …", "Decidim Census, instance …"), which tells real
entries from the hand-written demo ones. A second load finds everything again and changes
nothing.
"""

from pathlib import Path

from .harvest import harvest
from .models import ENTRY_MODELS

SOURCES = Path(__file__).parent / "data" / "sources"
SNAPSHOTS = [
    ("consultation-gouv", SOURCES / "consultation-gouv"),
    ("decidim-census", SOURCES / "decidim-census" / "instances.csv"),
]
PUBLISHED_COUNTRIES = {"FR"}


def load(stdout=None) -> None:
    for source, path in SNAPSHOTS:
        result = harvest(source, path, progress=False)
        for report in result.reports:
            created: dict[str, list[int]] = {}
            for entity, pk in report.created:
                created.setdefault(entity, []).append(pk)
            for entity, pks in created.items():
                queryset = ENTRY_MODELS[entity].objects.filter(pk__in=pks)
                if "country" in {f.name for f in ENTRY_MODELS[entity]._meta.fields}:
                    queryset = queryset.filter(country__in=PUBLISHED_COUNTRIES)
                queryset.update(is_published=True)
        if stdout is not None:
            stdout.write(f"Données réelles, {source} : {result.summary()}.")
