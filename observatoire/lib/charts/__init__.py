"""Charts of the barometer: Vega-Lite specs (altair), server-side SVG (vl-convert), data tables.

spec = chart_for(estimate)                 # a dict; json.dumps(spec) for the browser
svg = render_svg(spec, title=estimate.label)
table = data_table(estimate)               # caption, headers, rows, notes
"""

from .format import (
    describe_problem,
    format_interval,
    format_number,
    format_p_value,
    format_percent,
    format_range,
    format_test,
)
from .render import render_svg
from .specs import (
    benchmark_dots,
    bracket_bars,
    chart_for,
    crosstab_bars,
    likert_bars,
    number_summary,
    proportion_bars,
    score_dots,
    trend_lines,
)
from .tables import data_table, figure_cells, independence_note, trend_table

__all__ = [
    "benchmark_dots",
    "bracket_bars",
    "chart_for",
    "crosstab_bars",
    "data_table",
    "describe_problem",
    "figure_cells",
    "format_interval",
    "format_number",
    "format_p_value",
    "format_percent",
    "format_range",
    "format_test",
    "independence_note",
    "likert_bars",
    "number_summary",
    "proportion_bars",
    "render_svg",
    "score_dots",
    "trend_lines",
    "trend_table",
]
