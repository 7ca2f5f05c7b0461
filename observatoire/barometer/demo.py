"""Demo data of the barometer (idempotent).

- Edition 2017 (published): the 2017 variant of the demo questionnaire (barometre-2017.xlsx: a
  question renamed in 2018, an option added in 2018, a question reworded beyond comparison) on
  the 2018 frame; no contact. Its synthetic responses come from the results demo.
- Edition 2018 (published): the library's demo questionnaire (barometre-2018.xlsx,
  fiche-dispositif included), contacts on real territories of the 2018 frame, invited in the
  autumn of 2018 (no message sent now), some sample responses; the results demo adds the
  synthetic responses that make its public results and the trends 2017 → 2018.
- Edition 2026, open around today so that the respondent's journey can be tried: the 2026
  questionnaire and frame, contacts imported, the communes invited (messages go to the
  configured e-mail backend, the outbox folder by default) and the others left for a wave from
  the admin; a few sample responses for the dashboard.
- The default message texts, as rows staff can edit.
Contacts are fictitious (example.org addresses); sample answers are drawn at random. Running it
again puts the editions back in these states and adds nothing twice.
"""

import datetime as dt
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
SAMPLE_RESPONSES = {2018: 24, 2026: 10}
TYPE_OF_KIND = {
    "commune": "commune",
    "epci": "intercommunalite",
    "departement": "departement",
    "region": "region",
}
TITLE = "Baromètre {year} de la démocratie locale numérique"
# The 2018 survey ran in October and November (seeds/); 2017 is given the same calendar.
PAST_CAMPAIGNS = {
    2017: (dt.date(2017, 10, 2), dt.date(2017, 11, 30)),
    2018: (dt.date(2018, 10, 1), dt.date(2018, 11, 30)),
}
FRAME_OF = {2017: 2018}  # no 2017 frame: the 2017 demo edition is drawn from the 2018 one


def _frame(year):
    year = FRAME_OF.get(year, year)
    return Frame.objects.filter(year=year).first() or Frame.objects.order_by("-year").first()


def _edition(year, *, title):
    """The edition with its frame and questionnaire (imported while it is still a draft)."""
    edition, _created = Edition.objects.get_or_create(
        year=year, defaults={"status": Edition.Status.DRAFT, "title": title, "frame": _frame(year)}
    )
    if edition.frame_id is None and _frame(year):
        edition.frame = _frame(year)
        edition.save(update_fields=["frame"])
    if edition.questionnaire_id is None and edition.status in (
        Edition.Status.DRAFT,
        Edition.Status.OPEN,
    ):
        path = DEMO_FORMS / f"barometre-{year}.xlsx"
        import_questionnaire(edition=edition, source=path.read_bytes(), filename=path.name)
    return edition


def _set_state(edition, *, status, opens_on, closes_on):
    """Put the edition in its demo state (a rerun undoes what was tried in the admin)."""
    if (edition.status, edition.opens_on, edition.closes_on) != (status, opens_on, closes_on):
        edition.status, edition.opens_on, edition.closes_on = status, opens_on, closes_on
        edition.save(update_fields=["status", "opens_on", "closes_on", "updated_at"])


def _demo_territories(frame):
    chosen = []
    for kind, count in PER_KIND.items():
        members = FrameMember.objects.filter(frame=frame, kind=kind).select_related("territory")
        chosen += [member.territory for member in members.order_by("-population", "name")[:count]]
    return chosen


def _contacts_csv(territories, kinds=None):
    """The demo contacts of these territories (only those of `kinds` when given)."""
    rng = random.Random(42)
    lines = ["nom;courriel;fonction;territoire"]
    for index, territory in enumerate(territories):
        for person in range(1 + index % 2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{slugify(first)}.{slugify(last)}.{index}{person}@collectivite.example.org"
            role = rng.choice(ROLES)
            if kinds is None or territory.kind in kinds:
                lines.append(f"{first} {last};{email};{role};{territory.kind}:{territory.code}")
    return "\n".join(lines).encode()


def _import_contacts(edition, kinds=None):
    report = import_contacts(
        edition=edition,
        source=_contacts_csv(_demo_territories(edition.frame), kinds),
        filename="contacts-demo.csv",
    )
    if not report.ok:
        raise RuntimeError("Demo contacts refused: " + "; ".join(map(str, report.errors)))


def _start_of(day):
    """Nine in the morning of that day, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def sample_answers(form, territory, rng, adjust=None):
    """Plausible answers of a territory to a demo questionnaire (also used by the benches);
    `adjust(answers, rng)` may change them before they are checked against the form."""

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
    # The 2017 variant's names of the same two questions (see build_demo.py).
    answers["connaissance_civic_tech"] = answers["civic_tech"]
    answers["projet_dispositif"] = answers["nouveaux_dispositifs"]
    answers["sources_information"] = rng.sample(names("sources"), rng.randint(1, 3))
    partners = names("partenaires")
    answers["accompagnement"] = (
        ["non"] if rng.random() < 0.35 else rng.sample(partners, rng.randint(1, 2))
    )
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
                "fd_fonction": rng.choice(names("fonction_dispositif")),
                "fd_partenaires": ["non"] if rng.random() < 0.4 else rng.sample(partners, 1),
                "fd_effet_decisions": rng.choice(names("effet", exclude=())),
                "fd_difficultes": rng.sample(names("difficultes"), rng.randint(1, 2))
                if "difficultes" in form.choice_lists
                else [],
            }
            for _ in range(rng.randint(1, 2))
        ]
    if adjust is not None:
        answers = adjust(answers, rng)
    return clean_answers(form, answers)


def clean_answers(form, answers):
    """The answers the form accepts: unknown questions, invalid answers (a choice list that
    changed...) and answers to questions no longer relevant are dropped."""
    known = {element.name for element in form.elements()}
    answers = {
        key: [{k: v for k, v in entry.items() if k in known and v != []} for entry in value]
        if isinstance(value, list) and value and isinstance(value[0], dict)
        else value
        for key, value in answers.items()
        if key in known
    }
    for key in validate(form, answers):
        answers.pop(key.split("[", 1)[0].split("/", 1)[0], None)
    return drop_non_relevant(answers, evaluate(form, answers))


@transaction.atomic
def _sample_responses(edition, *, until):
    """A few responses of invited territories, some submitted, some in progress, before `until`."""
    if edition.responses.exists() or edition.frame_id is None:
        return 0
    form = edition.form
    rng = random.Random(edition.year)
    invitations = list(
        Invitation.objects.filter(edition=edition, invited_at__isnull=False)
        .select_related("territory", "contact")
        .order_by("pk")
    )
    by_territory = {}
    for invitation in invitations:
        by_territory.setdefault(invitation.territory_id, invitation)
    count = min(SAMPLE_RESPONSES.get(edition.year, 10), len(by_territory))
    chosen = rng.sample(list(by_territory.values()), count)
    responses, opened = [], {}
    for number, invitation in enumerate(chosen):
        answers = sample_answers(form, invitation.territory, rng)
        submitted = number % 4 != 3
        when = until - timezone.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 9))
        opened.setdefault(when, []).append(invitation.pk)
        responses.append(
            Response(
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
        )
    # bulk_create sends no signal: the results are computed by the results demo, or when
    # a page first asks for them, rather than by one queued task per sample response.
    Response.objects.bulk_create(responses)
    saves = []
    for response, invitation in zip(responses, chosen, strict=True):
        saves.append(
            PageSave(
                response=response,
                page="profil",
                version=2,
                contact=invitation.contact,
                channel="web",
            )
        )
        if response.status == Response.Status.SUBMITTED:
            saves.append(
                PageSave(
                    response=response,
                    page="",
                    version=4,
                    submitted=True,
                    contact=invitation.contact,
                )
            )
    PageSave.objects.bulk_create(saves)
    for when, pks in opened.items():
        Invitation.objects.filter(pk__in=pks).update(opened_at=when)
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
    editions = {
        year: _edition(year, title=f"{TITLE.format(year=year)} (démonstration)")
        for year in PAST_CAMPAIGNS
    }
    editions[2026] = _edition(2026, title=TITLE.format(year=2026))
    if any(edition.frame_id is None for edition in editions.values()):
        say("Baromètre : pas de base de sondage, donc ni contacts ni réponses de démonstration.")
        return

    # 2018: contacts and sample responses of a campaign long closed; no message is sent now.
    past = editions[2018]
    opens_on, closes_on = PAST_CAMPAIGNS[2018]
    if not past.invitations.exists():
        _import_contacts(past)
        past.invitations.filter(invited_at__isnull=True).update(invited_at=_start_of(opens_on))
    made_2018 = _sample_responses(past, until=_start_of(closes_on))
    for year, (opens_on, closes_on) in PAST_CAMPAIGNS.items():
        _set_state(
            editions[year],
            status=Edition.Status.PUBLISHED,
            opens_on=opens_on,
            closes_on=closes_on,
        )

    # 2026: open around today; the communes are invited, the others wait for a wave.
    current = editions[2026]
    today = timezone.localdate()
    if not current.accepts_answers(today):
        _set_state(
            current,
            status=Edition.Status.OPEN,
            opens_on=today - timezone.timedelta(days=14),
            closes_on=today + timezone.timedelta(days=45),
        )
    if not current.invitations.exists():
        _import_contacts(current, kinds={"commune"})
    if not current.invitations.filter(invited_at__isnull=False).exists():
        # A wave takes the invitations in creation order: the communes come first (they are
        # the only ones yet, or the first rows of the contacts file of an older demo).
        communes = current.invitations.filter(territory__kind="commune").count()
        send_invitation_wave(edition=current, rate=0, limit=communes)
    if not current.invitations.exclude(territory__kind="commune").exists():
        _import_contacts(current, kinds=set(PER_KIND) - {"commune"})
    made_2026 = _sample_responses(current, until=timezone.now())
    invited = current.invitations.filter(invited_at__isnull=False).count()
    say(
        f"Baromètre : éditions 2017 et 2018 publiées ({made_2018} réponses d'exemple créées en "
        f"2018), 2026 ouverte jusqu'au {current.closes_on:%d/%m/%Y} ({invited} contacts "
        f"invités, {current.invitations.count() - invited} à inviter depuis l'admin, "
        f"{made_2026} réponses d'exemple créées)."
    )
    invitation = (
        Invitation.objects.filter(edition=current, invited_at__isnull=False)
        .reachable()
        .exclude(territory__in=current.responses.values("territory"))
        .select_related("contact", "territory")
        .order_by("pk")
        .first()
    )
    if invitation:
        say(
            f"Lien personnel de démonstration, questionnaire 2026 ({invitation.territory.name}) : "
            f"{personal_url(issue_token(invitation=invitation))}"
        )
