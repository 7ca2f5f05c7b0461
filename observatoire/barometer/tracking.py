"""Follow-up of an edition: where each territory of the frame stands, and the counts.

`territory_rows` reads the database in three queries; everything else is plain functions over
those rows (lists of dicts), testable without a database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from observatoire.territories.models import FrameMember, Territory

from .models import Edition, Invitation, Response

# Exclusive statuses, from the furthest reached; they add up to the frame size.
STATUS_LABELS = {
    "not_invited": "non invitées",
    "invited": "invitées",
    "opened": "lien ouvert",
    "in_progress": "en cours",
    "submitted": "réponse envoyée",
}
STATUS_ORDER = list(STATUS_LABELS)
KIND_LABELS = dict(Territory.Kind.choices)


def territory_status(*, invited: int, opened: int, response: dict[str, Any] | None) -> str:
    if response and response["status"] == Response.Status.SUBMITTED:
        return "submitted"
    if response and response["version"] > 1:
        return "in_progress"
    if opened:
        return "opened"
    if invited:
        return "invited"
    return "not_invited"


def territory_rows(edition: Edition) -> tuple[list[dict[str, Any]], int]:
    """One row per member of the edition's frame, and the number of responses outside it."""
    invitations = {
        row["territory_id"]: row
        for row in Invitation.objects.filter(edition=edition)
        .values("territory_id")
        .annotate(
            contacts=Count("pk"),
            invited=Count("pk", filter=Q(invited_at__isnull=False)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
        )
    }
    responses = {
        row["territory_id"]: row
        for row in Response.objects.filter(edition=edition).values(
            "territory_id",
            "status",
            "version",
            "submitted_at",
            "updated_at",
            "consent_to_name",
            "entered_by_staff",
            "locked_at",
        )
    }
    rows = []
    members = FrameMember.objects.filter(frame_id=edition.frame_id).values(
        "territory_id",
        "kind",
        "band",
        "population",
        "name",
        "territory__code",
        "territory__region__name",
    )
    for member in members.order_by("kind", "-population", "name"):
        territory_id = member["territory_id"]
        invitation = invitations.get(territory_id, {})
        response = responses.pop(territory_id, None)
        region = member["territory__region__name"]
        if member["kind"] == Territory.Kind.REGION:
            region = member["name"]
        rows.append(
            {
                "territory_id": territory_id,
                "code": member["territory__code"],
                "name": member["name"],
                "kind": member["kind"],
                "band": member["band"],
                "population": member["population"],
                "region": region or "—",
                "contacts": invitation.get("contacts", 0),
                "status": territory_status(
                    invited=invitation.get("invited", 0),
                    opened=invitation.get("opened", 0),
                    response=response,
                ),
                "submitted_at": response["submitted_at"] if response else None,
                "updated_at": response["updated_at"]
                if response and response["version"] > 1
                else None,
                "consent": response["consent_to_name"] if response else None,
                "staff": bool(response and response["entered_by_staff"]),
                "locked": bool(response and response["locked_at"]),
            }
        )
    outside = sum(1 for r in responses.values() if r["status"] == Response.Status.SUBMITTED)
    return rows, outside


def _counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    statuses = Counter(row["status"] for row in rows)
    frame = len(rows)
    reached = dict.fromkeys(STATUS_ORDER, 0)
    # Cumulative funnel: a territory that submitted was also invited, opened and started.
    for index, status in enumerate(STATUS_ORDER):
        reached[status] = sum(statuses[s] for s in STATUS_ORDER[index:])
    return {
        "frame": frame,
        "statuses": {status: statuses.get(status, 0) for status in STATUS_ORDER},
        "invited": reached["invited"],
        "opened": reached["opened"],
        "in_progress": statuses.get("in_progress", 0),
        "submitted": statuses.get("submitted", 0),
        "rate": statuses.get("submitted", 0) / frame if frame else 0.0,
        "percent": round(100 * statuses.get("submitted", 0) / frame, 1) if frame else 0.0,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals, and the same counts by stratum (kind × band), by région and by kind × région."""
    by_stratum: dict[tuple[str, str], list] = defaultdict(list)
    by_region: dict[str, list] = defaultdict(list)
    by_kind_region: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        by_stratum[(row["kind"], row["band"])].append(row)
        by_region[row["region"]].append(row)
        by_kind_region[(row["kind"], row["region"])].append(row)
    kind_order = {kind: index for index, kind in enumerate(Territory.Kind.values)}

    def band_key(band: str) -> int:
        digits = "".join(ch for ch in band.split("-")[0] if ch.isdigit())
        return int(digits) if digits else -1

    strata = []
    for (kind, band), members in sorted(
        by_stratum.items(), key=lambda item: (kind_order.get(item[0][0], 9), band_key(item[0][1]))
    ):
        strata.append(
            {
                "kind": kind,
                "band": band,
                "label": f"{KIND_LABELS.get(kind, kind)} {band}",
                **_counts(members),
            }
        )
    regions = [
        {"region": region, "label": region, **_counts(members)}
        for region, members in sorted(by_region.items())
    ]
    kind_regions = [
        {
            "kind": kind,
            "region": region,
            "label": f"{KIND_LABELS.get(kind, kind)} · {region}",
            **_counts(members),
        }
        for (kind, region), members in sorted(
            by_kind_region.items(), key=lambda item: (kind_order.get(item[0][0], 9), item[0][1])
        )
    ]
    return {
        "totals": _counts(rows)["statuses"],
        "funnel": _counts(rows),
        "by_stratum": strata,
        "by_region": regions,
        "by_kind_region": kind_regions,
    }


def daily_curve(
    dates: list[dt.date], *, start: dt.date | None, end: dt.date | None, frame: int
) -> list[dict[str, Any]]:
    """Responses submitted per day, the running total and the running response rate."""
    if not dates and not (start and end):
        return []
    start = start or min(dates)
    end = end or max(dates)
    if dates:
        start, end = min(start, min(dates)), max(end, max(dates))
    per_day = Counter(dates)
    points, total, day = [], 0, start
    while day <= end:
        total += per_day.get(day, 0)
        points.append(
            {
                "day": day,
                "count": per_day.get(day, 0),
                "total": total,
                "rate": total / frame if frame else 0.0,
            }
        )
        day += dt.timedelta(days=1)
    return points


def edition_summary(edition: Edition, filters: dict[str, str] | None = None) -> dict[str, Any]:
    rows, outside = territory_rows(edition)
    if filters:
        rows = [
            row
            for row in rows
            if all(not value or str(row[key]) == value for key, value in filters.items())
        ]
    summary = summarise(rows)
    today = timezone.localdate()
    end = min(edition.closes_on, today) if edition.closes_on else today
    dates = [timezone.localdate(row["submitted_at"]) for row in rows if row["submitted_at"]]
    start = edition.opens_on if edition.opens_on and edition.opens_on <= end else None
    summary.update(
        {
            "rows": rows,
            "outside_frame": outside,
            "frame_size": len(rows),
            "rate": summary["funnel"]["rate"],
            "curve": daily_curve(
                dates, start=start, end=end if (dates or start) else None, frame=len(rows)
            ),
        }
    )
    return summary


CSV_COLUMNS = [
    ("code", "code"),
    ("name", "nom"),
    ("kind", "type"),
    ("band", "tranche"),
    ("population", "population"),
    ("region", "région"),
    ("contacts", "contacts invités"),
    ("status", "statut"),
    ("submitted_at", "envoyée le"),
    ("consent", "accepte d'être nommée"),
    ("staff", "saisie par l'équipe"),
    ("locked", "verrouillée"),
]


def csv_rows(rows: list[dict[str, Any]]):
    yield [label for _key, label in CSV_COLUMNS]
    for row in rows:
        values = []
        for key, _label in CSV_COLUMNS:
            value = row[key]
            if key == "status":
                value = STATUS_LABELS[value]
            elif isinstance(value, bool):
                value = "oui" if value else "non"
            elif value is None:
                value = ""
            elif isinstance(value, dt.datetime):
                value = timezone.localtime(value).isoformat(timespec="minutes")
            values.append(value)
        yield values
