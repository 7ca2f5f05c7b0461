"""The PDF report of an edition, built by WeasyPrint from the same partial templates as the pages."""

import hashlib

from django.core.cache import cache as django_cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import presentation
from .compute import results_for
from .models import DemoEdition

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
    payload = cache.payload
    return {
        "edition": edition,
        "payload": payload,
        "weighted": weighted,
        "is_demo": DemoEdition.objects.filter(edition=edition).exists(),
        "published": True,
        "sections": presentation.sections(payload),
        "key_figures": presentation.key_figures(payload),
        "introduction": presentation.introduction(edition),
        "method": payload["methodology"],
        "generated": timezone.localtime(),
    }


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
