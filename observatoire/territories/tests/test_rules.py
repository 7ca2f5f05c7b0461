"""The sampling frame rules, on the small référentiel's records: no database needed."""

import pytest

from observatoire.territories.rules import (
    band_label,
    band_labels,
    count_strata,
    frame_rules,
    select_members,
)
from observatoire.territories.snapshot import territory_records


@pytest.fixture
def records(mini_snapshot):
    return territory_records(mini_snapshot)


def _members(records, **overrides):
    rules = {**frame_rules(), **overrides}
    members, exclusions = select_members(records, rules)
    return {(m["kind"], m["code"]): m for m in members}, {
        (e["kind"], e["code"]): e for e in exclusions
    }


def test_bands_are_half_open_and_the_last_one_is_open_ended():
    bounds = [3500, 10000, 100000]
    assert band_label(3500, bounds) == "3500-9999"
    assert band_label(9999, bounds) == "3500-9999"
    assert band_label(10000, bounds) == "10000-99999"
    assert band_label(2_103_778, bounds) == "100000+"
    assert band_label(None, bounds) == "inconnue"
    assert band_labels(bounds) == ["3500-9999", "10000-99999", "100000+"]


def test_communes_from_3500_inhabitants_are_in_the_frame(records):
    members, _exclusions = _members(records)
    assert ("commune", "38439") in members  # 7,000
    assert ("commune", "38001") not in members  # 3,499
    assert members[("commune", "38185")]["band"] == "100000+"


def test_threshold_is_a_setting(records, settings):
    settings.TERRITORIES_FRAME_COMMUNE_MIN_POPULATION = 5000
    members, _exclusions = _members(records)
    assert ("commune", "38397") not in members  # 4,800
    assert frame_rules()["commune_min_population"] == 5000


def test_paris_is_a_commune_not_a_departement(records):
    members, exclusions = _members(records)
    assert ("commune", "75056") in members
    assert ("departement", "75") not in members
    assert "Ville de Paris" in exclusions[("departement", "75")]["reason"]


def test_metropole_de_lyon_is_an_epci_and_the_rhone_keeps_only_its_other_communes(records):
    members, _exclusions = _members(records)
    assert ("epci", "200046977") in members
    rhone = members[("departement", "69")]
    assert (
        rhone["population"] == 37000
    )  # Villefranche only: Lyon and Villeurbanne are in the Métropole
    rhone_record = next(r for r in records["departement"] if r["code"] == "69")
    assert rhone_record["population"] == 519127 + 156000 + 37000


def test_corsica_is_one_collectivity_in_the_region_stratum(records):
    members, exclusions = _members(records)
    assert ("region", "94") in members
    assert ("departement", "2A") in exclusions
    assert ("commune", "2A004") in members


def test_guyane_and_martinique_count_once_as_regions_and_mayotte_as_a_departement(records):
    members, exclusions = _members(records)
    assert ("region", "03") in members and ("departement", "973") in exclusions
    assert ("departement", "976") in members and ("region", "06") in exclusions
    assert ("departement", "974") in members and ("region", "04") in members  # La Réunion: both


def test_overseas_collectivities_keep_their_communes_but_no_departement_or_region(records):
    members, exclusions = _members(records)
    assert ("commune", "97502") in members  # Saint-Pierre, 5,194 inhabitants
    assert ("departement", "975") in exclusions and ("region", "975") in exclusions
    assert "zone « com »" in exclusions[("region", "975")]["reason"]


def test_overseas_communes_can_be_left_out_by_setting(records, settings):
    settings.TERRITORIES_FRAME_ZONES = {
        **settings.TERRITORIES_FRAME_ZONES,
        "commune": ["metro", "drom"],
    }
    members, _exclusions = _members(records)
    assert ("commune", "97502") not in members
    assert ("commune", "97302") in members


def test_commune_without_population_is_excluded_and_documented(records):
    members, exclusions = _members(records)
    assert ("commune", "98412") not in members
    assert "population légale inconnue" in exclusions[("commune", "98412")]["reason"]


def test_counts_list_every_band_of_every_stratum(records):
    rules = frame_rules()
    members, _exclusions = select_members(records, rules)
    counts = count_strata(members, rules)
    assert counts["by_kind"] == {"commune": 16, "epci": 10, "departement": 5, "region": 5}
    assert list(counts["by_stratum"]["commune"]) == band_labels(rules["bands"]["commune"])
    assert sum(counts["by_stratum"]["epci"].values()) == 10
