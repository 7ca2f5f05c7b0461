"""The demo's data: hand-written files through the importer, real snapshots, and labels.

The hand-written set lives in data/demo/*.yaml and goes through the mapping importer; the
real open data comes from the committed snapshots (data/sources/). Public pages label the
demo entries and let visitors keep only one kind.
"""

import shutil

import pytest
from django.urls import reverse

from observatoire.directory import demo
from observatoire.directory.harvest import handwritten
from observatoire.directory.models import (
    Contribution,
    HarvestBatch,
    Initiative,
    KeyDate,
    Organisation,
    Tool,
)
from observatoire.directory.starter import territory_of_domain
from observatoire.territories.models import Territory

pytestmark = pytest.mark.django_db

LABEL = 'class="demo-label"'


@pytest.fixture
def demo_folder(tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(handwritten.FOLDER, folder)
    return folder


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_demo_is_read_from_its_files_and_a_second_load_changes_nothing(demo_folder):
    _edit(
        demo_folder / "tools.yaml",
        "Plateforme libre de participation citoyenne",
        "Logiciel libre de participation citoyenne",
    )
    result, key_dates = handwritten.load(demo_folder)
    assert (result.count("created"), key_dates) == (31 + 19 + 1, 10)
    decidim = Tool.objects.get(slug="decidim")
    assert decidim.description.startswith("Logiciel libre de participation citoyenne")
    assert decidim.data_origin == "demo" and decidim.external_ids == {"demo": "decidim"}
    assert decidim.field_sources["description"]["source"] == "demo"
    assert decidim.is_published and decidim.current_status == "active"
    regards = Organisation.objects.get(slug="regards-citoyens")
    assert [s.title[:40] for s in regards.sources.all()] == [
        "Observatoire des civic tech et de la dém",
        "Décider ensemble, rapport d'activité 201",
    ]
    assert regards.statuses.get().note == "Actif en 2018."
    assert KeyDate.objects.filter(data_origin="demo").count() == 10
    assert result.batch is not None and result.batch.source == "demo"

    again, _ = handwritten.load(demo_folder)
    assert again.count("unchanged") == 51 and again.count("updated") == 0
    assert again.batch is None, "a load that changes nothing leaves no batch"
    assert HarvestBatch.objects.count() == 1


def test_a_staff_edit_survives_the_next_demo_load_and_the_files_change_is_proposed(demo_folder):
    handwritten.load(demo_folder)
    lab = Organisation.objects.get(slug="liberte-living-lab")
    lab.description = "Texte revu par l'équipe."
    lab.save()
    _edit(
        demo_folder / "organisations.yaml", "Lieu ouvert à Paris", "Lieu ouvert au public à Paris"
    )
    _edit(
        demo_folder / "organisations.yaml",
        "name: Knight Foundation",
        "name: John S. Knight Foundation",
    )
    handwritten.load(demo_folder)
    lab.refresh_from_db()
    assert lab.description == "Texte revu par l'équipe."
    proposal = Contribution.objects.get(kind=Contribution.Kind.CORRECTION, target_object_id=lab.pk)
    assert proposal.data["description"].startswith("Lieu ouvert au public à Paris")
    assert Organisation.objects.get(slug="knight-foundation").name == "John S. Knight Foundation"


def test_a_wrong_demo_file_says_where_and_loads_nothing(demo_folder):
    _edit(demo_folder / "tools.yaml", "objective: information", "objective: informer")
    with pytest.raises(handwritten.DemoDataError) as error:
        handwritten.load(demo_folder)
    message = str(error.value)
    assert "tools.yaml, ligne 1" in message and "« informer »" in message
    assert not Organisation.objects.exists() and not Tool.objects.exists()

    shutil.copy(handwritten.FOLDER / "tools.yaml", demo_folder / "tools.yaml")
    _edit(demo_folder / "key_dates.yaml", "sources: [slides]", "sources: [diaporama]")
    with pytest.raises(
        handwritten.DemoDataError, match=r"key_dates\.yaml, 1 : références inconnues"
    ):
        handwritten.load(demo_folder)
    assert not Organisation.objects.exists() and not KeyDate.objects.exists()


def test_a_french_domain_names_its_territory():
    names = {
        "nancy": "commune:54395",
        "orsay": "commune:91471",
        "valdemarne": "departement:94",
        "lens": "commune:62498",
    }
    assert territory_of_domain("https://participez.nancy.fr/", names) == "commune:54395"
    assert territory_of_domain("https://rentree2019.mairie-orsay.fr", names) == "commune:91471"
    assert territory_of_domain("https://participez.villedelens.fr", names) == "commune:62498"
    assert territory_of_domain("https://participer.valdemarne.fr", names) == "departement:94"
    assert territory_of_domain("https://nancy.example.org", names) == ""
    assert territory_of_domain("https://participation.gouv.fr", names) == ""


def _nancy():
    region = Territory.objects.create(
        kind="region", code="44", name="Grand Est", zone="metro", vintage=2026
    )
    departement = Territory.objects.create(
        kind="departement",
        code="54",
        name="Meurthe-et-Moselle",
        zone="metro",
        vintage=2026,
        region=region,
    )
    return Territory.objects.create(
        kind="commune",
        code="54395",
        name="Nancy",
        zone="metro",
        vintage=2026,
        departement=departement,
        region=region,
        population=104_000,
    )


def test_public_pages_label_the_demo_entries_and_show_real_ones_with_their_source(charlie):
    nancy_commune = _nancy()
    demo.load()

    decidim = charlie.get(Tool.objects.get(slug="decidim").get_absolute_url()).content.decode()
    assert LABEL in decidim and "Donnée de démonstration" in decidim

    nancy = Initiative.objects.get(**{"external_ids__decidim-census": "8"})
    assert nancy.data_origin == "reelle" and nancy.is_published
    assert nancy.organiser_territory == nancy_commune
    assert nancy.field_sources["organiser_territory"]["source"] == "domaine"
    page = charlie.get(nancy.get_absolute_url()).content.decode()
    assert LABEL not in page
    assert "Decidim Census, instance 8" in page and "consultée le" in page

    search = reverse("directory:search")
    everything = charlie.get(search).content.decode()
    assert LABEL in everything, "the first page, in name order, holds demo entries"
    real = charlie.get(search, {"origine": "reelle"}).content.decode()
    assert LABEL not in real and real.count('<article class="result ') == 20
    assert (
        "participez.nancy.fr"
        in charlie.get(search, {"origine": "reelle", "q": "nancy"}).content.decode()
    )
    only_demo = charlie.get(search, {"origine": "demo"}).content.decode()
    assert only_demo.count(LABEL) == only_demo.count('<article class="result ') == 20
    mixed = charlie.get(search, {"q": "decidim"}).content.decode()
    assert 0 < mixed.count(LABEL) < mixed.count('<article class="result '), (
        "real and demo, labelled"
    )

    timeline = charlie.get(reverse("directory:timeline")).content.decode()
    assert timeline.count(LABEL) == 10

    the_map = charlie.get(reverse("directory:map")).content.decode()
    assert 'Meurthe-et-Moselle (54)</a></th><td class="num">1</td>' in the_map
    assert "fiches du jeu de démonstration" in the_map
