"""The demo barometer forms parse, round-trip and stay in step with their source script."""

import json
from pathlib import Path

import pytest

from observatoire.lib.xlsform import (
    Form,
    Group,
    Question,
    Repeat,
    export_xlsform,
    parse_xlsform,
)
from observatoire.lib.xlsform.__main__ import main
from observatoire.lib.xlsform.demo import build_demo
from observatoire.lib.xlsform.writer import write_workbook

FR, EN = "Français (fr)", "English (en)"


@pytest.fixture(scope="module")
def form_2018() -> Form:
    return parse_xlsform(build_demo.path_for(2018))


@pytest.fixture(scope="module")
def form_2026() -> Form:
    return parse_xlsform(build_demo.path_for(2026))


def test_demo_2018_has_settings_languages_and_pages(form_2018: Form) -> None:
    assert form_2018.form_id == "barometre_2018"
    assert form_2018.version == "2018.1"
    assert form_2018.title == "Baromètre de la démocratie locale numérique 2018"
    assert form_2018.languages == [FR, EN]
    assert form_2018.default_language == FR
    assert [page.name for page in form_2018.pages] == [
        "accueil",
        "profil",
        "dispositifs_page",
        "moyens",
        "contributions",
        "objectifs",
        "information",
        "renforcer",
        "fiche_dispositif",
        "fin",
    ]
    assert not form_2018.warnings


def test_demo_2018_scales_match_the_published_results(form_2018: Form) -> None:
    lists = form_2018.choice_lists
    assert len(lists["tranches_budget"]) == 11
    assert [c.label[FR] for c in lists["likert"]] == [
        "Oui, tout à fait",
        "Oui, plutôt",
        "Non, pas vraiment",
        "Non, pas du tout",
        "Ne sait pas",
    ]
    assert len(lists["connaissance"]) == 3
    assert lists["partenaires"][-1].name == "autre"
    contributions = form_2018.page("contributions").questions
    objectives = form_2018.page("objectifs").questions
    assert len(contributions) == 9 and len(objectives) == 14
    assert {q.list_name for q in contributions + objectives} == {"likert"}
    assert form_2018.element("contributions").appearance == "table-list"
    needs = form_2018.page("renforcer").questions
    assert len(needs) == 10
    assert {(q.type, q.constraint) for q in needs} == {("integer", ". >= 0 and . <= 8")}


def test_demo_2018_fiche_dispositif_is_a_repeat_of_realistic_size(form_2018: Form) -> None:
    fiche = form_2018.element("fiche_dispositif")
    assert isinstance(fiche, Repeat)
    questions = [child for child in fiche.children if isinstance(child, Question)]
    assert 20 <= len(questions) <= 30
    assert all(q.repeat == "fiche_dispositif" for q in questions)
    assert form_2018.question("fd_budget").list_name == "tranches_budget"
    assert form_2018.question("fd_etp").type == "decimal"


def test_demo_other_please_specify_is_a_choice_and_a_conditional_text(form_2018: Form) -> None:
    partners = form_2018.question("accompagnement")
    assert partners.type == "select_multiple"
    assert "autre" in {choice.name for choice in partners.choices}
    specify = form_2018.question("accompagnement_autre")
    assert specify.type == "text"
    assert specify.relevant == "selected(${accompagnement}, 'autre')"


def test_demo_labels_are_bilingual(form_2018: Form) -> None:
    question = form_2018.question("consentement_publication")
    assert form_2018.text(question.label).startswith("Acceptez-vous")
    assert form_2018.text(question.label, "en").startswith("May the Observatory")
    assert form_2018.text(question.required_message, "en").startswith("Please tell us")
    for element in form_2018.elements():
        if isinstance(element, Question) and element.type != "calculate":
            assert set(element.label) == {FR, EN}, element.name


@pytest.mark.parametrize("edition", build_demo.EDITIONS)
def test_committed_workbook_matches_its_source_script(edition: int) -> None:
    committed = parse_xlsform(build_demo.path_for(edition))
    assert committed == parse_xlsform(build_demo.build(edition))


@pytest.mark.parametrize("edition", build_demo.EDITIONS)
def test_export_then_parse_gives_the_same_form(edition: int) -> None:
    form = parse_xlsform(build_demo.path_for(edition))
    again = parse_xlsform(export_xlsform(form))
    assert again == form


def test_form_survives_json_storage(form_2018: Form) -> None:
    stored = json.loads(json.dumps(form_2018.to_dict()))
    restored = Form.from_dict(stored)
    assert restored == form_2018
    assert restored.question("budget").choices == form_2018.choice_lists["tranches_budget"]
    assert isinstance(restored.element("moyens"), Group)


def test_2026_variant_adds_a_partner_and_rewords_a_question(
    form_2018: Form, form_2026: Form
) -> None:
    partners_2018 = [c.name for c in form_2018.choice_lists["partenaires"]]
    partners_2026 = [c.name for c in form_2026.choice_lists["partenaires"]]
    assert set(partners_2026) - set(partners_2018) == {"agence_publique"}
    assert set(partners_2018) <= set(partners_2026)
    before = form_2018.question("nouveaux_dispositifs")
    after = form_2026.question("nouveaux_dispositifs")
    assert before.list_name == after.list_name == "oui_non"
    assert before.label[FR] != after.label[FR]
    # Trimmed: no more "what is needed" scores in 2026.
    assert "renforcer" not in {page.name for page in form_2026.pages}
    assert len(form_2026.questions()) < len(form_2018.questions())


def test_2017_variant_renames_one_question_lacks_one_option_and_rewords_another(
    form_2018: Form,
) -> None:
    form_2017 = parse_xlsform(build_demo.path_for(2017))
    assert form_2017.form_id == "barometre_2017" and not form_2017.warnings
    names_2017 = {q.name for q in form_2017.questions()}
    names_2018 = {q.name for q in form_2018.questions()}
    # Renamed in 2018 (the demo joins the two names with a QuestionLink).
    assert names_2017 - names_2018 == {"connaissance_civic_tech", "projet_dispositif"}
    assert names_2018 - names_2017 == {"civic_tech", "nouveaux_dispositifs"}
    assert form_2017.question("connaissance_civic_tech").list_name == "connaissance"
    schemes_2017 = [c.name for c in form_2017.choice_lists["dispositifs"]]
    schemes_2018 = [c.name for c in form_2018.choice_lists["dispositifs"]]
    assert set(schemes_2018) - set(schemes_2017) == {"cartographie"}
    assert [p.name for p in form_2017.pages] == [p.name for p in form_2018.pages]


def test_command_line_check_lists_problems_and_sets_the_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        write_workbook(
            {
                "survey": [["type", "name", "label"], ["texte", "a", "A"]],
                "settings": [["form_id", "version"], ["essai", "1"]],
            }
        )
    )
    assert main([str(build_demo.path_for(2018)), str(bad)]) == 1
    output = capsys.readouterr().out
    assert "barometre-2018.xlsx : OK" in output
    assert "feuille « survey », ligne 2, colonne « type » : Type inconnu « texte »." in output
    assert main([str(build_demo.path_for(2026))]) == 0
