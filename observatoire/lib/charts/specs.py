"""Vega-Lite specs (dicts) for the barometer's figures, built with altair.

One function per kind of figure; `chart_for(estimate)` picks the right one. Suppressed figures
are left out of the charts, and `usermeta.notes` says so (the data table shows them as
"effectif insuffisant"). Every spec carries the French number locale in `config.locale`, a
`description` for assistive technologies, and uses only inline data (no URL).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import altair as alt
import vl_convert

from ..stats.benchmark import Benchmark
from ..stats.estimates import SUPPRESSED_LABEL, EstimateRow, QuestionEstimate
from ..stats.questions import as_spec
from ..stats.trends import TrendResult
from . import palette
from .format import format_number, format_p_value, format_percent, language_of

WIDTH = 360
ROW_HEIGHT = 26
LABEL_WIDTH = 30  # characters per line of an axis label
FONT = "DejaVu Sans, Arial, sans-serif"
FONT_SIZE = 12  # px at the chart's own width: phones show charts unscaled (results.css)
OVERALL_LABEL = "Ensemble"


def locale(name: str = "fr-FR") -> dict[str, Any]:
    """d3's number locale: fr-FR (comma decimal, narrow no-break space before %) or en-US."""
    return dict(vl_convert.get_format_locale(name))  # type: ignore[arg-type]


def _config(language: str = "fr") -> dict[str, Any]:
    return {
        "locale": {"number": locale("en-US" if language_of(language) == "en" else "fr-FR")},
        "font": FONT,
        # No ARIA attributes per mark: the whole SVG is one named image whose long
        # description is its data table (render.make_accessible); a third lighter too.
        "aria": False,
        "background": palette.BACKGROUND,
        "view": {"stroke": None},
        "axis": {
            "labelColor": palette.TEXT,
            "titleColor": palette.TEXT,
            "domainColor": palette.MUTED_TEXT,
            "tickColor": palette.MUTED_TEXT,
            "gridColor": "#d9d9d9",
            "labelFontSize": FONT_SIZE,
            "titleFontSize": FONT_SIZE,
        },
        "legend": {
            "labelColor": palette.TEXT,
            "titleColor": palette.TEXT,
            "labelFontSize": FONT_SIZE,
        },
        "header": {
            "labelColor": palette.TEXT,
            "labelFontSize": FONT_SIZE,
            "labelFontWeight": "bold",
        },
        "title": {"color": palette.TEXT, "fontSize": FONT_SIZE + 1, "anchor": "start"},
    }


def _inline(values: list[dict[str, Any]]) -> Any:
    """Inline data (never a URL: rendering must not fetch anything)."""
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _wrap(label: str, width: int = LABEL_WIDTH) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


_MULTILINE = "split(datum.label, '\\n')"


def _finish(
    chart: alt.TopLevelMixin, *, description: str, notes: Sequence[str], language: str = "fr"
) -> dict[str, Any]:
    # The specs are built by our own code and checked by the tests; altair's JSON-schema
    # validation of every chart took about a third of the build time for the same output.
    spec = chart.properties(description=description).to_dict(validate=False)
    spec["config"] = {**spec.get("config", {}), **_config(language)}
    spec["usermeta"] = {"description": description, "notes": list(notes)}
    return spec


def _suppressed_note(rows: Sequence[EstimateRow]) -> list[str]:
    hidden = [r for r in rows if r.suppressed]
    if not hidden:
        return []
    labels = ", ".join(dict.fromkeys(_row_name(r) for r in hidden))
    return [f"Non représenté ({SUPPRESSED_LABEL}) : {labels}."]


def _row_name(row: EstimateRow) -> str:
    parts = [row.group_label or "", row.item_label or "", row.label]
    return (
        " – ".join(p for p in parts if p)
        if row.statistic == "proportion"
        else (" – ".join(p for p in (row.group_label, row.item_label) if p) or row.label)
    )


def _estimate_label(estimate: QuestionEstimate) -> str:
    return estimate.label or estimate.question


def _share_title(estimate: QuestionEstimate) -> str:
    base = "Part des répondants" if estimate.unit == "respondent" else "Part des dispositifs"
    return f"{base} ({'pondérée' if estimate.weighted else 'non pondérée'}), IC à 95 %"


def _height(labels: Sequence[str]) -> int:
    """Enough room per row for its wrapped label lines."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return max(len(labels) * (12 + 14 * lines), 40)


def _share_domain(data: Sequence[dict[str, Any]]) -> list[float]:
    """From 0 to the next tenth above the highest interval bound (room for the labels)."""
    top = max((d.get("high") or d.get("pct") or 0.0 for d in data), default=0.0)
    return [0.0, min(1.0, math.ceil(top * 10 + 1.5) / 10)]


def _proportion_layers(
    data: list[dict[str, Any]], order: list[str], x_title: str, *, inline: bool = True
) -> Any:
    base = alt.Chart(_inline(data)) if inline else alt.Chart()
    y = alt.Y(
        "label:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelExpr=_MULTILINE, labelLimit=300, labelFontSize=FONT_SIZE),
    )
    x = alt.X(
        "pct:Q",
        scale=alt.Scale(domain=_share_domain(data)),
        axis=alt.Axis(format=".0%", title=x_title, tickCount=5),
    )
    bars = base.mark_bar(height={"band": 0.7}).encode(
        y=y,
        x=x,
        color=alt.Color("fill:N", scale=None),
        tooltip=[alt.Tooltip("label:N", title="Réponse"), alt.Tooltip("text:N", title="Part")],
    )
    rules = base.mark_rule(color=palette.RULE, strokeWidth=1.5).encode(y=y, x="low:Q", x2="high:Q")
    text = base.mark_text(align="left", dx=5, color=palette.TEXT, fontSize=FONT_SIZE).encode(
        y=y, x="high:Q", text="text:N"
    )
    return alt.layer(bars, rules, text)


def _proportion_data(
    rows: Sequence[EstimateRow], highlight: set[str] | None = None
) -> list[dict[str, Any]]:
    highlight = highlight or set()
    return [
        {
            "key": r.key,
            "label": _wrap(r.label),
            "group": r.group_label or OVERALL_LABEL,
            "pct": r.estimate,
            # No interval (fixed by the weighting, or degenerate): a zero-length rule, and
            # the label at the end of the bar.
            "low": r.ci_low if r.ci_low is not None else r.estimate,
            "high": r.ci_high if r.ci_high is not None else r.estimate,
            "n": r.n,
            "text": format_percent(r.estimate)
            + (" ◆ médiane" if r.key in highlight else "")
            + (" (base de sondage)" if r.fixed else ""),
            "fill": palette.APART
            if r.apart
            else (palette.HIGHLIGHT if r.key in highlight else palette.BAR),
        }
        for r in rows
        if not r.suppressed and r.estimate is not None
    ]


def proportion_bars(estimate: QuestionEstimate, *, group: str | None = None) -> dict[str, Any]:
    """Horizontal bars with 95% intervals: single and multiple choice (options in form order)."""
    rows = [r for r in estimate.rows_for(group=group) if r.statistic == "proportion"]
    data = _proportion_data(rows)
    order = [str(d["label"]) for d in data]
    chart = _proportion_layers(data, order, _share_title(estimate)).properties(
        width=WIDTH, height=_height(order)
    )
    notes = _suppressed_note(rows)
    if estimate.kind == "multiple":
        notes.append("Plusieurs réponses possibles : les parts ne s'additionnent pas à 100 %.")
    description = _describe_proportions(estimate, data)
    return _finish(chart, description=description, notes=notes)


def _describe_proportions(estimate: QuestionEstimate, data: list[dict[str, Any]]) -> str:
    if not data:
        return f"{_estimate_label(estimate)} : aucune donnée publiable ({SUPPRESSED_LABEL})."
    parts = [f"{d['label'].replace(chr(10), ' ')} {d['text']}" for d in data]
    return f"{_estimate_label(estimate)}. " + " ; ".join(parts) + "."


def likert_bars(estimate: QuestionEstimate, *, group: str | None = None) -> dict[str, Any]:
    """Diverging stacked bars: positive levels right of zero, negative ones left, "Ne sait pas"
    in a panel of its own. Levels follow the scale order of the question."""
    spec = as_spec(estimate.spec) if estimate.spec else None
    rows = [r for r in estimate.rows_for(group=group) if r.statistic == "proportion"]
    levels = [o.key for o in spec.options] if spec else list(dict.fromkeys(r.key for r in rows))
    apart = set(spec.apart) if spec else {r.key for r in rows if r.apart}
    substantive = [level for level in levels if level not in apart]
    half = len(substantive) // 2
    positive, negative = substantive[:half], substantive[len(substantive) - half :]
    neutral = substantive[half : len(substantive) - half]
    items = list(dict.fromkeys(r.item for r in rows))
    segments: list[dict[str, Any]] = []
    apart_data: list[dict[str, Any]] = []
    for item in items:
        by_level = {r.key: r for r in rows if r.item == item}
        if not by_level or any(r.suppressed for r in by_level.values()):
            continue
        label = _wrap(next(iter(by_level.values())).item_label or str(item))
        share = {k: (by_level[k].estimate or 0.0) if k in by_level else 0.0 for k in levels}
        middle = sum(share[k] for k in neutral) / 2
        # Levels nearest the middle of the scale start at zero.
        right = middle
        for level in reversed(positive):
            segments.append(_segment(label, level, by_level, right, right + share[level]))
            right += share[level]
        for level in neutral:
            segments.append(_segment(label, level, by_level, -middle, middle))
        left = -middle
        for level in negative:
            segments.append(_segment(label, level, by_level, left - share[level], left))
            left -= share[level]
        for level in levels:
            if level in apart and level in by_level:
                row = by_level[level]
                apart_data.append(
                    {
                        "label": label,
                        "level": row.label,
                        "pct": row.estimate,
                        "low": row.ci_low,
                        "high": row.ci_high,
                        "text": format_percent(row.estimate),
                    }
                )
    level_labels = [spec.label_of(k) if spec else k for k in substantive]
    colours = _diverging_colours(len(positive), len(neutral), len(negative))
    order = list(dict.fromkeys(s["label"] for s in segments))
    y = alt.Y(
        "label:N", sort=order, title=None, axis=alt.Axis(labelExpr=_MULTILINE, labelLimit=300)
    )
    base = alt.Chart(_inline(segments))
    bars = base.mark_bar(stroke=palette.BACKGROUND, strokeWidth=1, height={"band": 0.7}).encode(
        y=y,
        x=alt.X(
            "start:Q",
            scale=alt.Scale(domain=[-1, 1]),
            axis=alt.Axis(
                labelExpr="format(abs(datum.value), '.0%')",
                title=_share_title(estimate).replace(", IC à 95 %", ""),
                tickCount=5,
            ),
        ),
        x2="end:Q",
        color=alt.Color(
            "level:N",
            scale=alt.Scale(domain=level_labels, range=colours),
            legend=alt.Legend(title=None, orient="bottom", columns=2, symbolType="square"),
            sort=level_labels,
        ),
        tooltip=[
            alt.Tooltip("label:N", title="Item"),
            alt.Tooltip("level:N", title="Réponse"),
            alt.Tooltip("text:N", title="Part"),
        ],
    )
    labels = (
        base.transform_filter("datum.pct >= 0.08")
        .mark_text(color=palette.BACKGROUND, fontSize=FONT_SIZE, fontWeight="bold")
        .encode(y=y, x="middle:Q", text="text:N")
    )
    zero = alt.Chart(_inline([{"x": 0}])).mark_rule(color=palette.RULE).encode(x="x:Q")
    main = alt.layer(bars, labels, zero).properties(width=WIDTH, height=_height(order))
    charts: list[Any] = [main]
    if apart_data:
        apart_base = alt.Chart(_inline(apart_data))
        apart_y = alt.Y("label:N", sort=order, title=None, axis=None)
        apart_chart = alt.layer(
            apart_base.mark_bar(color=palette.APART, height={"band": 0.7}).encode(
                y=apart_y,
                x=alt.X(
                    "pct:Q",
                    scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format=".0%", title=None, tickCount=2),
                ),
            ),
            apart_base.mark_text(align="left", dx=4, color=palette.TEXT, fontSize=FONT_SIZE).encode(
                y=apart_y, x="pct:Q", text="text:N"
            ),
        ).properties(width=90, height=_height(order), title=apart_data[0]["level"])
        charts.append(apart_chart)
    chart = alt.hconcat(*charts, spacing=24) if len(charts) > 1 else main
    notes = _suppressed_note(rows)
    if apart_data:
        notes.append(f"« {apart_data[0]['level']} » est présenté à part, à droite.")
    description = f"{_estimate_label(estimate)}. " + " ; ".join(
        f"{s['label'].replace(chr(10), ' ')} : {s['level']} {s['text']}" for s in segments
    )
    return _finish(chart, description=description, notes=notes)


def _segment(
    label: str, level: str, by_level: dict[str, EstimateRow], start: float, end: float
) -> dict[str, Any]:
    row = by_level.get(level)
    pct = row.estimate if row and row.estimate is not None else 0.0
    return {
        "label": label,
        "level": row.label if row else level,
        "start": start,
        "end": end,
        "middle": (start + end) / 2,
        "pct": pct,
        "text": format_percent(pct, 0),
    }


def _diverging_colours(positive: int, neutral: int, negative: int) -> list[str]:
    blues, oranges = palette.DIVERGING[:2], palette.DIVERGING[2:]
    pos = [blues[min(i, 1)] for i in range(positive)] if positive <= 2 else [blues[0]] * positive
    neg = (
        [oranges[min(i, 1)] for i in range(negative)] if negative <= 2 else [oranges[1]] * negative
    )
    return [*pos, *([palette.APART] * neutral), *neg]


def bracket_bars(estimate: QuestionEstimate, *, group: str | None = None) -> dict[str, Any]:
    """Brackets in their order, the median bracket marked; "impossible to estimate" apart."""
    rows = [r for r in estimate.rows_for(group=group) if r.statistic == "proportion"]
    summary = estimate.summary.get(group or "", {})
    median = summary.get("median")
    valid = [r for r in rows if not r.apart]
    apart = [r for r in rows if r.apart]
    data = _proportion_data(valid, {median} if median else set())
    order = [str(d["label"]) for d in data]
    main = _proportion_layers(data, order, "Part des réponses chiffrées, IC à 95 %").properties(
        width=WIDTH, height=_height(order)
    )
    charts: list[Any] = [main]
    apart_data = _proportion_data(apart)
    if apart_data:
        side = _proportion_layers(
            apart_data, [d["label"] for d in apart_data], "Part de toutes les réponses"
        ).properties(width=WIDTH, height=ROW_HEIGHT * len(apart_data))
        charts.append(side)
    chart = alt.vconcat(*charts, spacing=16) if len(charts) > 1 else main
    notes = _suppressed_note(rows)
    if median:
        notes.append(
            f"Tranche médiane : {summary.get('median_label')} (IC à 95 % : de "
            f"{summary['median_ci_labels'][0]} à {summary['median_ci_labels'][1]})."
        )
    if apart_data:
        notes.append("Les réponses « impossible à estimer » sont présentées à part.")
    return _finish(
        chart, description=_describe_proportions(estimate, data + apart_data), notes=notes
    )


def number_summary(estimate: QuestionEstimate) -> dict[str, Any]:
    """Quartile box (Q1-Q3), median with its interval, mean as a diamond; one row per group."""
    groups = [(None, OVERALL_LABEL), *estimate.groups]
    data: list[dict[str, Any]] = []
    hidden: list[EstimateRow] = []
    for group, label in groups:
        stats = {r.key: r for r in estimate.rows_for(group=group)}
        if not stats or stats["mean"].suppressed:
            hidden += stats.values()
            continue
        entry: dict[str, Any] = {
            "label": label,
            "q1": stats["q1"].estimate,
            "q3": stats["q3"].estimate,
            "median": stats["median"].estimate,
            "low": stats["median"].ci_low,
            "high": stats["median"].ci_high,
            "mean": stats["mean"].estimate,
            "n": stats["mean"].n,
            "text": f"médiane {format_number(stats['median'].estimate)}",
        }
        data.append(entry)
    unit = as_spec(estimate.spec).unit if estimate.spec else ""
    base = alt.Chart(_inline(data))
    order = [str(d["label"]) for d in data]
    y = alt.Y("label:N", sort=order, title=None)
    x_title = f"{_estimate_label(estimate)}{f' ({unit})' if unit else ''}"
    box = base.mark_bar(
        fill=palette.BACKGROUND, stroke=palette.BAR, strokeWidth=2, height={"band": 0.6}
    ).encode(y=y, x=alt.X("q1:Q", title=x_title), x2="q3:Q")
    rule = base.mark_rule(color=palette.RULE, strokeWidth=1.5).encode(y=y, x="low:Q", x2="high:Q")
    tick = base.mark_tick(color=palette.HIGHLIGHT, thickness=3, size=18).encode(y=y, x="median:Q")
    mean = base.mark_point(shape="diamond", filled=True, color=palette.TEXT, size=50).encode(
        y=y, x="mean:Q"
    )
    text = base.mark_text(
        align="left", dx=6, dy=-10, color=palette.TEXT, fontSize=FONT_SIZE
    ).encode(y=y, x="q3:Q", text="text:N")
    chart = alt.layer(box, rule, tick, mean, text).properties(
        width=WIDTH, height=max(ROW_HEIGHT * 1.6 * len(data), 50)
    )
    notes = _suppressed_note(hidden)
    notes.append(
        "Boîte : du 1er au 3e quartile ; trait épais : médiane et son IC à 95 % ; losange : moyenne."
    )
    description = f"{_estimate_label(estimate)}. " + " ; ".join(
        f"{d['label']} : médiane {format_number(d['median'])}, quartiles {format_number(d['q1'])} "
        f"et {format_number(d['q3'])}, moyenne {format_number(d['mean'])}"
        for d in data
    )
    return _finish(chart, description=description, notes=notes)


def score_dots(estimate: QuestionEstimate, *, group: str | None = None) -> dict[str, Any]:
    """Mean score per item with its interval, items sorted by mean score."""
    rows = [r for r in estimate.rows_for(group=group) if r.statistic == "mean"]
    shown = sorted(
        (r for r in rows if not r.suppressed and r.estimate is not None),
        key=lambda r: -(r.estimate or 0),
    )
    data: list[dict[str, Any]] = [
        {
            "label": _wrap(r.item_label or r.label),
            "mean": r.estimate,
            "low": r.ci_low,
            "high": r.ci_high,
            "text": format_number(r.estimate),
            "n": r.n,
        }
        for r in shown
    ]
    spec = as_spec(estimate.spec) if estimate.spec else None
    scale = list(spec.scale) if spec and spec.scale else None
    base = alt.Chart(_inline(data))
    order = [str(d["label"]) for d in data]
    y = alt.Y(
        "label:N", sort=order, title=None, axis=alt.Axis(labelExpr=_MULTILINE, labelLimit=300)
    )
    x = alt.X(
        "mean:Q",
        title="Note moyenne, IC à 95 %",
        scale=alt.Scale(domain=scale) if scale else alt.Undefined,
    )
    chart = alt.layer(
        base.mark_rule(color=palette.RULE, strokeWidth=1.5).encode(y=y, x="low:Q", x2="high:Q"),
        base.mark_point(filled=True, opacity=1, color=palette.BAR, size=70).encode(y=y, x=x),
        base.mark_text(align="left", dx=6, dy=-9, color=palette.TEXT, fontSize=FONT_SIZE).encode(
            y=y, x="mean:Q", text="text:N"
        ),
    ).properties(width=WIDTH, height=_height(order))
    description = f"{_estimate_label(estimate)}. " + " ; ".join(
        f"{d['label'].replace(chr(10), ' ')} {d['text']}" for d in data
    )
    return _finish(chart, description=description, notes=_suppressed_note(rows))


def crosstab_bars(estimate: QuestionEstimate) -> dict[str, Any]:
    """Small multiples, one panel per group (overall first), bars with intervals."""
    rows = [r for r in estimate.rows if r.statistic == "proportion" and r.item is None]
    data = _proportion_data(rows)
    order = list(dict.fromkeys(d["label"] for d in data))
    groups = [OVERALL_LABEL, *[label for _, label in estimate.groups]]
    chart = (
        _proportion_layers(data, order, _share_title(estimate), inline=False)
        .properties(width=WIDTH, height=_height(order))
        .facet(
            row=alt.Row(
                "group:N",
                sort=groups,
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top"),
            ),
            data=_inline(data),
        )
    )
    description = (
        f"{_estimate_label(estimate)}, par {estimate.by_label or estimate.by}. "
        + " ; ".join(f"{d['group']} – {d['label'].replace(chr(10), ' ')} {d['text']}" for d in data)
    )
    notes = _suppressed_note(rows)
    if estimate.test:
        verdict = "significative" if estimate.test.get("significant") else "non significative"
        notes.append(
            f"Différence entre groupes {verdict} (test de Rao-Scott, p = "
            f"{format_number(estimate.test.get('p_value'), 3)})."
        )
    return _finish(chart, description=description, notes=notes)


def chart_for(estimate: QuestionEstimate, *, group: str | None = None) -> dict[str, Any]:
    """The figure that suits the question type (and its cross-tabulation when `by` is set)."""
    if estimate.kind == "number":
        return number_summary(estimate)
    if estimate.kind == "likert":
        return likert_bars(estimate, group=group)
    if estimate.kind == "score":
        return score_dots(estimate, group=group)
    if estimate.by is not None and group is None and estimate.kind in ("single", "multiple"):
        return crosstab_bars(estimate)
    if estimate.kind == "bracket":
        return bracket_bars(estimate, group=group)
    return proportion_bars(estimate, group=group)


def trend_lines(
    trend: TrendResult, *, keys: Sequence[str] | None = None, locale: str = "fr"
) -> dict[str, Any]:
    """One line per option across editions, with 95% intervals; series differ by colour, dash
    and point shape and are labelled at their last point. Numbers and titles follow `locale`
    ("fr" or "en"); a share fixed by the weighting has no interval rule."""
    english = language_of(locale) == "en"
    series = [s for s in trend.series if keys is None or s.key in keys]
    data: list[dict[str, Any]] = []
    for index, line in enumerate(series):
        name = " – ".join(p for p in (line.item_label, line.label) if p) or line.key
        for point in line.points:
            if not point.present or point.suppressed or point.estimate is None:
                continue
            data.append(
                {
                    "series": name,
                    "edition": point.edition,
                    "value": point.estimate,
                    "low": point.ci_low,
                    "high": point.ci_high,
                    "text": format_percent(point.estimate, locale=locale)
                    if line.statistic == "proportion"
                    else format_number(point.estimate, locale=locale),
                    "index": index,
                }
            )
    percent = all(line.statistic == "proportion" for line in series)
    names: list[str] = list(dict.fromkeys(str(d["series"]) for d in data))
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=names, range=palette.CATEGORICAL[: len(names)] or [palette.BAR]),
        legend=alt.Legend(title=None, orient="bottom", columns=1, labelLimit=600),
    )
    dash = alt.StrokeDash(
        "series:N",
        scale=alt.Scale(domain=names, range=palette.DASHES[: len(names)] or [[1, 0]]),
        legend=None,
    )
    shape = alt.Shape(
        "series:N",
        scale=alt.Scale(domain=names, range=palette.SHAPES[: len(names)] or ["circle"]),
        legend=None,
    )
    base = alt.Chart(_inline(data))
    x = alt.X(
        "edition:O",
        title="Edition" if english else "Édition",
        sort=trend.editions,
        axis=alt.Axis(labelAngle=0),
    )
    if english:
        y_title = "Weighted share, 95% CI" if percent else "Value, 95% CI"
    else:
        y_title = "Part pondérée, IC à 95 %" if percent else "Valeur, IC à 95 %"
    y = alt.Y(
        "value:Q",
        title=y_title,
        axis=alt.Axis(format=".0%") if percent else alt.Axis(),
        scale=alt.Scale(domain=[0, 1]) if percent else alt.Undefined,
    )
    last = trend.editions[-1]
    chart = alt.layer(
        base.mark_rule(strokeWidth=1.5).encode(x=x, y="low:Q", y2="high:Q", color=colour),
        base.mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, strokeDash=dash),
        base.mark_point(filled=True, opacity=1, size=60).encode(
            x=x, y=y, color=colour, shape=shape
        ),
        base.transform_filter(alt.datum.edition == last)
        .mark_text(align="left", dx=8, fontSize=FONT_SIZE, color=palette.TEXT)
        .encode(x=x, y=y, text="text:N"),
    ).properties(width=WIDTH, height=260)
    notes = list(trend.notes)
    for line in series:
        for change in line.changes:
            if change.tested and change.significant:
                p_text = format_p_value(change.p_value, locale=locale)
                notes.append(
                    f"{line.label}: significant change from {change.previous_edition} to "
                    f"{change.edition} ({p_text})."
                    if english
                    else f"{line.label} : évolution significative de {change.previous_edition} "
                    f"à {change.edition} ({p_text})."
                )
    description = f"{'Change:' if english else 'Évolution :'} {trend.label}. " + " ; ".join(
        f"{d['series']} {d['edition']} {d['text']}" for d in data
    )
    return _finish(chart, description=description, notes=notes, language=locale)


def benchmark_dots(result: Benchmark) -> dict[str, Any]:
    """The peers' weighted distribution (dots and intervals) with the respondent's own answer
    marked "Votre réponse"."""
    estimate = result.peers
    own = result.own
    if estimate.kind in ("number", "score"):
        rows = [r for r in estimate.rows_for() if r.key in ("median", "mean") and not r.suppressed]
        data: list[dict[str, Any]] = [
            {
                "label": _wrap(r.item_label or r.label),
                "value": r.estimate,
                "low": r.ci_low,
                "high": r.ci_high,
                "text": format_number(r.estimate),
                "who": "Territoires comparables",
            }
            for r in rows
        ]
        for column, value in own.items():
            if value is not None:
                data.append(
                    {
                        "label": "Votre réponse",
                        "value": value,
                        "low": value,
                        "high": value,
                        "text": format_number(value),
                        "who": "Votre réponse",
                        "column": column,
                    }
                )
        x = alt.X("value:Q", title=_estimate_label(estimate))
    else:
        chosen: set[tuple[str | None, str]] = set()
        for column, value in own.items():
            values = value if isinstance(value, list) else [value]
            item = column if estimate.kind == "likert" else None
            chosen |= {(item, str(v)) for v in values if v is not None}
        rows = [r for r in estimate.rows_for() if r.statistic == "proportion"]
        data = [
            {
                "label": _wrap((f"{r.item_label} – " if r.item_label else "") + r.label),
                "value": r.estimate,
                "low": r.ci_low,
                "high": r.ci_high,
                "text": format_percent(r.estimate)
                + (" ◀ votre réponse" if (r.item, r.key) in chosen else ""),
                "who": "Votre réponse" if (r.item, r.key) in chosen else "Territoires comparables",
            }
            for r in rows
            if not r.suppressed and r.estimate is not None
        ]
        x = alt.X(
            "value:Q",
            title="Part des territoires comparables, IC à 95 %",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format=".0%"),
        )
    order = list(dict.fromkeys(d["label"] for d in data))
    y = alt.Y(
        "label:N", sort=order, title=None, axis=alt.Axis(labelExpr=_MULTILINE, labelLimit=300)
    )
    who = alt.Color(
        "who:N",
        scale=alt.Scale(
            domain=["Territoires comparables", "Votre réponse"],
            range=[palette.BAR, palette.CATEGORICAL[1]],
        ),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    shape = alt.Shape(
        "who:N",
        scale=alt.Scale(
            domain=["Territoires comparables", "Votre réponse"], range=["circle", "diamond"]
        ),
        legend=None,
    )
    base = alt.Chart(_inline(data))
    chart = alt.layer(
        base.mark_rule(color=palette.RULE).encode(y=y, x="low:Q", x2="high:Q"),
        base.mark_point(filled=True, opacity=1, size=80).encode(y=y, x=x, color=who, shape=shape),
        base.mark_text(align="left", dx=8, color=palette.TEXT, fontSize=FONT_SIZE).encode(
            y=y, x="high:Q", text="text:N"
        ),
    ).properties(width=WIDTH, height=_height(order))
    peers = ", ".join(f"{k} {v}" for k, v in result.peer_filter.items())
    notes = list(result.notes) + _suppressed_note(estimate.rows)
    notes.append(f"Territoires comparables : {peers} ({result.n_peers} répondants, vous exclu).")
    description = (
        f"{_estimate_label(estimate)} : vos réponses et celles des territoires comparables. "
        + " ; ".join(f"{d['label'].replace(chr(10), ' ')} {d['text']}" for d in data)
    )
    return _finish(chart, description=description, notes=notes)
