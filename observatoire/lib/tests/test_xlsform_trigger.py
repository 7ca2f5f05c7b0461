"""`trigger`: a calculation recomputed only when the question its trigger names changes."""

import datetime as dt

from observatoire.lib.xlsform import evaluate, parse_xlsform
from observatoire.lib.xlsform.engine import apply_triggers
from observatoire.lib.xlsform.writer import write_workbook

SURVEY = [
    ["type", "name", "label", "calculation", "trigger"],
    ["integer", "habitants", "Habitants ?", None, None],
    ["calculate", "quand", None, "now()", "${habitants}"],
    ["calculate", "double", None, "${habitants} * 2", None],
]
MONDAY = dt.datetime(2026, 12, 7, 9, 0)
TUESDAY = dt.datetime(2026, 12, 8, 9, 0)


def form():
    return parse_xlsform(write_workbook({"survey": SURVEY}), filename="trigger.xlsx")


def test_a_triggered_calculation_is_computed_when_its_trigger_changes_then_kept() -> None:
    questionnaire = form()
    first = apply_triggers(questionnaire, {}, {"habitants": 100}, now=MONDAY)
    assert first["quand"] == "2026-12-07T09:00:00"
    # A later save that leaves the trigger alone keeps the moment; the evaluation shows it.
    again = apply_triggers(questionnaire, first, {**first}, now=TUESDAY)
    assert again["quand"] == "2026-12-07T09:00:00"
    evaluation = evaluate(questionnaire, again, now=TUESDAY)
    assert evaluation.values["quand"] == "2026-12-07T09:00:00"
    assert evaluation.values["double"] == "200"  # without a trigger: computed every time
    changed = apply_triggers(questionnaire, again, {**again, "habitants": 120}, now=TUESDAY)
    assert changed["quand"] == "2026-12-08T09:00:00"


def test_without_its_trigger_answered_the_calculation_stays_empty() -> None:
    questionnaire = form()
    assert "quand" not in evaluate(questionnaire, {}, now=MONDAY).values
    assert "quand" not in apply_triggers(questionnaire, {}, {}, now=MONDAY)
