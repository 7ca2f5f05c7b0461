"""Property tests on printed statistics (issue 18): on random editions and response sets,
every printed interval contains its estimate, shares' bounds lie within [0, 100] %, and no
printed figure is infinite, NaN or absurd (a test statistic without its degrees of freedom,
an F of 10¹⁵, "p = 0,000", "−0,0 pt").

Hypothesis draws the edition: the size of the frame, how many respond and how unevenly, the
threshold, the questionnaire (every question type, a question repeating the type of local
government, a number everyone answers alike, a question nobody answers) and a second edition
for the trends. `FUZZ_EXAMPLES` sets the number of examples (as in tests/test_fuzz.py).
"""

import json
import math
import os
import re

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from observatoire.lib.charts import data_table, trend_table
from observatoire.lib.stats import (
    Option,
    QuestionSpec,
    analyse_edition,
    compute_weights,
    trend,
)
from observatoire.lib.stats.simulation import (
    draw_respondents,
    synthetic_answers,
    synthetic_population,
    synthetic_questions,
)
from observatoire.lib.stats.weighting import WeightingError

EXAMPLES = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "15")),
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    # No shrinking: an example analyses two editions (seconds); the failing one is printed.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TYPE = QuestionSpec(
    name="type_collectivite",
    kind="single",
    label="Type de collectivité",
    options=tuple(
        Option(k, k) for k in ("commune", "intercommunalite", "departement", "region", "autre")
    ),
)
SAME = QuestionSpec(name="tous_pareil", kind="number", label="Tous pareil", unit="ETP")
NOBODY = QuestionSpec(
    name="personne", kind="single", label="Personne", options=(Option("a", "A"), Option("b", "B"))
)
TYPE_OF = {
    "commune": "commune",
    "epci": "intercommunalite",
    "departement": "departement",
    "region": "region",
}

# "[35,1 ; 49,8 %]" and "[35.1; 49.8%]", "[1,20 ; 3,40]"
INTERVAL = re.compile(r"\[(-?[\d\u00a0,.]+) ?; (-?[\d\u00a0,.]+)(\u202f?%)?\]")
NUMBER = re.compile(r"-?\d[\d\u00a0,.]*")
STATISTIC = re.compile(r"\b(F|z|X²|t)(\([^)]*\))? = (-?[\d\u00a0,.]+)")


def parse(text: str, locale: str) -> float:
    if locale == "en":
        return float(text.replace(",", ""))
    return float(text.replace("\u00a0", "").replace(",", "."))


def questionnaire(count: int) -> list[QuestionSpec]:
    return [TYPE, SAME, NOBODY, *synthetic_questions(count)]


def draw_edition(seed: int, scale: float, boost: float, count: int, missing: float):
    population = synthetic_population(seed % 7, scale=scale)
    rng = np.random.default_rng(seed)
    respondents = draw_respondents(population, rng, boost=boost)
    if len(respondents) < 2:
        return None
    specs = questionnaire(count)
    answers = synthetic_answers(specs[3:], respondents.index, rng, missing=missing)
    answers[TYPE.name] = respondents["kind"].map(TYPE_OF)
    answers[SAME.name] = 1.0
    answers[NOBODY.name] = None
    try:
        weighting = compute_weights(
            respondents[["kind", "band", "region"]], population.frame[["kind", "band", "region"]]
        )
    except WeightingError:
        return None
    return specs, answers, weighting


editions = st.tuples(
    st.integers(0, 10_000),  # seed
    st.sampled_from([0.03, 0.06, 0.12, 0.25]),  # frame size (× the 2026 frame)
    st.floats(0.3, 6.0),  # response boost: from a handful to most of the frame
    st.integers(4, 14),  # questions
    st.sampled_from([0.0, 0.05, 0.4]),  # missing answers
)


def check_printed(table: dict, locale: str) -> None:
    """Every cell and note of a printed table."""
    texts = [str(cell) for row in table["rows"] for cell in row] + list(table["notes"])
    for text in texts:
        lowered = text.lower()
        assert "nan" not in re.findall(r"[a-z]+", lowered), text
        assert "inf" not in re.findall(r"[a-z]+", lowered) and "∞" not in text, text
        assert "none" not in re.findall(r"[a-z]+", lowered), text
        assert "p = 0,000" not in text and "p = 0.000" not in text, text
        assert not re.search(r"[-−]0[,.]0 pt", text), text
        for match in STATISTIC.finditer(text):
            assert match[2], f"a statistic without its degrees of freedom: {text}"
            assert abs(parse(match[3], locale)) < 1e6, f"an absurd statistic: {text}"
    for row in table["rows"]:
        cells = [str(cell) for cell in row]
        for index, cell in enumerate(cells):
            found = INTERVAL.fullmatch(cell)
            if not found:
                assert not INTERVAL.search(cell) or "Tranche" in cell, cell
                continue
            low, high = parse(found[1], locale), parse(found[2], locale)
            assert math.isfinite(low) and math.isfinite(high) and low <= high, cell
            value = NUMBER.search(cells[index - 1])
            assert value, cells
            estimate = parse(value[0].rstrip(".,"), locale)
            # Rounded figures: the printed estimate lies within the printed bounds.
            assert low - 0.051 <= estimate <= high + 0.051, cells
            if found[3]:
                assert -0.05 <= low and high <= 100.05, cells
                assert not (low <= 0.05 and high >= 99.95 and 0 < estimate < 100), cells


def check_rows(estimate) -> None:
    """The figures themselves, before printing."""
    for row in estimate.rows:
        if row.suppressed:
            assert row.estimate is None and row.ci_low is None and row.ci_high is None
            continue
        if row.fixed or row.problem:
            assert row.ci_low is None and row.ci_high is None, row
            continue
        if row.ci_low is None or row.ci_high is None:
            assert row.statistic == "quantile", row
            continue
        assert row.ci_low - 1e-9 <= row.estimate <= row.ci_high + 1e-9, row
        if row.statistic == "proportion":
            assert 0 <= row.ci_low and row.ci_high <= 1, row
    if estimate.test is not None and not estimate.test.get("problem"):
        test = estimate.test
        assert test["df_num"] is not None and test["df_den"] is not None, test
        assert math.isfinite(test["statistic"]) and 0 <= test["p_value"] <= 1, test


@EXAMPLES
@given(first=editions, second=editions, threshold=st.sampled_from([1, 3, 10]))
def test_printed_statistics_are_never_nonsense(first, second, threshold):
    drawn = [draw_edition(*first), draw_edition(*second)]
    analyses = []
    for edition in drawn:
        if edition is None:
            analyses.append(None)
            continue
        specs, answers, weighting = edition
        analysis = analyse_edition(
            specs,
            answers,
            weighting,
            by=("kind", "region"),
            threshold=threshold,
            tests=True,
        )
        json.dumps(analysis.to_dict(), allow_nan=False)  # the cache: JSON without NaN
        for estimate in [
            *analysis.estimates.values(),
            *(e for by in analysis.crosstabs.values() for e in by.values()),
        ]:
            check_rows(estimate)
            for locale in ("fr", "en"):
                check_printed(data_table(estimate, locale=locale), locale)
        type_row = analysis.estimates[TYPE.name].row("commune")
        if not type_row.suppressed and weighting.strata["kind"].nunique() > 1:
            assert type_row.fixed, "the type of local government is a weighting margin"
        analyses.append(analysis)
    if None in analyses:
        return
    for name, later in analyses[1].estimates.items():
        earlier = analyses[0].estimates.get(name)
        if earlier is None or later.unit != "respondent":
            continue
        result = trend([("2018", earlier), ("2026", later)])
        for series in result.series:
            for change in series.changes:
                if change.tested:
                    assert math.isfinite(change.p_value) and 0 <= change.p_value <= 1
                    assert (change.se or 0) > 0
        for test in result.distribution_tests:
            if test.tested:
                assert test.df_num and test.df_den and 0 <= (test.p_value or 0) <= 1
        for locale in ("fr", "en"):
            check_printed(trend_table(result, locale=locale), locale)
