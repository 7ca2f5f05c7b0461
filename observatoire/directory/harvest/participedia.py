"""Participedia's published dumps: cases, organisations and methods.

Two formats are read, told apart by their content:

- the CSV data downloads of participedia.net (`participedia-data-cases.csv`, `-methods`,
  `-organizations`, written by `api/helpers/create-csv-data-dump.js` of participedia/api):
  every cell quoted, one `type` column (`case`, `method`, `organization`), dates as ISO 8601
  instants (`2019-01-15T00:00:00.000Z`), list fields as their keys joined by ", "
  (`general_issues` = "economics, planning"), the organiser split into
  `primary_organizer_id`, `primary_organizer_title` and `primary_organizer_url`, and no
  spending column;
- the JSON dump of the Participedia v2 data (github.com/participedia/data-transfer):
  `{"organizations": [...]}`, `{"methods": [...]}`, `{"cases": [...]}`, records keyed by
  the old site's labels: `Title` (capitalised), `Description`, `Body`, `Country`, counts as
  numbers or free text ("???", "100+"), and no `title` nor `id` at all (cases name themselves
  by `CaseID`).

Methods are read and counted, but left out: the cartography has tools (software), not
methods. Plain functions, no database.
"""

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from .pabulib import COUNTRIES as _PABULIB_COUNTRIES

TYPES = {"case": "initiative", "organization": "organisation", "method": "method"}

# Participedia writes countries in English.
COUNTRIES = {
    **_PABULIB_COUNTRIES,
    "united kingdom": "GB",
    "united states of america": "US",
    "brazil": "BR",
    "sweden": "SE",
    "tunisia": "TN",
    "australia": "AU",
    "new zealand": "NZ",
    "luxembourg": "LU",
    "austria": "AT",
    "denmark": "DK",
    "finland": "FI",
    "norway": "NO",
    "ireland": "IE",
    "mexico": "MX",
    "argentina": "AR",
    "morocco": "MA",
    "senegal": "SN",
}

# Keys of Participedia's vocabularies (participedia/api locales/en.js) -> our codes.
THEMES = {
    "arts": "culture",
    "economics": "budget-finances",
    "education": "education-jeunesse",
    "environment": "environnement",
    "energy": "environnement",
    "governance": "institutions",
    "health": "sante-social",
    "social": "sante-social",
    "housing": "amenagement-urbanisme",
    "planning": "amenagement-urbanisme",
    "transportation": "mobilites",
    "science": "numerique",
    "media": "numerique",
    "labor": "economie-emploi",
    "business": "economie-emploi",
    "law": "legislation",
}
FUNCTIONS = {
    "public": "budget-participatif",  # "Public budgeting"
    "deliberative": "debat-deliberation",
    "public_meetings": "debat-deliberation",
    "direct": "vote-sondage",  # "Direct democracy"
}
IAP2 = {  # approaches, the first one that says something
    "direct": "empower",
    "cogovernance": "collaborate",
    "coproduction": "collaborate",
    "consultation": "consult",
    "informal_engagement": "involve",
}

_ISO_INSTANT = re.compile(r"^(\d{4}-\d{2}-\d{2})T")
_SPACES = re.compile(r"\s+")


class ParticipediaFormatError(ValueError):
    pass


def _keys(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def _date(value: Any) -> str:
    text = str(value or "").strip()
    match = _ISO_INSTANT.match(text)
    return match.group(1) if match else ("" if text in {"Invalid date", "null"} else text)


def _text(value: Any) -> str:
    return _SPACES.sub(" ", str(value or "")).strip()


def _count(value: Any) -> str:
    """A number of people, or "" for the free texts the v2 data holds ("???", "100+")."""
    text = str(value if value is not None else "").strip().replace(" ", "")
    return text if text.isdigit() else ""


def case_record(row: dict[str, Any]) -> dict[str, Any]:
    approaches = _keys(row.get("approaches"))
    country = COUNTRIES.get(_text(row.get("country") or row.get("Country")).lower(), "")
    return {
        "type": "case",
        "id": _text(row.get("id")),
        "name": _text(row.get("title") or row.get("Title") or row.get("CaseID")),
        "description": "\n\n".join(
            part for part in [_text(row.get("description")), _text(row.get("body"))] if part
        ),
        "url": _text(row.get("url")),
        "city": _text(row.get("city")),
        "country": country,
        "start_on": _date(row.get("start_date")),
        "end_on": _date(row.get("end_date")),
        "participants": _count(row.get("number_of_participants")),
        "themes": sorted({THEMES[k] for k in _keys(row.get("general_issues")) if k in THEMES}),
        "functions": sorted(
            {FUNCTIONS[k] for k in _keys(row.get("method_types")) if k in FUNCTIONS}
        ),
        "iap2_level": next((IAP2[k] for k in approaches if k in IAP2), ""),
        "outcome": _text(row.get("insights_outcomes")),
        "organiser": _text(row.get("primary_organizer_title")),
    }


def organisation_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "organization",
        "id": _text(row.get("id")),
        "name": _text(row.get("title") or row.get("Title")),
        "description": "\n\n".join(
            part
            for part in [
                _text(row.get("description") or row.get("Description")),
                _text(row.get("body") or row.get("Body")),
            ]
            if part
        ),
        "url": _text(row.get("url")),
        "city": _text(row.get("city")),
        "country": COUNTRIES.get(_text(row.get("country") or row.get("Country")).lower(), ""),
    }


def _records_from_json(data: Any, name: str) -> list[tuple[str, dict]]:
    if isinstance(data, dict):
        for key, kind in (
            ("cases", "case"),
            ("organizations", "organization"),
            ("methods", "method"),
        ):
            if isinstance(data.get(key), list):
                return [(kind, item) for item in data[key] if isinstance(item, dict)]
        raise ParticipediaFormatError(
            f"{name} : clé cases, organizations ou methods attendue "
            f"(clés du fichier : {', '.join(sorted(data)) or 'aucune'})"
        )
    if isinstance(data, list):  # a list of v3 entries, each with its type
        return [(str(item.get("type", "")), item) for item in data if isinstance(item, dict)]
    raise ParticipediaFormatError(f"{name} : un objet ou une liste est attendu")


def _records_from_csv(text: str, name: str) -> list[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "type" not in header or "title" not in header:
        raise ParticipediaFormatError(
            f"{name} : colonnes type et title attendues (export CSV de participedia.net), "
            f"trouvées : {', '.join(header[:12])}"
        )
    return [(row.get("type", ""), row) for row in reader]


def read_dump(path: Path) -> dict[str, list[tuple[int, dict]]]:
    """{"initiative": [(row, record)], "organisation": [...], "method": [...]} of a dump."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ParticipediaFormatError(f"{path.name} : le fichier n'est pas en UTF-8") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ParticipediaFormatError(
                f"{path.name} : JSON mal formé ligne {error.lineno} ({error.msg})"
            ) from None
        items, first = _records_from_json(data, path.name), 1
    else:
        items, first = _records_from_csv(text, path.name), 2
    result: dict[str, list[tuple[int, dict]]] = {"initiative": [], "organisation": [], "method": []}
    for number, (kind, row) in enumerate(items, start=first):
        entity = TYPES.get(kind.strip().lower())
        if entity == "initiative":
            result[entity].append((number, case_record(row)))
        elif entity == "organisation":
            result[entity].append((number, organisation_record(row)))
        elif entity == "method":
            result[entity].append(
                (number, {"type": "method", "name": _text(row.get("title") or row.get("Title"))})
            )
        else:
            result["initiative"].append(
                (
                    number,
                    {
                        "_error": f"{path.name} : type « {kind} » inconnu (case, organization, method)"
                    },
                )
            )
    return result
