"""Real starter data for the demo: committed snapshots of open sources, harvested.

The demo is the connectors' first user: the snapshots in data/sources/ (origins, commits and
licences in data/sources/SOURCES.md) go through `harvest()` like any file. Entries created
this way are published so the public pages and the map show real initiatives; each page
lists its source ("consultation.gouv.fr : …", "Decidim Census, instance …"), which tells real
entries from the hand-written demo ones. A second load finds everything again and changes
nothing.

The census gives no place: an instance whose registered domain is a French territory's name
(participez.nancy.fr, participer.loire-atlantique.fr, nous.malakoff.fr) is placed there, so
the map of France shows it. That deduction goes through the importer too, under its own
source name ("domaine"), so the entry's provenance says where its territory came from and
never overwrites a territory someone set.
"""

from pathlib import Path

from observatoire.territories.models import Territory
from observatoire.territories.text import normalize_name

from .harvest import harvest
from .importing import Importer, parse_mapping
from .models import ENTRY_MODELS, Initiative
from .text import website_domain

SOURCES = Path(__file__).parent / "data" / "sources"
SNAPSHOTS = [
    ("consultation-gouv", SOURCES / "consultation-gouv"),
    ("decidim-census", SOURCES / "decidim-census" / "instances.csv"),
]
PUBLISHED_COUNTRIES = {"FR"}
# Words a French domain adds before a commune's name: mairie-orsay.fr, villedelens.fr.
DOMAIN_PREFIXES = ("mairie-", "mairie", "ville-de-", "villede", "ville-")
PLACE_BY_DOMAIN = {
    "entity": "initiative",
    "source_name": "domaine",
    "match_on": ["website"],
    "on_match": "update",
    "merge": "fill_empty",
    "fields": {
        "name": {"column": "name", "merge": "keep"},
        "website": {"column": "website", "merge": "keep"},
        "organiser_territory": "territory",
    },
}
KIND_ORDER = {"commune": 0, "departement": 1, "region": 2}


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
    placed = place_decidim_instances()
    if placed and stdout is not None:
        stdout.write(f"Instances Decidim placées d'après leur domaine : {placed}.")


def _compact(name: str) -> str:
    return normalize_name(name).replace(" ", "")


def territory_names() -> dict[str, str]:
    """ "kind:code" by name written without spaces or hyphens ("valdemarne"): a commune before
    a département or a région of the same name, the most populous commune first."""
    rows = Territory.objects.filter(is_current=True, kind__in=KIND_ORDER).values_list(
        "kind", "code", "search_name", "population"
    )
    best: dict[str, tuple] = {}
    for kind, code, search_name, population in rows:
        rank = (KIND_ORDER[kind], -(population or 0))
        key = search_name.replace(" ", "")
        if key and (key not in best or rank < best[key][0]):
            best[key] = (rank, f"{kind}:{code}")
    return {key: value for key, (_rank, value) in best.items()}


def territory_of_domain(url: str, names: dict[str, str]) -> str:
    """ "commune:54395" for https://participez.nancy.fr: the .fr domain's registered name."""
    parts = website_domain(url).split(".")
    if len(parts) < 2 or parts[-1] != "fr":
        return ""
    label = parts[-2]
    for candidate in [
        label,
        *(label.removeprefix(p) for p in DOMAIN_PREFIXES if label.startswith(p)),
    ]:
        found = names.get(_compact(candidate))
        if found:
            return found
    return ""


def place_decidim_instances() -> str:
    """Give the French census instances with no territory the one their domain names."""
    unplaced = Initiative.objects.filter(
        country__in=PUBLISHED_COUNTRIES, organiser_territory__isnull=True
    ).exclude(website="")
    unplaced = [entry for entry in unplaced if "decidim-census" in entry.external_ids]
    if not unplaced:
        return ""
    names = territory_names()
    rows = []
    for number, entry in enumerate(unplaced, start=1):
        territory = territory_of_domain(entry.website, names)
        if territory:
            rows.append(
                (number, {"name": entry.name, "website": entry.website, "territory": territory})
            )
    report = Importer(
        parse_mapping(PLACE_BY_DOMAIN, "starter"), dry_run=False, progress=False
    ).run_rows(rows)
    return report.summary()
