"""/api/v1/: the read-only public API, built on Django Ninja (see docs/api.md for why).

Views are short: they pick the public objects (published entries, live pages, published
editions, frozen releases) and hand them to http.page_of / http.one, which do the cursor,
`fields=`, CSV and Last-Modified; the middleware adds ETag/304, CORS and the rate limit.
Nothing here looks at the visitor's account: signed in or not, the API shows what the public
site shows to an anonymous visitor, never more.
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError

from observatoire.barometer.models import Edition
from observatoire.directory.models import ENTRY_MODELS
from observatoire.directory.search import SearchParams, entry_querysets, get_index
from observatoire.territories.models import Territory

from . import represent, schemas
from .http import ApiError, one, page_of, problem, read_fields, wants_csv, with_last_modified
from .models import Release

api = NinjaAPI(
    title="Observatoire des civic tech et de la démocratie numérique — API",
    version="1",
    description=(
        "API publique en lecture seule, sans clé : la cartographie, les territoires, les "
        "publications et événements, les résultats publiés du baromètre et les versions figées "
        "des données. Documentation : /api/v1/docs/ (français), /api/v1/docs/en/ (English)."
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
PROBLEMS = {400: schemas.Problem, 404: schemas.Problem, 429: schemas.Problem}


@api.exception_handler(ApiError)
def _api_error(request, error: ApiError):
    return problem(error.status, error.title, error.detail, **error.extra)


@api.exception_handler(ValidationError)
def _validation_error(request, error: ValidationError):
    return problem(400, "Paramètres invalides", "Voir « errors ».", errors=error.errors)


@api.exception_handler(Http404)
def _not_found(request, error):
    return problem(404, "Introuvable", "Aucun objet public à cette adresse.")


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    return problem(error.status_code, str(error))


@api.get("/", response=schemas.Index, url_name="index", summary="Sommaire de l'API")
def index(request):
    def url(name, **kwargs):
        return represent.absolute(reverse(f"api:{name}", kwargs=kwargs))

    return {
        "title": api.title,
        "documentation": represent.absolute(reverse("api_docs:docs")),
        "openapi": url("openapi-json"),
        "resources": {
            name: url(name)
            for name in (
                "organisations",
                "tools",
                "initiatives",
                "taxonomy",
                "territories",
                "publications",
                "events",
                "editions",
                "releases",
            )
        },
    }


# --- The cartography --------------------------------------------------------------------------


def _known_fields(schema) -> list[str]:
    return list(schema.model_fields)


def _entry_list(entity: str, resource: str):
    item, _detail, page = schemas.ENTRY_SCHEMAS[entity]

    def view(request, filters: Query[schemas.EntryFilters]):
        index = get_index()
        params = SearchParams.from_query(request.GET, index.labels)
        if params.notices:
            raise ApiError(400, "Filtre invalide", " ".join(str(n) for n in params.notices))
        queryset = entry_querysets(params).get(entity)
        if queryset is None:  # a facet that does not apply to this kind of entry
            queryset = ENTRY_MODELS[entity].objects.none()
        return page_of(
            request,
            represent.entry_queryset(entity, queryset),
            to_record=represent.entry_record,
            fields=filters.fields,
            known=_known_fields(item),
            limit=filters.limit,
            cursor=filters.cursor,
            fmt=filters.format,
            name=resource,
        )

    view.__name__ = f"list_{resource}"
    api.get(
        f"/{resource}",
        response={200: page, **PROBLEMS},
        url_name=resource,
        summary=f"Liste des {resource} publiés, filtrés comme la recherche de la cartographie",
        tags=["cartographie"],
    )(view)


def _entry_detail(entity: str, resource: str):
    _item, detail, _page = schemas.ENTRY_SCHEMAS[entity]

    def view(request, id: str, fields: str | None = None, format: str | None = None):
        model = ENTRY_MODELS[entity]
        entry = get_object_or_404(
            represent.entry_queryset(entity, model.objects.published()), slug=id
        )
        response = one(represent.entry_detail(entry), fields, _known_fields(detail), format, id)
        return with_last_modified(response, entry.updated_at)

    view.__name__ = f"get_{entity}"
    api.get(
        f"/{resource}/{{id}}",
        response={200: detail, **PROBLEMS},
        url_name=f"{entity}-detail",
        summary=f"Une fiche ({entity}) avec ses relations, sources, dates clés et statuts",
        tags=["cartographie"],
    )(view)


for _resource, _entity in represent.RESOURCES.items():
    _entry_list(_entity, _resource)
    _entry_detail(_entity, _resource)


@api.get(
    "/taxonomy",
    response=schemas.Taxonomy,
    url_name="taxonomy",
    summary="Les vocabulaires de la cartographie",
    tags=["cartographie"],
)
def taxonomy(request):
    return JsonResponse(represent.taxonomy(), json_dumps_params={"ensure_ascii": False})


# --- Territories ------------------------------------------------------------------------------


@api.get(
    "/territories",
    response={200: schemas.TerritoryPage, **PROBLEMS},
    url_name="territories",
    summary="Territoires : recherche par nom, code INSEE, SIREN ou code postal",
    tags=["territoires"],
)
def territories(
    request,
    q: str | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    fields: str | None = None,
    format: str | None = None,
):
    kinds = None
    if kind:
        kinds = [part for part in kind.split(",") if part]
        unknown = set(kinds) - set(Territory.Kind.values)
        if unknown:
            raise ApiError(
                400,
                "Type de territoire inconnu",
                f"« kind » vaut {', '.join(Territory.Kind.values)}.",
                parameter="kind",
            )
    known = _known_fields(schemas.TerritoryOut)
    queryset = Territory.objects.select_related("departement", "region", "epci")
    if q:
        # Ranked results (best first): one page, no cursor.
        chosen = read_fields(fields, known)
        found = queryset.search(q, kinds=kinds, limit=limit or 20)[: limit or 20]
        records = [represent.territory_record(t) for t in found]
        records = [r if chosen is None else {k: r[k] for k in chosen} for r in records]
        if wants_csv(format):
            from .http import csv_response

            return csv_response(records, "territoires")
        return JsonResponse(
            {"results": records, "next_cursor": None}, json_dumps_params={"ensure_ascii": False}
        )
    queryset = queryset.current()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return page_of(
        request,
        queryset,
        to_record=represent.territory_record,
        fields=fields,
        known=known,
        limit=limit,
        cursor=cursor,
        fmt=format,
        name="territoires",
        updated_field=None,
    )


@api.get(
    "/territories/{kind}/{code}",
    response={200: schemas.TerritoryOut, **PROBLEMS},
    url_name="territory-detail",
    summary="Un territoire par son type et son code INSEE (ou SIREN pour une EPCI)",
    tags=["territoires"],
)
def territory(request, kind: str, code: str, fields: str | None = None, format: str | None = None):
    queryset = Territory.objects.select_related("departement", "region", "epci").filter(kind=kind)
    found = queryset.filter(code=code).order_by("-is_current", "-vintage").first()
    if found is None:
        found = get_object_or_404(queryset.filter(siren=code).order_by("-is_current")[:1])
    return one(
        represent.territory_record(found),
        fields,
        _known_fields(schemas.TerritoryOut),
        format,
        f"{kind}-{code}",
    )


# --- Publications and events ------------------------------------------------------------------


def _language(queryset, language: str | None):
    return queryset.filter(locale__language_code=language) if language else queryset


@api.get(
    "/publications",
    response={200: schemas.PublicationPage, **PROBLEMS},
    url_name="publications",
    summary="Publications en ligne",
    tags=["éditorial"],
)
def publications(
    request,
    language: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    fields: str | None = None,
    format: str | None = None,
):
    from observatoire.editorial.models import PublicationPage

    queryset = _language(PublicationPage.objects.visible(), language).select_related("locale")
    return page_of(
        request,
        queryset.prefetch_related("authors", "tags"),
        to_record=represent.publication_record,
        fields=fields,
        known=_known_fields(schemas.PublicationOut),
        limit=limit,
        cursor=cursor,
        fmt=format,
        name="publications",
        updated_field="last_published_at",
    )


@api.get(
    "/events",
    response={200: schemas.EventPage, **PROBLEMS},
    url_name="events",
    summary="Événements en ligne (sans les inscriptions)",
    tags=["éditorial"],
)
def events(
    request,
    when: str | None = None,
    language: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    fields: str | None = None,
    format: str | None = None,
):
    from django.utils import timezone

    from observatoire.editorial.models import EventPage

    queryset = _language(EventPage.objects.visible(), language).select_related("locale")
    if when == "upcoming":
        queryset = queryset.filter(ends_at__gt=timezone.now())
    elif when == "past":
        queryset = queryset.filter(ends_at__lte=timezone.now())
    elif when:
        raise ApiError(400, "Valeur inconnue", "« when » vaut upcoming ou past.", parameter="when")
    return page_of(
        request,
        queryset.prefetch_related("speakers"),
        to_record=represent.event_record,
        fields=fields,
        known=_known_fields(schemas.EventOut),
        limit=limit,
        cursor=cursor,
        fmt=format,
        name="evenements",
        updated_field="last_published_at",
    )


# --- The barometer ----------------------------------------------------------------------------


def _published_editions():
    return Edition.objects.filter(status=Edition.Status.PUBLISHED).select_related("questionnaire")


def _edition(year: int) -> Edition:
    edition = get_object_or_404(_published_editions(), year=year)
    if edition.frame_id is None or edition.questionnaire_id is None:
        raise Http404("no frame or questionnaire")
    return edition


@api.get(
    "/editions",
    response=list[schemas.EditionOut],
    url_name="editions",
    summary="Éditions publiées du baromètre",
    tags=["baromètre"],
)
def editions(request):
    editions = _published_editions().filter(frame__isnull=False, questionnaire__isnull=False)
    return JsonResponse(
        [represent.edition_record(edition) for edition in editions.order_by("year")],
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


@api.get(
    "/editions/{year}",
    response={200: schemas.EditionOut, **PROBLEMS},
    url_name="edition-detail",
    summary="Une édition publiée",
    tags=["baromètre"],
)
def edition(request, year: int):
    return JsonResponse(
        represent.edition_record(_edition(year)), json_dumps_params={"ensure_ascii": False}
    )


@api.get(
    "/editions/{year}/results",
    response={200: schemas.Results, **PROBLEMS},
    url_name="edition-results",
    summary="Résultats publiés : agrégats seulement, avec bases, intervalles et secret",
    tags=["baromètre"],
)
def edition_results(request, year: int):
    from observatoire.barometer.results.compute import results_for

    # The very payload the results pages read (weighted, as the public sees it): the same
    # estimates, bases, intervals and suppressed cells. Charts (SVG) are left out.
    cache = results_for(_edition(year), weighted=True)
    payload = cache.payload
    body = {
        "year": payload["year"],
        "weighted": payload["weighted"],
        "computed_at": cache.computed_at.isoformat(timespec="seconds"),
        "stale": cache.stale,
        "analysis": payload["analysis"],
        "sections": payload["sections"],
        "methodology": payload["methodology"],
        "costs": payload.get("costs"),
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    return with_last_modified(response, cache.computed_at)


@api.get(
    "/editions/{year}/questionnaire.xlsx",
    response={200: None, **PROBLEMS},
    url_name="edition-questionnaire",
    summary="Le questionnaire de l'édition (classeur XLSForm)",
    tags=["baromètre"],
    openapi_extra={
        "responses": {
            200: {
                "description": "Classeur XLSForm",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}
                },
            }
        }
    },
)
def edition_questionnaire(request, year: int):
    questionnaire = _edition(year).questionnaire
    content = bytes(questionnaire.source or b"")
    if not content:
        raise Http404("no workbook stored")
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = questionnaire.source_name or f"questionnaire-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return with_last_modified(response, questionnaire.imported_at)


# --- Frozen releases --------------------------------------------------------------------------


def release_record(release: Release) -> dict:
    return {
        "id": release.slug,
        "kind": release.kind,
        "edition": release.edition.year if release.edition_id else None,
        "version": release.version,
        "title": release.title,
        "created_at": release.created_at.isoformat(timespec="seconds"),
        "checksum": release.checksum,
        "archive": represent.absolute(release.get_absolute_url()),
        "files": release.files,
        "changelog": release.changelog,
        "citation": release.citation,
    }


@api.get(
    "/releases",
    response=list[schemas.ReleaseOut],
    url_name="releases",
    summary="Versions figées et citables des données",
    tags=["versions"],
)
def releases(request, kind: str | None = None):
    queryset = Release.objects.select_related("edition")
    if kind:
        queryset = queryset.filter(kind=kind)
    return JsonResponse(
        [release_record(release) for release in queryset],
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


@api.get(
    "/releases/{id}",
    response={200: schemas.ReleaseOut, **PROBLEMS},
    url_name="release-detail",
    summary="Une version figée",
    tags=["versions"],
)
def release(request, id: str):
    found = get_object_or_404(Release.objects.select_related("edition"), slug=id)
    response = JsonResponse(release_record(found), json_dumps_params={"ensure_ascii": False})
    return with_last_modified(response, found.created_at)


FILE_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".cff": "application/yaml",
}


@api.get(
    "/releases/{id}/files/{name}",
    response={200: None, **PROBLEMS},
    url_name="release-file",
    summary="Un fichier d'une version figée (CSV, datapackage.json, CITATION.cff...)",
    tags=["versions"],
)
def release_file(request, id: str, name: str):
    found = get_object_or_404(Release, slug=id)
    content = found.read_file(name)
    if content is None:
        raise Http404("no such file")
    suffix = name[name.rfind(".") :] if "." in name else ""
    response = HttpResponse(
        content, content_type=FILE_TYPES.get(suffix, "text/plain; charset=utf-8")
    )
    # The bytes of a release never change: its checksum is a perfect validator.
    response["ETag"] = f'"{found.files.get(name, found.checksum)[:32]}"'
    return with_last_modified(response, found.created_at)
