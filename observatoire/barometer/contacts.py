"""Reading a contacts file (CSV or XLSX): rows as dicts, with their line numbers.

Columns, French or English headers, in any order: nom/name, courriel/email, fonction/role,
territoire/territory (code INSEE, SIREN of an EPCI, or "kind:code"), and optionally
type/kind and langue/language.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings

from observatoire.lib.tabular import TabularError, check_size, csv_rows, stream_size, xlsx_rows

HEADERS = {
    "name": {"name", "nom", "nom complet", "prénom nom"},
    "email": {"email", "e-mail", "courriel", "adresse électronique", "mail"},
    "role": {"role", "rôle", "fonction"},
    "territory": {
        "territory",
        "territory code",
        "territory_code",
        "territoire",
        "code territoire",
        "code_territoire",
        "code",
        "collectivité",
    },
    "kind": {"kind", "type"},
    "language": {"language", "langue"},
}
REQUIRED = ("email", "territory")


class ContactFileError(Exception):
    """The file cannot be read at all (format, encoding, missing columns)."""


@dataclass
class Row:
    line: int
    values: dict[str, str] = field(default_factory=dict)


def _column(header: str) -> str | None:
    text = " ".join((header or "").strip().lower().split())
    for key, names in HEADERS.items():
        if text in names:
            return key
    return None


def read_rows(source: bytes | IO[bytes], filename: str) -> Iterator[Row]:
    """The data rows, keyed by our column names, streamed; line 1 is the header.

    Size, row count, encoding and NUL bytes are checked by observatoire.lib.tabular: the
    ContactFileError may come while iterating, naming the row.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    suffix = Path(filename).suffix.lower()
    try:
        check_size(stream_size(stream), max_mb=settings.IMPORT_MAX_MB)
        if suffix == ".xlsx":
            header, table, _delimiter = xlsx_rows(stream, max_rows=settings.IMPORT_MAX_ROWS)
        elif suffix in (".csv", ".txt", ""):
            header, table, _delimiter = csv_rows(stream, max_rows=settings.IMPORT_MAX_ROWS)
        else:
            raise ContactFileError(f"Format « {suffix} » non pris en charge : CSV ou XLSX.")
    except TabularError as error:
        raise ContactFileError(_sentence(str(error))) from None
    columns = [_column(name) for name in header]
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        names = {"email": "courriel (email)", "territory": "territoire (territory)"}
        raise ContactFileError(
            "Colonne(s) manquante(s) sur la ligne 1 : "
            + ", ".join(names[key] for key in missing)
            + f". Colonnes lues : {', '.join(h for h in header if h) or 'aucune'}."
        )
    return _rows(columns, table)


def _rows(columns: list[str | None], table: Iterator[tuple[int, list]]) -> Iterator[Row]:
    try:
        for number, cells in table:
            values = {}
            for column, cell in zip(columns, cells, strict=False):
                if column:
                    values[column] = "" if cell is None else str(cell).strip()
            yield Row(line=number, values=values)
    except TabularError as error:
        raise ContactFileError(_sentence(str(error))) from None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
