"""choice_filter, time, datetime, range, acknowledge, hidden and metadata, on the server."""

import datetime as dt
from typing import Any

import pytest

from observatoire.lib.xlsform import evaluate, export_xlsform, parse_xlsform, validate
from observatoire.lib.xlsform.writer import write_workbook

CASCADE: dict[str, list[list[Any]]] = {
    "survey": [
        ["type", "name", "label", "choice_filter"],
        ["select_one region", "region", "Région", None],
        ["select_one departement", "departement", "Département", "region = ${region}"],
        ["select_one commune", "commune", "Commune", "departement=${departement}"],
    ],
    "choices": [
        ["list_name", "name", "label", "region", "departement"],
        ["region", "84", "Auvergne-Rhône-Alpes", None, None],
        ["region", "11", "Île-de-France", None, None],
        ["departement", "38", "Isère", "84", None],
        ["departement", "69", "Rhône", "84", None],
        ["departement", "75", "Paris", "11", None],
        ["commune", "38185", "Grenoble", None, "38"],
        ["commune", "69123", "Lyon", None, "69"],
        ["commune", "75056", "Paris", None, "75"],
    ],
}


@pytest.fixture(scope="module")
def cascade() -> Any:
    return parse_xlsform(write_workbook(CASCADE))


def test_choice_filter_offers_the_choices_matching_earlier_answers(cascade: Any) -> None:
    evaluation = evaluate(cascade, {"region": "84"})
    assert evaluation.choices["departement"] == ["38", "69"]
    assert evaluation.choices["commune"] == []
    evaluation = evaluate(cascade, {"region": "84", "departement": "69"})
    assert evaluation.choices["commune"] == ["69123"]


def test_a_choice_outside_the_filtered_list_is_refused(cascade: Any) -> None:
    errors = validate(cascade, {"region": "84", "departement": "75"})
    assert errors == {"departement": "Choix inconnu : 75."}
    assert validate(cascade, {"region": "11", "departement": "75"}) == {}


def test_choice_filter_and_extra_choice_columns_round_trip(cascade: Any) -> None:
    again = parse_xlsform(export_xlsform(cascade))
    assert again == cascade
    assert again.question("commune").choice_filter == "departement=${departement}"


def test_a_choice_filter_naming_an_unknown_question_is_one_problem() -> None:
    from observatoire.lib.xlsform import XLSFormError

    sheets = {
        **CASCADE,
        "survey": [
            *CASCADE["survey"][:2],
            ["select_one departement", "d", "D", "region = ${regio}"],
        ],
    }
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(write_workbook(sheets))
    [problem] = caught.value.errors
    assert (problem.row, problem.column, problem.code) == (3, "choice_filter", "unknown-reference")


TYPES: list[list[Any]] = [
    ["type", "name", "label", "parameters", "default"],
    ["start", "debut", None, None, None],
    ["end", "fin", None, None, None],
    ["today", "jour", None, None, None],
    ["deviceid", "appareil", None, None, None],
    ["hidden", "source", None, None, "courriel"],
    ["time", "heure", "Heure ?", None, None],
    ["datetime", "moment", "Quand ?", None, None],
    ["range", "note", "Note ?", "start=0 end=10 step=2", None],
    ["acknowledge", "lu", "J'ai lu la notice", None, None],
]


@pytest.fixture(scope="module")
def typed() -> Any:
    return parse_xlsform(write_workbook({"survey": TYPES}))


def test_metadata_are_filled_by_the_server_and_never_shown(typed: Any) -> None:
    now = dt.datetime(2026, 12, 7, 10, 30)
    evaluation = evaluate(typed, {}, now=now, today=now.date())
    assert evaluation.values["debut"] == "2026-12-07T10:30:00"
    assert evaluation.values["jour"] == "2026-12-07"
    assert "appareil" not in evaluation.values  # a phone would know it; the web does not
    assert not typed.question("debut").is_shown and not typed.question("source").is_shown
    assert [q.name for q in typed.questions() if q.is_input] == ["heure", "moment", "note", "lu"]


@pytest.mark.parametrize(
    ("name", "good", "bad", "message"),
    [
        ("heure", "09:45", "25:00", "Veuillez saisir une heure valide (HH:MM)."),
        (
            "moment",
            "2026-12-07T09:45",
            "2026-13-07T09:45",
            "Veuillez saisir une date et une heure valides (AAAA-MM-JJ HH:MM).",
        ),
        ("note", "4", "5", "Veuillez choisir une valeur entre 0 et 10."),
        ("note", "10", "12", "Veuillez choisir une valeur entre 0 et 10."),
        ("lu", "OK", "oui", "Cochez la case pour confirmer."),
    ],
)
def test_new_types_are_checked(typed: Any, name: str, good: str, bad: str, message: str) -> None:
    assert name not in validate(typed, {name: good})
    assert validate(typed, {name: bad})[name] == message


def test_new_types_round_trip(typed: Any) -> None:
    assert parse_xlsform(export_xlsform(typed)) == typed


def test_results_analyse_a_range_as_numbers_and_link_or_other() -> None:
    from observatoire.lib.stats.questions import questions_from_form

    form = parse_xlsform(
        write_workbook(
            {
                "survey": [
                    ["type", "name", "label", "parameters"],
                    ["range", "note", "Note", "start=0 end=10"],
                    ["select_one l or_other", "q", "Q", None],
                ],
                "choices": [["list_name", "name", "label"], ["l", "a", "A"]],
            }
        )
    )
    specs = {spec.name: spec for spec in questions_from_form(form)}
    assert specs["note"].kind == "number"
    assert specs["q"].other == "q_other"
    assert [option.key for option in specs["q"].options] == ["a", "other"]


COUNTED: list[list[Any]] = [
    ["type", "name", "label", "repeat_count", "required"],
    ["integer", "n", "Combien d'élus ?", None, None],
    ["begin_repeat", "elu", "Élu", "${n}", None],
    ["text", "nom", "Nom", None, "yes"],
    ["end_repeat", "elu", None, None, None],
    ["begin_repeat", "trois", "Trois fiches", "3", None],
    ["text", "x", "X", None, None],
    ["end_repeat", "trois", None, None, None],
]


def test_repeat_count_fixes_the_number_of_instances() -> None:
    form = parse_xlsform(write_workbook({"survey": COUNTED}))
    evaluation = evaluate(form, {"n": 2, "elu": [{"nom": "A"}, {"nom": "B"}, {"nom": "C"}]})
    assert evaluation.repeat_counts == {"elu": 2, "trois": 3}
    assert evaluation.is_relevant("elu[2]") and not evaluation.is_relevant("elu[3]")
    assert evaluation.is_relevant("trois[3]")
    errors = validate(form, {"n": 2, "elu": [{"nom": "A"}]})
    assert errors == {"elu[2]/nom": "Cette question est obligatoire."}
    assert parse_xlsform(export_xlsform(form)) == form


def test_a_repeat_count_naming_an_unknown_question_is_one_problem() -> None:
    from observatoire.lib.xlsform import XLSFormError

    survey = [row[:] for row in COUNTED]
    survey[2][3] = "${nombre}"
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(write_workbook({"survey": survey}))
    assert [(p.row, p.column, p.code) for p in caught.value.errors] == [
        (3, "repeat_count", "unknown-reference")
    ]
