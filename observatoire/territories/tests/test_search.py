"""The search queryset and its keys, on the small référentiel."""

import pytest

from observatoire.territories.models import SearchKey, Territory, search_keys
from observatoire.territories.services import load_snapshot
from observatoire.territories.text import looks_like_code, normalize_name

from . import factory


def test_names_are_normalised_for_search():
    assert normalize_name("L'Île-d'Yeu") == "l ile d yeu"
    assert normalize_name("Saint-Étienne") == normalize_name("ST ETIENNE") == "saint etienne"
    assert normalize_name("Œuilly") == "oeuilly"
    assert normalize_name("Sainte-Marie") == normalize_name("ste marie")
    assert looks_like_code("2a004") and looks_like_code("42000") and not looks_like_code("paris 15")
    # While typing, a last "st" may be the start of Strasbourg: only a finished word is expanded.
    assert normalize_name("st", typing=True) == "st"
    assert normalize_name("st ", typing=True) == normalize_name("st-e", typing=True)[:5] == "saint"


def test_keys_start_at_every_significant_word_and_cover_every_code():
    keys = search_keys(
        "saint etienne du rouvray", " 76575 217605751 76800 ", {"76575", "217605751"}
    )
    by_kind = {kind: {key for key, k in keys if k == kind} for kind in SearchKey.Kind.values}
    assert by_kind[SearchKey.Kind.NAME] == {"saint etienne du rouvray"}
    assert by_kind[SearchKey.Kind.WORD] == {"etienne du rouvray", "rouvray"}
    assert by_kind[SearchKey.Kind.CODE] == {"76575", "217605751"}
    assert by_kind[SearchKey.Kind.OTHER_CODE] == {"76800"}


@pytest.mark.django_db
def test_a_territory_saved_one_by_one_is_searchable(db):
    region = Territory.objects.create(
        kind="region", code="53", name="Bretagne", zone="metro", vintage=2026
    )
    rennes = Territory.objects.create(
        kind="commune",
        code="35238",
        siren="213502388",
        name="Rennes",
        zone="metro",
        vintage=2026,
        postcodes=["35000", "35200", "35700"],
        region=region,
        population=225000,
    )
    assert (
        rennes.search_name == "rennes"
        and rennes.lookup_codes == " 35238 213502388 35000 35200 35700 "
    )
    assert list(Territory.objects.search("rennes")) == [rennes]
    assert list(Territory.objects.search("35200")) == [rennes]
    assert list(Territory.objects.search("bretagne")) == [region]
    rennes.name = "Rennes-sur-Vilaine"
    rennes.save()
    assert list(Territory.objects.search("vilaine")) == [rennes]
    assert SearchKey.objects.filter(territory=rennes, key="rennes").count() == 0


@pytest.mark.django_db
def test_words_in_another_order_are_still_found(mini_referentiel):
    assert [t.code for t in Territory.objects.search("martin heres")] == ["38421"]
    assert [t.code for t in Territory.objects.search("heres")] == ["38421"]  # a later word


@pytest.mark.django_db
def test_code_prefixes_list_postcodes_after_exact_codes(mini_referentiel):
    results = list(Territory.objects.search("38"))
    assert (results[0].kind, results[0].code) == ("departement", "38")
    assert {t.code for t in results[1:]} >= {"38185", "38421"}
    assert [t.search_rank for t in results[:2]] == [0, 2]


@pytest.mark.django_db
def test_historical_territories_are_searched_only_on_request(mini_referentiel, tmp_path):
    load_snapshot(
        snapshot=factory.write_mini_snapshot(
            tmp_path / "n.json.gz", vintage=2027, data=factory.next_vintage_tables()
        )
    )
    assert not Territory.objects.search("le versoud").exists()
    assert Territory.objects.search("le versoud", include_historical=True).get().code == "38397"


@pytest.mark.django_db
def test_search_keys_follow_population_status_and_kind_across_vintages(mini_referentiel, tmp_path):
    def key_of(code):
        return SearchKey.objects.get(territory__code=code, kind=SearchKey.Kind.NAME)

    assert (key_of("38185").population, key_of("38185").territory_kind) == (156140, "commune")
    load_snapshot(
        snapshot=factory.write_mini_snapshot(
            tmp_path / "n.json.gz", vintage=2027, data=factory.next_vintage_tables()
        )
    )
    assert key_of("38185").population == 157000
    assert key_of("38397").is_current is False
    assert key_of("42207").key == "saint chamond en forez"
    assert not SearchKey.objects.filter(key="saint chamond").exists()


@pytest.mark.django_db
def test_a_broad_query_keeps_the_best_candidates_only(mini_referentiel):
    # Names starting with "saint", larger first: the métropole, then Saint-Étienne.
    assert [t.code for t in Territory.objects.search("saint", limit=2)] == ["244200770", "42218"]
    assert Territory.objects.search("saint", limit=None).count() == 11  # every "Saint..." name
    assert [t.kind for t in Territory.objects.search("saint", kinds=["epci"])] == ["epci"]
