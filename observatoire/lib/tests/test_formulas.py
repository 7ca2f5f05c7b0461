import pandas as pd
import pytest

from observatoire.lib.formulas import neutralise, neutralise_frame, neutralise_row


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x.test","clic")', '\'=HYPERLINK("http://x.test","clic")'),
        ("+33 4 76 00 00 00", "'+33 4 76 00 00 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Démocratie = participation", "Démocratie = participation"),
        ("", ""),
        (-5, -5),
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_text_starting_like_a_formula_gets_a_quote_and_numbers_stay(
    value: object, expected: object
) -> None:
    assert neutralise(value) == expected


def test_rows_and_named_frame_columns_are_neutralised() -> None:
    assert neutralise_row(["=1", 1, "a"]) == ["'=1", 1, "a"]
    frame = pd.DataFrame({"texte": ["=1", "ok"], "code": ["-1", "2"]})
    out = neutralise_frame(frame, ["texte"])
    assert out["texte"].tolist() == ["'=1", "ok"] and out["code"].tolist() == ["-1", "2"]
    assert frame["texte"].tolist() == ["=1", "ok"]  # the caller's frame is left as it was
