"""XLSForm import and export: the demo questionnaires, and forms that must be refused whole."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from observatoire.lib.xlsform import XLSFormError, parse_xlsform

from ..models import Edition, Questionnaire
from ..services import BarometerError, export_questionnaire, import_questionnaire
from .factory import DEMO


@pytest.fixture
def draft(db):
    return Edition.objects.create(year=2026)


def workbook(
    survey, choices=None, settings=(("form_title", "form_id", "version"), ("Test", "test", "1"))
):
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices:
        sheet = book.create_sheet("choices")
        for row in choices:
            sheet.append(row)
    if settings:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


CONSENT = [
    ["begin_group", "fin", "Fin"],
    ["select_one oui_non", "consentement_publication", "Nommer ?"],
    ["end_group", "fin", ""],
]
CHOICES = [["list_name", "name", "label"], ["oui_non", "oui", "Oui"], ["oui_non", "non", "Non"]]


def test_the_demo_questionnaires_import_with_their_fiche_dispositif(draft):
    for year in (2017, 2018, 2026):
        questionnaire = import_questionnaire(
            edition=draft,
            source=(DEMO / f"barometre-{year}.xlsx").read_bytes(),
            filename="demo.xlsx",
        )
        form = questionnaire.form
        assert form.element("fiche_dispositif").kind == "repeat"
        assert questionnaire.question_count >= 60
    draft.refresh_from_db()
    assert draft.questionnaire.form_id == "barometre_2026"
    assert draft.questionnaires.count() == 3


def test_export_gives_back_a_workbook_that_parses_to_the_same_form(draft, tmp_path):
    import_questionnaire(edition=draft, source=(DEMO / "barometre-2018.xlsx").read_bytes())
    target = tmp_path / "export.xlsx"
    call_command("barometer", "export-form", "2026", str(target))
    assert parse_xlsform(target) == draft.questionnaire.form
    assert export_questionnaire(edition=draft)[:2] == b"PK"


def test_a_form_with_errors_reports_each_with_sheet_row_and_column_and_imports_nothing(draft):
    data = workbook(
        [
            ["type", "name", "label"],
            ["begin_group", "profil", "Profil"],
            ["integer", "etp", "ETP"],
            ["geopoint", "lieu", "Où ?"],
            ["select_one inconnue", "taille", "Taille"],
            ["text", "etp", "Doublon"],
            ["end_group", "profil", ""],
            *CONSENT,
        ],
        CHOICES,
    )
    with pytest.raises(XLSFormError) as raised:
        import_questionnaire(edition=draft, source=data, filename="bad.xlsx")
    problems = raised.value.errors
    assert len(problems) >= 3
    rows = {(p.sheet, p.row) for p in problems}
    assert ("survey", 4) in rows and ("survey", 5) in rows and ("survey", 6) in rows
    assert all(p.column for p in problems if p.row)
    assert not Questionnaire.objects.exists()


def test_a_form_without_the_consent_question_imports_with_a_warning(draft):
    data = workbook([["type", "name", "label"], ["text", "nom", "Nom"]], settings=None)
    questionnaire = import_questionnaire(edition=draft, source=data, filename="libre.xlsx")
    assert questionnaire.form_id == "libre"
    [warning] = questionnaire.warnings
    assert "consentement_publication" in warning and "--no-consent-question" in warning


def test_the_edition_command_sets_and_clears_the_consent_question(draft):
    out = io.StringIO()
    call_command(
        "barometer",
        "edition",
        "2026",
        "--consent-question",
        "accord",
        "--consent-yes",
        "o",
        stdout=out,
    )
    draft.refresh_from_db()
    assert (draft.consent_question, draft.consent_yes) == ("accord", "o")
    assert "« accord » (accord : « o »)" in out.getvalue()
    data = workbook(
        [["type", "name", "label"], ["select_one on", "accord", "Nommer ?"]],
        [["list_name", "name", "label"], ["on", "o", "Oui"], ["on", "n", "Non"]],
    )
    assert import_questionnaire(edition=draft, source=data).warnings == []
    call_command("barometer", "edition", "2026", "--no-consent-question", stdout=out)
    draft.refresh_from_db()
    assert draft.consent_question == ""
    data = workbook([["type", "name", "label"], ["text", "nom", "Nom"]])
    assert import_questionnaire(edition=draft, source=data).warnings == []


def test_the_import_command_prints_the_consent_warning(draft, tmp_path):
    path = tmp_path / "libre.xlsx"
    path.write_bytes(workbook([["type", "name", "label"], ["text", "nom", "Nom"]], settings=None))
    out = io.StringIO()
    call_command("barometer", "import-form", "2026", str(path), stdout=out)
    assert "avertissement : feuille « survey », colonne « name » : La question de" in out.getvalue()


def test_nested_repeats_are_refused_with_their_row(draft):
    data = workbook(
        [
            ["type", "name", "label"],
            ["begin_repeat", "fiche", "Fiche"],
            ["text", "nom", "Nom"],
            ["begin_repeat", "etape", "Étape"],
            ["text", "quoi", "Quoi"],
            ["end_repeat", "etape", ""],
            ["end_repeat", "fiche", ""],
            *CONSENT,
        ],
        CHOICES,
    )
    with pytest.raises(XLSFormError) as raised:
        import_questionnaire(edition=draft, source=data)
    assert [(p.code, p.row) for p in raised.value.errors] == [("nested-repeat", 4)]


def test_a_file_that_is_not_a_workbook_is_refused(draft):
    with pytest.raises(XLSFormError) as raised:
        import_questionnaire(edition=draft, source=b"not a spreadsheet")
    assert raised.value.errors[0].sheet == "(fichier)"


def test_the_questionnaire_of_a_closed_edition_cannot_change(draft):
    Edition.objects.filter(pk=draft.pk).update(status=Edition.Status.CLOSED)
    draft.refresh_from_db()
    with pytest.raises(BarometerError):
        import_questionnaire(edition=draft, source=(DEMO / "barometre-2018.xlsx").read_bytes())


def test_import_form_command_lists_every_problem(draft, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        workbook([["type", "name", "label"], ["geopoint", "lieu", "Où ?"], *CONSENT], CHOICES)
    )
    with pytest.raises(CommandError) as raised:
        call_command("barometer", "import-form", "2026", str(path))
    message = str(raised.value)
    assert "rien n'a été importé" in message
    assert "feuille « survey », ligne 2, colonne « type »" in message


def test_import_form_command_imports_the_demo(draft, capsys):
    call_command("barometer", "import-form", "2026", str(DEMO / "barometre-2026.xlsx"))
    assert "importé pour 2026" in capsys.readouterr().out
    draft.refresh_from_db()
    assert load_workbook(io.BytesIO(export_questionnaire(edition=draft))).sheetnames[0] == "survey"
