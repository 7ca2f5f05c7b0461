"""Pabulib `.pb` files: one participatory budget (one city, or one district of it) per file.

The format (https://pabulib.org/format) is three sections, META, PROJECTS and VOTES, each a
header line then rows, cells separated by ";" and quoted with '"' when needed. META is
key;value. Only what the cartography keeps is read: the vote itself (one line per voter)
is counted, not stored. Plain functions, no database: `parse_pb` and `write_pb`.
"""

import csv
import io
from pathlib import Path
from typing import Any

SECTIONS = ("META", "PROJECTS", "VOTES")

# Pabulib writes the country in English; the cartography keeps ISO codes.
COUNTRIES = {
    "france": "FR",
    "poland": "PL",
    "netherlands": "NL",
    "hungary": "HU",
    "canada": "CA",
    "united states": "US",
    "usa": "US",
    "switzerland": "CH",
    "belgium": "BE",
    "spain": "ES",
    "portugal": "PT",
    "italy": "IT",
    "germany": "DE",
    "czech republic": "CZ",
    "czechia": "CZ",
}

# Dates in the files: "03.10.2022", "2022-10-03", "03.10.2022 12:00", or a year.
DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y"]


class PbFormatError(ValueError):
    pass


def parse_pb(text: str, *, name: str = "") -> dict[str, Any]:
    """{"meta": {...}, "projects": [{...}], "voters": int, "header": [...]} from a .pb text."""
    sections: dict[str, list[list[str]]] = {}
    current = None
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1):
        if not cells or not any(cell.strip() for cell in cells):
            continue
        if len(cells) == 1 and cells[0].strip().upper() in SECTIONS:
            current = cells[0].strip().upper()
            sections[current] = []
            continue
        if current is None:
            raise PbFormatError(
                f"{name}, ligne {number} : « {cells[0][:40]} » avant la section META"
            )
        sections[current].append([cell.strip() for cell in cells])
    for section in ("META", "PROJECTS"):
        if not sections.get(section):
            raise PbFormatError(f"{name} : section {section} absente ou vide")
    meta_rows = sections["META"]
    meta = {row[0]: (row[1] if len(row) > 1 else "") for row in meta_rows[1:] if row}
    header, *rows = sections["PROJECTS"]
    if "project_id" not in header:
        raise PbFormatError(f"{name} : la section PROJECTS n'a pas de colonne project_id")
    projects = [dict(zip(header, row, strict=False)) for row in rows]
    votes = sections.get("VOTES", [])
    return {
        "meta": meta,
        "header": header,
        "projects": projects,
        "voters": max(len(votes) - 1, 0),
    }


def _number(text: str | None) -> float | None:
    if text in (None, ""):
        return None
    try:
        return float(str(text).replace(",", "."))
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    number = _number(text)
    return None if number is None else int(number)


def initiative_record(pb: dict[str, Any], file_key: str) -> dict[str, Any]:
    """The initiative a budget becomes, in the cartography's field names."""
    meta = pb["meta"]
    unit = meta.get("unit", "").strip()
    subunit = meta.get("subunit", "").strip() or meta.get("district", "").strip()
    instance = meta.get("instance", "").strip()
    name = " ".join(part for part in ["Budget participatif", unit, instance] if part)
    if subunit and subunit != unit:
        name = f"{name} – {subunit}"
    voters = _int(meta.get("num_votes")) or pb["voters"] or None
    projects = []
    for project in pb["projects"]:
        selected = project.get("selected")
        known = {"project_id", "name", "cost", "votes", "score", "category", "selected"}
        projects.append(
            {
                **{key: value for key, value in project.items() if key not in known},
                "id": project.get("project_id", ""),
                "name": project.get("name", "") or project.get("title", ""),
                "cost": _number(project.get("cost")),
                "votes": _int(project.get("votes")),
                "score": _number(project.get("score")),
                "category": project.get("category", ""),
                "selected": None if selected in (None, "") else selected.strip() == "1",
            }
        )
    return {
        "file": file_key,
        "name": name,
        "description": meta.get("description", ""),
        "country": COUNTRIES.get(meta.get("country", "").strip().lower(), ""),
        "city": unit,
        "district": subunit,
        "start_on": meta.get("date_begin", ""),
        "end_on": meta.get("date_end", ""),
        "budget_amount": meta.get("budget", ""),
        "participants": voters,
        "functions": "budget-participatif",
        "budget_vote": {
            "unit": unit,
            "district": subunit,
            "instance": instance,
            "vote_type": meta.get("vote_type", ""),
            "rule": meta.get("rule", ""),
            "voters": voters,
            "num_projects": _int(meta.get("num_projects")) or len(projects),
            "currency": meta.get("currency", ""),
            "meta": meta,
            "project_columns": pb["header"],
            "projects": projects,
        },
    }


def read_pb_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    return initiative_record(parse_pb(text, name=path.name), path.stem)


def write_pb(budget_vote: dict[str, Any]) -> str:
    """A .pb text back from what an initiative keeps: META and PROJECTS as received.

    VOTES keeps its header only: the cartography counts the voters (META num_votes) but does
    not store each ballot, so the export cannot replay the vote.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in budget_vote.get("meta", {}).items():
        writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    columns = budget_vote.get("project_columns") or ["project_id", "cost", "votes", "name"]
    writer.writerow(columns)
    names = {"project_id": "id"}
    for project in budget_vote.get("projects", []):
        row = []
        for column in columns:
            value = project.get(names.get(column, column), "")
            if column == "selected" and value is not None and value != "":
                value = "1" if value else "0"
            if isinstance(value, float) and value.is_integer() and column != "cost":
                value = int(value)
            row.append("" if value is None else value)
        writer.writerow(row)
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote"])
    return out.getvalue()
