"""The example requests of the documentation (the page /api/v1/docs/ and docs/api.md).

Each one is run by tests/test_examples.py on a small database and its answer checked: the
status, the media type, the keys named in `expect`, and the body against the OpenAPI schema.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Example:
    path: str
    fr: str
    en: str
    media_type: str = "application/json"
    expect: tuple[str, ...] = ()


EXAMPLES = (
    Example(
        "/api/v1/",
        "Le sommaire : toutes les ressources.",
        "The index: every resource.",
        expect=("resources", "openapi"),
    ),
    Example(
        "/api/v1/organisations?acteur=association&limit=2",
        "Deux associations, et le curseur de la page suivante.",
        "Two associations, and the cursor of the next page.",
        expect=("results", "next_cursor"),
    ),
    Example(
        "/api/v1/tools?q=budget&fields=id,name,url",
        "Les outils qui parlent de budget, trois champs seulement.",
        "Tools about budgets, three fields only.",
        expect=("results",),
    ),
    Example(
        "/api/v1/tools?libre=oui&format=csv",
        "Les logiciels libres, en CSV.",
        "Open-source tools, as CSV.",
        media_type="text/csv",
    ),
    Example(
        "/api/v1/initiatives?region=84",
        "Les initiatives d'Auvergne-Rhône-Alpes (code INSEE de région).",
        "Initiatives in Auvergne-Rhône-Alpes (INSEE region code).",
        expect=("results",),
    ),
    Example(
        "/api/v1/organisations/regards-citoyens",
        "Une fiche avec ses relations, sources, dates clés et statuts.",
        "One entry with its relations, sources, key dates and statuses.",
        expect=("id", "relations", "sources", "key_dates", "status_history"),
    ),
    Example("/api/v1/taxonomy", "Les vocabulaires.", "The vocabularies.", expect=("objective",)),
    Example(
        "/api/v1/territories?q=38185",
        "Un territoire par son code INSEE (aussi : SIREN, code postal, nom).",
        "A territory by INSEE code (also: SIREN, postcode, name).",
        expect=("results",),
    ),
    Example(
        "/api/v1/territories/commune/38185",
        "Un territoire par type et code.",
        "A territory by kind and code.",
        expect=("id", "name"),
    ),
    Example("/api/v1/publications", "Les publications.", "Publications.", expect=("results",)),
    Example(
        "/api/v1/events?when=upcoming",
        "Les événements à venir.",
        "Upcoming events.",
        expect=("results",),
    ),
    Example("/api/v1/editions", "Les éditions publiées du baromètre.", "Published editions."),
    Example(
        "/api/v1/editions/2018/results",
        "Les résultats publiés d'une édition : agrégats, bases, intervalles, secret statistique.",
        "An edition's published results: aggregates, bases, intervals, suppressed cells.",
        expect=("analysis", "methodology"),
    ),
    Example("/api/v1/releases", "Les versions figées des données.", "Frozen data releases."),
)
