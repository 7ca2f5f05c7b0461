"""Every problem of a malformed XLSForm is reported once, with its sheet, row and column.

Rows are spreadsheet rows: the header is row 1, so the first question is row 2.
"""

from typing import Any

import pytest

from observatoire.lib.xlsform import FormProblem, XLSFormError, parse_xlsform
from observatoire.lib.xlsform.writer import write_workbook

FR, EN = "Français (fr)", "English (en)"
SURVEY_HEADER: list[Any] = ["type", "name", "label", "relevant", "constraint", "calculation"]
SETTINGS: list[list[Any]] = [["form_id", "version"], ["essai", "1"]]
CHOICES: list[list[Any]] = [
    ["list_name", "name", "label"],
    ["oui_non", "oui", "Oui"],
    ["oui_non", "non", "Non"],
]


Cells = list[list[Any]]
Located = list[tuple[str, int | None, str | None, str]]


def workbook(
    survey: Cells,
    choices: Cells = CHOICES,
    settings: Cells | None = SETTINGS,
    header: list[Any] = SURVEY_HEADER,
) -> bytes:
    sheets = {"survey": [header, *survey], "choices": choices}
    if settings is not None:
        sheets["settings"] = settings
    return write_workbook(sheets)


def problems(data: bytes) -> list[FormProblem]:
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(data)
    return caught.value.errors


def located(data: bytes) -> Located:
    return [(p.sheet, p.row, p.column, p.code) for p in problems(data)]


def test_a_valid_small_form_parses() -> None:
    form = parse_xlsform(workbook([["select_one oui_non", "q1", "Question ?"]]))
    assert form.question("q1").choices[1].name == "non"


def test_unknown_type_names_its_row_and_type_column() -> None:
    data = workbook([["text", "q1", "Q1"], ["texte_libre", "q2", "Q2"]])
    assert located(data) == [("survey", 3, "type", "unknown-type")]
    assert "texte_libre" in problems(data)[0].message


def test_unsupported_standard_type_is_reported_as_such() -> None:
    data = workbook([["geopoint", "lieu", "Où ?"]])
    [problem] = problems(data)
    assert (problem.row, problem.column, problem.code) == (2, "type", "impossible-type")
    assert "position GPS" in problem.message


def test_bad_expression_names_its_column() -> None:
    data = workbook([["integer", "n", "N"], ["text", "t", "T", "${n} >> 3"]])
    [problem] = problems(data)
    assert (problem.sheet, problem.row, problem.column, problem.code) == (
        "survey",
        3,
        "relevant",
        "bad-expression",
    )
    assert "${n} >> 3" in problem.message


def test_unknown_function_is_a_bad_expression() -> None:
    data = workbook([["integer", "n", "N", "", "once(.) > 1"]])
    assert located(data) == [("survey", 2, "constraint", "bad-expression")]


def test_each_unknown_reference_is_one_problem() -> None:
    data = workbook(
        [
            ["integer", "n", "N"],
            ["calculate", "c", "", "", "", "${n} + ${m} + ${p}"],
        ]
    )
    assert located(data) == [
        ("survey", 3, "calculation", "unknown-reference"),
        ("survey", 3, "calculation", "unknown-reference"),
    ]
    assert ["${m}" in p.message for p in problems(data)] == [True, False]


def test_unknown_reference_in_a_label_is_reported() -> None:
    data = workbook([["note", "n", "Bonjour ${nom}"]])
    assert located(data) == [("survey", 2, "label", "unknown-reference")]


def test_missing_choice_list_points_at_the_type_cell() -> None:
    data = workbook([["select_multiple partenaires", "p", "Partenaires"]])
    assert located(data) == [("survey", 2, "type", "missing-list")]


def test_duplicate_question_name_points_at_the_second_one() -> None:
    data = workbook(
        [
            ["text", "nom", "Nom"],
            ["begin_group", "g", "G"],
            ["text", "nom", "Nom bis"],
            ["end_group", "g"],
        ]
    )
    [problem] = problems(data)
    assert (problem.row, problem.column, problem.code) == (4, "name", "duplicate-name")
    assert "ligne 2" in problem.message


def test_duplicate_choice_in_a_list() -> None:
    choices = [*CHOICES, ["oui_non", "oui", "Encore oui"]]
    data = workbook([["select_one oui_non", "q", "Q"]], choices=choices)
    assert located(data) == [("choices", 4, "name", "duplicate-name")]


def test_missing_label() -> None:
    data = workbook([["text", "q1", "Q1"], ["integer", "q2", ""]])
    assert located(data) == [("survey", 3, "label", "missing-label")]


def test_label_missing_in_one_language_names_that_language_column() -> None:
    header = ["type", "name", f"label::{FR}", f"label::{EN}"]
    choices: Cells = [
        ["list_name", "name", f"label::{FR}", f"label::{EN}"],
        ["oui_non", "oui", "Oui", "Yes"],
        ["oui_non", "non", "Non", None],
    ]
    data = workbook(
        [["select_one oui_non", "q1", "Question", None]],
        choices=choices,
        settings=[["form_id", "version", "default_language"], ["essai", "1", FR]],
        header=header,
    )
    assert located(data) == [
        ("choices", 3, f"label::{EN}", "missing-label"),
        ("survey", 2, f"label::{EN}", "missing-label"),
    ]


@pytest.mark.parametrize(
    ("settings_rows", "expected"),
    [
        (
            [["form_id", "version"], ["mon formulaire", "1"]],
            [("settings", 2, "form_id", "bad-settings")],
        ),
        (
            [["form_id", "version", "default_language"], ["essai", "1", "Deutsch (de)"]],
            [("settings", 2, "default_language", "bad-settings")],
        ),
        (
            [["form_id", "version", "langue"], ["essai", "1", "fr"]],
            [("settings", 1, "langue", "unknown-column")],
        ),
        (
            [["form_id", "version"], ["essai", "1"], ["autre", "2"]],
            [("settings", 3, None, "bad-settings")],
        ),
    ],
)
def test_bad_settings(settings_rows: list[list[Any]] | None, expected: Located) -> None:
    assert located(workbook([["text", "q", "Q"]], settings=settings_rows)) == expected


def test_all_problems_are_collected_not_only_the_first() -> None:
    data = workbook(
        [
            ["texte", "a", "A"],
            ["text", "b", ""],
            ["select_one inconnue", "c", "C"],
            ["text", "b", "B", "${zz} = 1"],
        ]
    )
    assert located(data) == [
        ("survey", 2, "type", "unknown-type"),
        ("survey", 3, "label", "missing-label"),
        ("survey", 4, "type", "missing-list"),
        ("survey", 5, "name", "duplicate-name"),
        ("survey", 5, "relevant", "unknown-reference"),
    ]


def test_unknown_columns_are_reported_on_the_header_row_and_kobo_columns_kept() -> None:
    header = [*SURVEY_HEADER, "commentaires", "$kuid"]
    data = workbook([["text", "q", "Q", None, None, None, "à revoir", "abc"]], header=header)
    assert located(data) == [("survey", 1, "commentaires", "unknown-column")]


def test_unclosed_and_mismatched_blocks() -> None:
    data = workbook(
        [
            ["begin_repeat", "r", "R"],
            ["text", "q", "Q"],
            ["end_group", "r"],
            ["begin_group", "g", "G"],
            ["text", "q2", "Q2"],
        ]
    )
    assert located(data) == [
        ("survey", 4, "type", "bad-structure"),
        ("survey", 2, "type", "bad-structure"),
        ("survey", 5, "type", "bad-structure"),
    ]


def test_table_list_grid_rows_must_share_one_choice_list() -> None:
    choices = [*CHOICES, ["echelle", "1", "Un"]]
    data = workbook(
        [
            ["begin_group", "grille", "Grille"],
            ["select_one oui_non", "a", "A"],
            ["select_one echelle", "b", "B"],
            ["text", "c", "C"],
            ["end_group", "grille"],
        ],
        choices=choices,
    )
    # Without the table-list appearance the group is a plain group: no problem.
    parse_xlsform(data)
    header = [*SURVEY_HEADER, "appearance"]
    rows: Cells = [
        ["begin_group", "grille", "Grille", None, None, None, "table-list"],
        ["select_one oui_non", "a", "A"],
        ["select_one echelle", "b", "B"],
        ["text", "c", "C"],
        ["end_group", "grille"],
    ]
    assert located(workbook(rows, choices=choices, header=header)) == [
        ("survey", 4, "type", "bad-grid"),
        ("survey", 5, "type", "bad-grid"),
    ]


def test_pyxform_errors_are_surfaced_with_their_location() -> None:
    # "meta" is reserved by ODK: only pyxform knows it.
    [problem] = problems(workbook([["text", "ok", "OK"], ["text", "meta", "Méta"]]))
    assert (problem.sheet, problem.row, problem.column, problem.code) == (
        "survey",
        3,
        "name",
        "pyxform",
    )
    assert "reserved" in problem.message


def test_a_file_that_is_not_a_workbook() -> None:
    [problem] = problems(b"type,name,label\ntext,q,Q\n")
    assert problem.code == "file"


def test_problem_text_reads_naturally_in_french() -> None:
    [problem] = problems(workbook([["texte", "a", "A"]]))
    assert str(problem).startswith("feuille « survey », ligne 2, colonne « type » : ")
