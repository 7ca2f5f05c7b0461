"""One Decidim instance's open-data export: the zip a Decidim site serves at /open-data/download.

The zip (`HOST-open-data.zip`) holds one CSV per exported resource, named
`HOST-open-data-ENTITY.csv` (Decidim's `OpenDataExporter::FILE_NAME_PATTERN`): the
participatory spaces (`participatory_processes`, `assemblies`) and the components
(`proposals`, `projects`, `meetings`, `results`...). Two are read here:

- `participatory_processes`: one row per public process (serializer
  `ParticipatoryProcessSerializer`, `OpenDataParticipatoryProcessSerializer` from 0.28);
- `projects`: the budget projects (`Budgets::ProjectSerializer`), attached to their process
  through `participatory_space/url`.

Quirks of the real files: the separator is Decidim's `default_csv_col_sep`, ";" unless the
site changed it (some use ","); nested hashes are flattened into "a/b" columns, so a
translated text is one column per locale (`title/fr`, `title/en`,
`title/machine_translations/en`) and the header is the first row's keys (a locale the first
row lacks has no column); lists of hashes (steps, components) are Ruby `Hash#to_s` text;
texts are HTML with entities (`d&#39;urbanisme`); booleans are `true`/`false`; a resource
with nothing to export is an empty file; older versions (before 0.28) have no `url` column
for processes, so the address is rebuilt from the host and the slug.
"""

import html
import io
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from observatoire.lib.tabular import TabularError, csv_rows

FILE_SUFFIX = "-open-data-"
PROCESSES = "participatory_processes"
PROJECTS = "projects"
LOCALES = ("fr", "en")
MAX_ROWS = 100_000

_TAGS = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class DecidimFormatError(ValueError):
    pass


def plain_text(value: str) -> str:
    """The text of an HTML cell: paragraphs kept as blank lines, tags and entities resolved."""
    if not value:
        return ""
    text = re.sub(r"</p>|<br\s*/?>", "\n\n", value, flags=re.I)
    text = html.unescape(_TAGS.sub("", text)).replace("\xa0", " ")
    return _BLANK_LINES.sub("\n\n", text).strip()


def translated(row: dict[str, str], name: str) -> str:
    """A translated field: French, then the machine translation into French, then any locale."""
    candidates = [f"{name}/{locale}" for locale in LOCALES]
    candidates.insert(1, f"{name}/machine_translations/fr")
    prefix = f"{name}/"
    candidates += sorted(key for key in row if key.startswith(prefix))
    candidates.append(name)  # a text that is not translated
    for key in candidates:
        value = (row.get(key) or "").strip()
        if value:
            return value
    return ""


def _files(location: Path) -> dict[str, tuple[str, bytes]]:
    """{entity: (file name, bytes)} of every HOST-open-data-ENTITY.csv in a zip or a folder."""
    found: dict[str, tuple[str, bytes]] = {}
    if location.is_dir():
        items = [(path.name, path.read_bytes) for path in sorted(location.glob("*.csv"))]
    elif zipfile.is_zipfile(location):
        with zipfile.ZipFile(location) as archive:
            contents = {
                PurePosixPath(info.filename).name: archive.read(info)
                for info in archive.infolist()
                if info.filename.endswith(".csv")
            }
        items = [(name, lambda data=data: data) for name, data in contents.items()]
    elif location.suffix.lower() == ".csv":
        items = [(location.name, location.read_bytes)]
    else:
        raise DecidimFormatError(
            f"{location.name} : ni zip de données ouvertes Decidim, ni dossier, ni fichier CSV"
        )
    for name, read in items:
        if FILE_SUFFIX in name:
            entity = name.rsplit(FILE_SUFFIX, 1)[1].removesuffix(".csv")
            found[entity] = (name, read())
    return found


def read_table(name: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: cell}) of one export file; an empty file has no rows."""
    if not data.strip():
        return []
    try:
        header, cells, _delimiter = csv_rows(io.BytesIO(data), max_rows=MAX_ROWS)
        return [(number, dict(zip(header, values, strict=False))) for number, values in cells]
    except TabularError as error:
        raise DecidimFormatError(f"{name}, {error}") from None


def host_of(file_name: str) -> str:
    return file_name.rsplit(FILE_SUFFIX, 1)[0]


def _budget(projects: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "vote_type": "",
        "rule": "",
        "voters": None,
        "num_projects": len(projects),
        "currency": "€",
        "source": "decidim",
        "projects": projects,
    }


def project_record(row: dict[str, str]) -> dict[str, Any]:
    def number(key: str) -> float | None:
        try:
            return float(row.get(key) or "")
        except ValueError:
            return None

    votes = number("confirmed_votes")
    return {
        "id": (row.get("id") or "").strip(),
        "name": plain_text(translated(row, "title")),
        "cost": number("budget_amount"),
        "votes": None if votes is None else int(votes),
        "selected": None,  # the open data does not say which projects won
        "category": translated(row, "category/name"),
        "budget": (row.get("budget/id") or row.get("decidim_budgets_budget_id/id") or "").strip(),
        "url": (row.get("url") or "").strip(),
    }


def process_record(row: dict[str, str], host: str) -> dict[str, Any]:
    slug = (row.get("slug") or "").strip()
    url = (row.get("url") or "").strip() or (f"https://{host}/processes/{slug}" if slug else "")
    description = plain_text(translated(row, "short_description"))
    long = plain_text(translated(row, "description"))
    if long and long != description:
        description = "\n\n".join(part for part in [description, long] if part)
    return {
        "key": f"{host}/processes/{slug or row.get('id', '')}",
        "id": (row.get("id") or "").strip(),
        "name": plain_text(translated(row, "title")),
        "description": description,
        "website": url,
        "start_on": (row.get("start_date") or "").strip(),
        "end_on": (row.get("end_date") or "").strip(),
        "organiser": plain_text(translated(row, "developer_group")),
        "private_space": (row.get("private_space") or "").strip().lower(),
        "tools": "Decidim",
        "host": host,
    }


def read_export(location: Path) -> dict[str, Any]:
    """{"host", "processes": [(row, record)], "projects_left": int} from an export.

    Each process record carries `budget_vote` when budget projects belong to it; projects of
    other spaces (assemblies) are counted in `projects_left`, not attached to a process.
    """
    files = _files(location)
    if PROCESSES not in files:
        raise DecidimFormatError(
            f"{location.name} : pas de fichier HOTE-open-data-{PROCESSES}.csv "
            f"(fichiers lus : {', '.join(sorted(name for name, _data in files.values())) or 'aucun'})"
        )
    name, data = files[PROCESSES]
    host = host_of(name)
    rows = read_table(name, data)
    if rows and "slug" not in rows[0][1] and "url" not in rows[0][1]:
        raise DecidimFormatError(f"{name} : colonnes slug ou url attendues")
    processes = [(number, process_record(row, host)) for number, row in rows]
    by_url = {record["website"].rstrip("/"): record for _number, record in processes}
    left = 0
    if PROJECTS in files:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for _number, row in read_table(*files[PROJECTS]):
            space = (row.get("participatory_space/url") or "").strip().rstrip("/")
            grouped.setdefault(space, []).append(project_record(row))
        for space, projects in grouped.items():
            record = by_url.get(space)
            if record is None:
                left += len(projects)
                continue
            record["budget_vote"] = _budget(projects)
            record["functions"] = "budget-participatif"
    return {"host": host, "processes": processes, "projects_left": left}
