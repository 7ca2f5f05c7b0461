"""The PDF report of an edition, built by WeasyPrint from the same partial templates as the pages."""

from django.template.loader import render_to_string
from django.utils import timezone

from . import presentation
from .compute import results_for
from .models import DemoEdition


def build_report(edition, *, weighted: bool = True, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    cache = results_for(edition, weighted=weighted)
    payload = cache.payload
    context = {
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
    html = render_to_string("barometer/results/report.html", context)
    return HTML(string=html, base_url=base_url or "/").write_pdf()
