"""The PDF report of an edition, built by WeasyPrint from the same partial templates as the pages."""

import hashlib

from django.core.cache import cache as django_cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import presentation
from .compute import results_for
from .labels import method_in_words
from .models import DemoEdition, KeyFinding

REPORT_SECONDS = 24 * 3600


def build_report(edition, *, weighted: bool = True, base_url: str | None = None) -> bytes:
    return _render(edition, results_for(edition, weighted=weighted), weighted, base_url)


def _render(edition, cache, weighted: bool, base_url: str | None) -> bytes:
    from weasyprint import HTML

    # The report is French whatever the page's language (its partials are shared with the
    # translated pages), so one cached PDF serves every visitor.
    with translation.override("fr"):
        html = render_to_string("barometer/results/report.html", _context(edition, cache, weighted))
    return HTML(string=html, base_url=base_url or "/").write_pdf()


def _context(edition, cache, weighted: bool) -> dict:
    """The web overview's order: introduction and key findings first, then the key figures,
    the methodology and every section with its charts and (printed) tables."""
    payload = cache.payload
    form = edition.form
    return {
        "edition": edition,
        "payload": payload,
        "weighted": weighted,
        "print": True,
        "is_demo": DemoEdition.objects.filter(edition=edition).exists(),
        "published": True,
        "findings": presentation.findings(edition, payload, form, proposals=False),
        "sections": presentation.sections(payload, form),
        "key_figures": presentation.key_figures(payload),
        "introduction": presentation.introduction(edition),
        "default_introduction": default_introduction(edition, payload),
        "method": method_in_words(payload["methodology"]),
        "generated": timezone.localtime(),
    }


def default_introduction(edition, payload) -> list[str]:
    """The introduction when staff wrote none: what the survey is, who answered, how to read."""
    method = payload["methodology"]
    rate = method.get("response_rate_percent") or "—"
    return [
        f"Le baromètre {edition.year} de la démocratie locale numérique interroge les "
        "collectivités sur les dispositifs de participation qu'elles mènent, numériques ou "
        "non, sur leurs moyens et sur ce qu'elles en retirent.",
        f"{method['respondents']} collectivités ont répondu sur les {method['frame_size']} de "
        f"la base de sondage (taux de réponse : {rate}). Leurs réponses sont pondérées pour "
        "représenter l'ensemble des collectivités de la base, et chaque pourcentage est donné "
        "avec son intervalle de confiance à 95 % ; un chiffre reposant sur trop peu de "
        "répondants n'est pas publié.",
        "Le rapport s'ouvre sur les constats clés de l'édition, puis détaille la méthode et "
        "chaque partie du questionnaire, graphique et tableau de données à l'appui.",
    ]


def report_pdf(edition, *, weighted: bool = True, base_url: str | None = None) -> bytes:
    """The report as the site serves it: built once per state of the results and of the
    editorial introduction (a build takes seconds), then kept in the shared cache."""
    cache = results_for(edition, weighted=weighted)
    state = "|".join(
        [
            str(edition.pk),
            str(weighted),
            cache.responses_version,
            cache.computed_at.isoformat(),
            "\n\n".join(presentation.introduction(edition)),
            "\n".join(
                f"{f.question}:{f.sentence}" for f in KeyFinding.objects.filter(edition=edition)
            ),
            str(DemoEdition.objects.filter(edition=edition).exists()),
            base_url or "",
        ]
    )
    key = "barometer-report:" + hashlib.sha256(state.encode()).hexdigest()
    pdf = django_cache.get(key)
    if pdf is None:
        pdf = _render(edition, cache, weighted, base_url)
        django_cache.set(key, pdf, REPORT_SECONDS)
    return pdf
