"""From the cached payload to what the templates show (no statistics here)."""

from typing import Any

from django.core.cache import cache as django_cache
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from observatoire.lib.charts import data_table
from observatoire.lib.charts.format import format_interval, format_percent
from observatoire.lib.stats import QuestionEstimate, crosstab, other_texts

from .charts import Chart, estimate_spec, raw_svgs, render_many
from .compute import threshold, weigh
from .data import load_edition, responses_version
from .labels import DIMENSION_LABELS, localise
from .models import EditionReport, KeyFinding

FINDINGS = 3  # automatic proposals
# Not findings: a share fixed by the weighting (a raking margin: an interval of zero width),
# a near-unanimous answer, and the questions about the survey itself (consent to be named).
DEGENERATE_WIDTH = 0.005
UNANIMOUS = 0.99
NOT_FINDINGS = ("consentement", "consent")


def _estimate(payload, name) -> QuestionEstimate | None:
    data = payload["analysis"]["estimates"].get(name)
    return QuestionEstimate.from_dict(data) if data else None


def _source(payload, name, dimension=None) -> dict[str, Any] | None:
    if dimension is None:
        return payload["analysis"]["estimates"].get(name)
    return payload["analysis"]["crosstabs"].get(dimension, {}).get(name)


def _withhold(data: dict[str, Any]) -> list[str]:
    """Drop the groups of a cross-tab with nothing published (every row suppressed) and
    return their labels: the table then lists only what can be read."""
    if not data.get("by"):
        return []
    shown: dict[str | None, bool] = {}
    labels: dict[str | None, str] = {}
    for row in data["rows"]:
        group = row.get("group")
        shown[group] = shown.get(group, False) or not row["suppressed"]
        labels[group] = row.get("group_label") or str(group)
    hidden = {group for group, published in shown.items() if not published}
    if hidden and len(hidden) < len(shown):
        data["rows"] = [row for row in data["rows"] if row.get("group") not in hidden]
        data["groups"] = [g for g in data.get("groups") or [] if g[0] not in hidden]
    return [labels[group] for group in shown if group in hidden]


def block_of(
    payload, name, form=None, *, dimension=None, data=None, chart_id=None
) -> dict[str, Any] | None:
    """What a template shows of one question (or one of its cross-tabs), labels in the
    page's language; its chart is drawn by `draw` (one query for a whole page)."""
    source = data if data is not None else _source(payload, name, dimension)
    if source is None:
        return None
    localised = localise(source, form, dimension=dimension)
    withheld = _withhold(localised)
    estimate = QuestionEstimate.from_dict(localised)
    bases = [row.base_n for row in estimate.rows if not row.suppressed and row.group is None]
    bases = bases or [row.base_n for row in estimate.rows if not row.suppressed]
    slug = f"{name}-{dimension}" if dimension else name
    chart_id = chart_id or f"chart-{slug}"
    title = estimate.label
    if dimension is not None:
        title = f"{estimate.label} — {DIMENSION_LABELS.get(dimension, dimension)}"
    block = {
        "name": name,
        "slug": slug,
        "dimension": dimension,
        "label": estimate.label,
        "title": title,
        "kind": estimate.kind,
        "chart_id": chart_id,
        "table_id": f"{chart_id}-data",
        "table": data_table(estimate),
        "n": max(bases) if bases else None,
        "suppressed": estimate.suppressed,
        "withheld": withheld,
        "unit": estimate.unit,
        "notes": estimate.notes,
        "test": estimate.test,
        "threshold": estimate.threshold,
        "svg": "",
        "_data": localised,
    }
    return block


def draw(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Render the charts of `blocks` (through the render cache, one query) into their "svg";
    a question with nothing publishable gets no chart."""
    drawn = [b for b in blocks if b and not b["suppressed"]]
    charts = [
        Chart(
            estimate_spec(b["_data"]),
            b["title"],
            b["chart_id"],
            None,
            b["table_id"],
        )
        for b in drawn
    ]
    for block, svg in zip(drawn, render_many(charts), strict=True):
        block["svg"] = mark_safe(svg)  # rendered by lib.charts, escaped there
    return blocks


def question_block(payload, name, form=None) -> dict[str, Any] | None:
    block = block_of(payload, name, form)
    return draw([block])[0] if block else None


def sections(payload, form=None, *, charts: bool = True) -> list[dict[str, Any]]:
    """The questionnaire's pages, each with its questions (labels in the page's language)."""
    out = []
    for section in payload["sections"]:
        blocks = [b for b in (block_of(payload, name, form) for name in section["questions"]) if b]
        if blocks:
            label = section["label"]
            if form is not None:
                label = _page_label(form, section["name"]) or label
            out.append({"name": section["name"], "label": label, "questions": blocks})
    if charts:
        draw([block for section in out for block in section["questions"]])
    return out


def _page_label(form, name) -> str:
    from .labels import _element, _language

    element = _element(form, name)
    return form.text(element.label, _language()) if element is not None else ""


def section_of(payload, form, name) -> dict[str, Any] | None:
    """One section with its charts drawn (the others' charts are not rendered)."""
    found = next((s for s in sections(payload, form, charts=False) if s["name"] == name), None)
    if found is not None:
        draw(found["questions"])
    return found


def all_blocks(payload, form=None) -> list[dict[str, Any]]:
    return [block for section in sections(payload, form) for block in section["questions"]]


def proposed_findings(payload, form=None, *, count: int = FINDINGS) -> list[dict[str, Any]]:
    """The largest and most certain figures: per question of the respondents, its published
    share with the highest lower bound of its interval (not an "apart" answer such as "Ne
    sait pas"); the `count` best questions, each as a sentence and its chart."""
    candidates = []
    for name, source in payload["analysis"]["estimates"].items():
        if source.get("unit", "respondent") != "respondent" or source["kind"] not in (
            "single",
            "multiple",
        ):
            continue
        if name.startswith(NOT_FINDINGS):
            continue
        localised = localise(source, form)
        rows = [
            r
            for r in localised["rows"]
            if not r["suppressed"]
            and not r.get("apart")
            and r.get("statistic") == "proportion"
            and r.get("ci_low") is not None
            and r["ci_high"] - r["ci_low"] >= DEGENERATE_WIDTH
            and r["estimate"] < UNANIMOUS
        ]
        if not rows:
            continue
        best = max(rows, key=lambda r: r["ci_low"])
        candidates.append((best["ci_low"], name, localised, best))
    candidates.sort(key=lambda c: c[0], reverse=True)
    out = []
    for _low, name, localised, row in candidates[:count]:
        sentence = gettext(
            "%(question)s : « %(answer)s » pour %(share)s des collectivités "
            "(intervalle de confiance à 95 %% : %(interval)s ; base %(n)s)."
        ) % {
            "question": localised["label"].rstrip(" ?:"),
            "answer": row["label"],
            "share": format_percent(row["estimate"]),
            "interval": format_interval(row["ci_low"], row["ci_high"]),
            "n": row["base_n"],
        }
        out.append({"question": name, "sentence": sentence})
    return out


def findings(edition, payload, form=None, *, proposals: bool = True) -> dict[str, Any]:
    """The key findings the pages open with: those staff wrote (or accepted), else the
    automatic proposals; each with its question's chart."""
    written = [
        {"question": f.question, "sentence": f.sentence, "pk": f.pk}
        for f in KeyFinding.objects.filter(edition=edition)
    ]
    proposed = proposed_findings(payload, form) if proposals or not written else []
    shown = written or proposed
    blocks = []
    for index, finding in enumerate(shown):
        block = block_of(payload, finding["question"], form, chart_id=f"finding-{index}")
        finding["block"] = block
        if block:
            blocks.append(block)
    draw(blocks)
    accepted = {f["sentence"] for f in written}
    return {
        "items": shown,
        "automatic": not written,
        "proposals": [p for p in proposed if p["sentence"] not in accepted],
    }


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


def question_detail(payload, name, form=None, *, dimension=None) -> dict[str, Any] | None:
    """The question's block with one of its cross-tabs (type, band or région): one per page,
    each group table behind a disclosure, so that a page stays light."""
    block = block_of(payload, name, form)
    if block is None:
        return None
    dimensions = [d for d in DIMENSION_LABELS if _source(payload, name, d) is not None]
    block["dimensions"] = [(d, DIMENSION_LABELS[d]) for d in dimensions]
    block["dimension_shown"] = dimension if dimension in dimensions else None
    shown = [block]
    if block["dimension_shown"]:
        crossing = block_of(payload, name, form, dimension=block["dimension_shown"])
        block["crossings"] = [crossing]
        shown.append(crossing)
    else:
        block["crossings"] = []
    draw(shown)
    return block


def warm_crossings(payload) -> int:
    """Render (into the render cache) every question's cross-tabs, as the question pages
    show them (labels in words, French), so that no visitor waits for them; returns how many
    charts there are."""
    from django.utils import translation

    specs = []
    with translation.override("fr"):
        for name in payload["analysis"]["estimates"]:
            for dimension in payload["analysis"]["crosstabs"]:
                block = block_of(payload, name, None, dimension=dimension)
                if block and not block["suppressed"]:
                    specs.append(estimate_spec(block["_data"]))
    raw_svgs(specs)
    return len(specs)


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


def cross_by_question(edition, name, by, *, weighted, form=None) -> dict[str, Any]:
    """`name` crossed with the single-choice question `by`, computed from the responses.

    The estimate is kept in Django's cache for the current responses (their fingerprint is
    in the key), the SVG in the render cache: only the first visit of a crossing weighs the
    responses.
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
        found = {"estimate": estimate.to_dict()}
        django_cache.set(key, found, 3600)
    block = block_of(None, name, form, data=found["estimate"], chart_id=f"chart-{name}-par-{by}")
    assert block is not None
    block["by_label"] = block["_data"].get("by_label") or by
    block["title"] = f"{block['label']} — {block['by_label']}"
    block["no_files"] = True
    return draw([block])[0]


def other_texts_of(edition, name) -> list[dict[str, Any]]:
    from .data import recodes_of

    data = load_edition(edition, recode=False)
    spec = data.spec(name)
    if spec is None or not spec.other:
        return []
    target = data.schemes if spec.repeat else data.answers
    return other_texts(spec, target, recodes=recodes_of(edition).get(name, []))
