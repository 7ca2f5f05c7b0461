"""The frame's members CSV (`territories frame --csv`) neutralises spreadsheet formulas."""

import csv

from observatoire.territories.management.commands.territories import write_members_csv
from observatoire.territories.models import FrameMember
from observatoire.territories.services import build_frame

EVIL = '=HYPERLINK("http://evil.test","clic")'


def test_a_member_named_like_a_formula_is_written_as_text(mini_referentiel, tmp_path):
    frame, _created = build_frame(year=2026)
    FrameMember.objects.filter(frame=frame, territory__code="38185").update(name=EVIL)
    path = tmp_path / "frame.csv"
    write_members_csv(frame, path)
    with path.open(encoding="utf-8") as handle:
        grenoble = next(row for row in csv.DictReader(handle) if row["code"] == "38185")
    assert grenoble["nom"] == "'" + EVIL and grenoble["population"] == "156140"
