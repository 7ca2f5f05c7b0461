"""XLSForm as people write it following xlsform.org, the Kobo and ODK guides: accepted."""

from pathlib import Path
from typing import Any

import pytest
from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from observatoire.lib.xlsform import XLSFormError, evaluate, export_xlsform, parse_xlsform
from observatoire.lib.xlsform.reader import default_form_id
from observatoire.lib.xlsform.writer import write_workbook

CHOICES: list[list[Any]] = [
    ["list_name", "name", "label"],
    ["oui_non", "oui", "Oui"],
    ["oui_non", "non", "Non"],
]


def book(survey: list[list[Any]], **sheets: list[list[Any]]) -> bytes:
    return write_workbook({"survey": survey, **sheets})


def problems(data: bytes) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(data)
    return [(p.sheet, p.row, p.column, p.code) for p in caught.value.errors]


def test_without_settings_the_form_id_comes_from_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "Enquête communes 2026.xlsx"
    path.write_bytes(book([["type", "name", "label"], ["text", "nom", "Nom"]]))
    form = parse_xlsform(path)
    assert (form.form_id, form.version, form.title) == (
        "Enquête_communes_2026",
        "",
        "Enquête_communes_2026",
    )
    assert parse_xlsform(path.read_bytes(), filename="x.xlsx").form_id == "x"
    assert parse_xlsform(path.read_bytes()).form_id == "data"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("2026.xlsx", "_2026"), ("a b.xlsx", "a_b"), ("", "data"), ("((.xlsx", "data")],
)
def test_default_form_ids_are_valid_names(filename: str, expected: str) -> None:
    assert default_form_id(filename) == expected


def test_a_settings_sheet_without_form_id_or_version_takes_the_defaults() -> None:
    data = book(
        [["type", "name", "label"], ["text", "nom", "Nom"]],
        settings=[["form_title"], ["Titre"]],
    )
    form = parse_xlsform(data, filename="enquete.xlsx")
    assert (form.form_id, form.version, form.title) == ("enquete", "", "Titre")


def test_empty_choices_and_settings_sheets_and_other_sheets_are_ignored() -> None:
    data = book(
        [["type", "name", "label"], ["text", "nom", "Nom"]],
        choices=[],
        settings=[],
        notes=[],
    )
    assert parse_xlsform(data).question("nom").type == "text"


def test_both_language_header_syntaxes_give_the_same_languages() -> None:
    survey: list[list[Any]] = [
        ["type", "name", "label:English", "label:Français", "hint::English"],
        ["select_one oui_non", "q", "Question?", "Question ?", "A hint"],
    ]
    choices = [
        ["list_name", "name", "label::English", "label::Français"],
        ["oui_non", "oui", "Yes", "Oui"],
        ["oui_non", "non", "No", "Non"],
    ]
    form = parse_xlsform(book(survey, choices=choices))
    assert form.languages == ["English", "Français"]
    question = form.question("q")
    assert question.label == {"English": "Question?", "Français": "Question ?"}
    assert question.hint == {"English": "A hint"}
    assert question.choices[0].label == {"English": "Yes", "Français": "Oui"}


def test_a_single_colon_language_missing_a_label_is_one_problem_not_a_cascade() -> None:
    survey: list[list[Any]] = [
        ["type", "name", "label:English", "label:Français"],
        ["text", "a", "A", "A"],
        ["text", "b", "B", None],
    ]
    assert problems(book(survey)) == [("survey", 3, "label:Français", "missing-label")]


@pytest.mark.parametrize(
    ("type_text", "kind"),
    [
        ("select one from oui_non", "select_one"),
        ("select_one oui_non", "select_one"),
        ("select all that apply from oui_non", "select_multiple"),
        ("select all that apply oui_non", "select_multiple"),
    ],
)
def test_legacy_select_syntaxes(type_text: str, kind: str) -> None:
    form = parse_xlsform(book([["type", "name", "label"], [type_text, "q", "Q"]], choices=CHOICES))
    question = form.question("q")
    assert (question.type, question.list_name, question.or_other) == (kind, "oui_non", False)


@pytest.mark.parametrize(
    "type_text",
    [
        "select_one oui_non or_other",
        "select one from oui_non or specify other",
        "select_multiple oui_non or_other",
    ],
)
def test_or_other_adds_a_translated_other_choice_and_a_specify_question(type_text: str) -> None:
    survey = [
        ["type", "name", "label::Français (fr)", "label::English (en)"],
        [type_text, "q", "Q ?", "Q?"],
    ]
    choices = [
        ["list_name", "name", "label::Français (fr)", "label::English (en)"],
        ["oui_non", "oui", "Oui", "Yes"],
    ]
    form = parse_xlsform(book(survey, choices=choices))
    question = form.question("q")
    assert question.or_other
    assert question.choices[-1].name == "other"
    assert question.choices[-1].label == {"Français (fr)": "Autre", "English (en)": "Other"}
    assert [c.name for c in form.choice_lists["oui_non"]] == ["oui"]  # the list is unchanged
    other = form.question("q_other")
    assert other.type == "text" and other.generated
    assert other.label["Français (fr)"] == "Précisez :"
    assert not evaluate(form, {"q": "oui"}).relevant["q_other"]
    assert evaluate(form, {"q": "other" if "one" in type_text else ["other"]}).relevant["q_other"]
    # Written back as written: parses to the same form, and pyxform reads the same tree.
    exported = export_xlsform(form)
    assert parse_xlsform(exported) == form
    assform = form.__class__.from_dict(form.to_dict())
    assert assform == form and assform.question("q").choices[-1].name == "other"


def test_or_other_on_a_list_that_has_an_other_choice_is_one_problem() -> None:
    choices = [*CHOICES, ["oui_non", "other", "Autre"]]
    data = book(
        [["type", "name", "label"], ["select_one oui_non or_other", "q", "Q"]], choices=choices
    )
    assert problems(data) == [("survey", 2, "type", "duplicate-name")]


def test_tool_specific_columns_are_kept_ignored_and_written_back() -> None:
    survey = [
        [
            "type",
            "name",
            "label",
            "$kuid",
            "kobo--matrix_list",
            "tags",
            "guidance_hint",
            "media::image",
            "disabled",
            "body::accuracyThreshold",
        ],
        ["text", "q", "Q", "abc123", "m", "#loc", "Pour l'enquêteur", "q.png", "no", "5"],
    ]
    choices = [[*CHOICES[0], "region", "image"], [*CHOICES[1], "84", "oui.png"], CHOICES[2]]
    data = book(
        survey,
        choices=choices,
        settings=[["form_id", "instance_name", "submission_url"], ["f", "concat('a')", "http://x"]],
    )
    form = parse_xlsform(data)
    question = form.question("q")
    assert question.extra["$kuid"] == "abc123"
    assert question.extra["guidance_hint"] == "Pour l'enquêteur"
    assert question.extra["media::image"] == "q.png"
    assert form.choice_lists["oui_non"][0].extra == {"region": "84", "image": "oui.png"}
    assert form.settings_extra["instance_name"] == "concat('a')"
    again = parse_xlsform(export_xlsform(form))
    assert again == form
    assert again.question("q").extra == question.extra
    assert again.settings_extra == form.settings_extra


def test_unknown_columns_are_still_errors() -> None:
    data = book([["type", "name", "label", "constrain"], ["integer", "q", "Q", ". > 0"]])
    assert problems(data) == [("survey", 1, "constrain", "unknown-column")]


def test_a_refused_question_does_not_cascade_into_its_references() -> None:
    survey: list[list[Any]] = [
        ["type", "name", "label", "relevant"],
        ["geotrace", "trace", "Trace", None],
        ["text", "commentaire", "Commentaire", "${trace} != ''"],
    ]
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(book(survey))
    [problem] = caught.value.errors
    assert (problem.row, problem.column, problem.code) == (2, "type", "impossible-type")
    assert "tracé GPS" in problem.message and "supprimez la ligne" in problem.message


@pytest.mark.parametrize(
    "type_text", ["geopoint", "geotrace", "geoshape", "audio", "video", "barcode", "osm"]
)
def test_what_cannot_work_on_the_web_is_one_message_each(type_text: str) -> None:
    survey = [["type", "name", "label"], [type_text, "x", "X"], ["text", "y", "Y"]]
    assert problems(book(survey)) == [("survey", 2, "type", "impossible-type")]


def test_pyxform_accepts_what_we_accept() -> None:
    survey: list[list[Any]] = [
        ["type", "name", "label:English", "label:Français", "$kuid"],
        ["select one from oui_non or specify other", "q", "Q?", "Q ?", "k1"],
    ]
    choices = [
        ["list_name", "name", "label:English", "label:Français"],
        ["oui_non", "oui", "Yes", "Oui"],
    ]
    data = book(survey, choices=choices)
    parse_xlsform(data)
    assert "<select1" in convert(xlsform=data, file_type=".xlsx").xform
