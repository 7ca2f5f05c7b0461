"""The admin's listing exports (Wagtail `list_export`) neutralise spreadsheet formulas."""

import csv
import io

import pytest
from openpyxl import load_workbook

from observatoire.directory.tests import factory as directory_factory

from ..models import ContactMessage

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.test","clic")'


def exported_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_contact_message_signed_with_a_formula_is_exported_as_text(alice_client):
    ContactMessage.objects.create(
        name=EVIL, email="x@exemple.test", subject="@SOMME(A1)", message="-1+1"
    )
    (row,) = exported_rows(alice_client.get("/admin/editorial/messages/?export=csv"))
    assert (row["Nom"], row["Objet"], row["Message"]) == ("'" + EVIL, "'@SOMME(A1)", "'-1+1")
    xlsx = alice_client.get("/admin/editorial/messages/?export=xlsx")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    cell = book.active["B2"]
    assert (cell.value, cell.data_type) == (EVIL, "s")  # Wagtail's XLSX: a text cell already


def test_directory_entries_export_is_formula_safe(alice_client):
    directory_factory.organisation(EVIL)
    (row,) = exported_rows(alice_client.get("/admin/snippets/directory/organisation/?export=csv"))
    assert row["Nom"] == "'" + EVIL
