"""The figures the theme benchmark adds to separate a wrong number of themes from wrong contents."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

_spec = importlib.util.spec_from_file_location(
    "bench_themes", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_themes.py"
)
bench_themes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_themes)


@pytest.mark.parametrize("seed", range(5))
def test_ari_bound_is_never_below_the_ari_of_clusters_of_those_sizes(seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, 200)
    pred = rng.integers(0, 1 + seed * 7, 200)
    pred[: 40 + seed * 20] = truth[: 40 + seed * 20] + 100  # partly right, partly noise
    assert bench_themes.ari_bound(truth, pred) >= adjusted_rand_score(truth, pred) - 1e-12
    # Reassigning the same cluster sizes differently cannot beat the bound either.
    shuffled = rng.permutation(pred)
    assert bench_themes.ari_bound(truth, shuffled) == pytest.approx(bench_themes.ari_bound(truth, pred))
    assert bench_themes.ari_bound(truth, pred) >= adjusted_rand_score(truth, shuffled) - 1e-12


def test_ari_bound_is_reached_by_pure_clusters():
    truth = np.repeat(np.arange(4), 60)
    split = truth * 3 + np.tile(np.repeat(np.arange(3), 20), 4)  # each class cut in three
    assert len(np.unique(split)) == 12
    assert bench_themes.ari_bound(truth, split) == pytest.approx(adjusted_rand_score(truth, split))
    assert bench_themes.ari_bound(truth, truth + 7) == pytest.approx(1.0)
    assert bench_themes.ari_bound(truth, np.zeros_like(truth)) == pytest.approx(0.0)


def test_themes_within_reach_brackets_the_counts_that_can_reach_the_target():
    truth = np.repeat(np.arange(4), 60)
    assert bench_themes.themes_within_reach(truth, 1.0) == (4, 4)
    split = truth * 3 + np.tile(np.repeat(np.arange(3), 20), 4)
    reached = adjusted_rand_score(truth, split)  # 12 pure themes of equal size
    low, high = bench_themes.themes_within_reach(truth, reached - 1e-9)
    assert low <= 4 and high == 12
    assert bench_themes.themes_within_reach(truth, reached + 1e-6)[1] < 12
    assert bench_themes.themes_within_reach(truth, 1.01) is None
