"""Times, date-times, uploads and filtered selects in the results: analysed honestly."""

from observatoire.lib.stats import derived_answers, questions_from_form
from observatoire.lib.stats.questions import FILTERED_NOTE
from observatoire.lib.xlsform import parse_xlsform
from observatoire.lib.xlsform.writer import write_workbook


def form():
    survey = [
        ["type", "name", "label", "choice_filter", "parameters"],
        ["time", "ouverture", "Heure d'ouverture ?", None, None],
        ["datetime", "lancement", "Lancement ?", None, None],
        ["image", "photo", "Photo ?", None, None],
        ["file", "bilan", "Bilan ?", None, None],
        ["range", "note", "Note ?", None, "start=0 end=8"],
        ["select_one region", "region", "Région ?", None, None],
        ["select_one dep", "dep", "Département ?", "region=${region}", None],
    ]
    choices = [
        ["list_name", "name", "label", "region"],
        ["region", "84", "ARA", None],
        ["dep", "38", "Isère", "84"],
    ]
    data = write_workbook({"survey": survey, "choices": choices})
    return parse_xlsform(data, filename="types.xlsx")


def test_times_by_hour_datetimes_by_month_and_files_counted() -> None:
    specs = {spec.name: spec for spec in questions_from_form(form())}
    assert specs["ouverture__hour"].kind == "single"
    assert len(specs["ouverture__hour"].options) == 24
    assert specs["lancement__month"].options[11].label == "décembre"
    assert [o.key for o in specs["photo__file"].options] == ["oui", "non"]
    assert specs["note"].kind in ("number", "score")  # a range: a distribution of numbers
    assert FILTERED_NOTE in specs["dep"].notes and not specs["region"].notes
    answers = {"ouverture": "09:30", "lancement": "2026-12-07T18:00", "bilan": "bilan.pdf"}
    assert derived_answers(form(), answers) == {
        "ouverture__hour": "09",
        "lancement__month": "12",
        "photo__file": "non",
        "bilan__file": "oui",
    }
    assert derived_answers(form(), {"ouverture": "9h"})["ouverture__hour"] is None
