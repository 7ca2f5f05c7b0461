"""Demo of the results (idempotent): synthetic responses to the published 2017 and 2018
editions, the question links between them, then their analyses.

The collection's demo made the editions (2017 and 2018 published, 2026 open) and a few sample
responses; this adds responses of territories drawn from the editions' frame, with a response
probability that grows with the kind and size of the territory (as in real surveys of local
governments), so that the weighting has something to correct. The 2017 answers are drawn like
the 2018 ones except for a few questions (fewer digital schemes, civic tech less known), so the
trends page shows changes beside stable shares. Both editions are marked DemoEdition: every
page and file then says "données de démonstration".
"""

import datetime as dt
import math
import random

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from observatoire.barometer.access import issue_token
from observatoire.barometer.demo import sample_answers
from observatoire.barometer.mail import absolute
from observatoire.barometer.models import Edition, Invitation, Response
from observatoire.barometer.services import consent_of
from observatoire.territories.models import FrameMember

from .compute import compute_results
from .data import responses_version
from .models import DemoEdition, QuestionLink, ResultsCache

# Responding territories per edition; 2018 really had 71, more gives readable cross-tabulations.
TARGETS = {2017: 200, 2018: 250}
BASE_RATE = {"commune": 0.035, "epci": 0.07, "departement": 0.3, "region": 0.5}
OTHER_TEXTS = ["Conseil de quartier en ligne", "Application mobile municipale", "Pétitions locales"]
# The 2017 demo questionnaire differs from 2018's on purpose (see build_demo.py).
LINKS_2017_2018 = [
    {
        "name": "civic_tech",
        "previous_name": "connaissance_civic_tech",
        "comparable": True,
        "note": "Question renommée en 2018 ; « govtech » a été ajouté au libellé, les réponses "
        "possibles n'ont pas changé.",
    },
    {
        "name": "nouveaux_dispositifs",
        "previous_name": "projet_dispositif",
        "comparable": False,
        "note": "En 2017 : « Votre collectivité a-t-elle engagé une réflexion sur la "
        "participation citoyenne en ligne ? » ; en 2018 : « Prévoyez-vous de nouveaux "
        "dispositifs en 2019 ? ». Ce n'est plus la même question.",
    },
]


def response_probability(kind: str, population: int | None) -> float:
    """Larger territories answer more often (more staff, more digital participation)."""
    size = max(1.0, (population or 1) / 10_000)
    return min(0.9, BASE_RATE.get(kind, 0.05) * (0.6 + 0.25 * math.log10(size) * 2))


def _with_other(answers: dict, rng: random.Random) -> dict:
    """A few "Autre (veuillez préciser)" texts, for the recoding table."""
    if rng.random() < 0.08 and answers.get("dispositifs", ["aucun"]) != ["aucun"]:
        answers["dispositifs"] = [*answers["dispositifs"], "autre"]
        answers["dispositifs_autre"] = rng.choice(OTHER_TEXTS)
    return answers


def as_in_2017(answers: dict, rng: random.Random) -> dict:
    """A year earlier: fewer digital schemes (no online participatory budget or consultation
    platform for many), and "civic tech" less known. Other answers are drawn as in 2018."""
    schemes = [
        scheme
        for scheme in answers.get("dispositifs", [])
        if not (scheme == "budget_participatif" and rng.random() < 0.6)
        and not (scheme == "plateforme_consultation" and rng.random() < 0.5)
    ]
    if not schemes or rng.random() < 0.3:
        schemes = ["aucun"]
        answers.pop("fiche_dispositif", None)
    answers["dispositifs"] = schemes
    if rng.random() < 0.5:
        answers["connaissance_civic_tech"] = "non"
    return answers


def _synthetic_responses(edition: Edition) -> int:
    rng = random.Random(edition.year * 7)
    form = edition.form
    taken = set(edition.responses.values_list("territory_id", flat=True))
    members = list(
        FrameMember.objects.filter(frame=edition.frame)
        .select_related("territory")
        .order_by("kind", "territory__code")
    )
    expected = sum(response_probability(m.kind, m.population) for m in members) or 1
    scale = TARGETS[edition.year] / expected
    campaign_days = max(1, (edition.closes_on - edition.opens_on).days)

    def adjust(answers, rng):
        if edition.year < 2018:
            answers = as_in_2017(answers, rng)
        return _with_other(answers, rng)

    rows = []
    for member in members:
        if member.territory_id in taken:
            continue
        if rng.random() >= response_probability(member.kind, member.population) * scale:
            continue
        answers = sample_answers(form, member.territory, rng, adjust=adjust)
        day = edition.opens_on + dt.timedelta(days=rng.randint(1, campaign_days))
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 18))))
        rows.append(
            Response(
                edition=edition,
                territory=member.territory,
                answers=answers,
                version=3,
                status=Response.Status.SUBMITTED,
                current_page="fin",
                submitted_at=when,
                updated_at=when,
                consent_to_name=consent_of(edition, answers),
            )
        )
    Response.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _links(edition: Edition, previous: Edition) -> None:
    """The mapping table rows (bulk_create: no signal, the results are computed just after)."""
    missing = [
        QuestionLink(edition=edition, previous_edition=previous, **link)
        for link in LINKS_2017_2018
        if not QuestionLink.objects.filter(
            edition=edition, name=link["name"], previous_edition=previous
        ).exists()
    ]
    QuestionLink.objects.bulk_create(missing)


def _results(edition: Edition) -> ResultsCache:
    """The weighted results, computed again only when they are missing or stale."""
    cache = ResultsCache.objects.filter(edition=edition, weighted=True).first()
    if cache is None or cache.responses_version != responses_version(edition):
        cache = compute_results(edition=edition, weighted=True)
    return cache


def _benchmark_link(edition: Edition) -> tuple[str, str] | None:
    """A new personal link of a territory that submitted: its peer comparison opens."""
    submitted = Response.objects.submitted().filter(edition=edition).values("territory")
    invitation = (
        Invitation.objects.filter(edition=edition, territory__in=submitted)
        .reachable()
        .select_related("territory")
        .order_by("pk")
        .first()
    )
    if invitation is None:
        return None
    token = issue_token(invitation=invitation)
    with translation.override("fr"):
        url = absolute(reverse("barometer_results:benchmark", args=[token]))
    return invitation.territory.name, url


def load(stdout=None):
    def say(message):
        if stdout:
            stdout.write(message)

    editions = {
        edition.year: edition
        for edition in Edition.objects.filter(year__in=TARGETS).select_related(
            "frame", "questionnaire"
        )
    }
    if any(
        editions.get(year) is None or editions[year].frame_id is None for year in TARGETS
    ) or any(edition.questionnaire_id is None for edition in editions.values()):
        say("Résultats : pas d'éditions 2017 et 2018 avec base de sondage et questionnaire.")
        return
    _links(editions[2018], editions[2017])
    for year, edition in sorted(editions.items()):
        with transaction.atomic():
            _marker, created = DemoEdition.objects.get_or_create(edition=edition)
            made = _synthetic_responses(edition) if created else 0
        cache = _results(edition)
        say(
            f"Résultats {year} : {made} réponses synthétiques ajoutées (données de "
            f"démonstration), {cache.respondents} répondants analysés."
        )
    found = _benchmark_link(editions[2018])
    if found:
        name, url = found
        say(f"Comparaison avec les pairs (réponse 2018 de {name}) : {url}")
