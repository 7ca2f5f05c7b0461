"""One question of the barometer's results, embedded in an editorial publication.

The editorial app's `BarometerChartBlock` calls `render_chart(year, question, language)` when
a page renders. The HTML is the results page's own partial for one question (heading linked
to the question's page, base n, the SVG chart with its intervals, the accessible data table),
drawn from the cached results of the edition (`results.compute.results_for`).

Only published editions render: the same rule as the public results pages. Any other case
raises `LookupError` with a French message that staff see in the page preview.
"""

from django.template.loader import render_to_string
from django.utils import translation

from observatoire.barometer.models import Edition
from observatoire.barometer.results import presentation
from observatoire.barometer.results.compute import results_for

TEMPLATE = "barometer/embed_chart.html"


def public_edition(year: int) -> Edition:
    """The edition whose results the public may see, as on the results pages; else LookupError."""
    edition = Edition.objects.select_related("frame", "questionnaire").filter(year=year).first()
    if edition is None:
        raise LookupError(f"aucune édition {year} du baromètre.")
    if edition.status != Edition.Status.PUBLISHED:
        raise LookupError(f"les résultats de l'édition {year} ne sont pas encore publiés.")
    if edition.frame_id is None or edition.questionnaire_id is None:
        raise LookupError(f"l'édition {year} n'a pas de base de sondage ou de questionnaire.")
    return edition


def render_chart(year: int, question: str, language: str) -> str:
    """Trusted HTML of one question of a published edition (chart, n, intervals, table)."""
    edition = public_edition(year)
    cache = results_for(edition, weighted=True)  # the public pages' weighted results
    # The question page's block, without its cross-tabs: the chart is the payload's own.
    with translation.override(language):
        block = presentation.question_block(cache.payload, question, edition.form)
        if block is None:
            raise LookupError(
                f"la question « {question} » n'a pas de résultat publié dans l'édition {year}."
            )
        block["no_files"] = True
        return render_to_string(
            TEMPLATE, {"edition": edition, "block": block, "weighted": True, "level": 3}
        )
