"""The shapes the OpenAPI document publishes (pydantic, through Django Ninja).

Entry shapes are made from the directory's field table, like the records themselves
(represent.py), so the document cannot drift from what the API sends. Every field may be left
out: `fields=` keeps only those asked for.
"""

from typing import Any

from ninja import Field, Schema
from pydantic import create_model

from observatoire.directory.schema import field_specs


class Problem(Schema):
    """An error (RFC 9457, application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    parameter: str | None = None


class TerritoryRef(Schema):
    kind: str
    code: str
    name: str


class Link(Schema):
    relation: str
    label: str
    direction: str = Field(description="out : la fiche est le sujet ; in : elle en est l'objet")
    target_type: str
    target_id: str
    start_on: str | None = None
    end_on: str | None = None


class SourceOut(Schema):
    title: str
    url: str
    accessed_on: str | None = None


class KeyDateOut(Schema):
    id: str
    date: str
    precision: str
    title: str
    description: str


class StatusPeriod(Schema):
    status: str
    start_on: str | None = None
    end_on: str | None = None
    note: str


TYPES: dict[str, Any] = {
    "int": int | None,
    "decimal": float | None,
    "bool": bool | None,
    "terms": list[str] | None,
    "entries": list[str] | None,
    "territory": TerritoryRef | None,
}


def _entry_fields(entity: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": (str | None, Field(None, description="Identifiant stable (slug)")),
        "type": (str | None, None),
        "url": (str | None, Field(None, description="Fiche publique")),
    }
    for spec in field_specs(entity):
        if spec.name != "slug":
            fields[spec.name] = (
                TYPES.get(spec.kind, str | None),
                Field(None, title=str(spec.label)),
            )
    if entity == "initiative":
        fields["budget_min"] = (float | None, None)
        fields["budget_max"] = (float | None, None)
    fields["external_ids"] = (dict[str, str] | None, None)
    fields["created_at"] = (str | None, None)
    fields["updated_at"] = (str | None, None)
    return fields


def _detail_fields() -> dict[str, Any]:
    return {
        "field_sources": (dict[str, Any] | None, None),
        "relations": (list[Link] | None, None),
        "sources": (list[SourceOut] | None, None),
        "key_dates": (list[KeyDateOut] | None, None),
        "status_history": (list[StatusPeriod] | None, None),
    }


def _entry_models(entity: str, name: str):
    item = create_model(name, __base__=Schema, **_entry_fields(entity))
    detail = create_model(f"{name}Detail", __base__=item, **_detail_fields())
    page = create_model(
        f"{name}Page", __base__=Schema, results=(list[item], ...), next_cursor=(str | None, None)
    )
    return item, detail, page


ENTRY_SCHEMAS = {
    "organisation": _entry_models("organisation", "Organisation"),
    "tool": _entry_models("tool", "Tool"),
    "initiative": _entry_models("initiative", "Initiative"),
}


class EntryFilters(Schema):
    """The filters of the cartography's search page (/cartographie/), same names and values."""

    q: str | None = Field(None, description="Texte recherché (mots français, racinisés)")
    objectif: list[str] = Field([], description="Objectif principal (code)")
    etiquette: list[str] = Field([], description="Étiquette (code)")
    fonction: list[str] = Field([], description="Fonction (code)")
    niveau: list[str] = Field([], description="Niveau IAP2")
    acteur: list[str] = Field([], description="Type d'acteur (code)")
    statut: list[str] = Field([], description="Statut")
    libre: list[str] = Field([], description="Logiciel libre : oui / non")
    region: list[str] = Field([], description="Région (code INSEE)")
    departement: list[str] = Field([], description="Département (code INSEE)")
    cursor: str | None = Field(None, description="« next_cursor » de la page précédente")
    limit: int | None = Field(None, description="Taille de page (1 à 500, 50 par défaut)")
    fields: str | None = Field(None, description="Champs gardés, séparés par des virgules")
    format: str | None = Field(None, description="json (défaut) ou csv")


class Term(Schema):
    code: str
    name: str
    description: str
    inverse_name: str | None = None


class Taxonomy(Schema):
    actor_kind: list[Term]
    ecosystem: list[Term]
    objective: list[Term]
    tag: list[Term]
    function: list[Term]
    theme: list[Term]
    relation_type: list[Term]


class TerritoryOut(Schema):
    id: str | None = Field(None, description="kind:code, ex. commune:38185")
    kind: str | None = None
    code: str | None = None
    siren: str | None = None
    name: str | None = None
    population: int | None = None
    postcodes: list[str] | None = None
    departement: str | None = None
    region: str | None = None
    epci: str | None = None
    is_current: bool | None = None
    vintage: int | None = None


class TerritoryPage(Schema):
    results: list[TerritoryOut]
    next_cursor: str | None = None


class PublicationOut(Schema):
    id: str | None = None
    title: str | None = None
    kind: str | None = None
    date: str | None = None
    summary: str | None = None
    language: str | None = None
    authors: list[str] | None = None
    tags: list[str] | None = None
    url: str | None = None
    updated_at: str | None = None


class PublicationPage(Schema):
    results: list[PublicationOut]
    next_cursor: str | None = None


class EventOut(Schema):
    id: str | None = None
    title: str | None = None
    kind: str | None = None
    schedule: str | None = None
    start: str | None = None
    end: str | None = None
    summary: str | None = None
    venue: str | None = None
    online: bool | None = None
    language: str | None = None
    speakers: list[str] | None = None
    url: str | None = None


class EventPage(Schema):
    results: list[EventOut]
    next_cursor: str | None = None


class QuestionnaireOut(Schema):
    form_id: str
    version: str
    title: str
    xlsform: str = Field(description="Le classeur XLSForm importé")


class EditionOut(Schema):
    id: int
    year: int
    title: str
    opens_on: str | None = None
    closes_on: str | None = None
    questionnaire: QuestionnaireOut | None = None
    results: str
    url: str


class Results(Schema):
    """Aggregates only, as the results pages show them: estimates with their bases (n),
    confidence intervals, and cells under the threshold suppressed."""

    year: int
    weighted: bool
    computed_at: str
    stale: bool
    analysis: dict[str, Any]
    sections: list[dict[str, Any]]
    methodology: dict[str, Any]
    costs: dict[str, Any] | None = None


class ReleaseOut(Schema):
    id: str
    kind: str
    edition: int | None = None
    version: int
    title: str
    created_at: str
    checksum: str = Field(description="SHA-256 de l'archive")
    archive: str
    files: dict[str, str] = Field(description="Nom du fichier -> SHA-256")
    changelog: dict[str, Any]
    citation: dict[str, Any]


class Index(Schema):
    title: str
    documentation: str
    openapi: str
    resources: dict[str, str]
