"""Agreement figures, checked against independent implementations and published examples."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn import metrics

from rtc_nlp.validation.agreement import cohen_kappa, krippendorff_alpha_nominal, partition_scores


def _random_pairs(n_cases: int = 120, seed: int = 0):
    rng = np.random.default_rng(seed)
    for case in range(n_cases):
        n = int(rng.integers(2, 80))
        pred = rng.integers(0, int(rng.integers(1, 9)), n)
        truth = rng.integers(0, int(rng.integers(1, 9)), n)
        if case % 4 == 0:  # partly agreeing labelings, not only noise
            keep = rng.random(n) < 0.7
            truth = np.where(keep, pred, truth)
        yield pred, truth


def test_partition_scores_match_scikit_learn():
    for pred, truth in _random_pairs():
        got = partition_scores(pred, truth)
        h, c, v = metrics.homogeneity_completeness_v_measure(truth, pred)
        want = {
            "ari": metrics.adjusted_rand_score(truth, pred),
            "ami": metrics.adjusted_mutual_info_score(truth, pred),
            "nmi": metrics.normalized_mutual_info_score(truth, pred),
            "homogeneity": h,
            "completeness": c,
            "v_measure": v,
        }
        for name, value in want.items():
            assert got[name] == pytest.approx(value, abs=1e-9), (name, pred, truth)


def test_accuracy_is_the_best_one_to_one_matching():
    rng = np.random.default_rng(1)
    for _ in range(40):
        n = int(rng.integers(3, 30))
        pred, truth = rng.integers(0, 4, n), rng.integers(0, 4, n)
        p_labels, t_labels = np.unique(pred), np.unique(truth)
        best = 0
        # Brute force over every injective map between the smaller and the larger label set.
        small, large, flip = (
            (p_labels, t_labels, False) if len(p_labels) <= len(t_labels) else (t_labels, p_labels, True)
        )
        for image in itertools.permutations(large, len(small)):
            mapping = dict(zip(small, image))
            if flip:
                hits = sum(mapping.get(t) == p for p, t in zip(pred, truth))
            else:
                hits = sum(mapping.get(p) == t for p, t in zip(pred, truth))
            best = max(best, hits)
        assert partition_scores(pred, truth)["accuracy"] == pytest.approx(best / n)


def test_purity_shows_merges_and_inverse_purity_shows_splits():
    truth = np.array(list("aaaabbbbcccc"))
    merged = np.array(list("xxxxxxxxyyyy"))  # a and b merged into one theme
    split = np.array(list("xxyyzzzzwwww"))  # a split in two
    assert partition_scores(merged, truth)["purity"] < 1 == partition_scores(merged, truth)["inverse_purity"]
    assert partition_scores(split, truth)["inverse_purity"] < 1 == partition_scores(split, truth)["purity"]


def test_cohen_kappa_matches_scikit_learn():
    for pred, truth in _random_pairs(seed=2):
        if len(np.unique(np.concatenate([pred, truth]))) < 2:
            continue
        assert cohen_kappa(pred, truth) == pytest.approx(metrics.cohen_kappa_score(pred, truth), abs=1e-9)


def test_krippendorff_alpha_published_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example A:
    # binary data, two observers, no missing data: alpha = 0.095.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha_nominal(np.array(a), np.array(b)) == pytest.approx(0.095, abs=5e-4)


def test_krippendorff_alpha_matches_the_krippendorff_package():
    krippendorff = pytest.importorskip("krippendorff")
    for pred, truth in _random_pairs(seed=3):
        if len(np.unique(np.concatenate([pred, truth]))) < 2:
            continue
        want = krippendorff.alpha(
            reliability_data=np.vstack([pred, truth]).astype(float), level_of_measurement="nominal"
        )
        assert krippendorff_alpha_nominal(pred, truth) == pytest.approx(want, abs=1e-9)


def test_perfect_agreement_under_other_names():
    truth = np.array(list("aabbbcc"))
    pred = np.array([{"a": 7, "b": 1, "c": 3}[t] for t in truth])
    scores = partition_scores(pred, truth)
    for name in ("accuracy", "cohen_kappa", "krippendorff_alpha", "ari", "ami", "nmi", "purity", "inverse_purity"):
        assert scores[name] == pytest.approx(1.0), name
