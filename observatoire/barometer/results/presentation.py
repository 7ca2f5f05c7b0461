"""From the cached payload to what the templates show (no statistics here)."""

from typing import Any

from django.utils.safestring import mark_safe

from observatoire.lib.charts import chart_for, data_table, render_svg
from observatoire.lib.charts.format import format_percent
from observatoire.lib.stats import QuestionEstimate, crosstab, other_texts

from .compute import DIMENSION_LABELS, threshold, weigh
from .data import load_edition
from .models import EditionReport


def _estimate(payload, name) -> QuestionEstimate | None:
    data = payload["analysis"]["estimates"].get(name)
    return QuestionEstimate.from_dict(data) if data else None


def _block(payload, name) -> dict[str, Any] | None:
    data = payload["analysis"]["estimates"].get(name)
    if data is None:
        return None
    estimate = QuestionEstimate.from_dict(data)
    bases = [row.base_n for row in estimate.rows if not row.suppressed]
    return {
        "name": name,
        "label": estimate.label,
        "kind": estimate.kind,
        "svg": mark_safe(payload["charts"].get(name, "")),  # rendered by lib.charts, escaped there
        "table": payload["tables"].get(name) or data_table(estimate),
        "n": max(bases) if bases else None,
        "suppressed": estimate.suppressed,
        "unit": estimate.unit,
        "notes": estimate.notes,
    }


def sections(payload) -> list[dict[str, Any]]:
    out = []
    for section in payload["sections"]:
        blocks = [b for b in (_block(payload, name) for name in section["questions"]) if b]
        if blocks:
            out.append({"name": section["name"], "label": section["label"], "questions": blocks})
    return out


def all_blocks(payload) -> list[dict[str, Any]]:
    return [block for section in sections(payload) for block in section["questions"]]


def key_figures(payload) -> list[tuple[str, str]]:
    method = payload["methodology"]
    figures = [
        ("Collectivités répondantes", f"{method['respondents']:n}".replace(",", " ")),
        ("Collectivités dans la base de sondage", f"{method['frame_size']:n}".replace(",", " ")),
    ]
    if method.get("response_rate") is not None:
        figures.append(("Taux de réponse", format_percent(method["response_rate"])))
    weighting = method["weighting"]
    if payload["weighted"] and weighting.get("n_eff"):
        figures.append(("Taille d'échantillon effective", f"{weighting['n_eff']:.0f}"))
        figures.append(
            ("Effet de plan dû à la pondération", f"{weighting['deff']:.2f}".replace(".", ","))
        )
    if method.get("schemes"):
        figures.append(("Fiches-dispositif", str(method["schemes"])))
    return figures


def introduction(edition) -> list[str]:
    report = EditionReport.objects.filter(edition=edition).first()
    if report is None or not report.introduction.strip():
        return []
    return [part.strip() for part in report.introduction.split("\n\n") if part.strip()]


def question_detail(payload, name) -> dict[str, Any] | None:
    block = _block(payload, name)
    if block is None:
        return None
    crossings = []
    for dimension, estimates in payload["analysis"]["crosstabs"].items():
        data = estimates.get(name)
        if data is None:
            continue
        estimate = QuestionEstimate.from_dict(data)
        crossings.append(
            _crossing(estimate, DIMENSION_LABELS.get(dimension, dimension), f"{name}-{dimension}")
        )
    block["crossings"] = crossings
    return block


def _crossing(estimate: QuestionEstimate, label: str, chart_id: str) -> dict[str, Any]:
    return {
        "label": label,
        "svg": mark_safe(
            render_svg(
                chart_for(estimate),
                title=f"{estimate.label} — {label}",
                chart_id=f"chart-{chart_id}",
            )
        ),
        "table": data_table(estimate),
        "test": estimate.test,
    }


def crossing_questions(payload, name) -> list[tuple[str, str]]:
    """Single-choice questions of the respondents (not of fiches) to cross a question with."""
    estimates = payload["analysis"]["estimates"]
    own = estimates.get(name, {})
    if own.get("unit", "respondent") != "respondent":
        return []
    return [
        (key, data["label"])
        for key, data in estimates.items()
        if data["kind"] == "single"
        and key != name
        and data.get("unit", "respondent") == "respondent"
    ]


def cross_by_question(edition, name, by, *, weighted) -> dict[str, Any]:
    data = load_edition(edition)
    weighting = weigh(data)
    spec = data.spec(name)
    estimate = crosstab(
        spec,
        data.answers,
        weighting,
        by=by,
        by_question=data.spec(by),
        weighted=weighted,
        threshold=threshold(),
        group_labels=data.group_labels,
    )
    return _crossing(estimate, data.spec(by).label, f"{name}-par-{by}")


def other_texts_of(edition, name) -> list[dict[str, Any]]:
    from .data import recodes_of

    data = load_edition(edition, recode=False)
    spec = data.spec(name)
    if spec is None or not spec.other:
        return []
    target = data.schemes if spec.repeat else data.answers
    return other_texts(spec, target, recodes=recodes_of(edition).get(name, []))
