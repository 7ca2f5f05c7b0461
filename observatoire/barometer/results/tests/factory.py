"""A small hand-made edition: 40 communes and 20 intercommunalités, a five-question form.

Weighted, the share of "oui" to `nouveaux_dispositifs` is exactly 50 % (communes: 9 oui out of
12 respondents, standing for 40; intercommunalités: 0 out of 3, standing for 20); unweighted it
is 9 / 15 = 60 %. The 3 intercommunalités are below the threshold of 10: suppressed.
"""

import io
from functools import cache
from pathlib import Path

from django.utils import timezone
from openpyxl import Workbook

from observatoire.barometer.models import Contact, Edition, Invitation, Questionnaire, Response
from observatoire.lib.xlsform import parse_xlsform
from observatoire.territories.models import Frame, FrameMember, Territory

DEMO_FORMS = Path(__file__).resolve().parents[3] / "lib" / "xlsform" / "demo"

SURVEY = [
    ("type", "name", "label", "relevant"),
    ("select_one yn", "nouveaux_dispositifs", "Prévoyez-vous de nouveaux dispositifs ?", ""),
    ("select_multiple outils", "dispositifs", "Quels dispositifs utilisez-vous ?", ""),
    (
        "text",
        "dispositifs_autre",
        "Autre dispositif, précisez",
        "selected(${dispositifs}, 'autre')",
    ),
    ("decimal", "etp", "Personnel (ETP)", ""),
    ("text", "nom_collectivite", "Nom de votre collectivité", ""),
    ("select_one yn", "consentement_publication", "Acceptez-vous d'être nommée ?", ""),
]
CHOICES = [
    ("list_name", "name", "label"),
    ("yn", "oui", "Oui"),
    ("yn", "non", "Non"),
    ("outils", "budget", "Budget participatif"),
    ("outils", "petition", "Pétition en ligne"),
    ("outils", "autre", "Autre"),
]


@cache
def small_definition() -> dict:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in SURVEY:
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in CHOICES:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(("form_id", "version", "form_title"))
    settings.append(("petit_barometre", "1", "Petit baromètre"))
    out = io.BytesIO()
    book.save(out)
    return parse_xlsform(out.getvalue()).to_dict()


@cache
def demo_definition(year: int) -> dict:
    return parse_xlsform(DEMO_FORMS / f"barometre-{year}.xlsx").to_dict()


def territory(kind, code, name, population, region=None):
    return Territory.objects.create(
        kind=kind,
        code=code,
        name=name,
        population=population,
        zone="metro",
        vintage=2026,
        search_name=name.lower(),
        region=region,
    )


def frame(year, members):
    """members: [(territory, band)]"""
    built = Frame.objects.create(year=year, vintage=2026, source="test", counts={})
    FrameMember.objects.bulk_create(
        FrameMember(
            frame=built, territory=t, kind=t.kind, band=band, population=t.population, name=t.name
        )
        for t, band in members
    )
    return built


def edition(year, frame, definition, *, status=Edition.Status.PUBLISHED):
    made = Edition.objects.create(year=year, status=status, frame=frame, title=f"Test {year}")
    questionnaire = Questionnaire.objects.create(
        edition=made,
        form_id=definition["form_id"],
        version=definition["version"],
        title=definition["title"],
        definition=definition,
        source=b"",
        sha256="0" * 64,
    )
    made.questionnaire = questionnaire
    made.save()
    return made


def respond(edition, territory, answers, *, consent=False):
    answers = {**answers, "consentement_publication": "oui" if consent else "non"}
    return Response.objects.create(
        edition=edition,
        territory=territory,
        answers=answers,
        status=Response.Status.SUBMITTED,
        submitted_at=timezone.now(),
        consent_to_name=consent,
    )


def contact(edition, territory, email, name):
    person = Contact.objects.create(email=email, name=name, territory=territory)
    return Invitation.objects.create(edition=edition, contact=person, territory=territory)


class Small:
    """The hand-made edition, its territories and responses."""

    def __init__(self, year=2018, status=Edition.Status.PUBLISHED, definition=None):
        self.region = territory("region", "84", "Auvergne-Rhône-Alpes", 8_000_000)
        self.communes = [
            territory("commune", f"38{n:03d}", f"Commune {n}", 5000 + n, self.region)
            for n in range(40)
        ]
        self.epcis = [
            territory("epci", f"2000{n:05d}", f"CC numéro {n}", 15000 + n, self.region)
            for n in range(20)
        ]
        members = [(t, "3500-9999") for t in self.communes] + [(t, "0-19999") for t in self.epcis]
        self.frame = frame(year, members)
        self.edition = edition(year, self.frame, definition or small_definition(), status=status)
        self.responses = []
        for n, commune in enumerate(self.communes[:12]):
            chosen = ["budget"] if n % 2 else ["budget", "petition"]
            answers = {
                "nouveaux_dispositifs": "oui" if n < 9 else "non",
                "dispositifs": chosen,
                "etp": 1.5,
                "nom_collectivite": commune.name,
            }
            if n == 0:
                answers["dispositifs"] = [*chosen, "autre"]
                answers["dispositifs_autre"] = "Conseil citoyen en ligne"
            self.responses.append(respond(self.edition, commune, answers, consent=n < 2))
        for epci in self.epcis[:3]:
            answers = {
                "nouveaux_dispositifs": "non",
                "dispositifs": [],
                "etp": 0.5,
                "nom_collectivite": epci.name,
            }
            self.responses.append(respond(self.edition, epci, answers))
        contact(self.edition, self.communes[5], "marie.durand@mairie.test", "Marie Durand")
