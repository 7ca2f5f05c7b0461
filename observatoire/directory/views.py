"""Public pages of the cartography, under /cartographie/ (French URLs, filters in the URL).

The work happens elsewhere: search.py (faceted search), maps.py (SVG figures), forms.py
(contributions, handed to services.submit_contribution), datapackage.py (download).
"""

import json
import os
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from observatoire.ratelimit import client_ip, count_hit

from . import maps
from .choices import DataOrigin
from .datapackage import LICENCE, RESOURCE_NAMES, build_datapackage
from .forms import ENTITY_FIELDS, HONEYPOT, ContributionForm
from .links import LINKS_PER_PAGE, link_group, link_groups
from .models import (
    Contribution,
    Initiative,
    InitiativeTool,
    KeyDate,
    Organisation,
    Tool,
    ToolStatus,
)
from .schema import field_specs, table_schema_type
from .search import (
    ENTITY_PLURALS,
    FACETS,
    SORTS,
    TYPE_OF_ENTITY,
    TYPE_VALUES,
    SearchParams,
    entries_in_order,
    entry_querysets,
    get_index,
    matching_rows,
    read_stamp,
    search,
)
from .services import submit_contribution
from .text import normalise

TEMPLATES = "directory/public/"


# --- Search -----------------------------------------------------------------------------------


def _page_numbers(page: int, num_pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: None marks a gap."""
    wanted = {1, num_pages, *range(page - 2, page + 3)}
    numbers, previous = [], 0
    for number in sorted(n for n in wanted if 1 <= n <= num_pages):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


@require_GET
def explore(request):
    index = get_index()
    params = SearchParams.from_query(request.GET, index.labels)
    result = search(params, index)
    base = reverse("directory:search")
    pages = [
        (number, base + params.querystring(page=number) if number else None)
        for number in _page_numbers(min(result.page, result.num_pages), result.num_pages)
    ]
    context = {
        "result": result,
        "params": params,
        "facets": result.facets,
        "sorts": [
            (code, label) for code, label in SORTS.items() if code != "pertinence" or params.q
        ],
        "pages": pages,
        "previous_url": base + params.querystring(page=result.page - 1)
        if 1 < result.page <= result.num_pages
        else None,
        "next_url": base + params.querystring(page=result.page + 1)
        if result.page < result.num_pages
        else None,
        "last_url": base + params.querystring(page=result.num_pages),
        "reset_url": base,
        "feed_url": reverse("directory:feed") + params.querystring(sort=False),
        "data_url": reverse("directory:data") + params.querystring(sort=False),
        "type_counts": [
            (ENTITY_PLURALS[TYPE_VALUES[code]], count)
            for code, count in result.type_counts.items()
            if count
        ],
    }
    status = 404 if result.page_out_of_range else 200
    return render(request, TEMPLATES + "search.html", context, status=status)


# --- Entry pages ------------------------------------------------------------------------------


def _json_ld(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def _iso(value, precision="day") -> str | None:
    if value is None:
        return None
    return {"year": value.strftime("%Y"), "month": value.strftime("%Y-%m")}.get(
        precision, value.isoformat()
    )


def _drop_empty(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _organisation_ld(organisation, request) -> dict:
    kind = organisation.kind
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name, "value": value}
        for name, value in (("SIREN", organisation.siren), ("RNA", organisation.rna))
        if value
    ]
    return _drop_empty(
        {
            "@type": "GovernmentOrganization"
            if kind and kind.is_local_government
            else "Organization",
            "name": organisation.name,
            "description": organisation.description,
            "url": organisation.website,
            "foundingDate": _iso(organisation.founded_on, organisation.founded_precision),
            "identifier": identifiers,
            "sameAs": [f"https://www.wikidata.org/wiki/{organisation.wikidata_id}"]
            if organisation.wikidata_id
            else [],
            "address": _drop_empty(
                {
                    "@type": "PostalAddress",
                    "addressLocality": organisation.city
                    or (organisation.territory.name if organisation.territory_id else ""),
                    "addressCountry": organisation.country,
                }
            ),
            "mainEntityOfPage": request.build_absolute_uri(organisation.get_absolute_url()),
        }
    )


def _reference(entry, request) -> dict:
    return {
        "@type": "Organization" if isinstance(entry, Organisation) else "Thing",
        "name": entry.name,
        "url": request.build_absolute_uri(entry.get_absolute_url()),
    }


def _tool_ld(tool, request) -> dict:
    makers = [
        link.organisation for link in tool.maker_links.all() if link.organisation.is_published
    ]
    return _drop_empty(
        {
            "@type": "SoftwareApplication",
            "name": tool.name,
            "description": tool.description,
            "url": tool.website,
            "applicationCategory": tool.objective.name if tool.objective_id else "",
            "keywords": ", ".join(tag.name for tag in tool.tags.all()),
            "license": tool.licence,
            "isAccessibleForFree": True if tool.pricing == "free" else None,
            "datePublished": _iso(tool.launched_on, tool.launched_precision),
            "creator": [_reference(maker, request) for maker in makers],
            "mainEntityOfPage": request.build_absolute_uri(tool.get_absolute_url()),
        }
    )


def _initiative_ld(initiative, request) -> dict:
    organiser = initiative.organiser_organisation
    territory = initiative.organiser_territory
    return _drop_empty(
        {
            "@type": "Event",
            "name": initiative.name,
            "description": initiative.description,
            "url": initiative.website,
            "startDate": _iso(initiative.start_on, initiative.start_precision),
            "endDate": _iso(initiative.end_on),
            "organizer": _reference(organiser, request)
            if organiser and organiser.is_published
            else (
                {"@type": "GovernmentOrganization", "name": territory.name} if territory else None
            ),
            "location": {"@type": "Place", "name": territory.name} if territory else None,
            "about": initiative.objective.name if initiative.objective_id else "",
            "mainEntityOfPage": request.build_absolute_uri(initiative.get_absolute_url()),
        }
    )


def _entry_page(request, entry, template, json_ld, **extra):
    context = {
        "entry": entry,
        "link_groups": link_groups(entry),
        "key_dates": entry.key_dates.published().order_by("date"),
        "sources": entry.sources.all(),
        "statuses": entry.statuses.all() if hasattr(entry, "statuses") else [],
        "json_ld": _json_ld({"@context": "https://schema.org", **json_ld}),
        "correction_url": reverse("directory:contribute")
        + f"?{TYPE_OF_ENTITY[entry.entity]}={entry.slug}",
        **extra,
    }
    return render(request, TEMPLATES + template, context)


@require_GET
def organisation_detail(request, slug):
    organisation = get_object_or_404(
        Organisation.objects.published().select_related("kind", "territory"), slug=slug
    )
    return _entry_page(
        request,
        organisation,
        "organisation.html",
        _organisation_ld(organisation, request),
        ecosystems=organisation.ecosystems.all(),
    )


@require_GET
def tool_detail(request, slug):
    tool = get_object_or_404(Tool.objects.published().select_related("objective"), slug=slug)
    return _entry_page(
        request,
        tool,
        "tool.html",
        _tool_ld(tool, request),
        tags=tool.tags.all(),
        functions=tool.functions.all(),
        compare_url=reverse("directory:compare") + f"?outils={tool.slug}",
    )


@require_GET
def initiative_detail(request, slug):
    initiative = get_object_or_404(
        Initiative.objects.published().select_related(
            "objective", "organiser_territory", "organiser_organisation"
        ),
        slug=slug,
    )
    return _entry_page(
        request,
        initiative,
        "initiative.html",
        _initiative_ld(initiative, request),
        themes=initiative.themes.all(),
        functions=initiative.functions.all(),
    )


@require_GET
def initiative_budget_pb(request, slug):
    """A participatory budget's vote back in Pabulib's `.pb` format, for reuse by its tools."""
    from .harvest.pabulib import write_pb

    initiative = get_object_or_404(Initiative.objects.published(), slug=slug)
    if not initiative.budget_vote:
        raise Http404
    response = HttpResponse(
        write_pb(initiative.budget_vote), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{initiative.slug}.pb"'
    return response


ENTRY_SEGMENTS = {model.url_segment: model for model in (Organisation, Tool, Initiative)}


@require_GET
def entry_links(request, segment, slug, group):
    """Every link of one group of an entry ("utilisé par" 4 224 initiatives), page by page."""
    model = ENTRY_SEGMENTS.get(segment)
    if model is None:
        raise Http404
    entry = get_object_or_404(model.objects.published(), slug=slug)
    found = link_group(entry, group)
    if found is None:
        raise Http404
    label, queryset, to_views = found
    page = Paginator(queryset, LINKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        TEMPLATES + "entry_links.html",
        {"entry": entry, "label": label, "page": page, "links": to_views(page.object_list)},
    )


# --- Comparison -------------------------------------------------------------------------------

MIN_COMPARED, MAX_COMPARED = 2, 4


def _compared_tools(values: list[str]):
    """Published tools named by slug or by name, in the given order, and the unknown names."""
    tools, unknown = [], []
    queryset = (
        Tool.objects.published()
        .select_related("objective")
        .prefetch_related("tags", "functions", "maker_links__organisation")
    )
    for value in values:
        tool = queryset.filter(slug=value).first() or (
            queryset.filter(name_key=normalise(value)).order_by("pk").first()
        )
        if tool is None:
            unknown.append(value)
        elif tool not in tools:
            tools.append(tool)
    return tools, unknown


def _comparison_rows(tools) -> list[dict]:
    uses = dict(
        InitiativeTool.objects.filter(tool__in=tools, initiative__is_published=True)
        .values_list("tool")
        .annotate(count=Count("initiative", distinct=True))
    )

    def names(items):
        return ", ".join(str(item) for item in items) or "—"

    rows = [
        (
            _("Objectif principal"),
            [tool.objective.name if tool.objective_id else "—" for tool in tools],
        ),
        (_("Étiquettes"), [names(tool.tags.all()) for tool in tools]),
        (_("Fonctions"), [names(tool.functions.all()) for tool in tools]),
        (
            _("Niveau de participation (IAP2)"),
            [tool.get_iap2_level_display() or "—" for tool in tools],
        ),
        (_("Statut"), [tool.get_current_status_display() or "—" for tool in tools]),
        (_("Logiciel libre"), [_("Oui") if tool.is_open_source else _("Non") for tool in tools]),
        (_("Licence"), [tool.licence or "—" for tool in tools]),
        (_("Hébergement"), [tool.get_hosting_display() or "—" for tool in tools]),
        (_("Conformité RGAA"), [tool.get_rgaa_display() or "—" for tool in tools]),
        (_("Modèle économique"), [tool.get_pricing_display() or "—" for tool in tools]),
        (_("Lancement"), [tool.launched_display or "—" for tool in tools]),
        (
            _("Développé par"),
            [
                names(
                    link.organisation
                    for link in tool.maker_links.all()
                    if link.organisation.is_published
                )
                for tool in tools
            ],
        ),
        (_("Initiatives recensées qui l'utilisent"), [str(uses.get(tool.pk, 0)) for tool in tools]),
    ]
    return [
        {"label": label, "values": values, "differs": len(set(map(str, values))) > 1}
        for label, values in rows
    ]


@require_GET
def compare(request):
    values = [
        value.strip()
        for item in request.GET.getlist("outils")
        for value in item.split(",")
        if value.strip()
    ]
    values = list(dict.fromkeys(values))
    tools, unknown = _compared_tools(values[: MAX_COMPARED * 3])
    errors = []
    for value in unknown:
        errors.append(
            {
                "message": _("Aucun outil publié ne s'appelle « %(name)s ».")
                % {"name": value[:80]},
                "url": reverse("directory:search") + "?type=outil&q=" + value[:80],
                "link": _("Le chercher dans la cartographie"),
            }
        )
    # One tool chosen (the "Comparer cet outil" link of a tool page) is a start, not an error:
    # the page offers the tools to put beside it.
    companions = _companions(tools[0]) if len(tools) == 1 and not unknown else []
    if values and len(tools) < MIN_COMPARED and not companions:
        errors.append(
            {
                "message": _(
                    "Choisissez au moins deux outils à comparer (vous en avez choisi %(count)d)."
                )
                % {"count": len(tools)},
            }
        )
    removal = []
    if len(tools) > MAX_COMPARED:
        errors.append(
            {
                "message": _(
                    "Vous avez choisi %(count)d outils ; la comparaison en montre au plus "
                    "%(max)d côte à côte. Retirez-en %(extra)d :"
                )
                % {"count": len(tools), "max": MAX_COMPARED, "extra": len(tools) - MAX_COMPARED},
            }
        )
        base = reverse("directory:compare")
        removal = [
            (tool, base + "?outils=" + ",".join(other.slug for other in tools if other != tool))
            for tool in tools
        ]
    valid = MIN_COMPARED <= len(tools) <= MAX_COMPARED and not unknown
    context = {
        "tools": tools if valid else [],
        "rows": _comparison_rows(tools) if valid else [],
        "errors": errors,
        "removal": removal,
        "chosen": tools[0] if companions else None,
        "companions": [
            (other, reverse("directory:compare") + f"?outils={tools[0].slug},{other.slug}")
            for other in companions
        ],
        "slots": [
            (number + 1, tools[number].slug if number < len(tools) else "")
            for number in range(MAX_COMPARED)
        ],
    }
    status = 400 if errors else 200
    return render(request, TEMPLATES + "compare.html", context, status=status)


COMPANIONS_SHOWN = 8


def _companions(tool) -> list:
    """Published tools to compare with `tool`: same main objective first, the most used first."""
    others = (
        Tool.objects.published()
        .exclude(pk=tool.pk)
        .annotate(uses=Count("initiative_links"))
        .order_by("-uses", "name_key")
    )
    same = (
        list(others.filter(objective=tool.objective_id)[:COMPANIONS_SHOWN])
        if tool.objective_id
        else []
    )
    rest = list(others.exclude(pk__in=[t.pk for t in same])[: COMPANIONS_SHOWN - len(same)])
    return same + rest


# --- Maps -------------------------------------------------------------------------------------

TOOLS_PER_OBJECTIVE = 12
TAGS_PER_OBJECTIVE = 10


def _search_url(**filters) -> str:
    params = SearchParams(filters={key: [value] for key, value in filters.items()})
    return reverse("directory:search") + params.querystring()


def _ecosystem_groups(index) -> list[maps.ObjectiveGroup]:
    tools_mask = index.masks["type"]["outil"]
    groups = []
    for code, name in index.labels["objectif"].items():
        mask = tools_mask & index.masks.get("objectif", {}).get(code, 0)
        total = mask.bit_count()
        if not total:
            continue
        tags = []
        for tag, label in index.labels["etiquette"].items():
            count = (mask & index.masks.get("etiquette", {}).get(tag, 0)).bit_count()
            if count:
                tags.append(
                    maps.Node(label, _search_url(type="outil", objectif=code, etiquette=tag), count)
                )
        tags.sort(key=lambda node: -node.count)
        tools = entries_in_order(index, mask, "nom", TOOLS_PER_OBJECTIVE)
        more = None
        if total > len(tools):
            more = maps.Node(
                _("+ %(count)d autres outils") % {"count": total - len(tools)},
                _search_url(type="outil", objectif=code),
            )
        groups.append(
            maps.ObjectiveGroup(
                objective=maps.Node(
                    f"{name} ({total})", _search_url(type="outil", objectif=code), total
                ),
                tags=tags[:TAGS_PER_OBJECTIVE],
                tools=[maps.Node(tool.name, tool.get_absolute_url()) for tool in tools],
                more=more,
            )
        )
    return groups


TOOLS_PER_CLUSTER = 16


def _ecosystem_clusters(index) -> list[maps.ObjectiveCluster]:
    """Per objective, its most used tools grouped by their main tag.

    A tool's main tag is, among its tags, the one most tools of the objective share, so the
    tags that describe a family of tools gather it. Sizes count published initiatives.
    """
    tools_mask = index.masks["type"]["outil"]
    tag_masks = index.masks.get("etiquette", {})
    clusters = []
    for code, name in index.labels["objectif"].items():
        mask = tools_mask & index.masks.get("objectif", {}).get(code, 0)
        total = mask.bit_count()
        if not total:
            continue
        tag_sizes = {tag: (mask & tag_masks.get(tag, 0)).bit_count() for tag in tag_masks}
        published_uses = Count(
            "initiative_links",
            filter=Q(initiative_links__initiative__is_published=True),
            distinct=True,
        )
        tools = list(
            Tool.objects.published()
            .filter(objective__code=code)
            .annotate(uses=published_uses)
            .order_by("-uses", "name")
            .prefetch_related("tags")[:TOOLS_PER_CLUSTER]
        )
        by_tag: dict[str | None, list] = defaultdict(list)
        for tool in tools:
            codes = [tag.code for tag in tool.tags.all() if tag_sizes.get(tag.code)]
            main = max(codes, key=lambda tag: (tag_sizes[tag], tag), default=None)
            by_tag[main].append(maps.Node(tool.name, tool.get_absolute_url(), tool.uses))
        groups = [
            maps.TagCluster(
                maps.Node(
                    index.labels["etiquette"].get(tag, tag),
                    _search_url(type="outil", objectif=code, etiquette=tag),
                    tag_sizes[tag],
                )
                if tag
                else None,
                nodes,
            )
            for tag, nodes in sorted(
                by_tag.items(), key=lambda item: (item[0] is None, -len(item[1]))
            )
        ]
        more = None
        if total > len(tools):
            more = maps.Node(
                _("+ %(count)d autres outils") % {"count": total - len(tools)},
                _search_url(type="outil", objectif=code),
            )
        objective = maps.Node(f"{name} ({total})", _search_url(type="outil", objectif=code), total)
        clusters.append(maps.ObjectiveCluster(objective, groups, more))
    return clusters


def departement_rows(index) -> list[dict]:
    rows = []
    masks = index.masks.get("departement", {})
    for code, label in index.labels["departement"].items():
        mask = masks.get(code, 0)
        if not mask:
            continue
        counts = {
            entity: (mask & index.masks["type"][TYPE_OF_ENTITY[entity]]).bit_count()
            for entity in ("initiative", "tool", "organisation")
        }
        rows.append({"code": code, "label": label, "url": _search_url(departement=code), **counts})
    return rows


@require_GET
def ecosystem_map(request):
    index = get_index()
    groups = _ecosystem_groups(index)
    clusters = _ecosystem_clusters(index)
    departements = departement_rows(index)
    initiatives = {row["code"]: row["initiative"] for row in departements}
    bounds = maps.classes_for(list(initiatives.values()))
    try:
        france = maps.france_svg(
            initiatives,
            title=_("Initiatives recensées par département"),
            desc=_(
                "Carte de la France métropolitaine ; plus un département est foncé, plus il "
                "compte d'initiatives. Les chiffres de chaque département sont dans le tableau "
                "qui suit, outre-mer compris."
            ),
            unit=("%(count)d initiative", "%(count)d initiatives"),
        )
    except OSError:  # node_modules not installed: the table still tells everything
        france = ""
    context = {
        "groups": groups,
        "clusters": clusters,
        "ecosystem": mark_safe(  # built with escape() in maps.py, like the other figures
            maps.ecosystem_clusters_svg(
                clusters,
                title=_("Carte de l'écosystème des outils de la civic tech"),
                desc=_(
                    "Un cercle par objectif principal ; dedans, les outils regroupés par leur "
                    "étiquette principale, chacun d'autant plus grand que des initiatives "
                    "l'utilisent. Chaque objectif, étiquette et outil est un lien ; la liste "
                    "qui suit donne les mêmes informations."
                ),
            )
        ),
        "france": mark_safe(france),
        "legend": maps.legend_items(bounds),
        "attribution": maps.FRANCE_ATTRIBUTION,
        "departements": departements,
        "demo_count": index.masks.get("origine", {}).get(DataOrigin.DEMO, 0).bit_count(),
        "totals": {
            key: sum(row[key] for row in departements)
            for key in ("initiative", "tool", "organisation")
        },
    }
    return render(request, TEMPLATES + "map.html", context)


# --- Timeline ---------------------------------------------------------------------------------


def tool_cohorts(tools: list[tuple], closures: list) -> list[dict]:
    """Per year: tools launched, those of them still active, and closures that year.

    `tools` holds (launch date, current status) pairs, `closures` the dates tools closed.
    """
    launched = Counter(date.year for date, _status in tools if date)
    active = Counter(date.year for date, status in tools if date and status == "active")
    closed = Counter(date.year for date in closures if date)
    years = sorted(set(launched) | set(closed))
    if not years:
        return []
    return [
        {
            "year": year,
            "launched": launched[year],
            "active": active[year],
            "share": round(100 * active[year] / launched[year]) if launched[year] else None,
            "closed": closed[year],
        }
        for year in range(years[0], years[-1] + 1)
    ]


@require_GET
def timeline(request):
    key_dates = KeyDate.objects.published().prefetch_related(
        "organisations", "tools", "initiatives", "sources"
    )
    by_year = defaultdict(list)
    for key_date in key_dates:
        by_year[key_date.date.year].append(key_date)
    cohorts = tool_cohorts(
        list(Tool.objects.published().values_list("launched_on", "current_status")),
        list(
            ToolStatus.objects.filter(tool__is_published=True, status="closed").values_list(
                "start_on", flat=True
            )
        ),
    )
    chart = maps.year_bars_svg(
        [(row["year"], row["launched"], row["closed"]) for row in cohorts],
        title=_("Lancements et fermetures d'outils par année"),
        desc=_(
            "Diagramme en barres : pour chaque année, en bleu les outils lancés, en orange les "
            "outils fermés. Les chiffres sont dans le tableau qui suit."
        ),
    )
    context = {
        "years": sorted(by_year.items()),
        "cohorts": cohorts,
        "chart": mark_safe(chart),
    }
    return render(request, TEMPLATES + "timeline.html", context)


# --- Contributions ----------------------------------------------------------------------------

RATE_LIMIT = 10  # proposals per address and per hour; a workshop behind one address fits
RATE_WINDOW = 3600


def _correction_target(request):
    for code, entity in TYPE_VALUES.items():
        slug = request.GET.get(code)
        if slug:
            model = {"organisation": Organisation, "tool": Tool, "initiative": Initiative}[entity]
            return get_object_or_404(model.objects.published(), slug=slug)
    return None


def _published_duplicates(entity: str, data: dict) -> list:
    proposal = Contribution(entity=entity, data=data)
    return [duplicate for duplicate in proposal.likely_duplicates() if duplicate.entry.is_published]


@require_http_methods(["GET", "POST"])
def contribute(request):
    target = _correction_target(request)
    duplicates = []
    if request.method == "POST":
        if count_hit("directory:contributions", request, window=RATE_WINDOW) > RATE_LIMIT:
            return render(request, TEMPLATES + "contribute_limit.html", status=429)
        form = ContributionForm(request.POST, target=target)
        if form.is_spam():
            # Said politely and saved nowhere: a robot learns nothing from the answer.
            return redirect("directory:contribute-thanks")
        if form.is_valid():
            entity, data = form.entity_value, form.proposed_data()
            if target is None and not form.cleaned_data["confirm"]:
                duplicates = _published_duplicates(entity, data)
            if not duplicates:
                contribution = submit_contribution(
                    entity=entity,
                    data=data,
                    target=target,
                    contributor_name=form.cleaned_data["contributor_name"],
                    contributor_email=form.cleaned_data["contributor_email"],
                    message=form.cleaned_data["message"],
                    ip=client_ip(request),
                )
                request.session["directory_contribution"] = {
                    "name": contribution.proposed_name or str(target or ""),
                    "kind": contribution.get_kind_display(),
                    "email": bool(contribution.contributor_email),
                }
                return redirect("directory:contribute-thanks")
    else:
        form = ContributionForm(target=target)
    common = ("name", "website", "description")
    # A field asked of tools and initiatives alike (objective, functions) is shown once, in a
    # fieldset of its own: one form field rendered twice would repeat its id and its value.
    shared = [
        n for n in ENTITY_FIELDS["tool"] if n in ENTITY_FIELDS["initiative"] and n not in common
    ]
    fieldsets = [
        ("organisation", _("Pour un acteur"), ENTITY_FIELDS["organisation"]),
        ("tool", _("Pour un outil"), ENTITY_FIELDS["tool"]),
        ("initiative", _("Pour une initiative"), ENTITY_FIELDS["initiative"]),
    ]
    if target is None:
        fieldsets = [
            (entity, label, [n for n in names if n not in shared])
            for entity, label, names in fieldsets
        ]
        fieldsets.append(("tool initiative", _("Pour un outil ou une initiative"), shared))
    else:
        fieldsets = [fieldset for fieldset in fieldsets if fieldset[0] == target.entity]
    context = {
        "form": form,
        "target": target,
        "duplicates": duplicates,
        "honeypot": form[HONEYPOT],
        "entity_fieldsets": [
            (entity, label, [form[name] for name in names if name not in common])
            for entity, label, names in fieldsets
        ],
    }
    return render(request, TEMPLATES + "contribute.html", context)


@require_GET
def contribute_thanks(request):
    return render(
        request,
        TEMPLATES + "contribute_thanks.html",
        {"submitted": request.session.pop("directory_contribution", None)},
    )


# --- Data download ----------------------------------------------------------------------------


def _schema_tables() -> list[dict]:
    tables = []
    for entity, resource in RESOURCE_NAMES.items():
        fields = [
            {"name": spec.name, "label": spec.label, "type": table_schema_type(spec)["type"]}
            for spec in field_specs(entity)
        ]
        tables.append(
            {"name": f"{resource}.csv", "title": ENTITY_PLURALS[entity], "fields": fields}
        )
    return tables


@require_GET
def data(request):
    index = get_index()
    params = SearchParams.from_query(request.GET, index.labels)
    mask, _base = matching_rows(index, params)
    counts = [
        (ENTITY_PLURALS[entity], (mask & index.masks["type"][code]).bit_count())
        for code, entity in TYPE_VALUES.items()
    ]
    context = {
        "params": params,
        "filters": [
            (
                facet.label,
                [index.labels[facet.param][value] for value in params.filters[facet.param]],
            )
            for facet in FACETS
            if facet.param in params.filters
        ],
        "total": mask.bit_count(),
        "counts": counts,
        "download_url": reverse("directory:data-download") + params.querystring(sort=False),
        "search_url": reverse("directory:search") + params.querystring(sort=False),
        "licence": LICENCE,
        "tables": _schema_tables(),
    }
    return render(request, TEMPLATES + "data.html", context)


FULL_PACKAGE_MAX_AGE = 3600  # seconds; the whole directory's zip is kept this long at most
DOWNLOAD_NAME = "cartographie-civic-tech.zip"


def _full_package() -> Path:
    """The zip of every published entry, built once and reused until an entry changes.

    It is the most asked-for download and the longest to build (a minute for 150,000 entries).
    """
    path = Path(settings.VAR_DIR) / "directory-datapackage.zip"
    try:
        built = path.stat().st_mtime_ns
    except OSError:
        built = 0
    fresh = built > read_stamp() and time.time_ns() - built < FULL_PACKAGE_MAX_AGE * 10**9
    if not fresh:
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".zip", delete=False) as handle:
            try:
                build_datapackage(None, handle)
            except BaseException:
                os.unlink(handle.name)
                raise
        os.replace(handle.name, path)  # atomic: a concurrent download reads the old or new file
    return path


@require_GET
def data_download(request):
    index = get_index()
    params = SearchParams.from_query(request.GET, index.labels)
    if not params.is_filtered:
        return FileResponse(_full_package().open("rb"), as_attachment=True, filename=DOWNLOAD_NAME)
    response = HttpResponse(content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{DOWNLOAD_NAME}"'
    build_datapackage(entry_querysets(params), response)
    return response
