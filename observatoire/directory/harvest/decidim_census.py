"""The Decidim census (github.com/digidemlab/decidim-census): the known Decidim instances.

Its `instances.csv` has three columns, `id,url,source` (the source being the code repository
of the instance, often empty); `platforms.csv` adds what the census read through each
instance's GraphQL API (`platform_name`, `users_count`, `processes_count`...). Both are
read; ids are the census's own and are kept as the external id. The census has no country:
it is read from the address's country-code domain, and rows whose domain says nothing
(.org, .com, .eu...) are left out rather than guessed.
"""

import csv
import io
from pathlib import Path

from ..text import website_domain

# Country-code and city domains seen in the census.
TLD_COUNTRIES = {
    "fr": "FR",
    "es": "ES",
    "cat": "ES",
    "barcelona": "ES",
    "eus": "ES",
    "gal": "ES",
    "it": "IT",
    "fi": "FI",
    "be": "BE",
    "ch": "CH",
    "nl": "NL",
    "de": "DE",
    "at": "AT",
    "pt": "PT",
    "mx": "MX",
    "ar": "AR",
    "br": "BR",
    "jp": "JP",
    "no": "NO",
    "se": "SE",
    "dk": "DK",
    "pl": "PL",
    "ca": "CA",
    "lu": "LU",
    "cz": "CZ",
    "sk": "SK",
    "uk": "GB",
    "nyc": "US",
}


def country_of(url: str) -> str:
    host = website_domain(url)
    return TLD_COUNTRIES.get(host.rsplit(".", 1)[-1], "") if host else ""


def read_census(path: Path) -> list[tuple[int, dict]]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    url_column = "platform_url" if "platform_url" in header else "url"
    if url_column not in header or "id" not in header:
        raise ValueError(
            f"{path.name} : colonnes id et url (ou platform_url) attendues, "
            f"trouvées : {', '.join(header)}"
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        url = (row.get(url_column) or "").strip()
        name = (row.get("platform_name") or "").strip()
        if name in {"", "My Application Name"}:  # Decidim's default name, left unchanged
            name = website_domain(url)
        rows.append(
            (
                number,
                {
                    "id": (row.get("id") or "").strip(),
                    "name": name,
                    "website": url,
                    "country": country_of(url),
                    "tools": "Decidim",
                    "repository": (row.get("source") or row.get("source_url") or "").strip(),
                },
            )
        )
    return rows
