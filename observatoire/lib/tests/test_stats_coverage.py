"""Statistical correctness: the weighted 95% intervals cover the true value, the unweighted
estimate does not (non-response depends on kind and size, like the outcome)."""

import pytest

from observatoire.lib.stats.simulation import coverage_study, synthetic_population


@pytest.mark.slow
def test_weighted_intervals_cover_the_truth_and_unweighted_estimate_is_biased() -> None:
    # Half the frame's size (about 85 respondents each time), 200 replications: ~10 s.
    population = synthetic_population(7, scale=0.5)
    study = coverage_study(population, replications=200, seed=11)
    assert study.coverage_weighted >= 0.90, study
    assert abs(study.bias_weighted) < 0.02, study
    assert study.bias_unweighted > 0.08, study
    assert study.coverage_unweighted < 0.6, study
    assert study.seconds < 30, study
