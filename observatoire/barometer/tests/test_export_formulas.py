"""The dashboard's CSV of territories neutralises spreadsheet formulas."""

import csv
import io

from django.urls import reverse

from observatoire.territories.models import FrameMember

EVIL = '=HYPERLINK("http://evil.test","clic")'


def test_dashboard_csv_writes_a_territory_named_like_a_formula_as_text(alice_client, edition):
    FrameMember.objects.filter(territory__code="38185").update(name=EVIL)
    exported = alice_client.get(reverse("barometer_admin:dashboard", args=[2018]) + "?format=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    grenoble = next(row for row in rows if row[0] == "38185")
    assert grenoble[1] == "'" + EVIL
