"""Plain factories for barometer tests: territories, a frame, an edition with the demo form."""

from functools import cache
from pathlib import Path

from django.utils import timezone

from observatoire.lib.xlsform import parse_xlsform
from observatoire.territories.models import Frame, FrameMember, Territory

from ..access import issue_token
from ..models import Contact, Edition, Invitation, Questionnaire

DEMO = Path(__file__).resolve().parents[2] / "lib" / "xlsform" / "demo"
DATA = Path(__file__).resolve().parent / "data"


@cache
def demo_definition(year=2018):
    return parse_xlsform(DEMO / f"barometre-{year}.xlsx").to_dict()


def territory(kind="commune", code="38185", name="Grenoble", population=158000, **fields):
    defaults = {"zone": "metro", "vintage": 2026, "search_name": name.lower()}
    defaults.update(fields)
    return Territory.objects.create(
        kind=kind, code=code, name=name, population=population, **defaults
    )


def region(code="84", name="Auvergne-Rhône-Alpes", population=8_100_000):
    return territory("region", code, name, population)


def frame(year, territories):
    built = Frame.objects.create(year=year, vintage=2026, source="test", counts={})
    FrameMember.objects.bulk_create(
        FrameMember(
            frame=built,
            territory=t,
            kind=t.kind,
            band="100000+" if (t.population or 0) >= 100000 else "3500-9999",
            population=t.population,
            name=t.name,
        )
        for t in territories
    )
    return built


def edition(year=2018, *, status=Edition.Status.OPEN, frame=None, form_year=2018, **fields):
    today = timezone.localdate()
    fields.setdefault("opens_on", today - timezone.timedelta(days=10))
    fields.setdefault("closes_on", today + timezone.timedelta(days=30))
    made = Edition.objects.create(year=year, status=status, frame=frame, **fields)
    definition = demo_definition(form_year)
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


def invitation(edition, territory, email="bob@mairie.test", name="Bob Martin", **fields):
    contact, _ = Contact.objects.get_or_create(
        email=email, defaults={"name": name, "territory": territory}
    )
    return Invitation.objects.create(
        edition=edition, contact=contact, territory=territory, **fields
    )


def link(invitation):
    """A fresh personal link (the raw token) for an invitation."""
    return issue_token(invitation=invitation)
