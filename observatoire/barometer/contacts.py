"""Reading a contacts file (CSV or XLSX): rows as dicts, with their line numbers.

Columns, French or English headers, in any order: nom/name, courriel/email, fonction/role,
territoire/territory (code INSEE, SIREN of an EPCI, or "kind:code"), and optionally
type/kind and langue/language.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

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


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ContactFileError("Encodage illisible : enregistrez le fichier en UTF-8.")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ContactFileError(f"Classeur .xlsx illisible : {error}") from None
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if value is None else str(value).strip() for value in values])
    workbook.close()
    return rows


def read_rows(data: bytes, filename: str) -> list[Row]:
    """The data rows, keyed by our column names; line 1 is the header."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        table = _xlsx_rows(data)
    elif suffix in (".csv", ".txt", ""):
        table = _csv_rows(data)
    else:
        raise ContactFileError(f"Format « {suffix} » non pris en charge : CSV ou XLSX.")
    if not table:
        raise ContactFileError("Le fichier est vide.")
    header = table[0]
    columns = [_column(name) for name in header]
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        names = {"email": "courriel (email)", "territory": "territoire (territory)"}
        raise ContactFileError(
            "Colonne(s) manquante(s) sur la ligne 1 : "
            + ", ".join(names[key] for key in missing)
            + f". Colonnes lues : {', '.join(h for h in header if h) or 'aucune'}."
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any((cell or "").strip() for cell in cells):
            continue
        values = {}
        for column, cell in zip(columns, cells, strict=False):
            if column:
                values[column] = (cell or "").strip()
        rows.append(Row(line=number, values=values))
    return rows
