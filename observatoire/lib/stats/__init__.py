"""Statistics of the barometer: weights, estimates with intervals, trends, peers, costs.

Plain functions over plain data (pandas DataFrames, dicts); no Django. See docs/statistics.md.
"""

from .benchmark import Benchmark, benchmark
from .checks import fixed_by_margins, interval_problem, problem_of_test
from .costs import CostRange, CostSummary, cost_ranges, honest_range
from .diagnostics import design_diagnostics, r_indicator, standardised_difference
from .estimates import (
    DEFAULT_THRESHOLD,
    SUPPRESSED_LABEL,
    Analysis,
    EditionAnalysis,
    EstimateRow,
    QuestionEstimate,
    analyse_edition,
    crosstab,
    estimate_question,
)
from .questions import (
    Option,
    QuestionSpec,
    as_spec,
    bracket_bounds,
    derived_answers,
    questions_from_form,
)
from .recoding import Recode, apply_recoding, other_texts
from .trends import (
    DistributionTest,
    QuestionLink,
    QuestionMatch,
    TrendResult,
    match_questions,
    trend,
)
from .variance import CI_METHODS, CiMethod
from .weighting import (
    Cell,
    WeightingError,
    WeightingResult,
    collapse_cells,
    compute_weights,
    kish_effective_n,
    repeat_weighting,
)

__all__ = [
    "CI_METHODS",
    "DEFAULT_THRESHOLD",
    "SUPPRESSED_LABEL",
    "Analysis",
    "Benchmark",
    "Cell",
    "CiMethod",
    "CostRange",
    "CostSummary",
    "DistributionTest",
    "EditionAnalysis",
    "EstimateRow",
    "Option",
    "QuestionEstimate",
    "QuestionLink",
    "QuestionMatch",
    "QuestionSpec",
    "Recode",
    "TrendResult",
    "WeightingError",
    "WeightingResult",
    "analyse_edition",
    "apply_recoding",
    "as_spec",
    "benchmark",
    "bracket_bounds",
    "collapse_cells",
    "compute_weights",
    "cost_ranges",
    "crosstab",
    "derived_answers",
    "design_diagnostics",
    "estimate_question",
    "fixed_by_margins",
    "honest_range",
    "interval_problem",
    "kish_effective_n",
    "match_questions",
    "other_texts",
    "problem_of_test",
    "questions_from_form",
    "r_indicator",
    "repeat_weighting",
    "standardised_difference",
    "trend",
]
