import io

import pytest
from wagtail.models import Revision

from observatoire.directory import demo
from observatoire.directory.models import (
    Initiative,
    KeyDate,
    Organisation,
    Relation,
    Tool,
    ToolMaker,
)
from observatoire.territories.models import Territory

pytestmark = pytest.mark.django_db


def counts():
    return [
        Organisation.objects.count(),
        Tool.objects.count(),
        Initiative.objects.count(),
        KeyDate.objects.count(),
        Relation.objects.count(),
        ToolMaker.objects.count(),
        Revision.objects.count(),
    ]


def test_demo_loader_is_idempotent_and_tells_what_it_loaded():
    output = io.StringIO()
    demo.load(stdout=output)
    first = counts()
    demo.load(stdout=io.StringIO())
    assert counts() == first
    assert "10 dates clés" in output.getvalue()


def test_demo_holds_the_seed_facts():
    demo.load()
    assert KeyDate.objects.published().count() == 10
    assert [key_date.date.year for key_date in KeyDate.objects.all()] == [
        2010,
        2011,
        2012,
        2013,
        2015,
        2016,
        2016,
        2016,
        2017,
        2018,
    ]
    consultation = Initiative.objects.get(slug="consultation-republique-numerique")
    assert [tool.slug for tool in consultation.tools.all()] == ["cap-collectif-plateforme"]
    assert consultation.start_display == "septembre 2015"
    citoyens = Organisation.objects.get(slug="regards-citoyens")
    assert citoyens.founded_display == "juin 2010"
    assert {tool.slug for tool in citoyens.tools.all()} == {
        "nosdeputes-fr",
        "nossenateurs-fr",
        "la-fabrique-de-la-loi",
    }
    lab = Organisation.objects.get(slug="liberte-living-lab")
    assert {(link.label, link.other.slug) for link in lab.relations_both_ways()} == {
        ("héberge", "fluicity"),
        ("héberge", "open-source-politics"),
    }
    hand_written = Organisation.objects.filter(data_origin="demo")
    assert hand_written.count() == 31
    assert all(entry.sources.exists() for entry in hand_written)
    assert Tool.objects.published().search("parlementaire").count() >= 3
    assert Organisation.objects.get(slug="change-org").country == "US"


def test_demo_works_without_territories_and_links_them_when_loaded():
    Organisation.objects.all().delete()
    Territory.objects.filter(kind="commune", code="75056").delete()
    demo.load()
    lab = Organisation.objects.get(slug="liberte-living-lab")
    assert lab.territory is None and lab.city == "Paris"

    paris = Territory.objects.create(
        kind="commune", code="75056", name="Paris", zone="metro", vintage=2026
    )
    demo.load()
    lab.refresh_from_db()
    assert lab.territory == paris


def test_demo_loads_real_open_data_with_provenance_and_publishes_the_french_entries():
    demo.load()
    angers = Initiative.objects.get(**{"external_ids__consultation-gouv": "decidim-angers"})
    assert angers.is_published and angers.field_sources["website"]["source"] == "consultation-gouv"
    assert angers.external_ids["decidim-census"] == "49", "one instance, two sources, one entry"
    assert [s.title for s in angers.sources.all()][:1] == ["consultation.gouv.fr : Ecrivons Angers"]
    barcelona = Initiative.objects.get(**{"external_ids__decidim-census": "1"})
    assert barcelona.country == "ES" and not barcelona.is_published
