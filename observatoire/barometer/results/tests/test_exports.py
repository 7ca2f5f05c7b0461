import csv
import io
import zipfile

import pyreadstat
import pytest
from django.core.management import call_command
from django.urls import reverse
from frictionless import validate

from .. import commands
from ..exports import export_bytes
from ..models import DemoEdition


def rows(content):
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_csv_has_one_row_per_response_weights_and_01_columns(small):
    content, content_type = export_bytes(small.edition, "csv")
    assert content_type == "text/csv"
    table = rows(content)
    assert len(table) == 15
    first = table[0]
    assert first["dispositifs__budget"] == "1" and first["dispositifs__autre"] == "1"
    assert first["nouveaux_dispositifs"] == "oui"
    # Weights sum to the frame: 12 communes x 40/12 + 3 EPCI x 20/3.
    assert sum(float(r["poids"]) for r in table) == pytest.approx(60)


def test_exports_contain_no_contact_and_name_territory_only_with_consent(small):
    for fmt in ("csv", "xlsx", "sav", "dta", "datapackage", "codebook"):
        content, _type = export_bytes(small.edition, fmt)
        blob = content
        if fmt in ("xlsx", "datapackage"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                blob = b"".join(archive.read(name) for name in archive.namelist())
        assert b"marie.durand" not in blob and b"Marie Durand" not in blob, fmt
        if fmt not in ("sav", "dta"):  # binary headers may hold an "@"
            assert b"@" not in blob, fmt
        assert b"Commune 5" not in blob, fmt  # no consent
        assert b"Commune 11" not in blob, fmt  # free text nom_collectivite left out
    table = rows(export_bytes(small.edition, "csv")[0])
    named = {r["collectivite_nom"] for r in table}
    assert named == {"Commune 0", "Commune 1", ""}
    unnamed = next(r for r in table if not r["collectivite_nom"])
    assert unnamed["type"] and unnamed["tranche"] and unnamed["region"] == "84"
    assert unnamed["collectivite_code"] == ""


@pytest.mark.parametrize("fmt,reader", [("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)])
def test_spss_and_stata_files_keep_variable_and_value_labels(small, tmp_path, fmt, reader):
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(export_bytes(small.edition, fmt)[0])
    frame, meta = reader(str(path))
    assert len(frame) == 15
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["nouveaux_dispositifs"] == "Prévoyez-vous de nouveaux dispositifs ?"
    assert meta.variable_value_labels["nouveaux_dispositifs"] == {1: "Oui", 2: "Non"}
    assert meta.variable_value_labels["dispositifs__petition"] == {0: "non coché", 1: "coché"}
    assert frame["poids"].sum() == pytest.approx(60)


def test_data_package_validates_with_frictionless(small, tmp_path):
    with zipfile.ZipFile(io.BytesIO(export_bytes(small.edition, "datapackage")[0])) as archive:
        archive.extractall(tmp_path)
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_demo_edition_is_labelled_in_files(small, tmp_path):
    DemoEdition.objects.create(edition=small.edition)
    assert "donnees_demo" in rows(export_bytes(small.edition, "csv")[0])[0]
    assert "Données de démonstration" in export_bytes(small.edition, "codebook")[0].decode()
    path = tmp_path / "x.sav"
    path.write_bytes(export_bytes(small.edition, "sav")[0])
    assert pyreadstat.read_sav(str(path), metadataonly=True)[1].file_label.startswith(
        "DÉMONSTRATION"
    )


def test_downloads_page_lists_files_and_serves_them(charlie, small):
    html = charlie.get(reverse("barometer_results:downloads", args=[2018])).content.decode()
    assert "barometre-2018.sav" in html and "barometre-2018-datapackage.zip" in html
    response = charlie.get(reverse("barometer_results:download", args=[2018, "barometre-2018.dta"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="barometre-2018.dta"'
    missing = reverse("barometer_results:download", args=[2018, "secret.txt"])
    assert charlie.get(missing).status_code == 404


def test_export_function_writes_the_file(small, tmp_path):
    output = tmp_path / "b.csv"
    commands.handle_export(year=2018, format="csv", output=str(output))
    assert len(rows(output.read_bytes())) == 15


def test_barometer_command_exports(small, tmp_path):
    output = tmp_path / "b.dta"
    call_command("barometer", "export", "2018", "--format", "dta", "--output", str(output))
    assert pyreadstat.read_dta(str(output))[0].shape[0] == 15
