"""Workflows of the results that touch other apps: a fiche-dispositif into the cartography."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from observatoire.accounts import permissions
from observatoire.barometer.models import Response
from observatoire.barometer.services import consent_of
from observatoire.directory.models import (
    Function,
    Initiative,
    InitiativeSource,
    InitiativeTool,
    Tool,
)
from observatoire.directory.text import normalise

from .data import REPEAT
from .models import PromotedScheme

# The barometer's budget brackets (XLSForm choice names) → the cartography's brackets.
BUDGET_BRACKETS = {
    "0": "0",
    "moins_1k": "lt1k",
    "1k_5k": "1k-5k",
    "5k_10k": "5k-10k",
    "10k_50k": "10k-50k",
    "50k_100k": "50k-100k",
    "100k_200k": "100k-200k",
    "200k_500k": "200k-500k",
    "500k_1m": "500k-1m",
    "plus_1m": "gt1m",
    "nsp": "nsp",
}
# "Effet sur les décisions" (none / low / medium / strong) → the cartography's scale.
DECISION_EFFECTS = {
    "aucun": "none",
    "faible": "considered",
    "moyen": "considered",
    "fort": "changed",
}


class NotPromotable(ValidationError):
    pass


def fiche_of(response: Response, index: int) -> dict[str, Any]:
    """Fiche `index` (1-based) of the response's repeat, or NotPromotable."""
    fiches = (response.answers or {}).get(REPEAT) or []
    if not 1 <= index <= len(fiches) or not fiches[index - 1]:
        raise NotPromotable(f"la réponse {response.pk} n'a pas de fiche-dispositif n° {index}")
    return fiches[index - 1]


def _number(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def matching_tool(name: str | None) -> Tool | None:
    key = normalise(name)
    return Tool.objects.filter(name_key=key).order_by("pk").first() if key else None


def promote_scheme_to_initiative(*, response: Response, index: int, by) -> Initiative:
    """Turn fiche `index` of `response` into an unpublished Initiative for moderation.

    Only for staff and for a territory that consented to be named; a second call returns the
    initiative made by the first one.
    """
    if not permissions.can(by, *permissions.PROMOTE_SCHEMES):
        raise PermissionDenied("réservé à l'équipe")
    with transaction.atomic():
        response = (
            Response.objects.select_for_update()
            .select_related("edition", "territory")
            .get(pk=response.pk)
        )
        done = PromotedScheme.objects.filter(response=response, index=index).first()
        if done is not None:
            return done.initiative
        if response.status != Response.Status.SUBMITTED:
            raise NotPromotable(f"la réponse {response.pk} n'est pas envoyée")
        if consent_of(response.edition, response.answers or {}) is not True:
            raise NotPromotable(
                f"la collectivité de la réponse {response.pk} n'a pas accepté d'être nommée"
            )
        fiche = fiche_of(response, index)
        territory = response.territory
        participants = _number(fiche.get("fd_participants"))
        contributions = _number(fiche.get("fd_contributions"))
        staff = _number(fiche.get("fd_etp"))
        name = (fiche.get("fd_nom") or "").strip() or f"Dispositif {index} de {territory.name}"
        initiative = Initiative(
            name=name,
            description=(fiche.get("fd_commentaire") or "").strip(),
            is_published=False,
            organiser_territory=territory,
            start_on=_date(fiche.get("fd_date_debut")),
            end_on=_date(fiche.get("fd_date_fin")),
            budget_bracket=BUDGET_BRACKETS.get(fiche.get("fd_budget") or "", ""),
            staff_fte=None if staff is None else round(staff, 2),
            participants=None if participants is None else int(participants),
            contributions=None if contributions is None else int(contributions),
            decision_effect=DECISION_EFFECTS.get(fiche.get("fd_effet_decisions") or "", ""),
        )
        if initiative.start_on and initiative.end_on and initiative.end_on < initiative.start_on:
            initiative.end_on = None
        initiative.save()
        tool = matching_tool(fiche.get("fd_outil"))
        if tool is not None:
            InitiativeTool.objects.create(initiative=initiative, tool=tool)
        function = Function.objects.filter(code=fiche.get("fd_fonction") or "").first()
        if function is not None:
            initiative.functions.add(function)  # a ParentalManyToMany: kept by save()
        initiative.save()  # search text with the tool and the function
        InitiativeSource.objects.create(
            initiative=initiative,
            title=(
                f"Baromètre de la participation {response.edition.year}, "
                f"fiche-dispositif n° {index} de {territory.name}"
            ),
        )
        PromotedScheme.objects.create(
            response=response, index=index, initiative=initiative, created_by=by
        )
    return initiative
