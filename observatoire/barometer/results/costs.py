"""The costs and impact page: fiches-dispositif of the survey and initiatives of the cartography.

Both sources go through `observatoire.lib.stats.cost_ranges`: budgets are brackets, hence
intervals; a cost per participant is a range, never one number; a group standing on fewer
territories than the threshold is suppressed. The survey part is read from the cached payload
(weighted like every result). The cartography is not a sample: its published initiatives of the
edition's year (by start date) are counted as they are, each organiser territory weighing 1.
"""

import hashlib
from typing import Any

import pandas as pd
from django.core.cache import cache as django_cache
from django.db.models import Count, Max
from django.utils.safestring import mark_safe

from observatoire.directory.choices import BUDGET_BOUNDS, BudgetBracket, DecisionEffect
from observatoire.directory.models import Initiative
from observatoire.lib.charts import chart_for, data_table, format_number
from observatoire.lib.stats import (
    Option,
    QuestionEstimate,
    QuestionSpec,
    compute_weights,
    cost_ranges,
)
from observatoire.territories.models import FrameMember

from .charts import Chart, render_many
from .compute import threshold
from .data import KIND_LABELS, REPEAT
from .labels import band_words

GROUP_TITLES = {
    "overall": "Ensemble",
    "fd_fonction": "Par fonction",
    "kind": "Par type de collectivité",
    "band": "Par taille de collectivité",
}
OUT_OF_FRAME = "hors base"

BUDGET_SPEC = QuestionSpec(
    name="fd_budget",
    kind="bracket",
    label="Budget du dispositif",
    options=tuple(
        Option(
            key=code,
            label=str(label),
            low=None if BUDGET_BOUNDS[code][0] is None else float(BUDGET_BOUNDS[code][0]),
            high=None if BUDGET_BOUNDS[code][1] is None else float(BUDGET_BOUNDS[code][1]),
        )
        for code, label in BudgetBracket.choices
    ),
    apart=(BudgetBracket.UNKNOWN,),
)
EFFECT_SPEC = QuestionSpec(
    name="fd_effet_decisions",
    kind="single",
    label="Effet sur la décision",
    options=tuple(
        Option(key=code, label=str(label)) for code, label in DecisionEffect.choices if code
    ),
)


def euros(value: float) -> str:
    return f"{format_number(value, 0 if value >= 10 else 2)} €"


def format_range(bounds) -> str:
    """ "120 € à 450 €"; an open top: "au moins 120 €"; nothing: "—"."""
    if not bounds:
        return "—"
    low, high = bounds
    if low is None:
        return "—"
    if high is None:
        return f"au moins {euros(low)}"
    if low == high:
        return euros(low)
    return f"{euros(low)} à {euros(high)}"


def _figure(data: dict | None, chart_id: str) -> dict[str, Any] | None:
    if not data:
        return None
    estimate = QuestionEstimate.from_dict(data)
    return {
        "label": estimate.label,
        "chart": Chart(chart_for(estimate), estimate.label, chart_id),  # rendered by present()
        "table": data_table(estimate),
    }


def _range_table(summary: dict, title: str) -> dict[str, Any]:
    rows = []
    for entry in summary["per_participant"]:
        group = entry["group"]
        named = entry["group_label"] if entry["group_label"] != group else None
        label = KIND_LABELS.get(group) or named or (band_words(group) if group else "Ensemble")
        if entry["suppressed"]:
            rows.append([label, entry["n_respondents"], "effectif insuffisant", "—", "—"])
            continue
        rows.append(
            [
                label,
                entry["n_respondents"],
                format_range(entry["median"]),
                format_range(entry["quartile_1"]),
                format_range(entry["quartile_3"]),
            ]
        )
    return {
        "caption": f"Coût par participant — {title.lower()}",
        "headers": ["Groupe", "Collectivités", "Médiane", "1er quartile", "3e quartile"],
        "rows": rows,
        "notes": summary.get("notes", []),
    }


def present(costs: dict[str, Any] | None, prefix: str) -> list[dict[str, Any]]:
    """One block per grouping: budget, numbers and effect charts with tables, cost ranges."""
    if not costs:
        return []
    blocks = []
    for key, title in GROUP_TITLES.items():
        summary = costs.get(key)
        if not summary:
            continue
        figures = [_figure(summary["budget"], f"{prefix}-{key}-budget")]
        for name, data in summary["numbers"].items():
            figures.append(_figure(data, f"{prefix}-{key}-{name}"))
        figures.append(_figure(summary["effect"], f"{prefix}-{key}-effet"))
        blocks.append(
            {
                "key": f"{prefix}-{key}",
                "title": title,
                "ranges": _range_table(summary, title),
                "figures": [f for f in figures if f],
            }
        )
    figures = [figure for block in blocks for figure in block["figures"]]
    svgs = render_many(figure.pop("chart") for figure in figures)
    for figure, svg in zip(figures, svgs, strict=True):
        figure["svg"] = mark_safe(svg)  # rendered by lib.charts, escaped there
    return blocks


def initiatives_frame(year: int, edition) -> pd.DataFrame:
    """One row per published initiative organised by a territory and started in `year`."""
    initiatives = (
        Initiative.objects.published()
        .filter(organiser_territory__isnull=False, start_on__year=year)
        .select_related("organiser_territory")
        .prefetch_related("functions")
        .order_by("pk")
    )
    bands = dict(
        FrameMember.objects.filter(frame=edition.frame_id).values_list("territory_id", "band")
    )
    rows = []
    for initiative in initiatives:
        territory = initiative.organiser_territory
        functions = [f.name for f in initiative.functions.all()] or ["Non renseignée"]
        rows.append(
            {
                "id": initiative.pk,
                "respondent": territory.pk,
                "kind": territory.kind,
                "band": bands.get(territory.pk, OUT_OF_FRAME),
                "region": "",
                "fd_budget": initiative.budget_bracket or None,
                "fd_etp": None if initiative.staff_fte is None else float(initiative.staff_fte),
                "fd_participants": initiative.participants,
                "fd_contributions": initiative.contributions,
                "fd_effet_decisions": initiative.decision_effect or None,
                "functions": functions,
            }
        )
    return pd.DataFrame(rows, dtype=object)


def cartography_costs(year: int, edition) -> dict[str, Any] | None:
    schemes = initiatives_frame(year, edition)
    if schemes.empty:
        return None
    territories = schemes.drop_duplicates("respondent").set_index("respondent")[
        ["kind", "band", "region"]
    ]
    # A census of the cartography: every organiser territory weighs 1.
    weighting = compute_weights(territories, territories, cells=("kind",), margins=())
    options = {
        "budget": BUDGET_SPEC,
        "effect": EFFECT_SPEC,
        "weighted": False,
        "threshold": threshold(),
    }
    indexed = schemes.set_index("id")
    out = {"count": len(schemes), "territories": len(territories)}
    out["overall"] = cost_ranges(indexed, weighting, **options).to_dict()
    # An initiative with several functions counts in each of them.
    exploded = schemes.explode("functions").rename(columns={"functions": "fd_fonction"})
    exploded["id"] = [
        f"{i}:{f}" for i, f in zip(exploded["id"], exploded["fd_fonction"], strict=True)
    ]
    names = sorted(set(exploded["fd_fonction"]))
    by_function = QuestionSpec(
        name="fd_fonction",
        kind="single",
        label="Fonction",
        options=tuple(Option(key=name, label=name) for name in names),
    )
    out["fd_fonction"] = cost_ranges(
        exploded.set_index("id"), weighting, by="fd_fonction", by_question=by_function, **options
    ).to_dict()
    for stratum in ("kind", "band"):
        out[stratum] = cost_ranges(indexed, weighting, by=stratum, **options).to_dict()
    return out


def costs_context(edition, cache) -> dict[str, Any]:
    initiatives = Initiative.objects.published().filter(start_on__year=edition.year)
    figures = initiatives.aggregate(n=Count("pk"), updated=Max("updated_at"))
    version = repr((cache.responses_version, figures["n"], figures["updated"], threshold()))
    key = (
        f"barometer-costs:{edition.pk}:{cache.weighted}:"
        + hashlib.sha256(version.encode()).hexdigest()
    )
    found = django_cache.get(key)
    if found is None:
        cartography = cartography_costs(edition.year, edition)
        found = {
            "survey": present(cache.payload.get("costs"), "enquete"),
            "cartography": present(cartography, "carto"),
            "cartography_count": cartography["count"] if cartography else 0,
            "cartography_territories": cartography["territories"] if cartography else 0,
            "kind_labels": KIND_LABELS,
        }
        django_cache.set(key, found, 600)
    return found


def promotable_schemes(edition) -> list[dict[str, Any]]:
    """Staff: the fiches of territories that consented to be named, promoted or not."""
    from observatoire.barometer.models import Response
    from observatoire.barometer.services import consent_of

    from .models import PromotedScheme

    responses = (
        Response.objects.submitted()
        .filter(edition=edition)
        .select_related("territory")
        .order_by("territory__name", "pk")
    )
    done = {
        (row.response_id, row.index): row.initiative
        for row in PromotedScheme.objects.filter(response__edition=edition).select_related(
            "initiative"
        )
    }
    out = []
    for response in responses:
        fiches = (response.answers or {}).get(REPEAT) or []
        if not fiches or consent_of(edition, response.answers or {}) is not True:
            continue
        for index, fiche in enumerate(fiches, start=1):
            if fiche:
                out.append(
                    {
                        "response": response.pk,
                        "index": index,
                        "territory": response.territory.name,
                        "name": fiche.get("fd_nom") or f"Dispositif {index}",
                        "initiative": done.get((response.pk, index)),
                    }
                )
    return out
