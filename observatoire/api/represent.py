"""Public records of the API as plain dicts: what a reuser may see of each object, nothing more.

Entries are described by the same field table as the imports and the data package
(directory/schema.py), so a field added there shows in the API too. Ids are stable: the slug of
an entry, the INSEE code of a territory (with its kind), the year of an edition; the numeric
primary keys never leave the database (they only order the cursor, which is opaque).
"""

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from observatoire.directory.datapackage import VOCABULARIES
from observatoire.directory.models import ENTRY_MODELS, KeyDate
from observatoire.directory.schema import field_specs

# The API speaks of "organisations", "tools", "initiatives": the data package's names.
RESOURCES = {"organisations": "organisation", "tools": "tool", "initiatives": "initiative"}
PREFETCH = {
    "organisation": ["ecosystems"],
    "tool": ["tags", "functions", "maker_links__organisation"],
    "initiative": ["themes", "functions", "tool_links__tool"],
}
SELECT = {
    "organisation": ["kind", "territory"],
    "tool": ["objective"],
    "initiative": ["objective", "organiser_territory", "organiser_organisation"],
}


@cache
def _field_specs(entity: str, language: str | None) -> tuple:
    # The table is rebuilt (with its translated labels) at each call: once per entry of a page
    # was two thirds of a list's time (python -m bench api).
    return tuple(spec for spec in field_specs(entity) if spec.name != "slug")


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _published(items):
    return [item for item in items if getattr(item, "is_published", True)]


def _value(entry, spec) -> Any:
    if spec.kind == "status":
        return entry.current_status or None
    if spec.kind == "terms":
        return [term.code for term in getattr(entry, spec.name).all()]
    if spec.kind == "entries":
        # The links hold the order; only published entries are named.
        _link_model, accessor, field = spec.through
        linked = [getattr(link, field) for link in getattr(entry, accessor).all()]
        return [item.slug for item in _published(linked)]
    value = getattr(entry, spec.name)
    if value is None or value == "":
        return None
    if spec.kind == "term":
        return value.code
    if spec.kind == "entry":
        return value.slug if value.is_published else None
    if spec.kind == "territory":
        return {"kind": value.kind, "code": value.code, "name": value.name}
    if spec.kind == "date":
        return value.isoformat()
    if spec.kind == "decimal":
        return float(value)
    return value


def entry_record(entry) -> dict[str, Any]:
    """The list view of an entry: its own fields."""
    record: dict[str, Any] = {
        "id": entry.slug,
        "type": entry.entity,
        "url": absolute(entry.get_absolute_url()),
    }
    for spec in _field_specs(entry.entity, get_language()):
        record[spec.name] = _value(entry, spec)
    if entry.entity == "initiative":
        record["budget_min"] = None if entry.budget_min is None else float(entry.budget_min)
        record["budget_max"] = None if entry.budget_max is None else float(entry.budget_max)
    record["external_ids"] = entry.external_ids or {}
    record["created_at"] = entry.created_at.isoformat(timespec="seconds")
    record["updated_at"] = entry.updated_at.isoformat(timespec="seconds")
    return record


def entry_detail(entry) -> dict[str, Any]:
    """An entry with its relations, sources, key dates and status history."""
    record = entry_record(entry)
    record["field_sources"] = entry.field_sources or {}
    record["relations"] = [
        {
            "relation": link.type_code,
            "label": str(link.label),
            "direction": link.direction,
            "target_type": link.other.entity,
            "target_id": link.other.slug,
            "start_on": link.start_on.isoformat() if link.start_on else None,
            "end_on": link.end_on.isoformat() if link.end_on else None,
        }
        for link in entry.relations_both_ways(published_only=True)
    ]
    record["sources"] = [
        {
            "title": source.title,
            "url": source.url,
            "accessed_on": source.accessed_on.isoformat() if source.accessed_on else None,
        }
        for source in entry.sources.all()
    ]
    record["key_dates"] = [
        key_date_record(key_date)
        for key_date in entry.key_dates.published().order_by("date", "slug")
    ]
    statuses = getattr(entry, "statuses", None)
    record["status_history"] = (
        [
            {
                "status": period.status,
                "start_on": period.start_on.isoformat() if period.start_on else None,
                "end_on": period.end_on.isoformat() if period.end_on else None,
                "note": period.note,
            }
            for period in statuses.order_by("start_on", "pk")
        ]
        if statuses is not None
        else []
    )
    return record


def key_date_record(key_date: KeyDate) -> dict[str, Any]:
    return {
        "id": key_date.slug,
        "date": key_date.date.isoformat(),
        "precision": key_date.precision,
        "title": key_date.title,
        "description": key_date.description,
    }


def entry_queryset(entity: str, queryset):
    return queryset.select_related(*SELECT[entity]).prefetch_related(*PREFETCH[entity])


def taxonomy() -> dict[str, list[dict[str, str]]]:
    return {
        vocabulary: [
            {
                "code": term.code,
                "name": term.name,
                "description": term.description,
                **({"inverse_name": term.inverse_name} if hasattr(term, "inverse_name") else {}),
            }
            for term in model.objects.all()
        ]
        for vocabulary, model in VOCABULARIES
    }


def territory_record(territory) -> dict[str, Any]:
    return {
        "id": f"{territory.kind}:{territory.code}",
        "kind": territory.kind,
        "code": territory.code,
        "siren": territory.siren or None,
        "name": territory.name,
        "population": territory.population,
        "postcodes": territory.postcodes or [],
        "departement": territory.departement.code if territory.departement_id else None,
        "region": territory.region.code if territory.region_id else None,
        "epci": territory.epci.code if territory.epci_id else None,
        "is_current": territory.is_current,
        "vintage": territory.vintage,
    }


def publication_record(page) -> dict[str, Any]:
    return {
        "id": page.slug,
        "title": page.title,
        "kind": page.kind,
        "date": page.date.isoformat(),
        "summary": page.summary,
        "language": page.locale.language_code,
        "authors": [author.name for author in page.authors.all()],
        "tags": sorted(tag.name for tag in page.tags.all()),
        "url": page.full_url,
        "updated_at": (page.last_published_at or page.latest_revision_created_at).isoformat(
            timespec="seconds"
        )
        if (page.last_published_at or page.latest_revision_created_at)
        else None,
    }


def event_record(page) -> dict[str, Any]:
    # Speakers are named on the public page; registrations (names, e-mails) never leave.
    return {
        "id": page.slug,
        "title": page.title,
        "kind": page.kind,
        "schedule": page.schedule,
        "start": page.start.isoformat() if page.start else None,
        "end": page.end.isoformat() if page.end else None,
        "summary": page.summary,
        "venue": page.venue,
        "online": bool(page.online_url),
        "language": page.locale.language_code,
        "speakers": [speaker.name for speaker in page.speakers.all()],
        "url": page.full_url,
    }


def edition_record(edition) -> dict[str, Any]:
    from django.urls import reverse

    year = edition.year
    return {
        "id": year,
        "year": year,
        "title": edition.title,
        "opens_on": edition.opens_on.isoformat() if edition.opens_on else None,
        "closes_on": edition.closes_on.isoformat() if edition.closes_on else None,
        "questionnaire": {
            "form_id": edition.questionnaire.form_id,
            "version": edition.questionnaire.version,
            "title": edition.questionnaire.title,
            "xlsform": absolute(reverse("api:edition-questionnaire", kwargs={"year": year})),
        }
        if edition.questionnaire_id
        else None,
        "results": absolute(reverse("api:edition-results", kwargs={"year": year})),
        "url": absolute(reverse("barometer_results:results", kwargs={"year": year})),
    }


__all__ = ["ENTRY_MODELS", "RESOURCES"]
