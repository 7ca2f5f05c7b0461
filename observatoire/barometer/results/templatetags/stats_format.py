"""Template filters that print statistics in the page's language, never as nonsense.

    {% load stats_format %}
    {{ share|percent }}              42,3 %   (42.3% on /en/)
    {{ value|number:2 }}             1 234,57
    {{ row|interval }}               [35,1 ; 49,8 %], "fixé par la pondération", or why not
    {{ row|figure }}                 the row's value (the frame's share when fixed)
    {{ p|p_value }}                  p = 0,012 / p < 0,001
    {{ test|test_result }}           F(2 ; 45,3) = 4,21 ; p < 0,001, or why there is no test
    {{ test|is_valid_test }}         True when the test can be printed (for a verdict)

`row` is an `EstimateRow`, a `TrendPoint` or their dicts; `test` a test dict of an estimate
(`QuestionEstimate.test`). The words come from `observatoire.lib.charts.format`.
"""

from typing import Any

from django import template
from django.utils.translation import get_language

from observatoire.lib.charts.format import (
    describe_problem,
    format_number,
    format_p_value,
    format_percent,
    format_test,
)
from observatoire.lib.charts.tables import figure_cells
from observatoire.lib.stats.checks import problem_of_test

register = template.Library()


def _locale() -> str:
    return get_language() or "fr"


def _get(row: Any, name: str, default: Any = None) -> Any:
    if isinstance(row, dict):
        return row.get(name, default)
    return getattr(row, name, default)


def _row_cells(row: Any, statistic: str | None = None) -> tuple[str, str]:
    return figure_cells(
        statistic=statistic or _get(row, "statistic", "proportion"),
        estimate=_get(row, "estimate"),
        ci_low=_get(row, "ci_low"),
        ci_high=_get(row, "ci_high"),
        fixed=bool(_get(row, "fixed", False)),
        problem=_get(row, "problem", "") or "",
        locale=_locale(),
    )


@register.filter
def number(value: Any, digits: int = 1) -> str:
    try:
        return format_number(
            None if value in (None, "") else float(value), int(digits), locale=_locale()
        )
    except (TypeError, ValueError):
        return format_number(None)


@register.filter
def percent(share: Any, digits: int = 1) -> str:
    try:
        return format_percent(
            None if share in (None, "") else float(share), int(digits), locale=_locale()
        )
    except (TypeError, ValueError):
        return format_percent(None)


@register.filter
def figure(row: Any, statistic: str | None = None) -> str:
    return _row_cells(row, statistic)[0]


@register.filter
def interval(row: Any, statistic: str | None = None) -> str:
    return _row_cells(row, statistic)[1]


@register.filter
def p_value(value: Any) -> str:
    try:
        return format_p_value(None if value in (None, "") else float(value), locale=_locale())
    except (TypeError, ValueError):
        return format_p_value(None)


@register.filter
def is_valid_test(test: Any) -> bool:
    return bool(test) and not problem_of_test(dict(test))


@register.filter
def test_result(test: Any) -> str:
    if not test:
        return ""
    test = dict(test)
    problem = problem_of_test(test)
    if problem:
        return describe_problem(problem, locale=_locale())
    return format_test(
        test.get("statistic"),
        test.get("df_num"),
        test.get("df_den"),
        test.get("p_value"),
        locale=_locale(),
    )
