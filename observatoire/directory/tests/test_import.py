import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from observatoire.directory.importing import (
    ImportFileError,
    import_file,
    load_mapping,
    parse_mapping,
)
from observatoire.directory.models import Initiative, Organisation, Tool

from . import factory

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
MAPPINGS = HERE.parent / "mappings"
CASES_CSV = HERE / "samples" / "participedia" / "participedia-data-cases.csv"
CASES_MAPPING = MAPPINGS / "participedia-cases.toml"
INSTANCES_JSON = HERE / "data" / "instances.json"
INSTANCES_MAPPING = HERE / "data" / "instances-mapping.toml"

ORGANISATIONS_MAPPING = {
    "entity": "organisation",
    "match_on": ["website", "name"],
    "fields": {
        "name": "nom",
        "website": "site",
        "founded_on": {"column": "creation", "date_formats": ["%d/%m/%Y"]},
        "kind": {
            "column": "type",
            "values": {"Association": "association", "Start-up": "entreprise"},
        },
        "ecosystems": {"column": "ecosystemes", "split": "|"},
    },
}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mapping_file(tmp_path, data=None):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(data or ORGANISATIONS_MAPPING), encoding="utf-8")
    return path


def test_participedia_dry_run_reports_and_writes_nothing():
    report = import_file(CASES_CSV, CASES_MAPPING, dry_run=True)
    assert report.ok and not report.written
    assert [action.action for action in report.actions] == ["created"] * 3
    assert [action.row for action in report.actions] == [2, 3, 4]
    assert len(report.related_created) == 2, "one case names no organiser"
    assert not Initiative.objects.exists()
    assert not Organisation.objects.exists()


def test_participedia_cases_become_initiatives_and_reimport_updates_them():
    report = import_file(CASES_CSV, CASES_MAPPING)
    assert report.written and report.count("created") == 3

    budget = Initiative.objects.get(external_ids__participedia="9001")
    assert budget.name == "Budget participatif de Sainte-Exemple-sur-Loire"
    assert not budget.is_published, "imports wait for a moderator"
    assert {theme.code for theme in budget.themes.all()} == {
        "budget-finances",
        "amenagement-urbanisme",
    }
    assert budget.iap2_level == "empower" and budget.objective.code == "coproduction"
    assert budget.budget_amount is None, "Participedia publishes no spending column"
    assert budget.participants == 3200
    assert budget.start_on.isoformat() == "2019-01-15"
    assert budget.organiser_organisation.name == "Ville de Sainte-Exemple-sur-Loire"
    assert [source.url for source in budget.sources.all()] == ["https://participedia.net/case/9001"]
    assert "5 % de son budget" in budget.description, "two columns joined"

    belgian = Initiative.objects.get(external_ids__participedia="9003")
    assert belgian.country == "BE" and belgian.start_on.isoformat() == "2021-09-15"
    cycling = Initiative.objects.get(external_ids__participedia="9002")
    assert cycling.end_on is None, "an ongoing case has no end date"
    assert [f.code for f in cycling.functions.all()] == ["debat-deliberation"], "unknown skipped"

    again = import_file(CASES_CSV, CASES_MAPPING)
    assert again.count("unchanged") == 3 and again.count("created") == 0, "nothing new"
    assert Initiative.objects.count() == 3
    assert Organisation.objects.count() == 2, "organisers are found again, not duplicated"
    assert budget.sources.count() == 1, "the same source is not added twice"


def test_decidim_instances_become_initiatives_using_decidim():
    report = import_file(INSTANCES_JSON, INSTANCES_MAPPING)
    assert report.written and report.count("created") == 3
    decidim = Tool.objects.get(name="decidim")
    assert not decidim.is_published, "a stub awaits a moderator"
    platform = Initiative.objects.get(website="https://participer.exempleville.example")
    assert list(platform.tools.all()) == [decidim]
    assert platform.organiser_organisation.name == "Ville d'Exempleville"
    assert (platform.start_on.isoformat(), platform.start_precision) == ("2019-05-01", "month")
    assert {f.code for f in platform.functions.all()} == {"consultation", "budget-participatif"}
    spanish = Initiative.objects.get(name="Decidim Exemplar")
    assert (spanish.country, spanish.start_precision) == ("ES", "year")


def test_existing_entries_are_matched_by_website_and_keep_their_curated_name(tmp_path):
    factory.tool("Decidim")
    existing = factory.initiative("Autre nom", website="https://jeparticipe.val-fictif.example/")
    report = import_file(INSTANCES_JSON, INSTANCES_MAPPING)
    assert report.count("updated") == 1 and report.count("created") == 2
    existing.refresh_from_db()
    assert existing.name == "Autre nom", "fill_empty (the default) never replaces a name"
    assert existing.start_on is not None, "but fills what was empty"
    assert existing.field_sources["start_on"]["source"] == "import"
    assert "name" not in existing.field_sources


def test_website_matching_compares_the_whole_address_not_the_host(tmp_path):
    factory.initiative("Consultation A", website="https://consultation.example.gouv.fr/a")
    source = write(
        tmp_path,
        "sites.csv",
        "nom,site\nConsultation B,https://consultation.example.gouv.fr/b\n"
        "Consultation A bis,HTTPS://www.consultation.example.gouv.fr/a/\n",
    )
    mapping = {
        "entity": "initiative",
        "match_on": ["website"],
        "on_match": "update",
        "fields": {"name": "nom", "website": "site"},
    }
    report = import_file(source, mapping_file(tmp_path, mapping))
    assert [(a.row, a.action) for a in report.actions] == [(2, "created"), (3, "unchanged")]


def test_create_missing_with_defaults_creates_stubs_of_that_kind(tmp_path):
    source = write(tmp_path, "orgs.csv", "nom,parent\nAtelier,Ville de Test\n")
    mapping = {
        "entity": "initiative",
        "fields": {
            "name": "nom",
            "organiser_organisation": {
                "column": "parent",
                "create_missing": {"kind": "collectivite"},
            },
        },
    }
    report = import_file(source, mapping_file(tmp_path, mapping))
    assert report.written
    assert Organisation.objects.get(name="Ville de Test").kind.code == "collectivite"


def test_merge_policies_overwrite_what_a_harvest_set_and_keep_the_rest(tmp_path):
    mapping = {
        "entity": "organisation",
        "source_name": "annuaire",
        "match_on": ["external_id"],
        "on_match": "update",
        "merge": "overwrite",
        "fields": {
            "external_id": "id",
            "name": {"column": "nom", "merge": "fill_empty"},
            "city": "ville",
            "description": {"column": "texte", "merge": "keep"},
        },
    }
    path = mapping_file(tmp_path, mapping)
    first = write(tmp_path, "a.csv", "id,nom,ville,texte\n1,Assoc,Lyon,Premier\n")
    import_file(first, path)
    entry = Organisation.objects.get()
    entry.name = "Association curée"  # a person corrects the name
    entry.save()
    second = write(tmp_path, "b.csv", "id,nom,ville,texte\n1,ASSOC,Villeurbanne,Second\n")
    report = import_file(second, path)
    entry.refresh_from_db()
    assert (entry.name, entry.city, entry.description) == (
        "Association curée",
        "Villeurbanne",
        "Premier",
    )
    assert report.actions[0].changes == {"city": ["Lyon", "Villeurbanne"]}


def test_where_filters_rows_and_rows_without_key_are_found_again_by_content(tmp_path):
    source = write(
        tmp_path,
        "budget.csv",
        "nom,montant\nJardin partagé,1000\nTOTAL,1000\nComposteur,\n",
    )
    mapping = {
        "entity": "initiative",
        "source_name": "tableur",
        "match_on": ["external_id"],
        "on_match": "update",
        "where": {"nom": {"not_in": ["total", "sous-total"]}},
        "fields": {"external_id": "id_absent", "name": "nom", "budget_amount": "montant"},
    }
    mapping["fields"].pop("external_id")
    first = import_file(source, mapping_file(tmp_path, mapping))
    assert first.filtered == 1 and first.count("created") == 2
    again = import_file(source, mapping_file(tmp_path, mapping))
    assert again.count("unchanged") == 2 and again.count("created") == 0
    assert sorted(Initiative.objects.values_list("name", flat=True)) == [
        "Composteur",
        "Jardin partagé",
    ]


def test_keep_going_imports_the_good_rows_and_lists_the_bad_ones(tmp_path, capsys):
    source = write(
        tmp_path,
        "dates.csv",
        "nom,debut,fin\nBon,2020-01-01,2020-02-01\nMauvais,2020-03-01,2020-01-01\n",
    )
    mapping = {
        "entity": "initiative",
        "fields": {"name": "nom", "start_on": "debut", "end_on": "fin"},
    }
    path = mapping_file(tmp_path, mapping)
    with pytest.raises(CommandError):
        call_command("directory", "import", str(source), "--mapping", str(path))
    assert not Initiative.objects.exists(), "all or nothing by default"
    call_command("directory", "import", str(source), "--mapping", str(path), "--keep-going")
    assert list(Initiative.objects.values_list("name", flat=True)) == ["Bon"]
    rejects = (tmp_path / "dates-rejets.csv").read_text(encoding="utf-8").splitlines()
    assert rejects[0] == "ligne,colonne,valeur,motif"
    assert rejects[1].startswith("3,fin,") and "La fin précède le début." in rejects[1]


def test_skip_policy_reports_duplicates_of_the_directory_and_of_the_file(tmp_path):
    factory.organisation("Regards Citoyens")
    source = write(
        tmp_path,
        "orgs.csv",
        "nom,site,creation,type,ecosystemes\n"
        "Regards citoyens,,01/06/2010,Association,open-data\n"
        "Fluicity,https://fluicity.example,,Start-up,civic-tech|govtech\n"
        "FLUICITY,,,Start-up,\n",
    )
    report = import_file(source, mapping_file(tmp_path), dry_run=True)
    assert [(a.row, a.action) for a in report.actions] == [
        (2, "duplicate"),
        (3, "created"),
        (4, "duplicate"),
    ]
    assert "ligne 3" in report.actions[2].detail


def test_one_bad_row_writes_nothing_and_names_row_column_value_and_reason(tmp_path):
    source = write(
        tmp_path,
        "orgs.csv",
        "nom,site,creation,type,ecosystemes\n"
        "Fluicity,https://fluicity.example,,Start-up,civic-tech\n"
        "Stig,,31/02/2016,Association,open-data\n"
        ",,,,\n"
        "Vooter,,,Parti politique,blockchain\n",
    )
    report = import_file(source, mapping_file(tmp_path))
    assert not report.written
    assert not Organisation.objects.exists(), "atomic: the good row is rolled back too"
    errors = {(error.row, error.column, error.value) for error in report.errors}
    assert errors == {
        (3, "creation", "31/02/2016"),
        (5, "type", "Parti politique"),
        (5, "ecosystemes", "blockchain"),
    }
    message = str(next(error for error in report.errors if error.column == "creation"))
    assert message.startswith("ligne 3, colonne « creation » = « 31/02/2016 » : date invalide")


def test_command_exits_with_an_error_and_lists_row_errors(tmp_path, capsys):
    source = write(
        tmp_path, "orgs.csv", "nom,site,creation,type,ecosystemes\nStig,pas une url,,,\n"
    )
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        call_command("directory", "import", str(source), "--mapping", str(mapping_file(tmp_path)))
    assert "ligne 2, colonne « site »" in capsys.readouterr().err
    assert not Organisation.objects.exists()


def test_command_dry_run_prints_the_plan(capsys):
    call_command(
        "directory", "import", str(CASES_CSV), "--mapping", str(CASES_MAPPING), "--dry-run"
    )
    output = capsys.readouterr().out
    assert "ligne 2 : créé — Budget participatif de Sainte-Exemple-sur-Loire" in output
    assert "Simulation, rien n'est enregistré — créées : 3" in output
    assert not Initiative.objects.exists()


def test_xlsx_files_are_read(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nom", "site", "creation", "type", "ecosystemes"])
    sheet.append(
        ["Cap Collectif", "https://cap-collectif.com", "15/03/2014", "Start-up", "civic-tech"]
    )
    sheet.append([None, None, None, None, None])
    path = tmp_path / "orgs.xlsx"
    workbook.save(path)
    report = import_file(path, mapping_file(tmp_path))
    assert report.written and report.count("created") == 1
    cap = Organisation.objects.get()
    assert (cap.kind.code, cap.founded_on.isoformat(), cap.founded_precision) == (
        "entreprise",
        "2014-03-15",
        "day",
    )


def test_oversized_file_is_refused(tmp_path, settings):
    settings.DIRECTORY_IMPORT_MAX_MB = 1
    source = write(tmp_path, "big.csv", "nom\n" + "x" * (1024 * 1024 + 10))
    with pytest.raises(ImportFileError, match=r"trop volumineux.*DIRECTORY_IMPORT_MAX_MB"):
        import_file(source, mapping_file(tmp_path))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("orgs.csv", 'nom,site,creation,type,ecosystemes\n"Stig,\n', "ligne 2 : CSV mal formé"),
        (
            "orgs.csv",
            "nom,site,creation,type,ecosystemes\nA,B,C,D,E,F,G\n",
            "7 valeurs pour 5 colonnes",
        ),
        ("orgs.csv", "nom;autre\nStig;x\n", "colonnes absentes"),
        ("orgs.json", '[{"nom": "Stig",}]', "JSON mal formé ligne 1"),
        ("orgs.json", '{"a": 1}', "une liste d'enregistrements est attendue"),
        ("orgs.xlsx", "ceci n'est pas un classeur", "classeur XLSX illisible"),
        ("orgs.ods", "x", "format « ods » non pris en charge"),
        ("orgs.csv", "", "fichier vide"),
    ],
)
def test_malformed_files_are_refused_with_a_clear_message(tmp_path, name, content, message):
    source = write(tmp_path, name, content)
    with pytest.raises(ImportFileError, match=message):
        import_file(source, mapping_file(tmp_path))
    assert not Organisation.objects.exists()


def test_non_utf8_csv_names_the_encoding(tmp_path):
    source = tmp_path / "orgs.csv"
    source.write_bytes("nom,site,creation,type,ecosystemes\nDémocratie,,,,\n".encode("latin-1"))
    with pytest.raises(ImportFileError) as refused:
        import_file(source, mapping_file(tmp_path))
    assert str(refused.value) == (
        "orgs.csv, ligne 2, colonne « nom » : encodage non pris en charge : enregistrez le "
        "fichier en UTF-8 (« CSV UTF-8 » dans Excel)"
    )


def test_the_mapping_can_name_another_encoding(tmp_path):
    source = tmp_path / "orgs.csv"
    source.write_bytes("nom,site,creation,type,ecosystemes\nDémocratie,,,,\n".encode("cp1252"))
    mapping = {**ORGANISATIONS_MAPPING, "file": {"encoding": "cp1252"}}
    report = import_file(source, mapping_file(tmp_path, mapping))
    assert report.written and Organisation.objects.get().name == "Démocratie"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8"])
def test_a_byte_order_mark_names_the_encoding(tmp_path, encoding):
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-8": b"\xef\xbb\xbf"}
    source = tmp_path / "orgs.csv"
    text = "nom\tsite\tcreation\ttype\tecosystemes\r\nDémocratie\t\t\t\t\r\n"
    source.write_bytes(bom[encoding] + text.encode(encoding))
    report = import_file(source, mapping_file(tmp_path))
    assert report.written and Organisation.objects.get().name == "Démocratie"


def test_a_nul_byte_is_refused_in_the_dry_run_with_its_row_and_column(tmp_path):
    source = write(tmp_path, "orgs.csv", "nom,site,creation,type,ecosystemes\nA,,,,\nB\x00,,,,\n")
    with pytest.raises(
        ImportFileError, match=r"orgs.csv, ligne 3, colonne « nom » : caractère NUL"
    ):
        import_file(source, mapping_file(tmp_path), dry_run=True)


def test_a_nul_character_in_json_is_refused_with_its_record_and_key(tmp_path):
    source = write(tmp_path, "orgs.json", '[{"nom": "A"}, {"nom": "B\\u0000"}]')
    mapping = {**ORGANISATIONS_MAPPING, "fields": {"name": "nom"}}
    with pytest.raises(ImportFileError, match="enregistrement 2, clé « nom » : caractère NUL"):
        import_file(source, mapping_file(tmp_path, mapping), dry_run=True)


@pytest.mark.parametrize("name", ["orgs.csv", "orgs.json"])
def test_too_many_rows_are_refused_and_nothing_is_written(tmp_path, settings, name):
    settings.IMPORT_MAX_ROWS = 2
    if name.endswith(".csv"):
        source = write(tmp_path, name, "nom,site,creation,type,ecosystemes\nA,,,,\nB,,,,\nC,,,,\n")
    else:
        source = write(tmp_path, name, json.dumps([{"nom": n} for n in "ABC"]))
    mapping = {**ORGANISATIONS_MAPPING, "fields": {"name": "nom"}} if "json" in name else None
    with pytest.raises(ImportFileError, match=r"plus de 2 .*IMPORT_MAX_ROWS"):
        import_file(source, mapping_file(tmp_path, mapping))
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fields": {"name": "nom", "couleur": "x"}}, "champ inconnu « couleur »"),
        ({"entity": "event"}, "« entity » doit valoir"),
        ({"fields": {"name": {"column": "nom", "spilt": ","}}}, "options inconnues \\['spilt'\\]"),
        ({"on_match": "merge"}, "on_match"),
        ({"match_on": ["external_id"]}, "source_name"),
        ({"colour": 1}, "clés inconnues"),
        ({"fields": {"kind": "type"}}, "« name » doit être lu"),
    ],
)
def test_mapping_mistakes_are_reported_before_reading_the_file(change, message):
    with pytest.raises(ImportFileError, match=message):
        parse_mapping({**ORGANISATIONS_MAPPING, **change})


def test_mapping_files_load_from_toml_and_json(tmp_path):
    assert load_mapping(CASES_MAPPING).entity == "initiative"
    assert load_mapping(mapping_file(tmp_path)).entity == "organisation"
    broken = write(tmp_path, "broken.toml", "entity = \n")
    with pytest.raises(ImportFileError, match="mal formé"):
        load_mapping(broken)
