"""Plain text helpers for the directory: normalised search keys, French-friendly slugs, domains.

No Django state here, so importers, services and the benchmark generator can share them.
"""

import re
from urllib.parse import urlsplit

from observatoire.lib.text import fold

# Names are compared on words: "Bricodeurs & Co" is "Bricodeurs et Co".
_AMPERSAND = str.maketrans({"&": " et "})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """Accent-free lower-case text with single spaces: the form searches and names compare on.

    Punctuation becomes a space so "Voxe.org" matches "voxe org" and "l'État" matches "l etat".
    """
    if not text:
        return ""
    folded = fold(text.translate(_AMPERSAND))
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", folded)).strip()


def slugify_fr(text: str, max_length: int = 80) -> str:
    """A URL slug from a French name: "Démocratie Ouverte" -> "democratie-ouverte".

    Unlike django's slugify, ligatures and apostrophes are handled ("Cœur d'Œuvre" ->
    "coeur-d-oeuvre") and long names are cut at a word boundary.
    """
    slug = normalise(text).replace(" ", "-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")


def website_domain(url: str | None) -> str:
    """The host of a URL without "www.", lower-cased; "" when there is none."""
    if not url:
        return ""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def normalise_url(url: str | None) -> str:
    """The form two addresses of one page compare on: host without "www.", path, query.

    The scheme, a default port, a trailing slash and the fragment do not tell pages apart;
    the path does: consultations hosted on one platform ("https://www.civocracy.org/lyon",
    "https://www.civocracy.org/nice") are distinct entries.
    """
    host = website_domain(url)
    if not host:
        return ""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    path = re.sub(r"/+", "/", parts.path).rstrip("/")
    if path.lower() in {"/index.html", "/index.php"}:
        path = ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"
