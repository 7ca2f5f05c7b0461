"""consultation.gouv.fr's catalogue: tools (`_outil/*.md`) and uses (`_usage/*.md`).

Each is a Jekyll page: YAML front matter between "---" lines, then Markdown. Read from a
checkout of the site's repository (a folder) or a zip of it. Quirks of the real files:
keys written "organisateur : ..." (YAML accepts the space), empty keys ("opendata:"),
`date` parsed by YAML as a datetime (it is the card's date, not the consultation's), tool
names that are not tools of the catalogue ("Cap Collectif" has no page), method pages
mixed with the tools (`categorie: methode`), and drafts under `_drafts/` left out.
"""

import datetime
import io
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml


class FrontMatterError(ValueError):
    pass


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError("pas d'en-tête YAML (la première ligne doit être ---)")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise FrontMatterError("en-tête YAML non fermé (--- manquant)") from None
    try:
        data = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        raise FrontMatterError(f"en-tête YAML illisible : {error}") from None
    if not isinstance(data, dict):
        raise FrontMatterError("l'en-tête YAML doit être une table clé: valeur")
    return data, "\n".join(lines[end + 1 :]).strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [_text(item) for item in value if _text(item)]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _detail(data: dict, name: str) -> dict:
    for item in data.get("details_techniques") or []:
        if isinstance(item, dict) and _text(item.get("name")).lower() == name.lower():
            return item
    return {}


def _url(value: Any) -> str:
    """An address, or "" for the placeholders the pages use ("n/a", "")."""
    text = _text(value)
    return text if text.startswith(("http://", "https://")) else ""


def tool_record(data: dict[str, Any], body: str, key: str) -> dict[str, Any]:
    source = _detail(data, "Source")
    open_source = _text(_detail(data, "Opensource").get("content")).lower()
    contract = _text(data.get("contract"))
    return {
        "key": key,
        "categorie": _text(data.get("categorie")),
        "name": _text(data.get("title")),
        "description": "\n\n".join(part for part in [_text(data.get("tagline")), body] if part),
        "website": _url(data.get("domain")) or _url(data.get("demo_link")),
        "source_repository": _url(source.get("link")) or _url(source.get("content")),
        "is_open_source": "true" if open_source == "oui" or "libre" in contract.lower() else "",
        "licence": contract,
        "makers": _text(data.get("owner")),
    }


def usage_record(data: dict[str, Any], body: str, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": _text(data.get("title")),
        "description": "\n\n".join(part for part in [_text(data.get("description")), body] if part),
        "website": _url(data.get("link")),
        "organiser": _text(data.get("organisateur")),
        "tools": _list(data.get("outil")),
        "methodes": _list(data.get("methodes")),
        "opendata": _text(data.get("opendata")),
    }


_CITY_ORGANISER = re.compile(r"^(?:ville|mairie|commune)\s+(?:de\s+|d['’]\s*)(.+)$", re.I)


def organiser_city(organiser: str) -> str:
    """ "Angers" for "Ville d'Angers": the commune behind a city organiser, else ""."""
    match = _CITY_ORGANISER.match(organiser.strip())
    return match.group(1).strip() if match else ""


def _pages(location: Path) -> list[tuple[str, str, str]]:
    """(collection, page key, text) of every _outil and _usage page in a folder or a zip."""
    found = []
    if location.is_dir():
        for collection in ("_outil", "_usage"):
            for path in sorted((location / collection).glob("*.md")):
                found.append((collection, path.stem, path.read_text(encoding="utf-8-sig")))
        return found
    with zipfile.ZipFile(location) as archive:
        for info in sorted(archive.infolist(), key=lambda item: item.filename):
            path = PurePosixPath(info.filename)
            if path.suffix != ".md" or len(path.parts) < 2 or "_drafts" in path.parts:
                continue
            if path.parts[-2] in ("_outil", "_usage"):
                text = io.TextIOWrapper(archive.open(info), encoding="utf-8-sig").read()
                found.append((path.parts[-2], path.stem, text))
    return found


def read_catalogue(location: Path):
    """{"tool": [(row, record)], "initiative": [(row, record)]} and the pages not readable.

    A page whose front matter cannot be read becomes a record holding only its error, so the
    importer rejects it with its file name, like any bad row.
    """
    result: dict[str, list[tuple[int, dict]]] = {"tool": [], "initiative": []}
    for number, (collection, key, text) in enumerate(_pages(location), start=1):
        entity = "tool" if collection == "_outil" else "initiative"
        try:
            data, body = split_front_matter(text)
        except FrontMatterError as error:
            result[entity].append(
                (number, {"key": key, "_error": f"{collection}/{key}.md : {error}"})
            )
            continue
        make = tool_record if entity == "tool" else usage_record
        record = make(data, body, key)
        record["page"] = f"{collection}/{key}.md"
        result[entity].append((number, record))
    return result
