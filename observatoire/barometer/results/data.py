"""From the database to the plain data of observatoire.lib.stats: respondents, frame, answers.

Respondents are the submitted responses of territories of the edition's frame, indexed by the
response's primary key; fiches-dispositif are indexed "<response pk>:<position>" (1-based).
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import Count, Max, Sum

from observatoire.barometer.models import Edition, Response
from observatoire.lib.stats import (
    QuestionSpec,
    Recode,
    apply_recoding,
    derived_answers,
    questions_from_form,
)
from observatoire.territories.models import FrameMember, Territory

from .models import Recode as RecodeRow

UNKNOWN_REGION = "inconnue"
KIND_LABELS = {
    "commune": "Communes",
    "epci": "Intercommunalités",
    "departement": "Départements",
    "region": "Régions",
}
REPEAT = "fiche_dispositif"


@dataclass
class EditionData:
    edition: Edition
    specs: list[QuestionSpec]
    respondents: pd.DataFrame  # kind, band, region, territory_id, name, code, consent
    frame: pd.DataFrame  # kind, band, region
    answers: pd.DataFrame
    schemes: pd.DataFrame  # one row per fiche-dispositif, `respondent` column
    region_labels: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def spec(self, name: str) -> QuestionSpec | None:
        return next((s for s in self.specs if s.name == name), None)

    @property
    def group_labels(self) -> dict[str, dict[str, str]]:
        return {"kind": KIND_LABELS, "region": self.region_labels}


# Bumped when the analysis changes what it stores (2: shares fixed by the weighting, interval
# problems, design diagnostics), so that caches made before are recomputed, not served.
ANALYSIS_VERSION = 2


def responses_version(edition: Edition) -> str:
    """A fingerprint of what the analysis depends on, cheap enough for every page view.

    Every save bumps a response's `version` (optimistic locking) and `updated_at`, so a count, a
    sum and a maximum over the submitted responses change whenever an answer does.
    """
    responses = Response.objects.submitted().filter(edition=edition)
    figures = responses.aggregate(
        n=Count("pk"), versions=Sum("version"), updated=Max("updated_at"), last=Max("pk")
    )
    recodes = RecodeRow.objects.filter(edition=edition).aggregate(
        n=Count("pk"), updated=Max("created_at")
    )
    key = [
        ANALYSIS_VERSION,
        edition.frame_id,
        edition.questionnaire_id,
        *figures.values(),
        *recodes.values(),
    ]
    return hashlib.sha256(repr(key).encode()).hexdigest()


def _region_of(kind: str, code: str, region_code: str | None) -> str:
    if kind == Territory.Kind.REGION:
        return code
    return region_code or UNKNOWN_REGION


def _frame(edition: Edition) -> tuple[pd.DataFrame, dict[int, dict[str, Any]]]:
    rows = FrameMember.objects.filter(frame=edition.frame_id).values_list(
        "territory_id", "kind", "band", "territory__code", "territory__region__code"
    )
    members = {
        territory: {"kind": kind, "band": band, "region": _region_of(kind, code, region)}
        for territory, kind, band, code, region in rows
    }
    frame = pd.DataFrame.from_dict(members, orient="index", columns=["kind", "band", "region"])
    return frame, members


def load_edition(edition: Edition, *, recode: bool = True) -> EditionData:
    """Everything the statistics need about an edition, read in three queries."""
    if edition.frame_id is None or edition.form is None:
        raise ValueError(f"édition {edition.year} : pas de base de sondage ou de questionnaire")
    specs = questions_from_form(edition.form)
    frame, members = _frame(edition)
    notes = []
    respondents, answers, schemes = [], [], []
    responses = (
        Response.objects.submitted()
        .filter(edition=edition)
        .select_related("territory")
        .order_by("pk")
    )
    outside = 0
    for response in responses.iterator(chunk_size=1000):
        member = members.get(response.territory_id)
        if member is None:
            outside += 1
            continue
        territory = response.territory
        respondents.append(
            {
                "id": response.pk,
                **member,
                "territory_id": territory.pk,
                "name": territory.name,
                "code": territory.code,
                "consent": bool(response.consent_to_name),
            }
        )
        flat = {"id": response.pk}
        for key, value in (response.answers or {}).items():
            if key == REPEAT:
                for position, fiche in enumerate(value or [], start=1):
                    if fiche:
                        schemes.append(
                            {"id": f"{response.pk}:{position}", "respondent": response.pk, **fiche}
                        )
            elif not isinstance(value, dict):
                flat[key] = value
        # Times by hour, date-times by month, uploads counted (lib/stats/questions.py).
        flat.update(derived_answers(edition.form, response.answers or {}))
        answers.append(flat)
    if outside:
        notes.append(
            f"{outside} réponse(s) de collectivités absentes de la base de sondage ne sont pas "
            "prises en compte."
        )
    respondents_df = pd.DataFrame(
        respondents,
        columns=["id", "kind", "band", "region", "territory_id", "name", "code", "consent"],
    ).set_index("id")
    answers_df = pd.DataFrame(answers, dtype=object)
    answers_df = (
        answers_df.set_index("id") if len(answers_df) else pd.DataFrame(index=respondents_df.index)
    )
    schemes_df = pd.DataFrame(schemes, dtype=object)
    schemes_df = (
        schemes_df.set_index("id")
        if len(schemes_df)
        else pd.DataFrame({"respondent": []}, dtype=object)
    )
    for spec in specs:
        target = schemes_df if spec.repeat else answers_df
        for column in spec.columns:
            if column not in target.columns:
                target[column] = pd.Series([None] * len(target), index=target.index, dtype=object)
    regions = dict(Territory.objects.filter(kind=Territory.Kind.REGION).values_list("code", "name"))
    data = EditionData(
        edition=edition,
        specs=specs,
        respondents=respondents_df,
        frame=frame,
        answers=answers_df,
        schemes=schemes_df,
        region_labels={**regions, UNKNOWN_REGION: "Région inconnue"},
        notes=notes,
    )
    if recode:
        apply_recodes(data)
    return data


def recodes_of(edition: Edition) -> dict[str, list[Recode]]:
    table: dict[str, list[Recode]] = {}
    for row in RecodeRow.objects.filter(edition=edition):
        unit = f"{row.response_id}:{row.index}" if row.index else row.response_id
        table.setdefault(row.question, []).append(
            Recode(unit=unit, category=row.category, label=row.label, text=row.text)
        )
    return table


def apply_recodes(data: EditionData) -> None:
    """Replace specs and answers by their recoded copies (the database is never changed)."""
    for question, recodes in recodes_of(data.edition).items():
        spec = data.spec(question)
        if spec is None or spec.kind not in ("single", "multiple"):
            continue
        target = data.schemes if spec.repeat else data.answers
        recodes = [r for r in recodes if r.unit in target.index]
        if not recodes:
            continue
        new_spec, recoded = apply_recoding(spec, target, recodes)
        data.specs = [new_spec if s.name == question else s for s in data.specs]
        if spec.repeat:
            data.schemes = recoded
        else:
            data.answers = recoded
        data.notes.append(
            f"« {spec.label} » : {len(recodes)} réponse(s) « Autre » recodée(s) par l'équipe."
        )
