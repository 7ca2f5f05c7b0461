"""The harvest connectors on samples of the sources' real files (see samples/README.md)."""

import csv
import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from observatoire.barometer.tests.factory import territory
from observatoire.directory.harvest import harvest, rollback_batch
from observatoire.directory.harvest.consultation_gouv import split_front_matter
from observatoire.directory.harvest.pabulib import parse_pb, read_pb_file, write_pb
from observatoire.directory.importing import export_value, spec_by_name
from observatoire.directory.models import (
    Contribution,
    HarvestBatch,
    Initiative,
    Organisation,
    Tool,
)

from . import factory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
PABULIB = SAMPLES / "pabulib"
SAINT_CYPRIEN = PABULIB / "France_Toulouse_2022_6_-_Saint-Cyprien.pb"
CONSULTATION = SAMPLES / "consultation-gouv"
CENSUS = SAMPLES / "decidim-census" / "instances.csv"


def state():
    """Every entry with every field, as the data package would export it."""
    result = {}
    for model in (Organisation, Tool, Initiative):
        specs = spec_by_name(model.entity)
        for entry in model.objects.order_by("pk"):
            result[(model.entity, entry.pk)] = (
                {name: str(export_value(entry, spec)) for name, spec in specs.items()},
                entry.external_ids,
                entry.field_sources,
                [(s.title, s.url) for s in entry.sources.all()],
                getattr(entry, "budget_vote", None),
            )
    return result


# --- Pabulib -----------------------------------------------------------------------------------


def test_pb_parser_reads_the_three_sections_of_a_real_file():
    pb = parse_pb(SAINT_CYPRIEN.read_text(encoding="utf-8"))
    assert pb["meta"]["unit"] == "Toulouse" and pb["meta"]["rule"] == "greedy"
    assert len(pb["projects"]) == 10
    assert pb["projects"][0] == {
        "project_id": "37",
        "cost": "40000.0",
        "votes": "9",
        "name": "Clarifier les priorités à la sortie de la rue Réclusane",
        "category": "Cadre de vie",
        "district": "6 - Saint-Cyprien",
    }
    assert pb["voters"] == 436


def test_pb_record_keeps_budget_voters_rule_district_and_projects():
    record = read_pb_file(SAINT_CYPRIEN)
    assert record["name"] == "Budget participatif Toulouse 2022 – 6 - Saint-Cyprien"
    assert (record["country"], record["city"], record["district"]) == (
        "FR",
        "Toulouse",
        "6 - Saint-Cyprien",
    )
    vote = record["budget_vote"]
    assert (vote["vote_type"], vote["rule"], vote["voters"], vote["num_projects"]) == (
        "approval",
        "greedy",
        436,
        10,
    )
    assert vote["projects"][4]["votes"] == 100 and vote["projects"][4]["cost"] == 192000.0


def test_pb_2019_header_and_cumulative_vote_are_read():
    record = read_pb_file(PABULIB / "France_Toulouse_2019.pb")
    vote = record["budget_vote"]
    assert vote["vote_type"] == "cumulative" and vote["voters"] == 1494, "META, not the excerpt"
    first = vote["projects"][0]
    assert (first["score"], first["subunit"], first["proposer"]) == (1090.0, "PRADETTES", "Perrine")


def test_pb_export_gives_back_meta_and_projects():
    record = read_pb_file(SAINT_CYPRIEN)
    again = parse_pb(write_pb(record["budget_vote"]))
    original = parse_pb(SAINT_CYPRIEN.read_text(encoding="utf-8"))
    assert again["meta"] == original["meta"]
    assert again["projects"] == original["projects"]


def test_pabulib_harvest_creates_the_budget_in_its_city_and_a_second_run_changes_nothing():
    toulouse = territory(code="31555", name="Toulouse", population=504078)
    result = harvest("pabulib", PABULIB)
    assert result.counts()["created"] == 2 and not result.errors
    budget = Initiative.objects.get(external_ids__pabulib="France_Toulouse_2022_6_-_Saint-Cyprien")
    assert budget.organiser_territory == toulouse
    assert budget.budget_amount == Decimal("400000") and budget.participants == 436
    assert (budget.start_on.isoformat(), budget.end_on.isoformat()) == (
        "2022-10-03",
        "2022-10-31",
    )
    assert [f.code for f in budget.functions.all()] == ["budget-participatif"]
    assert len(budget.budget_vote["projects"]) == 10
    assert budget.field_sources["budget_amount"]["source"] == "pabulib"
    assert not budget.is_published

    before = state()
    again = harvest("pabulib", PABULIB)
    assert again.counts()["unchanged"] == 2
    assert again.counts()["created"] == again.counts()["updated"] == 0
    assert state() == before


def test_initiative_page_shows_the_budget_projects(client):
    territory(code="31555", name="Toulouse", population=504078)
    harvest("pabulib", SAINT_CYPRIEN)
    budget = Initiative.objects.get()
    budget.is_published = True
    budget.save()
    page = client.get(budget.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Végétalisation massive de la place Roguet/ St Cyprien" in text
    assert "approval" in text or "approbation" in text
    download = client.get(reverse("directory:initiative-pb", args=[budget.slug]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{budget.slug}.pb"'
    original = parse_pb(SAINT_CYPRIEN.read_text(encoding="utf-8"))
    assert parse_pb(download.content.decode())["projects"] == original["projects"]
    budget.is_published = False
    budget.save()
    assert client.get(reverse("directory:initiative-pb", args=[budget.slug])).status_code == 404


def test_a_broken_pb_file_is_rejected_by_name_and_keep_going_keeps_the_good_one(tmp_path):
    shutil.copy(SAINT_CYPRIEN, tmp_path)
    (tmp_path / "broken.pb").write_text("PROJECTS\nproject_id;cost\n1;2\n", encoding="utf-8")
    strict = harvest("pabulib", tmp_path)
    assert strict.rejected == 1 and strict.batch is None
    assert not Initiative.objects.exists(), "all or nothing by default"

    lenient = harvest("pabulib", tmp_path, keep_going=True)
    assert lenient.counts()["created"] == 1 and lenient.rejected == 1
    assert lenient.errors[0].reason == "broken.pb : section META absente ou vide"


# --- consultation.gouv.fr ----------------------------------------------------------------------


def test_front_matter_accepts_a_space_before_the_colon():
    data, body = split_front_matter((CONSULTATION / "_usage" / "granddebatnational.md").read_text())
    assert data["organisateur"] == "Service d'Information du Gouvernement"
    assert data["opendata"].startswith("https://www.data.gouv.fr/")
    assert body.startswith("Organisateur")


def test_consultation_catalogue_becomes_tools_and_initiatives(tmp_path):
    result = harvest("consultation-gouv", CONSULTATION)
    assert not result.errors
    assert result.counts()["filtered"] == 1, "the method page is not a tool"
    decidim = Tool.objects.get(name="Decidim")
    assert decidim.source_repository == "https://github.com/OpenSourcePolitics/decidim"
    assert decidim.is_open_source and decidim.licence == "Logiciel libre - AGPLv3"
    assert [m.name for m in decidim.makers.all()] == ["Open Source Politics"]
    angers = Initiative.objects.get(website="https://ecrivons.angers.fr/")
    assert list(angers.tools.all()) == [decidim]
    assert angers.organiser_organisation.name == "Ville d'Angers"
    debate = Initiative.objects.get(name="Le Grand Débat National")
    assert debate.organiser_organisation.name == "Service d'Information du Gouvernement"
    cap = debate.tools.get()
    assert cap.name == "Cap Collectif" and not cap.is_published, "unknown tool: a stub"

    before = state()
    again = harvest("consultation-gouv", CONSULTATION)
    assert again.counts()["created"] == again.counts()["updated"] == 0
    assert state() == before


def test_consultation_catalogue_reads_a_zip_of_the_repository(tmp_path):
    archive = tmp_path / "consultation.gouv.fr-master.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in CONSULTATION.rglob("*.md"):
            zipped.write(path, f"consultation.gouv.fr-master/{path.relative_to(CONSULTATION)}")
    result = harvest("consultation-gouv", archive, dry_run=True)
    assert result.counts()["created"] == 2 + 4
    assert not Tool.objects.exists(), "a dry run writes nothing"


def test_distinct_consultations_on_one_host_are_not_merged():
    factory.initiative("Une autre consultation", website="https://www.civocracy.org/autre")
    harvest("consultation-gouv", CONSULTATION)
    assert Initiative.objects.filter(website__contains="civocracy.org").count() == 2


# --- Decidim census ------------------------------------------------------------------------------


def test_census_keeps_french_instances_and_finds_the_same_instance_listed_twice():
    result = harvest("decidim-census", CENSUS, dry_run=True)
    report = result.reports[0]
    assert report.count("duplicate") == 1, "ids 31 and 89 are one instance"
    assert report.filtered == 1, "participate.nyc.gov: a .gov domain names no country"


def test_census_fills_an_existing_entry_without_touching_its_curated_name():
    curated = factory.initiative("Écrivons Angers", website="https://ecrivons.angers.fr")
    result = harvest("decidim-census", CENSUS)
    assert result.counts()["updated"] == 1
    curated.refresh_from_db()
    assert curated.name == "Écrivons Angers", "fill_empty never replaces a name"
    assert curated.external_ids["decidim-census"] == "49"
    assert [tool.name for tool in curated.tools.all()] == ["Decidim"]


# --- provenance, staff edits, possible duplicates, batches ---------------------------------------


def test_a_staff_edited_value_is_proposed_for_review_not_overwritten(tmp_path):
    territory(code="31555", name="Toulouse", population=504078)
    harvest("pabulib", SAINT_CYPRIEN)
    budget = Initiative.objects.get()
    budget.budget_amount = Decimal("450000")  # the team corrected it by hand
    budget.save()
    changed = SAINT_CYPRIEN.read_text(encoding="utf-8").replace(
        "budget;400000.0", "budget;420000.0"
    )
    source = tmp_path / SAINT_CYPRIEN.name
    source.write_text(changed, encoding="utf-8")
    result = harvest("pabulib", source)
    assert result.counts()["proposed"] == 1
    budget.refresh_from_db()
    assert budget.budget_amount == Decimal("450000")
    proposal = Contribution.objects.get(kind=Contribution.Kind.CORRECTION)
    assert proposal.target_entry == budget and proposal.data == {"budget_amount": "420000"}
    assert harvest("pabulib", source).counts()["proposed"] == 1
    assert Contribution.objects.count() == 1, "the same proposal is not queued twice"


def test_a_value_the_harvest_set_is_updated_by_the_next_harvest(tmp_path):
    harvest("pabulib", SAINT_CYPRIEN)
    source = tmp_path / SAINT_CYPRIEN.name
    source.write_text(
        SAINT_CYPRIEN.read_text(encoding="utf-8").replace("num_votes;436", "num_votes;437"),
        encoding="utf-8",
    )
    result = harvest("pabulib", source)
    assert result.counts()["updated"] == 1
    action = result.reports[0].actions[0]
    assert action.changes["participants"] == [436, 437]
    assert Initiative.objects.get().participants == 437


def test_a_close_name_in_the_same_territory_goes_to_moderation():
    toulouse = territory(code="31555", name="Toulouse", population=504078)
    factory.initiative(
        "Budget participatif Toulouse 2022 - 6 Saint Cyprien", organiser_territory=toulouse
    )
    result = harvest("pabulib", SAINT_CYPRIEN)
    assert result.counts()["possible_duplicates"] == 1 and result.counts()["created"] == 0
    queued = Contribution.objects.get(kind=Contribution.Kind.NEW)
    assert "Doublon possible" in queued.message
    assert queued.likely_duplicates()[0].entry.organiser_territory == toulouse
    harvest("pabulib", SAINT_CYPRIEN)
    assert Contribution.objects.count() == 1


def test_rollback_restores_the_state_before_the_harvest():
    curated = factory.initiative("Écrivons Angers", website="https://ecrivons.angers.fr")
    before = state()
    result = harvest("consultation-gouv", CONSULTATION)
    census = harvest("decidim-census", CENSUS)
    assert state() != before
    rollback_batch(census.batch)
    rollback_batch(result.batch)
    assert state() == before
    curated.refresh_from_db()
    assert curated.name == "Écrivons Angers"
    assert HarvestBatch.objects.filter(status="rolled_back").count() == 2


# --- the command -------------------------------------------------------------------------------


def test_command_prints_the_counts_and_records_a_batch(capsys):
    call_command("directory", "harvest", "pabulib", str(SAINT_CYPRIEN))
    out = capsys.readouterr().out
    assert "créées : 1" in out and "rejetées : 0" in out
    batch = HarvestBatch.objects.get()
    assert f"rollback {batch.pk}" in out
    assert batch.counts["created"] == 1


def test_command_keep_going_writes_the_rejects_file(tmp_path, capsys):
    shutil.copy(SAINT_CYPRIEN, tmp_path)
    (tmp_path / "broken.pb").write_text("nothing here\n", encoding="utf-8")
    rejects = tmp_path / "rejets.csv"
    call_command(
        "directory", "harvest", "pabulib", str(tmp_path), "--keep-going", "--rejects", str(rejects)
    )
    rows = list(csv.reader(rejects.open(encoding="utf-8")))
    assert rows[0] == ["entite", "ligne", "colonne", "valeur", "motif"]
    assert rows[1][0] == "initiative" and "META" in rows[1][4]
    assert Initiative.objects.count() == 1


def test_command_fails_when_nothing_could_be_imported(tmp_path, monkeypatch):
    source = tmp_path / "budgets"
    source.mkdir()
    (source / "broken.pb").write_text("nothing here\n", encoding="utf-8")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(CommandError, match="Rien n'a pu être moissonné"):
        call_command("directory", "harvest", "pabulib", str(source), "--keep-going")
    assert (tmp_path / "budgets-rejets.csv").exists(), "beside the folder read"
    assert not list(elsewhere.iterdir()), "nothing written in the current directory"


def test_keep_going_rejects_of_a_file_go_beside_it(tmp_path, monkeypatch):
    broken = tmp_path / "broken.pb"
    broken.write_text("nothing here\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(CommandError):
        call_command("directory", "harvest", "pabulib", str(broken), "--keep-going")
    assert "META" in (tmp_path / "broken-rejets.csv").read_text(encoding="utf-8")


def test_command_names_the_columns_a_source_expects():
    with pytest.raises(CommandError, match="colonnes type et title attendues"):
        call_command("directory", "harvest", "participedia", str(CENSUS))


def test_data_package_keeps_source_ids_provenance_and_sources(tmp_path):
    harvest("pabulib", SAINT_CYPRIEN)
    Initiative.objects.update(is_published=True)
    call_command("directory", "export", str(tmp_path / "paquet"))
    rows = list(csv.DictReader((tmp_path / "paquet" / "initiatives.csv").open(encoding="utf-8")))
    assert json.loads(rows[0]["external_ids"]) == {
        "pabulib": "France_Toulouse_2022_6_-_Saint-Cyprien"
    }
    assert json.loads(rows[0]["field_sources"])["participants"]["source"] == "pabulib"
    sources = (tmp_path / "paquet" / "sources.csv").read_text(encoding="utf-8")
    assert "Pabulib : France_Toulouse_2022_6_-_Saint-Cyprien" in sources


def test_staff_see_the_batch_report_with_diffs_and_undo_it(client, alice, bob, tmp_path):
    harvest("pabulib", SAINT_CYPRIEN)
    source = tmp_path / SAINT_CYPRIEN.name
    source.write_text(
        SAINT_CYPRIEN.read_text(encoding="utf-8").replace("num_votes;436", "num_votes;437"),
        encoding="utf-8",
    )
    batch = harvest("pabulib", source).batch
    client.force_login(bob)
    assert client.get(f"/admin/cartographie/moissonnages/{batch.pk}/").status_code in {302, 403}
    client.force_login(alice)
    index = client.get("/admin/cartographie/moissonnages/").content.decode()
    assert "pabulib" in index and "mises à jour : 1" in index
    page = client.get(f"/admin/cartographie/moissonnages/{batch.pk}/").content.decode()
    assert "participants" in page and "436 → 437" in page
    response = client.post(f"/admin/cartographie/moissonnages/{batch.pk}/rollback/")
    assert response.status_code == 302
    assert Initiative.objects.get().participants == 436
    batch.refresh_from_db()
    assert batch.status == "rolled_back"


def test_a_city_organiser_gives_the_initiative_its_commune():
    angers = territory(code="49007", name="Angers", population=157000)
    harvest("consultation-gouv", CONSULTATION)
    assert (
        Initiative.objects.get(website="https://ecrivons.angers.fr/").organiser_territory == angers
    )
    assert Initiative.objects.get(name="Le Grand Débat National").organiser_territory is None
