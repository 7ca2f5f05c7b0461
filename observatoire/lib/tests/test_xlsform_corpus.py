"""Every corpus form imports (or gives its one documented problem) and exports back identically:
the same Form, and the same question tree for pyxform."""

import re
from pathlib import Path

import pytest
from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from observatoire.lib.xlsform import XLSFormError, export_xlsform, parse_xlsform
from observatoire.lib.xlsform.writer import write_workbook

from .xlsform_corpus import ATTACHMENTS, CORPUS

SAMPLES = Path(__file__).parent / "corpus"
# Real forms written by others (corpus/README.md): what each must give.
SAMPLE_RESULTS = {
    "extra_columns.xlsx": None,
    "extra_sheet_names.xlsx": None,
    "group.xlsx": None,
    "or_other.xlsx": None,
    "specify_other.xlsx": None,
    "text_and_integer.xlsx": None,
    "yes_or_no_question.xlsx": None,
    "choice_filter_test.xlsx": None,
    "loop.xlsx": "impossible-type",
    "pull_data.xlsx": None,
}
# The CSV files a real form reads, beside it in corpus/.
SAMPLE_ATTACHMENTS = {"pull_data.xlsx": ["fruits.csv"]}


def question_tree(data: bytes) -> str:
    """What pyxform makes of the form: the XForm it writes (spelling variants of a type, such
    as `dateTime` and `datetime`, give the same XForm)."""
    xform = str(convert(xlsform=data, file_type=".xlsx", form_name="data").xform)
    # The form's identity is not the question tree: the export writes the defaults (form_id
    # from the file name) into a settings sheet.
    xform = re.sub(r"<h:title>.*?</h:title>", "", xform)
    return re.sub(r'<data id="[^"]*"(?: version="[^"]*")?', "<data", xform)


def check_round_trip(
    data: bytes, filename: str = "corpus.xlsx", attachments: dict[str, bytes] | None = None
) -> None:
    form = parse_xlsform(data, filename=filename, attachments=attachments)
    exported = export_xlsform(form)
    assert parse_xlsform(exported, filename=filename, attachments=attachments) == form
    assert question_tree(exported) == question_tree(data)


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 25 and len(SAMPLE_RESULTS) >= 5


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_form(name: str) -> None:
    sheets, expected = CORPUS[name]
    data = write_workbook(sheets)
    if expected is None:
        check_round_trip(data, attachments=ATTACHMENTS.get(name))
        return
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(data, attachments=ATTACHMENTS.get(name))
    assert [problem.code for problem in caught.value.errors] == [expected]


@pytest.mark.parametrize("filename", list(SAMPLE_RESULTS))
def test_real_forms_written_by_others(filename: str) -> None:
    data = (SAMPLES / filename).read_bytes()
    expected = SAMPLE_RESULTS[filename]
    attachments = {
        name: (SAMPLES / name).read_bytes() for name in SAMPLE_ATTACHMENTS.get(filename, [])
    }
    if expected is None:
        check_round_trip(data, filename, attachments)
        return
    with pytest.raises(XLSFormError) as caught:
        parse_xlsform(data, filename=filename)
    assert [problem.code for problem in caught.value.errors] == [expected]
