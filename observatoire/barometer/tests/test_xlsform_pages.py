"""Questionnaires using the wider XLSForm, answered through the respondent pages (no JS)."""

import pytest
from django.core.management.base import CommandError

from observatoire.lib.xlsform.writer import write_workbook
from observatoire.territories.models import Territory

from ..models import Response
from ..services import export_questionnaire, import_questionnaire, questionnaire_attachments
from .test_journey import page_url, post_page


def cascade_workbook():
    """Région → département → commune, the choices taken from the territories référentiel."""
    choices = [["list_name", "name", "label", "region", "departement"]]
    for territory in Territory.objects.order_by("kind", "code"):
        if territory.kind == "region":
            choices.append(["region", territory.code, territory.name, None, None])
        elif territory.kind == "departement":
            choices.append(
                ["departement", territory.code, territory.name, territory.region.code, None]
            )
        elif territory.kind == "commune":
            choices.append(
                ["commune", territory.code, territory.name, None, territory.departement.code]
            )
    survey = [
        ["type", "name", "label", "choice_filter", "appearance", "parameters"],
        ["begin_group", "lieu", "Où ?", None, "field-list", None],
        ["select_one region", "region", "Région", None, None, None],
        ["select_one departement", "departement", "Département", "region=${region}", None, None],
        ["select_one commune", "commune", "Commune", "departement=${departement}", None, None],
        ["end_group", "lieu", None, None, None, None],
        ["begin_group", "moments", "Quand ?", None, None, None],
        ["time", "heure", "Heure", None, None, None],
        ["datetime", "quand", "Date et heure", None, None, None],
        ["range", "note", "Note", None, None, "start=0 end=10"],
        ["acknowledge", "lu", "J'ai lu", None, None, None],
        ["start", "debut", None, None, None, None],
        ["end_group", "moments", None, None, None, None],
    ]
    return write_workbook({"survey": survey, "choices": choices})


@pytest.fixture
def cascade(edition, aura, grenoble, lyon):
    isere = Territory.objects.create(
        kind="departement", code="38", name="Isère", vintage=2026, zone="metro", region=aura
    )
    rhone = Territory.objects.create(
        kind="departement", code="69", name="Rhône", vintage=2026, zone="metro", region=aura
    )
    Territory.objects.filter(pk=grenoble.pk).update(departement=isere)
    Territory.objects.filter(pk=lyon.pk).update(departement=rhone)
    Territory.objects.create(
        kind="region", code="11", name="Île-de-France", vintage=2026, zone="metro"
    )
    import_questionnaire(edition=edition, source=cascade_workbook(), filename="cascade.xlsx")
    return edition


def options(page, key):
    [block] = [b for b in page.context["blocks"] if b.key == key]
    return [option.value for option in block.field.options]


def test_cascading_selects_are_filtered_on_the_server_after_actualiser(
    client, cascade, bob_link, bob_invitation
):
    page = client.get(page_url(bob_link, "lieu"))
    assert page.status_code == 200
    assert options(page, "departement") == []
    assert "Actualiser les choix" in page.content.decode()
    saved = post_page(client, bob_link, "lieu", {"region": "84"}, action="stay")
    assert saved.status_code == 302 and saved["Location"].endswith(page_url(bob_link, "lieu"))
    page = client.get(page_url(bob_link, "lieu"))
    assert options(page, "departement") == ["38", "69"]
    post_page(client, bob_link, "lieu", {"departement": "69"}, action="stay")
    page = client.get(page_url(bob_link, "lieu"))
    assert options(page, "commune") == ["69123"]
    done = post_page(client, bob_link, "lieu", {"commune": "69123"})
    assert done.status_code == 302
    response = Response.objects.get(edition=cascade)
    assert (response.answers["region"], response.answers["commune"]) == ("84", "69123")


def test_a_commune_outside_the_chosen_departement_is_refused(client, cascade, bob_link):
    post_page(client, bob_link, "lieu", {"region": "84", "departement": "38"}, action="stay")
    refused = post_page(client, bob_link, "lieu", {"commune": "69123"})
    assert refused.status_code == 200
    assert "Choix inconnu : 69123." in refused.content.decode()


def test_time_datetime_range_and_acknowledge_widgets_work_without_javascript(
    client, cascade, bob_link
):
    page = client.get(page_url(bob_link, "moments"))
    html = page.content.decode()
    assert 'type="time"' in html and 'type="datetime-local"' in html
    assert 'type="number"' in html and 'min="0" max="10" step="1"' in html
    assert 'value="OK"' in html
    assert "debut" not in page.context["shown"]
    wrong = post_page(client, bob_link, "moments", {"note": "11", "heure": "9h"})
    assert "Veuillez choisir une valeur entre 0 et 10." in wrong.content.decode()
    assert "Veuillez saisir une heure valide (HH:MM)." in wrong.content.decode()
    post_page(
        client,
        bob_link,
        "moments",
        {"note": "7", "heure": "09:30", "quand": "2026-12-07T09:30", "lu": "OK"},
    )
    answers = Response.objects.get(edition=cascade).answers
    assert (answers["note"], answers["heure"], answers["quand"], answers["lu"]) == (
        7,
        "09:30",
        "2026-12-07T09:30",
        "OK",
    )


def test_every_corpus_form_imports_renders_accepts_answers_and_exports_back(
    client, edition, bob_link
):
    from observatoire.lib.tests.xlsform_corpus import ATTACHMENTS, CORPUS
    from observatoire.lib.xlsform import evaluate, parse_xlsform

    imported = 0
    for name, (sheets, expected) in CORPUS.items():
        if expected is not None:
            continue
        attachments = ATTACHMENTS.get(name)
        questionnaire = import_questionnaire(
            edition=edition,
            source=write_workbook(sheets),
            filename="corpus.xlsx",
            attachments=attachments,
        )
        imported += 1
        form = questionnaire.form
        exported = export_questionnaire(edition=edition)
        assert parse_xlsform(exported, filename="corpus.xlsx", attachments=attachments) == form
        assert questionnaire_attachments(edition=edition).keys() == (attachments or {}).keys()
        for page in evaluate(form, {}).visible_pages:
            opened = client.get(page_url(bob_link, page))
            assert opened.status_code == 200, (name, page)
            posted = post_page(client, bob_link, page, {})
            assert posted.status_code in (200, 302), (name, page, posted.status_code)
    assert imported >= 25


def test_randomize_shuffles_the_options_the_same_way_at_every_visit(client, edition, bob_link):
    choices = [["list_name", "name", "label"]] + [["l", f"c{i}", f"C{i}"] for i in range(8)]
    survey = [
        ["type", "name", "label", "parameters"],
        ["select_one l", "q", "Q", "randomize=true seed=7"],
    ]
    import_questionnaire(
        edition=edition, source=write_workbook({"survey": survey, "choices": choices})
    )
    first = options(client.get(page_url(bob_link, "q")), "q")
    assert sorted(first) == [f"c{i}" for i in range(8)] and first != sorted(first)
    assert options(client.get(page_url(bob_link, "q")), "q") == first


def test_a_counted_repeat_shows_as_many_records_as_the_answer_says(client, edition, bob_link):
    survey = [
        ["type", "name", "label", "repeat_count"],
        ["integer", "n", "Combien d'adjoints ?", None],
        ["begin_repeat", "adjoint", "Adjoint", "${n}"],
        ["text", "nom", "Nom", None],
        ["end_repeat", "adjoint", None, None],
    ]
    import_questionnaire(edition=edition, source=write_workbook({"survey": survey}))
    post_page(client, bob_link, "n", {"n": "2"})
    page = client.get(page_url(bob_link, "adjoint"))
    [block] = page.context["blocks"]
    assert [instance.key for instance in block.instances] == ["adjoint[1]", "adjoint[2]"]
    html = page.content.decode()
    assert "Ajouter une" not in html and "Supprimer" not in html
    post_page(client, bob_link, "adjoint", {"adjoint[1]/nom": "Ana", "adjoint[2]/nom": "Bo"})
    answers = Response.objects.get(edition=edition).answers
    assert answers["adjoint"] == [{"nom": "Ana"}, {"nom": "Bo"}]


COMMUNES_CSV = (
    "name,label,departement,population\n"
    "38185,Grenoble,38,158000\n"
    "38421,Saint-Martin-d'Hères,38,38000\n"
    "69123,Lyon,69,520000\n"
)


def test_select_from_file_and_pulldata_through_import_form_and_the_page(
    client, edition, bob_link, tmp_path
):
    """The form and its CSV file imported by `import-form`, answered, exported back beside it."""
    from django.core.management import call_command

    survey = [
        ["type", "name", "label", "choice_filter", "calculation"],
        ["begin_group", "lieu", "Où ?", None, None],
        ["select_one_from_file departements.csv", "departement", "Département", None, None],
        [
            "select_one_from_file communes.csv",
            "commune",
            "Commune",
            "departement=${departement}",
            None,
        ],
        [
            "calculate",
            "population",
            None,
            None,
            "pulldata('communes', 'population', 'name', ${commune})",
        ],
        ["note", "vu", "Population : ${population}", None, None],
        ["end_group", "lieu", None, None, None],
    ]
    form_path = tmp_path / "lieu.xlsx"
    form_path.write_bytes(write_workbook({"survey": survey}))
    folder = tmp_path / "listes"
    folder.mkdir()
    (folder / "communes.csv").write_text(COMMUNES_CSV, encoding="utf-8")
    (tmp_path / "departements.csv").write_text("name;label\n38;Isère\n69;Rhône\n", encoding="utf-8")
    with pytest.raises(CommandError) as missing:
        call_command("barometer", "import-form", "2018", str(form_path), str(folder))
    assert str(missing.value).count("departements.csv") == 2  # the problem, and what to do
    assert "1 problème(s)" in str(missing.value)
    call_command(
        "barometer",
        "import-form",
        "2018",
        str(form_path),
        str(folder),
        str(tmp_path / "departements.csv"),
    )
    page = client.get(page_url(bob_link, "lieu"))
    assert options(page, "departement") == ["38", "69"] and options(page, "commune") == []
    post_page(client, bob_link, "lieu", {"departement": "38"}, action="stay")
    page = client.get(page_url(bob_link, "lieu"))
    assert options(page, "commune") == ["38185", "38421"]
    post_page(client, bob_link, "lieu", {"commune": "38421"}, action="stay")
    assert "Population : 38000" in client.get(page_url(bob_link, "lieu")).content.decode()

    out = tmp_path / "export"
    out.mkdir()
    call_command("barometer", "export-form", "2018", str(out / "lieu.xlsx"))
    assert sorted(p.name for p in out.iterdir()) == [
        "communes.csv",
        "departements.csv",
        "lieu.xlsx",
    ]
    assert (out / "communes.csv").read_text() == COMMUNES_CSV


def test_minimal_select_one_is_a_drop_down_list_that_works_without_javascript(
    client, edition, bob_link
):
    survey = [
        ["type", "name", "label", "appearance"],
        ["select_one oui_non", "ok", "D'accord ?", "minimal"],
        ["select_multiple oui_non", "plusieurs", "Plusieurs ?", "minimal"],
    ]
    choices = [["list_name", "name", "label"], ["oui_non", "oui", "Oui"], ["oui_non", "non", "Non"]]
    workbook = write_workbook({"survey": survey, "choices": choices})
    import_questionnaire(edition=edition, source=workbook, filename="minimal.xlsx")
    html = client.get(page_url(bob_link, "ok")).content.decode()
    assert '<select id="q-ok" name="ok"' in html and '<option value="non">Non</option>' in html
    post_page(client, bob_link, "ok", {"ok": "non"})
    assert Response.objects.get(edition=edition).answers["ok"] == "non"
    assert 'type="checkbox"' in client.get(page_url(bob_link, "plusieurs")).content.decode()


def test_the_2026_form_starts_from_what_the_frame_knows_of_the_unit(client, edition, bob_link):
    """`unit_default`: the local government's name and kind come pre-filled, confirmable."""
    from pathlib import Path

    from observatoire.lib import xlsform

    demo = Path(xlsform.__file__).parent / "demo" / "barometre-2026.xlsx"
    import_questionnaire(edition=edition, source=demo.read_bytes(), filename=demo.name)
    page = client.get(page_url(bob_link, "profil"))
    html = page.content.decode()
    assert "Prérempli d" in html and "après la base de sondage : vérifiez" in html
    response = Response.objects.get(edition=edition)
    assert response.answers["nom_collectivite"] == "Grenoble"
    assert response.answers["type_collectivite"] == "commune"
    assert 'value="Grenoble"' in html
    post_page(client, bob_link, "profil", {"nom_collectivite": "Ville de Grenoble"})
    assert Response.objects.get(edition=edition).answers["nom_collectivite"] == "Ville de Grenoble"


def test_an_unknown_unit_attribute_is_one_message():
    from observatoire.lib.xlsform import XLSFormError, parse_xlsform

    survey = [["type", "name", "label", "unit_default"], ["text", "nom", "Nom", "nom"]]
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(write_workbook({"survey": survey}), filename="unite.xlsx")
    [problem] = caught.value.errors
    assert (problem.row, problem.column, problem.code) == (2, "unit_default", "invalid")
    assert "name, kind, population, region, code" in problem.message
