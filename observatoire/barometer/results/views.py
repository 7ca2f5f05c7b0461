"""Public results of the barometer: pages, downloads, the PDF report and the peer benchmark."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from observatoire.accounts import permissions
from observatoire.barometer.models import Edition

from . import presentation
from .compute import results_for
from .labels import method_in_words
from .models import DemoEdition


def _can_see_all(request) -> bool:
    return permissions.can(request.user, permissions.SEE_UNPUBLISHED_RESULTS)


def _edition_or_404(request, year: int) -> Edition:
    editions = Edition.objects.select_related("frame", "questionnaire")
    if not _can_see_all(request):
        editions = editions.filter(status=Edition.Status.PUBLISHED)
    edition = get_object_or_404(editions, year=year)
    if edition.frame_id is None or edition.questionnaire_id is None:
        raise Http404("no frame or questionnaire")
    return edition


def _weighted(request) -> bool:
    """Staff may switch the weighting off (?ponderation=non) to compare; nobody else."""
    return not (_can_see_all(request) and request.GET.get("ponderation") == "non")


def _context(request, edition, **extra):
    weighted = _weighted(request)
    cache = results_for(edition, weighted=weighted)
    return {
        "edition": edition,
        "cache": cache,
        "payload": cache.payload,
        "weighted": weighted,
        "is_staff": _can_see_all(request),
        "is_demo": DemoEdition.objects.filter(edition=edition).exists(),
        "published": edition.status == Edition.Status.PUBLISHED,
        **extra,
    }


def results(request, year):
    """The overview: the key findings, the key figures, then the sections' contents (each
    section on its own page)."""
    edition = _edition_or_404(request, year)
    context = _context(request, edition)
    form = edition.form
    context["sections"] = presentation.sections(context["payload"], form, charts=False)
    context["introduction"] = presentation.introduction(edition)
    context["key_figures"] = presentation.key_figures(context["payload"])
    context["findings"] = presentation.findings(
        edition, context["payload"], form, proposals=context["is_staff"]
    )
    return render(request, "barometer/results/results.html", context)


def section(request, year, section):
    edition = _edition_or_404(request, year)
    context = _context(request, edition)
    form = edition.form
    names = [s["name"] for s in context["payload"]["sections"]]
    found = presentation.section_of(context["payload"], form, section)
    if found is None:
        raise Http404("unknown section")
    listed = presentation.sections(context["payload"], form, charts=False)
    index = next(i for i, s in enumerate(listed) if s["name"] == section)
    context["section"] = found
    context["previous"] = listed[index - 1] if index > 0 else None
    context["next"] = listed[index + 1] if index + 1 < len(listed) else None
    context["section_names"] = names
    return render(request, "barometer/results/section.html", context)


def question(request, year, question):
    edition = _edition_or_404(request, year)
    context = _context(request, edition)
    form = edition.form
    detail = presentation.question_detail(
        context["payload"], question, form, dimension=request.GET.get("strate") or "kind"
    )
    if detail is None:
        raise Http404("unknown question")
    by_question = request.GET.get("par", "")
    context["detail"] = detail
    context["by_options"] = presentation.crossing_questions(context["payload"], question)
    context["by_question"] = by_question
    if by_question:
        if by_question not in dict(context["by_options"]):
            raise Http404("not a single-choice question")
        context["crossed"] = presentation.cross_by_question(
            edition, question, by_question, weighted=context["weighted"], form=form
        )
    if context["is_staff"]:
        context["other_texts"] = presentation.other_texts_of(edition, question)
    return render(request, "barometer/results/question.html", context)


def chart_file(request, year, question, fmt):
    """One chart as SVG, PNG or its data as CSV (`?strate=` for a cross-tab)."""
    from .files import chart_response

    edition = _edition_or_404(request, year)
    context = _context(request, edition)
    dimension = request.GET.get("strate") or None
    response = chart_response(context["payload"], edition.form, question, fmt, dimension)
    if response is None:
        raise Http404("unknown chart")
    return response


@require_POST
def accept_finding(request, year):
    """Staff: keep an automatic proposal as one of the edition's key findings."""
    from .models import KeyFinding

    if not _can_see_all(request):
        return permissions.refuse(request)
    edition = _edition_or_404(request, year)
    name = request.POST.get("question", "")
    sentence = request.POST.get("sentence", "").strip()
    if name not in edition_questions(edition) or not sentence:
        messages.error(request, "Constat non retenu : question inconnue ou phrase vide.")
    else:
        position = KeyFinding.objects.filter(edition=edition).count()
        KeyFinding.objects.get_or_create(
            edition=edition, question=name, sentence=sentence, defaults={"position": position}
        )
        messages.success(request, "Constat retenu ; il se modifie dans l'administration.")
    return redirect("barometer_results:results", year=edition.year)


def edition_questions(edition) -> set[str]:
    return set(results_for(edition).payload["analysis"]["estimates"])


def costs(request, year):
    from .costs import costs_context, promotable_schemes

    edition = _edition_or_404(request, year)
    context = _context(request, edition)
    context.update(costs_context(edition, context["cache"]))
    if context["is_staff"]:
        context["promotable"] = promotable_schemes(edition)
    return render(request, "barometer/results/costs.html", context)


@require_POST
def promote_scheme(request, year, response, index):
    """Staff: one fiche-dispositif into the cartography, as a draft for moderation."""
    from observatoire.barometer.models import Response

    from .services import NotPromotable, promote_scheme_to_initiative

    if not permissions.can(request.user, *permissions.PROMOTE_SCHEMES):
        return permissions.refuse(request)
    edition = _edition_or_404(request, year)
    row = get_object_or_404(Response, pk=response, edition=edition)
    try:
        initiative = promote_scheme_to_initiative(response=row, index=index, by=request.user)
    except NotPromotable as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"« {initiative.name} » est dans la cartographie, en brouillon à modérer.",
        )
    return redirect("barometer_results:costs", year=edition.year)


def method(request, year):
    edition = _edition_or_404(request, year)
    context = _context(request, edition)
    context["method"] = method_in_words(context["payload"]["methodology"])
    return render(request, "barometer/results/methodology.html", context)


def downloads(request, year):
    from .exports import FORMATS

    edition = _edition_or_404(request, year)
    files = [(spec["label"], spec["filename"](edition.year)) for spec in FORMATS.values()]
    context = _context(request, edition, files=files)
    return render(request, "barometer/results/downloads.html", context)


def download(request, year, name):
    from .exports import FORMATS, export_bytes

    edition = _edition_or_404(request, year)
    formats = {spec["filename"](edition.year): key for key, spec in FORMATS.items()}
    if name not in formats:
        raise Http404("unknown file")
    content, content_type = export_bytes(edition, formats[name], weighted=_weighted(request))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report(request, year):
    from .report import report_pdf

    edition = _edition_or_404(request, year)
    pdf = report_pdf(edition, weighted=_weighted(request), base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="barometre-{edition.year}.pdf"'
    return response


def trends(request):
    from .trends import trend_context

    editions = Edition.objects.select_related("frame", "questionnaire").filter(
        frame__isnull=False, questionnaire__isnull=False
    )
    if not _can_see_all(request):
        editions = editions.filter(status=Edition.Status.PUBLISHED)
    editions = list(editions.order_by("year"))
    context = trend_context(editions, weighted=_weighted(request))
    context["is_staff"] = _can_see_all(request)
    context["is_demo"] = DemoEdition.objects.filter(edition__in=editions).exists()
    context["published"] = all(e.status == Edition.Status.PUBLISHED for e in editions)
    context["weighted"] = _weighted(request)
    return render(request, "barometer/results/trends.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
def benchmark(request, token):
    from .benchmark import benchmark_response

    return benchmark_response(request, token)
