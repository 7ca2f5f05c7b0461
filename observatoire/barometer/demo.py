"""Demo data of the barometer (idempotent).

- Edition 2018 with the library's demo questionnaire (barometre-2018.xlsx, fiche-dispositif
  included), open around today so that the respondent's journey can be tried; contacts on real
  territories of the 2018 frame, invited (messages go to the configured e-mail backend, the
  outbox folder by default), some sample responses for the dashboard.
- Edition 2026, ready to open: the 2026 questionnaire, the 2026 frame, contacts imported, no
  message sent yet (open it in the admin, then launch a wave).
- The default message texts, as rows staff can edit.
Contacts are fictitious (example.org addresses); sample answers are drawn at random.
"""

import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from observatoire.lib.xlsform import drop_non_relevant, evaluate, validate
from observatoire.territories.models import Frame, FrameMember

from .access import issue_token
from .mail import DEFAULTS, personal_url
from .models import Edition, Invitation, MessageTemplate, PageSave, Response
from .services import (
    consent_of,
    import_contacts,
    import_questionnaire,
    send_invitation_wave,
)

DEMO_FORMS = Path(__file__).resolve().parents[1] / "lib" / "xlsform" / "demo"
FIRST_NAMES = [
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Morgane",
    "Yannick",
    "Inès",
    "Karim",
    "Léa",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Moreau",
    "Lefebvre",
    "Garnier",
    "Roux",
    "Fournier",
    "Girard",
    "Bonnet",
    "Mercier",
]
ROLES = [
    "Chargée de mission participation citoyenne",
    "Directeur général des services",
    "Élue déléguée au numérique",
    "Responsable de la communication",
    "Chef de projet démocratie locale",
]
PER_KIND = {"commune": 30, "epci": 12, "departement": 8, "region": 5}
SAMPLE_RESPONSES = 24
TYPE_OF_KIND = {
    "commune": "commune",
    "epci": "intercommunalite",
    "departement": "departement",
    "region": "region",
}


def _frame(year):
    return Frame.objects.filter(year=year).first() or Frame.objects.order_by("-year").first()


def _edition(year, *, status, opens_on, closes_on, title, stdout):
    edition, created = Edition.objects.get_or_create(
        year=year,
        defaults={
            "status": status,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "title": title,
            "frame": _frame(year),
        },
    )
    if edition.frame_id is None and _frame(year):
        edition.frame = _frame(year)
        edition.save(update_fields=["frame"])
    if edition.questionnaire_id is None:
        path = DEMO_FORMS / f"barometre-{year}.xlsx"
        import_questionnaire(edition=edition, source=path.read_bytes(), filename=path.name)
    return edition, created


def _demo_territories(frame):
    chosen = []
    for kind, count in PER_KIND.items():
        members = FrameMember.objects.filter(frame=frame, kind=kind).select_related("territory")
        chosen += [member.territory for member in members.order_by("-population", "name")[:count]]
    return chosen


def _contacts_csv(territories):
    rng = random.Random(42)
    lines = ["nom;courriel;fonction;territoire"]
    for index, territory in enumerate(territories):
        for person in range(1 + index % 2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{slugify(first)}.{slugify(last)}.{index}{person}@collectivite.example.org"
            lines.append(
                f"{first} {last};{email};{rng.choice(ROLES)};{territory.kind}:{territory.code}"
            )
    return "\n".join(lines).encode()


def sample_answers(form, territory, rng):
    """Plausible answers of a territory to the demo questionnaire (also used by the benches)."""

    def names(list_name, exclude=("autre", "aucun", "non", "nsp")):
        return [c.name for c in form.choice_lists.get(list_name, []) if c.name not in exclude]

    answers = {
        "nom_collectivite": territory.name,
        "type_collectivite": TYPE_OF_KIND[territory.kind],
        "fonction": rng.choice(names("fonction")),
        "dispositifs": rng.sample(names("dispositifs"), rng.randint(1, 3)),
        "nouveaux_dispositifs": rng.choice(["oui", "oui", "non"]),
        "etp": round(rng.choice([0.2, 0.5, 1, 1.5, 2, 3]), 1),
        "budget": rng.choice(names("tranches_budget", exclude=())),
        "site_web_reseaux": "oui",
        "open_gov": rng.choice(names("connaissance", exclude=())),
        "civic_tech": rng.choice(names("connaissance", exclude=())),
        "consentement_publication": rng.choice(["oui", "oui", "non"]),
    }
    likert = names("likert", exclude=())
    for question in form.questions():
        if question.name.startswith(("contrib_", "obj_")) and question.list_name == "likert":
            answers[question.name] = rng.choice(likert[:3] + likert)
        elif question.name.startswith("besoin_"):
            answers[question.name] = rng.randint(2, 8)
    if rng.random() < 0.4:
        answers["fiche_dispositif"] = [
            {
                "fd_nom": f"{rng.choice(['Budget participatif', 'Plateforme de concertation', 'Carte collaborative'])} {territory.name}",
                "fd_type": rng.choice(answers["dispositifs"]),
                "fd_budget": rng.choice(names("tranches_budget", exclude=())),
                "fd_etp": rng.choice([0.3, 0.5, 1]),
                "fd_participants": rng.randint(50, 3000),
                "fd_contributions": rng.randint(20, 1500),
            }
            for _ in range(rng.randint(1, 2))
        ]
    # Whatever the form does not accept (a choice list that changed...) is left unanswered.
    for key in validate(form, answers):
        answers.pop(key.split("[", 1)[0].split("/", 1)[0], None)
    return drop_non_relevant(answers, evaluate(form, answers))


@transaction.atomic
def _sample_responses(edition):
    if edition.responses.exists() or edition.frame_id is None:
        return 0
    form = edition.form
    rng = random.Random(edition.year)
    invitations = list(
        Invitation.objects.filter(edition=edition)
        .select_related("territory", "contact")
        .order_by("pk")
    )
    by_territory = {}
    for invitation in invitations:
        by_territory.setdefault(invitation.territory_id, invitation)
    chosen = rng.sample(list(by_territory.values()), min(SAMPLE_RESPONSES, len(by_territory)))
    now = timezone.now()
    for number, invitation in enumerate(chosen):
        answers = sample_answers(form, invitation.territory, rng)
        submitted = number % 4 != 3
        when = now - timezone.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 9))
        response = Response.objects.create(
            edition=edition,
            territory=invitation.territory,
            answers=answers if submitted else {k: answers[k] for k in list(answers)[:4]},
            version=4,
            status=Response.Status.SUBMITTED if submitted else Response.Status.IN_PROGRESS,
            current_page="fin" if submitted else "dispositifs_page",
            submitted_at=when if submitted else None,
            updated_at=when,
            consent_to_name=consent_of(edition, answers) if submitted else None,
        )
        Invitation.objects.filter(pk=invitation.pk).update(opened_at=when)
        PageSave.objects.create(
            response=response, page="profil", version=2, contact=invitation.contact, channel="web"
        )
        if submitted:
            PageSave.objects.create(
                response=response, page="", version=4, submitted=True, contact=invitation.contact
            )
    return len(chosen)


def _templates():
    for (kind, language), (subject, body) in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            kind=kind, language=language, defaults={"subject": subject, "body": body}
        )


def load(stdout=None):
    def say(message):
        if stdout:
            stdout.write(message)

    _templates()
    today = timezone.localdate()
    day = timezone.timedelta(days=1)
    edition_2018, _created = _edition(
        2018,
        status=Edition.Status.OPEN,
        opens_on=today - 21 * day,
        closes_on=today + 40 * day,
        title="Baromètre 2018 de la démocratie locale numérique (démonstration)",
        stdout=stdout,
    )
    edition_2026, _created = _edition(
        2026,
        status=Edition.Status.DRAFT,
        opens_on=today + 7 * day,
        closes_on=today + 60 * day,
        title="Baromètre 2026 de la démocratie locale numérique",
        stdout=stdout,
    )
    if edition_2018.frame_id is None:
        say("Baromètre : pas de base de sondage, donc ni contacts ni réponses de démonstration.")
        return
    for edition in (edition_2018, edition_2026):
        if edition.frame_id and not edition.invitations.exists():
            territories = _demo_territories(edition.frame)
            report = import_contacts(
                edition=edition, source=_contacts_csv(territories), filename="contacts-demo.csv"
            )
            if not report.ok:
                raise RuntimeError("Demo contacts refused: " + "; ".join(map(str, report.errors)))
    if edition_2018.accepts_answers():
        send_invitation_wave(edition=edition_2018, rate=0)
    made = _sample_responses(edition_2018)
    invitation = (
        Invitation.objects.filter(
            edition=edition_2018, contact__isnull=False, revoked_at__isnull=True
        )
        .exclude(territory__in=edition_2018.responses.values("territory"))
        .select_related("contact", "territory")
        .order_by("pk")
        .first()
    )
    say(
        f"Baromètre : éditions 2018 (ouverte, {edition_2018.invitations.count()} invitations, "
        f"{made} réponses d'exemple créées) et 2026 (prête à ouvrir, "
        f"{edition_2026.invitations.count()} contacts à inviter)."
    )
    if invitation and edition_2018.accepts_answers():
        say(
            f"Lien personnel de démonstration ({invitation.territory.name}) : "
            f"{personal_url(issue_token(invitation=invitation))}"
        )
