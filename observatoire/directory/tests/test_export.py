import csv
import datetime
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from frictionless import Package, validate

from observatoire.directory.datapackage import build_datapackage
from observatoire.directory.models import KeyDate, OrganisationSource, Tool

from . import factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    citoyens = factory.organisation(
        "Regards Citoyens",
        website="https://www.regardscitoyens.org",
        founded_on=datetime.date(2010, 6, 1),
        founded_precision="month",
        ecosystems=["open-data", "civic-tech"],
    )
    secret = factory.organisation("Partenaire discret", published=False)
    deputes = factory.tool(
        "NosDéputés.fr",
        makers=[citoyens, secret],
        objective="information",
        tags=["controle-citoyen"],
        functions=["suivi-parlementaire", "open-data"],
        is_open_source=True,
    )
    consultation = factory.initiative(
        "Consultation République numérique",
        tools=[deputes],
        organiser_organisation=secret,
        budget_bracket="gt1m",
        themes=["legislation"],
    )
    factory.relation("partners", citoyens, secret)
    factory.relation(
        "hosts",
        citoyens,
        factory.organisation("Liberté Living Lab"),
        source_url="https://example.org/source",
    )
    OrganisationSource.objects.create(
        organisation=citoyens, title="Diaporama 2018", url="https://example.org/diaporama"
    )
    key_date = KeyDate.objects.create(
        title="Naissance de Regards Citoyens",
        date=datetime.date(2010, 6, 1),
        precision="month",
        is_published=True,
    )
    key_date.organisations.set([citoyens, secret])
    key_date.save()
    return {
        "citoyens": citoyens,
        "secret": secret,
        "deputes": deputes,
        "consultation": consultation,
    }


def read_csv(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_export_is_a_valid_frictionless_package(tmp_path, directory):
    descriptor = build_datapackage(None, tmp_path)
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    package = Package(tmp_path / "datapackage.json")
    assert set(package.resource_names) == {
        "organisations",
        "tools",
        "initiatives",
        "relations",
        "sources",
        "key_dates",
        "taxonomy",
    }


def test_export_shows_only_published_entries_and_links_between_them(tmp_path, directory):
    build_datapackage(None, tmp_path)
    organisations = read_csv(tmp_path / "organisations.csv")
    assert {row["slug"] for row in organisations} == {"regards-citoyens", "liberte-living-lab"}
    citoyens = next(row for row in organisations if row["slug"] == "regards-citoyens")
    assert citoyens["ecosystems"] == "civic-tech;open-data", "codes in taxonomy order"
    assert citoyens["founded_on"] == "2010-06-01" and citoyens["founded_precision"] == "month"
    assert citoyens["url"] == "https://observatoire.example/cartographie/acteurs/regards-citoyens/"

    [tool] = read_csv(tmp_path / "tools.csv")
    assert tool["makers"] == "regards-citoyens", "the unpublished maker is left out"
    assert tool["is_open_source"] == "true"
    [initiative] = read_csv(tmp_path / "initiatives.csv")
    assert initiative["organiser_organisation"] == ""
    assert (initiative["budget_min"], initiative["budget_max"]) == ("1000000.00", "")

    relations = read_csv(tmp_path / "relations.csv")
    assert [(r["source_slug"], r["relation"], r["target_slug"]) for r in relations] == [
        ("regards-citoyens", "hosts", "liberte-living-lab")
    ]
    [source] = read_csv(tmp_path / "sources.csv")
    assert (source["entity_slug"], source["title"]) == ("regards-citoyens", "Diaporama 2018")
    [key_date] = read_csv(tmp_path / "key_dates.csv")
    assert key_date["organisations"] == "regards-citoyens"
    taxonomy = read_csv(tmp_path / "taxonomy.csv")
    assert {"vocabulary": "tag", "code": "controle-citoyen"}.items() <= next(
        row for row in taxonomy if row["code"] == "controle-citoyen"
    ).items()


def test_filtered_export_to_a_zip_stream(directory):
    buffer = io.BytesIO()
    build_datapackage(
        {"tool": Tool.objects.published().filter_by(function="suivi-parlementaire")}, buffer
    )
    with zipfile.ZipFile(buffer) as archive:
        names = set(archive.namelist())
        descriptor = json.loads(archive.read("datapackage.json"))
        tools = archive.read("tools.csv").decode()
    assert "organisations.csv" not in names and "tools.csv" in names
    assert "nosdeputes-fr" in tools
    assert "regards-citoyens" not in tools, "makers outside the export are left out"
    assert descriptor["resources"][0]["name"] == "tools"


def test_export_command_with_filters_is_valid(tmp_path, directory, capsys):
    target = tmp_path / "paquet"
    call_command(
        "directory", "export", str(target), "--filter", "function=open-data", "--search", "deputes"
    )
    assert "Paquet de données écrit" in capsys.readouterr().out
    assert validate(target / "datapackage.json").valid
    assert [row["slug"] for row in read_csv(target / "tools.csv")] == ["nosdeputes-fr"]
    assert read_csv(target / "organisations.csv") == [], "no organisation matches 'deputes'"
