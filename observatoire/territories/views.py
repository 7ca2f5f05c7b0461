from django.db.models import Count, F, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .forms import TerritorySearchForm
from .models import KIND_PLURAL, Frame, LoadedSnapshot, Territory
from .sections import sections_for

SEARCH_LIMIT = 10
SEARCH_MAX = 25


def _kinds(request):
    kinds = [kind for kind in request.GET.get("kind", "").split(",") if kind]
    return [kind for kind in kinds if kind in Territory.Kind.values]


@require_GET
def index(request):
    form = TerritorySearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = (
        list(Territory.objects.search(query).select_related("departement")[:SEARCH_MAX])
        if query
        else []
    )
    counts = Territory.objects.aggregate(
        **{
            kind: Count("pk", filter=Q(kind=kind, is_current=True))
            for kind in Territory.Kind.values
        },
        historical=Count("pk", filter=Q(is_current=False)),
    )
    context = {
        "form": form,
        "query": query,
        "results": results,
        "counts": [(KIND_PLURAL[kind], counts[kind]) for kind in Territory.Kind.values],
        "historical": counts["historical"],
        "loaded": LoadedSnapshot.objects.order_by("-vintage", "-loaded_at").first(),
        "frames": Frame.objects.all(),
    }
    return render(request, "territories/index.html", context)


@require_GET
def search(request):
    """JSON list of territories matching `q` (name, INSEE code, SIREN or postcode), best first.

    Optional: `kind=commune,epci` restricts the kinds, `limit` (at most 25) the length.
    """
    try:
        limit = min(max(int(request.GET.get("limit", SEARCH_LIMIT)), 1), SEARCH_MAX)
    except ValueError:
        limit = SEARCH_LIMIT
    query = request.GET.get("q", "")[:100]
    territories = Territory.objects.search(query, kinds=_kinds(request)).select_related(
        "departement"
    )
    return JsonResponse(
        [territory.as_search_result() for territory in territories[:limit]], safe=False
    )


@require_GET
def detail(request, kind, code):
    if kind not in Territory.Kind.values:
        raise Http404("Unknown kind of territory")
    territory = get_object_or_404(
        Territory.objects.select_related("departement", "region", "epci", "successor"),
        kind=kind,
        code=code.upper(),
    )
    context = {
        "territory": territory,
        "sections": sections_for(request, territory),
        "predecessors": territory.predecessors.order_by("name"),
        "loaded": LoadedSnapshot.objects.filter(vintage=territory.vintage)
        .order_by("-loaded_at")
        .first(),
    }
    if kind == Territory.Kind.EPCI:
        context["members"] = territory.member_communes.current().order_by("-population", "name")
    elif kind == Territory.Kind.DEPARTEMENT:
        communes = Territory.objects.current().filter(kind="commune", departement=territory)
        context["commune_count"] = communes.count()
        context["largest_communes"] = communes.order_by(F("population").desc(nulls_last=True))[:20]
        context["epcis"] = (
            Territory.objects.current().filter(kind="epci", departement=territory).order_by("name")
        )
    elif kind == Territory.Kind.REGION:
        context["departements"] = (
            Territory.objects.current()
            .filter(kind="departement", region=territory)
            .order_by("code")
        )
    return render(request, "territories/detail.html", context)
