"""Fixed vocabularies of the directory: standards that staff do not edit.

The editable taxonomy (kinds of actor, ecosystems, objectives, tags, functions, themes,
relation types) lives in database tables instead, see models.py.
"""

import datetime
from decimal import Decimal

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Iap2Level(models.TextChoices):
    """The IAP2 spectrum of public participation, from the least to the most citizen power.

    https://www.iap2.org/page/pillars
    """

    INFORM = "inform", _("Informer")
    CONSULT = "consult", _("Consulter")
    INVOLVE = "involve", _("Impliquer")
    COLLABORATE = "collaborate", _("Collaborer")
    EMPOWER = "empower", _("Habiliter (décision déléguée)")


IAP2_RANK = {level: rank for rank, level in enumerate(Iap2Level.values, start=1)}


class Status(models.TextChoices):
    ACTIVE = "active", _("Actif")
    DORMANT = "dormant", _("En sommeil")
    CLOSED = "closed", _("Fermé")
    ACQUIRED = "acquired", _("Racheté")


class DataOrigin(models.TextChoices):
    """Where an entry's content comes from: the field itself, or the demo's hand-written set.

    The public pages label demo entries and let visitors filter them out, so real and demo
    data are never mixed on a page without a label.
    """

    REAL = "reelle", _("Donnée réelle")
    DEMO = "demo", _("Donnée de démonstration")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Jour")
    MONTH = "month", _("Mois")
    YEAR = "year", _("Année")


def format_date_fr(value: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """ "juin 2010", "2015" or "26 septembre 2018" depending on what is known, in the active
    language ("June 2010" on English pages)."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    month = date_format(value, "F Y")
    if precision == DatePrecision.MONTH:
        return month
    if value.day == 1 and get_language() == "fr":
        return f"1er {month}"
    return date_format(value, "j F Y")


class Rgaa(models.TextChoices):
    """Conformity with the French accessibility standard (RGAA), as declared after an audit."""

    UNKNOWN = "", _("Non renseigné")
    NONE = "none", _("Non conforme")
    PARTIAL = "partial", _("Partiellement conforme")
    FULL = "full", _("Totalement conforme")


class Pricing(models.TextChoices):
    UNKNOWN = "", _("Non renseigné")
    FREE = "free", _("Gratuit")
    FREEMIUM = "freemium", _("Freemium")
    SUBSCRIPTION = "subscription", _("Abonnement ou licence")
    PER_PROJECT = "per_project", _("Prestation par projet")
    DONATIONS = "donations", _("Dons ou subventions")


class Hosting(models.TextChoices):
    UNKNOWN = "", _("Non renseigné")
    SAAS = "saas", _("Hébergé par l'éditeur (SaaS)")
    SELF = "self", _("Auto-hébergeable")
    BOTH = "both", _("Les deux")


class DecisionEffect(models.TextChoices):
    UNKNOWN = "", _("Non renseigné")
    NONE = "none", _("Aucun effet constaté")
    CONSIDERED = "considered", _("Pris en compte en partie")
    CHANGED = "changed", _("A modifié la décision")
    DECIDED = "decided", _("Décision issue du dispositif")


class BudgetBracket(models.TextChoices):
    """The brackets of the barometer's budget question (2018 edition)."""

    ZERO = "0", _("0 €")
    UNDER_1K = "lt1k", _("Moins de 1 000 €")
    FROM_1K = "1k-5k", _("Entre 1 000 et 5 000 €")
    FROM_5K = "5k-10k", _("Entre 5 000 et 10 000 €")
    FROM_10K = "10k-50k", _("Entre 10 000 et 50 000 €")
    FROM_50K = "50k-100k", _("Entre 50 000 et 100 000 €")
    FROM_100K = "100k-200k", _("Entre 100 000 et 200 000 €")
    FROM_200K = "200k-500k", _("Entre 200 000 et 500 000 €")
    FROM_500K = "500k-1m", _("Entre 500 000 et 1 million €")
    OVER_1M = "gt1m", _("Plus de 1 million €")
    UNKNOWN = "nsp", _("Impossible à estimer")


# Bounds in euros, [low, high]; None means open (> 1 M) or unknown. Statistics treat a budget
# as this interval rather than a fake-precise midpoint.
BUDGET_BOUNDS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    "0": (Decimal(0), Decimal(0)),
    "lt1k": (Decimal(0), Decimal(1_000)),
    "1k-5k": (Decimal(1_000), Decimal(5_000)),
    "5k-10k": (Decimal(5_000), Decimal(10_000)),
    "10k-50k": (Decimal(10_000), Decimal(50_000)),
    "50k-100k": (Decimal(50_000), Decimal(100_000)),
    "100k-200k": (Decimal(100_000), Decimal(200_000)),
    "200k-500k": (Decimal(200_000), Decimal(500_000)),
    "500k-1m": (Decimal(500_000), Decimal(1_000_000)),
    "gt1m": (Decimal(1_000_000), None),
    "nsp": (None, None),
}


def bracket_for_amount(amount: Decimal) -> str:
    """The barometer bracket holding an exact amount (a bound belongs to the lower bracket)."""
    if amount <= 0:
        return BudgetBracket.ZERO
    for code, (low, high) in BUDGET_BOUNDS.items():
        if low is not None and high is not None and low < amount <= high:
            return code
    return BudgetBracket.OVER_1M
