"""The peer benchmark behind a respondent's personal link: its answers beside its peers'.

The token is resolved by the collection's access helpers (hashed tokens, rate limit on unknown
tokens); once the edition is closed the link still opens the comparison, not the answers.
"""

from django.http import HttpResponse
from django.shortcuts import render

from observatoire.barometer import access
from observatoire.barometer.models import Response
from observatoire.lib.charts import data_table
from observatoire.lib.stats import benchmark

from .compute import threshold, weigh
from .data import KIND_LABELS, load_edition


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
    client = access.client_hash(request)
    if access.is_rate_limited(client):
        return _refuse(request, 429, "Trop de liens invalides : réessayez plus tard.")
    try:
        invitation = access.open_token(token).invitation
    except access.TokenProblem as problem:
        if problem.reason == "unknown":
            access.record_failure(client)
            return _refuse(request, 404, "Ce lien n'est pas valide.")
        if problem.reason == "revoked" or problem.invitation is None:
            return _refuse(request, 410, "Ce lien a été révoqué.")
        invitation = problem.invitation  # closed: the comparison stays available
    edition = invitation.edition
    response = (
        Response.objects.submitted().filter(edition=edition, territory=invitation.territory).first()
    )
    if response is None:
        return _refuse(request, 404, "La comparaison s'affiche une fois votre réponse envoyée.")
    data = load_edition(edition)
    if response.pk not in data.respondents.index:
        return _refuse(request, 404, "Votre collectivité n'est pas dans la base de sondage.")
    weighting = weigh(data)
    rows = []
    for spec in data.specs:
        if spec.repeat or spec.name == edition.consent_question:
            continue
        result = benchmark(spec, data.answers, weighting, response.pk, threshold=threshold())
        rows.append(
            {
                "label": spec.label,
                "own": _own_text(spec, result.own),
                "table": data_table(result.peers),
                "suppressed": result.suppressed,
                "n_peers": result.n_peers,
                "notes": result.notes,
            }
        )
    member = data.respondents.loc[response.pk]
    context = {
        "edition": edition,
        "territory": invitation.territory,
        "peer_label": f"{KIND_LABELS.get(member['kind'], member['kind'])}, {member['band']}",
        "rows": rows,
        "threshold": threshold(),
    }
    return _private(render(request, "barometer/results/benchmark.html", context))


def _own_text(spec, own) -> str:
    values = []
    for value in own.values():
        if value is None or value == "":
            continue
        items = value if isinstance(value, list) else [value]
        values += [spec.label_of(str(v)) if spec.options else str(v) for v in items]
    return ", ".join(values) or "—"
