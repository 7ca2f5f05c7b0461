"""Plain functions, no database: merge, follow-up counts, daily curve, chart geometry."""

import datetime as dt

from ..charts import line_chart, nice_step
from ..survey import merge_page
from ..tracking import daily_curve, summarise, territory_status


def test_merge_keeps_both_sides_changes_and_reports_true_conflicts():
    base = {"a": "1", "b": "1", "c": "1", "d": None}
    mine = {"a": "2", "b": "1", "c": "3", "d": None}
    theirs = {"a": "1", "b": "2", "c": "4", "d": None}
    merged, conflicts = merge_page(["a", "b", "c", "d"], base, mine, theirs)
    assert merged == {"a": "2", "b": "2", "c": "4", "d": None}
    assert [(c.name, c.mine, c.theirs) for c in conflicts] == [("c", "3", "4")]


def test_merge_treats_the_same_change_on_both_sides_as_no_conflict():
    merged, conflicts = merge_page(
        ["fiche"], {"fiche": []}, {"fiche": [{"n": "x"}]}, {"fiche": [{"n": "x", "e": None}]}
    )
    assert not conflicts and merged["fiche"] == [{"n": "x"}]


def test_territory_status_is_the_furthest_step():
    assert territory_status(invited=0, opened=0, response=None) == "not_invited"
    assert territory_status(invited=2, opened=0, response=None) == "invited"
    assert (
        territory_status(invited=2, opened=1, response={"status": "in_progress", "version": 1})
        == "opened"
    )
    assert (
        territory_status(invited=2, opened=1, response={"status": "in_progress", "version": 3})
        == "in_progress"
    )
    assert (
        territory_status(invited=0, opened=0, response={"status": "submitted", "version": 4})
        == "submitted"
    )


def row(kind, band, region, status):
    return {"kind": kind, "band": band, "region": region, "status": status}


def test_summary_by_stratum_and_region_with_a_cumulative_funnel():
    rows = [
        row("commune", "3500-9999", "Bretagne", "submitted"),
        row("commune", "3500-9999", "Bretagne", "invited"),
        row("commune", "100000+", "Bretagne", "in_progress"),
        row("region", "0-1999999", "Corse", "not_invited"),
    ]
    summary = summarise(rows)
    funnel = summary["funnel"]
    assert (funnel["frame"], funnel["invited"], funnel["opened"], funnel["submitted"]) == (
        4,
        3,
        2,
        1,
    )
    assert funnel["percent"] == 25.0
    assert [s["label"] for s in summary["by_stratum"]] == [
        "Commune 3500-9999",
        "Commune 100000+",
        "Région 0-1999999",
    ]
    assert summary["by_stratum"][0]["percent"] == 50.0
    assert [(r["region"], r["frame"]) for r in summary["by_region"]] == [
        ("Bretagne", 3),
        ("Corse", 1),
    ]
    assert sum(summary["totals"].values()) == 4


def test_daily_curve_fills_days_without_answers():
    day = dt.date(2026, 10, 1)
    points = daily_curve(
        [day, day, day + dt.timedelta(days=2)],
        start=day - dt.timedelta(days=1),
        end=day + dt.timedelta(days=3),
        frame=10,
    )
    assert [p["count"] for p in points] == [0, 2, 0, 1, 0]
    assert [p["total"] for p in points] == [0, 2, 2, 3, 3]
    assert points[-1]["rate"] == 0.3
    assert daily_curve([], start=None, end=None, frame=10) == []


def test_chart_geometry():
    assert nice_step(0) == 1 and nice_step(37) == 10 and nice_step(4) == 1 and nice_step(180) == 50
    chart = line_chart([("01/10", 0), ("02/10", 5), ("03/10", 12)], width=300, height=200)
    assert chart["path"].startswith("M48.0,164.0") and chart["path"].count("L") == 2
    assert [t["value"] for t in chart["y_ticks"]] == [0, 5, 10, 15]
    assert chart["area"].endswith("Z")
    assert [t["label"] for t in chart["x_ticks"]] == ["01/10", "02/10", "03/10"]


def test_chart_keeps_the_last_label_without_overlap():
    points = [(f"{day:02d}/11", day) for day in range(1, 23)]  # 22 days, a label every 4
    labels = [t["label"] for t in line_chart(points)["x_ticks"]]
    assert labels[0] == "01/11" and labels[-1] == "22/11"
    assert "21/11" not in labels
