"""Reading uploaded tables (CSV, XLSX) safely: bounded size and rows, known encoding, no NUL.

Every importer (barometer contacts, cartography import) reads its file through these
functions, in the dry run and in the real run alike, so a file the dry run accepts is a
file the real run can write. Rows are streamed (a csv reader over a text wrapper, openpyxl
in read-only mode), so memory stays flat whatever the file's size.

Encodings: a byte-order mark decides (UTF-8, UTF-16 LE or BE); without one the file must
be UTF-8. We refuse rather than guess Windows-1252: any byte sequence decodes in some 8-bit
encoding, so a wrong guess silently garbles names, while re-saving as "CSV UTF-8" in Excel
is one menu choice. A caller that knows better (the cartography mapping's
`[file] encoding`) names the encoding itself.

NUL bytes: PostgreSQL refuses them in text columns (SQLite stores them), so they would
pass a dry run on one database and crash the import on the other; we report them with
their row and column instead.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

UNSUPPORTED_ENCODING = (
    "encodage non pris en charge : enregistrez le fichier en UTF-8 (« CSV UTF-8 » dans Excel)"
)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
DELIMITERS = (",", ";", "\t")
# A NUL character, or a byte that did not decode (kept as a lone surrogate by "surrogateescape").
_BAD_CHARACTER = re.compile("[\x00\udc80-\udcff]")

Rows = Iterator[tuple[int, list[Any]]]


class Table(NamedTuple):
    header: list[str]
    rows: Rows  # (row number, cells); line 1 is the header
    delimiter: str = ""  # CSV only: the one given or guessed


class TabularError(ValueError):
    """The file cannot be read as a table; `row` (1 = header) and `column` say where."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "") -> None:
        self.message, self.row, self.column = message, row, column
        where = ""
        if row is not None:
            where = f"ligne {row}"
            if column:
                where += f", colonne « {column} »"
            where += " : "
        super().__init__(where + message)


def stream_size(stream: IO[bytes]) -> int:
    position = stream.tell()
    size = stream.seek(0, io.SEEK_END)
    stream.seek(position)
    return size


def check_size(size: int, *, max_mb: int, setting: str = "IMPORT_MAX_MB") -> None:
    """Refuse a file over `max_mb` megabytes before reading any of it."""
    if size > max_mb * 1024 * 1024:
        raise TabularError(
            f"fichier trop volumineux ({size / 1024 / 1024:.1f} Mo, maximum {max_mb} Mo ; "
            f"voir {setting}) : découpez-le en plusieurs fichiers"
        )


def detect_encoding(head: bytes) -> str:
    """The encoding a byte-order mark announces, else UTF-8; refuses BOM-less UTF-16."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    sample = head[:2048]
    if sample and sample.count(0) > len(sample) // 4:
        # Latin text in UTF-16 has a NUL every other byte: Excel's "Unicode text" without BOM.
        raise TabularError(UNSUPPORTED_ENCODING + " (UTF-16 sans marque d'ordre des octets ?)")
    return "utf-8"


def _check_cells(number: int, cells: list[str], header: list[str]) -> None:
    if not _BAD_CHARACTER.search("".join(cells)):
        return
    for index, cell in enumerate(cells):
        found = _BAD_CHARACTER.search(cell)
        if found is None:
            continue
        column = header[index] if index < len(header) and header[index] else f"n° {index + 1}"
        if found.group() == "\x00":
            message = "caractère NUL (octet 0) : le fichier est binaire ou mal exporté"
        else:
            message = UNSUPPORTED_ENCODING
        raise TabularError(message, row=number, column=column)


def _limit(number: int, max_rows: int) -> None:
    if number - 1 > max_rows:
        raise TabularError(
            f"plus de {max_rows} lignes de données (voir IMPORT_MAX_ROWS) : "
            "découpez le fichier en plusieurs fichiers",
            row=number,
        )


def csv_rows(
    stream: IO[bytes],
    *,
    max_rows: int,
    encoding: str = "",
    delimiter: str = "",
) -> Table:
    """The header and an iterator of (row number, cells) of a CSV file; line 1 is the header.

    Blank rows are skipped. The delimiter, when not given, is the most frequent of
    `, ; tab` on the first line. Errors (TabularError) may come while iterating.
    """
    head = stream.read(4096)
    stream.seek(0)
    if not encoding:
        encoding = detect_encoding(head)
    elif encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"  # an explicit UTF-8 still tolerates Excel's BOM
    text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
    if not delimiter:
        first_line = head.decode(encoding, errors="ignore").lstrip("\ufeff").splitlines()[:1]
        delimiter = max(DELIMITERS, key=(first_line or [""])[0].count)
    reader = csv.reader(text, delimiter=delimiter, strict=True)

    def release() -> None:
        if not stream.closed:
            text.detach()  # leave the caller's stream open (a TextIOWrapper closes it)

    try:
        header = [cell.strip() for cell in next(reader)]
        _check_cells(1, header, header)
    except StopIteration:
        release()
        raise TabularError("fichier vide") from None
    except csv.Error as error:
        release()
        raise TabularError(f"CSV mal formé ({error})", row=1) from None
    except TabularError:
        release()
        raise

    def rows() -> Rows:
        number = 1
        try:
            for cells in reader:
                number += 1
                _limit(number, max_rows)
                if not any(cell.strip() for cell in cells):
                    continue
                _check_cells(number, cells, header)
                yield number, cells
        except csv.Error as error:
            raise TabularError(f"CSV mal formé ({error})", row=number + 1) from None
        finally:
            release()

    return Table(header, rows(), delimiter)


def xlsx_rows(source: IO[bytes] | Path, *, max_rows: int, sheet: str = "") -> Table:
    """The header and an iterator of (row number, cell values) of the first (or named) sheet."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TabularError(f"classeur XLSX illisible ({error})") from None
    if sheet and sheet not in workbook.sheetnames:
        workbook.close()
        raise TabularError(
            f"pas de feuille « {sheet} » (feuilles : {', '.join(workbook.sheetnames)})"
        )
    values = (workbook[sheet] if sheet else workbook.worksheets[0]).iter_rows(values_only=True)
    try:
        header = ["" if cell is None else str(cell).strip() for cell in next(values)]
    except StopIteration:
        workbook.close()
        raise TabularError("feuille vide") from None

    def rows() -> Rows:
        try:
            for number, cells in enumerate(values, start=2):
                _limit(number, max_rows)
                if all(cell is None or str(cell).strip() == "" for cell in cells):
                    continue
                _check_cells(number, [c if isinstance(c, str) else "" for c in cells], header)
                yield number, list(cells)
        finally:
            workbook.close()

    return Table(header, rows())
