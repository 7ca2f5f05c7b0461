"""The peer benchmark behind a respondent's personal link: its answers beside its peers'.

The token is resolved by the collection's access helpers (hashed tokens, rate limit on unknown
tokens); once the edition is closed the link still opens the comparison, not the answers.
Each question shows a chart (`benchmark_dots`: the peers' weighted shares with their
intervals, the own answers marked) beside the data table; under the threshold of peers,
neither the chart nor the table, only the note. The peers exclude the respondent, so its charts
are its own: a first visit renders them within `RENDER_BUDGET`, the background task
`tasks.render_benchmark` the rest.
"""

from typing import Any

from django.core.cache import cache as django_cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from observatoire.barometer import access
from observatoire.barometer.models import Response
from observatoire.lib.charts import benchmark_dots, data_table, format_number
from observatoire.lib.stats import benchmark
from observatoire.ratelimit import client_hash

from .charts import Chart, render_many
from .compute import threshold, weigh
from .data import KIND_LABELS, load_edition, responses_version
from .tasks import queue_benchmark_charts

# Seconds of chart rendering a first visit may spend (a Likert chart takes up to 3 s); the
# charts left are drawn by a background task and the page shows their tables meanwhile.
RENDER_BUDGET = 1.5


def _refuse(request, status, message):
    response = render(
        request, "barometer/results/benchmark_refused.html", {"message": message}, status=status
    )
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def benchmark_response(request, token):
    try:
        invitation = access.open_token_for(client_hash(request), token).invitation
    except access.RateLimited:
        return _refuse(request, 429, "Trop de liens invalides : réessayez plus tard.")
    except access.TokenProblem as problem:
        if problem.reason == "unknown":
            return _refuse(request, 404, "Ce lien n'est pas valide.")
        if problem.reason == "revoked" or problem.invitation is None:
            return _refuse(request, 410, "Ce lien a été révoqué.")
        invitation = problem.invitation  # closed: the comparison stays available
    edition = invitation.edition
    # The invitation's own territory only: a link never shows another territory's answers.
    response = (
        Response.objects.submitted().filter(edition=edition, territory=invitation.territory).first()
    )
    if response is None:
        return _refuse(request, 404, "La comparaison s'affiche une fois votre réponse envoyée.")
    comparison = comparison_of(edition, response.pk)
    if comparison is None:
        return _refuse(request, 404, "Votre collectivité n'est pas dans la base de sondage.")
    rows = comparison["rows"]
    drawn = [row for row in rows if row["chart"]]
    svgs = render_many((Chart(*row["chart"]) for row in drawn), budget=RENDER_BUDGET)
    for row, svg in zip(drawn, svgs, strict=True):
        row["svg"] = mark_safe(svg)  # rendered by lib.charts, escaped there
    if not all(svgs):
        queue_benchmark_charts(edition.pk, response.pk)
    context = {
        "edition": edition,
        "territory": invitation.territory,
        "peer_label": comparison["peer_label"],
        "rows": rows,
        "threshold": threshold(),
    }
    return _private(render(request, "barometer/results/benchmark.html", context))


def comparison_of(edition, respondent: int) -> dict[str, Any] | None:
    """The respondent's answers beside its peers', question by question, with each chart's
    spec; None when it is not in the frame.

    Kept in Django's cache for the current responses (their fingerprint is in the key): the
    weighting and the specs are computed on the first visit only, and the charts come from
    the render cache.
    """
    key = (
        f"barometer-benchmark:{edition.pk}:{responses_version(edition)}:{threshold()}:{respondent}"
        f":{get_language() or 'fr'}"  # the own answers' numbers follow the language
    )
    found = django_cache.get(key)
    if found is None:
        found = _compare(edition, respondent)
        django_cache.set(key, found, 3600)
    return found or None


def _compare(edition, respondent: int) -> dict[str, Any]:
    data = load_edition(edition)
    if respondent not in data.respondents.index:
        return {}
    weighting = weigh(data)
    rows = []
    for spec in data.specs:
        if spec.repeat or spec.name == edition.consent_question:
            continue
        result = benchmark(spec, data.answers, weighting, respondent, threshold=threshold())
        shown = [r for r in result.peers.rows if not r.suppressed and r.estimate is not None]
        chart = None
        if shown and not result.suppressed:
            chart = tuple(Chart(benchmark_dots(result), spec.label, f"chart-pairs-{spec.name}"))
        rows.append(
            {
                "name": spec.name,
                "label": spec.label,
                "own": _own_text(spec, result.own),
                "table": data_table(result.peers),
                "chart": chart,
                "suppressed": result.suppressed,
                "n_peers": result.n_peers,
                "notes": result.notes,
            }
        )
    member = data.respondents.loc[respondent]
    return {
        "peer_label": f"{KIND_LABELS.get(member['kind'], member['kind'])}, {member['band']}",
        "rows": rows,
    }


def _own_text(spec, own) -> str:
    values = []
    for value in own.values():
        if value is None or value == "":
            continue
        items = value if isinstance(value, list) else [value]
        values += [spec.label_of(str(v)) if spec.options else _answer_number(v) for v in items]
    return ", ".join(values) or "—"


def _answer_number(value) -> str:
    """An own numeric answer in the page's language ("1,5" in French, not "1.5")."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    digits = 1 if round(value, 1) == value else 2
    return format_number(value, digits, locale=get_language() or "fr")
