"""Who is in the barometer's sampling frame, and in which stratum: plain functions over records.

A record is a dict with the keys `territory_records` gives (kind, code, name, population, zone,
epci_nature, departement, region, epci). The same rules run on the database (the vintage loaded)
or on a snapshot file (an older vintage), see `services.build_frame`.

Thresholds, zones, excluded codes and bands are Django settings (TERRITORIES_FRAME_*, see the end
of observatoire/settings.py); every choice is explained in docs/territories.md, with the counts it
gives.
"""

from collections import Counter, defaultdict
from itertools import pairwise
from typing import Any

from django.conf import settings

# Why a COG code is left out of its stratum (TERRITORIES_FRAME_EXCLUDED lists the codes): each
# collectivity is counted once, in the stratum of the one that actually exercises the powers.
REASONS = {
    ("departement", "75"): "Paris : la Ville de Paris exerce les compétences de la commune et du "
    "département (collectivité unique depuis 2019) ; elle est dans la strate des communes.",
    ("departement", "2A"): "Corse-du-Sud : fondue dans la Collectivité de Corse (région 94) "
    "depuis 2018.",
    ("departement", "2B"): "Haute-Corse : fondue dans la Collectivité de Corse (région 94) "
    "depuis 2018.",
    ("departement", "972"): "Martinique : collectivité territoriale unique depuis 2015, comptée "
    "dans la strate des régions (région 02).",
    ("departement", "973"): "Guyane : collectivité territoriale unique depuis 2015, comptée dans "
    "la strate des régions (région 03).",
    ("region", "06"): "Mayotte : le Département de Mayotte exerce aussi les compétences "
    "régionales ; il est compté dans la strate des départements (976).",
}
DEFAULT_REASON = "exclu par le réglage TERRITORIES_FRAME_EXCLUDED."

# The Métropole de Lyon governs its 58 communes in place of the Département du Rhône, so the
# Rhône's frame population leaves them out (the COG's département 69 still covers them).
DEPARTEMENT_POPULATION_WITHOUT_EPCI_NATURES = ["MET69"]

UNKNOWN_BAND = "inconnue"
KINDS = ["commune", "epci", "departement", "region"]


def frame_rules() -> dict[str, Any]:
    """The rules in force, from the TERRITORIES_FRAME_* settings, as stored with each frame."""
    excluded = {
        kind: {code: REASONS.get((kind, code), DEFAULT_REASON) for code in codes}
        for kind, codes in settings.TERRITORIES_FRAME_EXCLUDED.items()
    }
    return {
        "commune_min_population": settings.TERRITORIES_FRAME_COMMUNE_MIN_POPULATION,
        "zones": settings.TERRITORIES_FRAME_ZONES,
        "excluded": excluded,
        "bands": settings.TERRITORIES_FRAME_BANDS,
        "departement_population_without_epci_natures": DEPARTEMENT_POPULATION_WITHOUT_EPCI_NATURES,
    }


def band_label(population: int | None, bounds: list[int]) -> str:
    """ "3500-9999", "100000+" or "inconnue"; populations under the first bound get "<N"."""
    if population is None:
        return UNKNOWN_BAND
    bounds = sorted(bounds)
    if not bounds or population < bounds[0]:
        return f"<{bounds[0]}" if bounds else "toutes"
    for low, high in pairwise(bounds):
        if low <= population < high:
            return f"{low}-{high - 1}"
    return f"{bounds[-1]}+"


def band_labels(bounds: list[int]) -> list[str]:
    """Every band of a stratum in order, for tables that show empty bands too."""
    bounds = sorted(bounds)
    labels = [f"{low}-{high - 1}" for low, high in pairwise(bounds)]
    return [*labels, f"{bounds[-1]}+"] if bounds else []


def select_members(
    records: dict[str, list[dict[str, Any]]], rules: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Apply the rules: (members with their stratum, documented exclusions)."""
    members: list[dict[str, Any]] = []
    exclusions: list[dict[str, Any]] = []
    natures = {epci["code"]: epci["epci_nature"] for epci in records.get("epci", [])}
    without = set(rules.get("departement_population_without_epci_natures") or [])
    removed_population: dict[str, int] = defaultdict(int)
    for commune in records.get("commune", []):
        if natures.get(commune.get("epci")) in without:
            removed_population[commune["departement"]] += commune["population"] or 0

    def exclude(record, reason):
        exclusions.append(
            {
                "kind": record["kind"],
                "code": record["code"],
                "name": record["name"],
                "reason": reason,
            }
        )

    for kind in KINDS:
        zones = set(rules["zones"].get(kind, []))
        excluded = rules["excluded"].get(kind, {})
        bounds = rules["bands"][kind]
        for record in records.get(kind, []):
            population = record["population"]
            if record["code"] in excluded:
                exclude(record, excluded[record["code"]])
                continue
            if record["zone"] not in zones:
                exclude(
                    record,
                    f"zone « {record['zone']} » hors de la strate ({', '.join(sorted(zones))}).",
                )
                continue
            if kind == "commune":
                if population is None:
                    exclude(
                        record,
                        "population légale inconnue dans la source (territoire sans habitants permanents).",
                    )
                    continue
                if population < rules["commune_min_population"]:
                    continue
            if (
                kind == "departement"
                and population is not None
                and removed_population.get(record["code"])
            ):
                population -= removed_population[record["code"]]
            members.append(
                {
                    "kind": kind,
                    "code": record["code"],
                    "name": record["name"],
                    "population": population,
                    "band": band_label(population, bounds),
                }
            )
    return members, exclusions


def count_strata(members: list[dict[str, Any]], rules: dict[str, Any]) -> dict[str, Any]:
    """Counts per kind and per kind × band, every band listed (zeros included), in order."""
    by_kind = Counter(member["kind"] for member in members)
    by_band = Counter((member["kind"], member["band"]) for member in members)
    by_stratum: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        labels = band_labels(rules["bands"][kind])
        extra = sorted(band for (k, band) in by_band if k == kind and band not in labels)
        by_stratum[kind] = {label: by_band.get((kind, label), 0) for label in [*labels, *extra]}
    return {"by_kind": {kind: by_kind.get(kind, 0) for kind in KINDS}, "by_stratum": by_stratum}
