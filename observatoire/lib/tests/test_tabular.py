"""Reading uploaded tables: limits, encodings, NUL bytes, flat memory."""

import io
import tracemalloc
from typing import Any

import pytest
from openpyxl import Workbook

from observatoire.lib.tabular import (
    UNSUPPORTED_ENCODING,
    TabularError,
    check_size,
    csv_rows,
    xlsx_rows,
)

TEXT = "nom;courriel\r\nÈve Durand;eve@mairie.test\r\n"


def read(data: bytes, max_rows: int = 10) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    header, rows, _delimiter = csv_rows(io.BytesIO(data), max_rows=max_rows)
    return header, list(rows)


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        b"\xff\xfe" + TEXT.encode("utf-16-le"),
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be"],
)
def test_utf8_and_files_with_a_byte_order_mark_are_read(data: bytes) -> None:
    assert read(data) == (["nom", "courriel"], [(2, ["Ève Durand", "eve@mairie.test"])])


def test_windows_1252_is_refused_naming_row_and_column() -> None:
    data = "nom;courriel\nA;a@x.test\nÈve;eve@x.test\n".encode("cp1252")
    with pytest.raises(TabularError) as refused:
        read(data)
    assert (refused.value.row, refused.value.column) == (3, "nom")
    assert refused.value.message == UNSUPPORTED_ENCODING
    assert "CSV UTF-8" in str(refused.value)


def test_utf16_without_byte_order_mark_is_refused_instead_of_missing_columns() -> None:
    with pytest.raises(TabularError, match=r"encodage non pris en charge.*UTF-16"):
        read(TEXT.encode("utf-16-le"))


def test_a_nul_byte_is_reported_with_its_row_and_column() -> None:
    data = b"nom,courriel\nA,a@x.test\nB,b\x00@x.test\n"
    with pytest.raises(TabularError) as refused:
        read(data)
    assert str(refused.value) == (
        "ligne 3, colonne « courriel » : caractère NUL (octet 0) : le fichier est binaire ou "
        "mal exporté"
    )


def test_rows_over_the_limit_stop_the_reading() -> None:
    data = b"nom\n" + b"".join(b"x%d\n" % n for n in range(20))
    with pytest.raises(
        TabularError, match=r"plus de 5 lignes de données.*IMPORT_MAX_ROWS"
    ) as error:
        read(data, max_rows=5)
    assert error.value.row == 7


def test_size_over_the_limit_is_refused() -> None:
    check_size(1024 * 1024, max_mb=1)
    with pytest.raises(TabularError, match=r"trop volumineux \(1\.0 Mo, maximum 1 Mo ; voir X\)"):
        check_size(1024 * 1024 + 1, max_mb=1, setting="X")


def test_the_delimiter_is_guessed_from_the_first_line() -> None:
    for delimiter in (",", ";", "\t"):
        data = delimiter.join(["a", "b"]).encode() + b"\n1" + delimiter.encode() + b"2\n"
        header, rows, guessed = csv_rows(io.BytesIO(data), max_rows=10)
        assert (header, list(rows), guessed) == (["a", "b"], [(2, ["1", "2"])], delimiter)


def test_the_callers_stream_stays_open() -> None:
    stream = io.BytesIO(TEXT.encode())
    _header, rows, _delimiter = csv_rows(stream, max_rows=10)
    list(rows)
    assert not stream.closed and stream.seek(0) == 0


def test_a_large_csv_is_streamed_in_flat_memory() -> None:
    row = b"Nom Pr\xc3\xa9nom;personne@mairie.test;Charg\xc3\xa9e de mission;38185\n"
    data = b"nom;courriel;fonction;territoire\n" + row * 60_000  # about 3.6 MB
    stream = io.BytesIO(data)
    tracemalloc.start()
    try:
        _header, rows, _delimiter = csv_rows(stream, max_rows=100_000)
        count = sum(1 for _row in rows)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 60_000
    assert peak < 1024 * 1024, peak  # the whole file decoded would be several MB


def test_xlsx_rows_skip_blank_rows_and_honour_the_limit() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for values in (["nom", "code"], ["A", 38185], [None, None], ["B", 69123]):
        sheet.append(values)
    data = io.BytesIO()
    book.save(data)
    header, rows, _delimiter = xlsx_rows(io.BytesIO(data.getvalue()), max_rows=10)
    assert (header, list(rows)) == (["nom", "code"], [(2, ["A", 38185]), (4, ["B", 69123])])
    _header, rows, _delimiter = xlsx_rows(io.BytesIO(data.getvalue()), max_rows=2)
    with pytest.raises(TabularError, match="plus de 2 lignes"):
        list(rows)


def test_a_broken_workbook_is_refused() -> None:
    with pytest.raises(TabularError, match="classeur XLSX illisible"):
        xlsx_rows(io.BytesIO(b"not a zip"), max_rows=10)
