"""Demo of the results (idempotent): synthetic responses to the 2018 edition, then its analysis.

The collection's demo made the 2018 edition and a few sample responses; this adds responses of
territories drawn from the edition's frame, with a response probability that grows with the
kind and size of the territory (as in real surveys of local governments), so that the weighting
has something to correct. The edition is marked DemoEdition: every page and file then says
"données de démonstration".
"""

import math
import random

from django.db import transaction
from django.utils import timezone

from observatoire.barometer.demo import sample_answers
from observatoire.barometer.models import Edition, Response
from observatoire.barometer.services import consent_of
from observatoire.territories.models import FrameMember

from .compute import compute_results
from .models import DemoEdition

YEAR = 2018
TARGET = 250  # responding territories; 2018 had 71, more gives readable cross-tabulations
BASE_RATE = {"commune": 0.035, "epci": 0.07, "departement": 0.3, "region": 0.5}
OTHER_TEXTS = ["Conseil de quartier en ligne", "Application mobile municipale", "Pétitions locales"]


def response_probability(kind: str, population: int | None) -> float:
    """Larger territories answer more often (more staff, more digital participation)."""
    size = max(1.0, (population or 1) / 10_000)
    return min(0.9, BASE_RATE.get(kind, 0.05) * (0.6 + 0.25 * math.log10(size) * 2))


@transaction.atomic
def _synthetic_responses(edition: Edition) -> int:
    rng = random.Random(YEAR * 7)
    form = edition.form
    taken = set(edition.responses.values_list("territory_id", flat=True))
    members = list(
        FrameMember.objects.filter(frame=edition.frame)
        .select_related("territory")
        .order_by("kind", "territory__code")
    )
    expected = sum(response_probability(m.kind, m.population) for m in members) or 1
    scale = TARGET / expected
    now = timezone.now()
    rows = []
    for member in members:
        if member.territory_id in taken:
            continue
        if rng.random() >= response_probability(member.kind, member.population) * scale:
            continue
        answers = sample_answers(form, member.territory, rng)
        if rng.random() < 0.08 and "dispositifs" in answers:
            answers["dispositifs"] = [*answers["dispositifs"], "autre"]
            answers["dispositifs_autre"] = rng.choice(OTHER_TEXTS)
        when = now - timezone.timedelta(days=rng.randint(1, 40))
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


def load(stdout=None):
    def say(message):
        if stdout:
            stdout.write(message)

    edition = Edition.objects.filter(year=YEAR).select_related("frame", "questionnaire").first()
    if edition is None or edition.frame_id is None or edition.questionnaire_id is None:
        say("Résultats : pas d'édition 2018 avec base de sondage et questionnaire, rien à faire.")
        return
    _marker, created = DemoEdition.objects.get_or_create(edition=edition)
    made = _synthetic_responses(edition) if created else 0
    cache = compute_results(edition=edition, weighted=True)
    say(
        f"Résultats : {made} réponses synthétiques ajoutées à l'édition {YEAR} "
        f"(données de démonstration), {cache.respondents} répondants analysés en "
        f"{cache.seconds:.1f} s."
    )
