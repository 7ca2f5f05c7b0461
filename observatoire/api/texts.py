"""The documentation page of the API in French and English (content, not interface chrome)."""

DOCS = {
    "fr": {
        "title": "API des données ouvertes",
        "intro": (
            "Une API publique en lecture seule, sans clé ni inscription. Elle donne ce que le site "
            "montre à un visiteur anonyme, jamais davantage : fiches publiées, pages en ligne, "
            "éditions publiées du baromètre (agrégats seulement) et versions figées des données."
        ),
        "rules_title": "Règles communes",
        "rules": [
            "Identifiants stables : le slug d'une fiche, « type:code » d'un territoire, l'année "
            "d'une édition, l'identifiant d'une version.",
            "Pagination par curseur : reprenez « next_cursor » dans « cursor » (ou suivez l'en-tête "
            'Link rel="next") ; « limit » de 1 à 500.',
            "Champs choisis : « fields=id,name » ; CSV : « format=csv ».",
            "Mêmes filtres que la recherche de la cartographie : q, objectif, etiquette, fonction, "
            "niveau, acteur, statut, libre, region, departement (valeurs séparées par des virgules "
            "ou paramètres répétés).",
            "Cache : ETag et Last-Modified ; renvoyez If-None-Match pour recevoir 304.",
            "CORS ouvert à toutes les origines (lecture). Limite de débit par visiteur : au-delà, "
            "429 avec Retry-After.",
            "Erreurs au format application/problem+json (RFC 9457).",
        ],
        "examples_title": "Exemples",
        "reference_title": "Référence",
        "openapi": "Document OpenAPI 3.1",
        "other_language": "English",
        "parameters": "Paramètres",
    },
    "en": {
        "title": "Open data API",
        "intro": (
            "A public, read-only API, with no key and no sign-up. It gives what the site shows an "
            "anonymous visitor, never more: published entries, live pages, published barometer "
            "editions (aggregates only) and frozen data releases."
        ),
        "rules_title": "Common rules",
        "rules": [
            "Stable ids: an entry's slug, a territory's \"kind:code\", an edition's year, a "
            "release's id.",
            'Cursor pagination: pass "next_cursor" back as "cursor" (or follow the Link '
            'rel="next" header); "limit" from 1 to 500.',
            'Sparse fields: "fields=id,name"; CSV: "format=csv".',
            "The same filters as the cartography's search: q, objectif, etiquette, fonction, "
            "niveau, acteur, statut, libre, region, departement (comma-separated or repeated).",
            "Caching: ETag and Last-Modified; send If-None-Match to get a 304.",
            "CORS open to every origin (reads). Rate limit per visitor: beyond it, 429 with "
            "Retry-After.",
            "Errors as application/problem+json (RFC 9457).",
        ],
        "examples_title": "Examples",
        "reference_title": "Reference",
        "openapi": "OpenAPI 3.1 document",
        "other_language": "Français",
        "parameters": "Parameters",
    },
}
