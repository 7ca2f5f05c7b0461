"""Barometer data files (CSV, XLSX, data package, codebook) neutralise spreadsheet formulas."""

import csv
import io
import zipfile

from frictionless import validate
from openpyxl import load_workbook

from observatoire.territories.models import Territory

from ..exports import export_bytes

EVIL = '=HYPERLINK("http://evil.test","clic")'


def named(small):
    Territory.objects.filter(name="Commune 0").update(name=EVIL)
    return small


def test_csv_and_data_package_write_a_formula_as_text_and_still_validate(small, tmp_path):
    named(small)
    table = list(csv.DictReader(io.StringIO(export_bytes(small.edition, "csv")[0].decode())))
    assert "'" + EVIL in {row["collectivite_nom"] for row in table}
    assert all(float(row["poids"]) > 0 for row in table)  # numbers stay numbers
    with zipfile.ZipFile(io.BytesIO(export_bytes(small.edition, "datapackage")[0])) as archive:
        archive.extractall(tmp_path)
    assert ("'" + EVIL).replace('"', '""') in (tmp_path / "reponses.csv").read_text()
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_xlsx_holds_the_formula_as_a_text_cell(small):
    named(small)
    book = load_workbook(io.BytesIO(export_bytes(small.edition, "xlsx")[0]))
    sheet = book["reponses"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("collectivite_nom") + 1
    cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]
    evil = next(cell for cell in cells if cell.value and EVIL in cell.value)
    assert (evil.value, evil.data_type) == ("'" + EVIL, "s")
    weight = sheet.cell(2, header.index("poids") + 1)
    assert isinstance(weight.value, float)
