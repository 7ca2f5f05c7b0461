"""From the cached payload to what the templates show (no statistics here)."""

from typing import Any

from django.core.cache import cache as django_cache
from django.utils.safestring import mark_safe

from observatoire.lib.charts import chart_for, data_table
from observatoire.lib.charts.format import format_percent
from observatoire.lib.stats import QuestionEstimate, crosstab, other_texts

from .charts import Chart, estimate_spec, raw_svgs, render_many
from .compute import DIMENSION_LABELS, threshold, weigh
from .data import load_edition, responses_version
from .models import EditionReport


def _estimate(payload, name) -> QuestionEstimate | None:
    data = payload["analysis"]["estimates"].get(name)
    return QuestionEstimate.from_dict(data) if data else None


def question_block(payload, name) -> dict[str, Any] | None:
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
        blocks = [b for b in (question_block(payload, name) for name in section["questions"]) if b]
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
    """The question's block with its cross-tabs by type, band and région."""
    block = question_block(payload, name)
    if block is None:
        return None
    crossings = _crossing_charts(payload, name)
    svgs = render_many(chart for _label, _estimate, chart in crossings)
    block["crossings"] = [
        _crossing(estimate, label, svg)
        for (label, estimate, _chart), svg in zip(crossings, svgs, strict=True)
    ]
    return block


def _crossing_charts(payload, name) -> list[tuple[str, QuestionEstimate, Chart]]:
    out = []
    for dimension, estimates in payload["analysis"]["crosstabs"].items():
        data = estimates.get(name)
        if data is None:
            continue
        estimate = QuestionEstimate.from_dict(data)
        label = DIMENSION_LABELS.get(dimension, dimension)
        chart = Chart(
            estimate_spec(data), f"{estimate.label} — {label}", f"chart-{name}-{dimension}"
        )
        out.append((label, estimate, chart))
    return out


def warm_crossings(payload) -> int:
    """Render (into the render cache) every question's cross-tabs, so that no visitor waits
    for them; returns how many charts there are."""
    specs = [
        chart.spec
        for name in payload["analysis"]["estimates"]
        for _label, _estimate, chart in _crossing_charts(payload, name)
    ]
    raw_svgs(specs)
    return len(specs)


def _crossing_chart(estimate: QuestionEstimate, label: str, chart_id: str) -> Chart:
    return Chart(chart_for(estimate), f"{estimate.label} — {label}", f"chart-{chart_id}")


def _crossing(estimate: QuestionEstimate, label: str, svg: str) -> dict[str, Any]:
    return {
        "label": label,
        "svg": mark_safe(svg),  # rendered by lib.charts, escaped there
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
    """`name` crossed with the single-choice question `by`, computed from the responses.

    The estimate and its spec are kept in Django's cache for the current responses (their
    fingerprint is in the key), the SVG in the render cache: only the first visit of a
    crossing weighs the responses.
    """
    version = responses_version(edition)
    key = f"barometer-crossing:{edition.pk}:{version}:{weighted}:{threshold()}:{name}:{by}"
    found = django_cache.get(key)
    if found is None:
        data = load_edition(edition)
        estimate = crosstab(
            data.spec(name),
            data.answers,
            weigh(data),
            by=by,
            by_question=data.spec(by),
            weighted=weighted,
            threshold=threshold(),
            group_labels=data.group_labels,
        )
        label = data.spec(by).label
        chart = _crossing_chart(estimate, label, f"{name}-par-{by}")
        found = {"label": label, "estimate": estimate.to_dict(), "chart": tuple(chart)}
        django_cache.set(key, found, 3600)
    estimate = QuestionEstimate.from_dict(found["estimate"])
    return _crossing(estimate, found["label"], render_many([Chart(*found["chart"])])[0])


def other_texts_of(edition, name) -> list[dict[str, Any]]:
    from .data import recodes_of

    data = load_edition(edition, recode=False)
    spec = data.spec(name)
    if spec is None or not spec.other:
        return []
    target = data.schemes if spec.repeat else data.answers
    return other_texts(spec, target, recodes=recodes_of(edition).get(name, []))
