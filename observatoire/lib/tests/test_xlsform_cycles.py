"""Issue 11: expressions too deep and dependency cycles are reported at import, once each."""

from typing import Any

import pytest

from observatoire.lib.xlsform import XLSFormError, evaluate, parse_xlsform
from observatoire.lib.xlsform.expressions import MAX_DEPTH
from observatoire.lib.xlsform.writer import write_workbook

HEADER = ["type", "name", "label", "relevant", "calculation"]


def errors(survey: list[list[Any]]) -> list[Any]:
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(write_workbook({"survey": [HEADER, *survey]}))
    return caught.value.errors


def test_an_expression_nested_3000_deep_is_one_problem_not_a_500() -> None:
    deep = "(" * 3000 + "1" + ")" * 3000
    [problem] = errors([["integer", "n", "N"], ["calculate", "c", None, None, deep]])
    assert (problem.sheet, problem.row, problem.column, problem.code) == (
        "survey",
        3,
        "calculation",
        "expression-depth",
    )
    assert "3000 niveaux" in problem.message and len(problem.message) < 400


def test_a_long_chain_of_operators_is_too_deep_as_well() -> None:
    chain = " + ".join(["${n}"] * 3000)
    [problem] = errors([["integer", "n", "N"], ["calculate", "c", None, None, chain]])
    assert (problem.row, problem.column, problem.code) == (3, "calculation", "expression-depth")


def test_nesting_up_to_the_limit_is_accepted() -> None:
    nested = "(" * (MAX_DEPTH - 5) + "${n}" + ")" * (MAX_DEPTH - 5)
    form = parse_xlsform(
        write_workbook(
            {"survey": [HEADER, ["integer", "n", "N"], ["calculate", "c", None, None, nested]]}
        )
    )
    assert evaluate(form, {"n": "4"}).values["c"] == "4"


def test_a_relevant_cycle_is_one_problem_naming_the_chain() -> None:
    [problem] = errors(
        [
            ["text", "a", "A", "${b} = 'x'"],
            ["text", "b", "B", "${a} = 'x'"],
            ["text", "c", "C", "${a} = 'x'"],
        ]
    )
    assert (problem.row, problem.column, problem.code) == (2, "relevant", "cycle")
    assert "a → b → a" in problem.message


def test_a_calculation_reading_itself_is_a_cycle() -> None:
    [problem] = errors([["calculate", "total", None, None, "${total} + 1"]])
    assert (problem.row, problem.column, problem.code) == (2, "calculation", "cycle")


def test_a_cycle_through_a_calculation_and_a_relevant() -> None:
    [problem] = errors(
        [
            ["integer", "n", "N", "${double} > 2"],
            ["calculate", "double", None, None, "${n} * 2"],
        ]
    )
    assert (problem.row, problem.column, problem.code) == (2, "relevant", "cycle")


def test_a_group_relevant_on_its_own_question_is_a_cycle() -> None:
    [problem] = errors(
        [
            ["begin_group", "g", "G", "${q} = 'oui'"],
            ["text", "q", "Q"],
            ["end_group", "g"],
        ]
    )
    assert (problem.row, problem.column, problem.code) == (2, "relevant", "cycle")


def test_two_cycles_are_two_problems() -> None:
    found = errors(
        [
            ["calculate", "a", None, None, "${b}"],
            ["calculate", "b", None, None, "${a}"],
            ["calculate", "c", None, None, "${c}"],
        ]
    )
    assert [(p.row, p.code) for p in found] == [(2, "cycle"), (4, "cycle")]


def test_chains_without_cycle_are_fine() -> None:
    form = parse_xlsform(
        write_workbook(
            {
                "survey": [
                    HEADER,
                    ["integer", "n", "N"],
                    ["calculate", "double", None, None, "${n} * 2"],
                    ["begin_group", "g", "G", "${double} > 2"],
                    ["text", "q", "Q", "${n} > 3"],
                    ["end_group", "g"],
                ]
            }
        )
    )
    assert evaluate(form, {"n": "4"}).relevant["q"]
