"""The community clusterer: finds separated groups, keeps the finest reproducible level,
falls back to a coarse level on structureless data, and is deterministic."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from rtc_nlp import CommunityClusterer
from rtc_nlp.themes.cluster import NARROW_MARGIN, NestedWard, nearest_neighbors


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _blobs(n_groups: int = 6, per_group: int = 80, dim: int = 40, spread: float = 0.25, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = _unit(rng.normal(size=(n_groups, dim)))
    truth = np.repeat(np.arange(n_groups), per_group)
    points = centres[truth] + spread * rng.normal(size=(len(truth), dim)) / np.sqrt(dim)
    order = rng.permutation(len(truth))
    return _unit(points[order]).astype(np.float32), truth[order]


def test_separated_groups_are_found_and_reproducible():
    X, truth = _blobs()
    clusterer = CommunityClusterer(random_state=0)
    labels = clusterer.fit_predict(X)
    assert adjusted_rand_score(truth, labels) > 0.95
    assert clusterer.reproducible_ and clusterer.stability_ >= 0.9


def test_structureless_data_falls_back_to_the_coarsest_level():
    rng = np.random.default_rng(1)
    X = _unit(rng.normal(size=(600, 50))).astype(np.float32)
    clusterer = CommunityClusterer(random_state=0)
    labels = clusterer.fit_predict(X)
    # Every level was tried and rejected as seed-dependent (a level of one community ends the search).
    levels = clusterer.levels_
    assert [level["resolution"] for level in levels] == list(clusterer.resolutions)[: len(levels)]
    several = [level for level in levels if level["n_communities"] >= 2]
    assert all(level["stability"] < 0.9 for level in several)
    assert not clusterer.reproducible_
    assert clusterer.resolution_ == several[-1]["resolution"]
    fine = CommunityClusterer(resolutions=(4.0,), random_state=0).fit_predict(X)
    assert 2 <= len(np.unique(labels)) < len(np.unique(fine))


def _closest_call(clusterer: CommunityClusterer) -> float:
    """How close the levels tried came to the thresholds that decided between them."""
    gaps = [
        abs(level["stability"] - clusterer.min_stability) for level in clusterer.levels_ if level["n_communities"] >= 2
    ]
    gaps += [
        abs(level["nesting"] - clusterer.min_nesting) for level in clusterer.levels_ if level["nesting"] is not None
    ]
    return min(gaps)


def test_a_level_chosen_by_a_narrow_margin_is_flagged_without_changing_the_themes():
    X, _ = _blobs()
    default = CommunityClusterer(random_state=0)
    labels = default.fit_predict(X)
    stability = default.levels_[0]["stability"]
    assert default.margin_ == pytest.approx(_closest_call(default))
    assert not default.narrow_margin_ and default.margin_ >= NARROW_MARGIN
    # The same level, held to a threshold just below its stability: a close call.
    close = CommunityClusterer(random_state=0, min_stability=stability - 0.01)
    np.testing.assert_array_equal(close.fit_predict(X), labels)
    assert close.narrow_margin_ and close.margin_ == pytest.approx(0.01)


def _nested_blobs(seed: int = 0):
    """4 groups, each made of 3 overlapping subgroups of 60 points."""
    rng = np.random.default_rng(seed)
    dim = 40
    groups = _unit(rng.normal(size=(4, dim)))
    subs = _unit(np.repeat(groups, 3, axis=0) + 0.4 * rng.normal(size=(12, dim)) / np.sqrt(dim))
    sub_truth = np.repeat(np.arange(12), 60)
    points = _unit(subs[sub_truth] + 0.5 * rng.normal(size=(len(sub_truth), dim)) / np.sqrt(dim))
    return points.astype(np.float32), sub_truth // 3, sub_truth


def test_a_walk_counts_its_nesting_calls_in_the_margin():
    X, _, _ = _nested_blobs()
    clusterer = CommunityClusterer(
        resolutions=(2.0, 1.0, 0.5, 0.25, 0.12, 0.06), n_runs=5, min_nesting=0.7, random_state=0
    )
    clusterer.fit_predict(X)
    assert any(level["nesting"] is not None for level in clusterer.levels_)
    assert clusterer.margin_ == pytest.approx(_closest_call(clusterer))
    assert clusterer.narrow_margin_ == (clusterer.margin_ < NARROW_MARGIN)


def test_walks_to_coarser_levels_while_they_are_reproducible_and_close():
    X, groups, subgroups = _nested_blobs()
    fine = CommunityClusterer(resolutions=(2.0,), random_state=0).fit_predict(X)
    assert adjusted_rand_score(subgroups, fine) > 0.9  # the finest level sees the subgroups
    walk = {"resolutions": (2.0, 1.0, 0.5, 0.25, 0.12, 0.06), "n_runs": 5, "random_state": 0}
    default = CommunityClusterer(resolutions=walk["resolutions"], random_state=0).fit_predict(X)
    np.testing.assert_array_equal(default, fine)  # without min_nesting: the finest reproducible level
    clusterer = CommunityClusterer(min_nesting=0.7, **walk)
    labels = clusterer.fit_predict(X)
    assert len(np.unique(labels)) < len(np.unique(fine))
    assert adjusted_rand_score(groups, labels) > adjusted_rand_score(groups, fine) + 0.2
    # The level kept is the last of an unbroken run of reproducible levels, each close to the
    # one kept before it; the level after it (if any) breaks the run.
    tried = clusterer.levels_
    kept = [level["resolution"] for level in tried].index(clusterer.resolution_)
    first = next(i for i, level in enumerate(tried) if level["stability"] >= 0.9)
    for level in tried[first + 1 : kept + 1]:
        assert level["stability"] >= 0.9 and level["nesting"] >= 0.7
    if kept + 1 < len(tried):
        after = tried[kept + 1]
        assert after["n_communities"] < 2 or after["stability"] < 0.9 or after["nesting"] < 0.7
    # Asking each step to change less stops the walk earlier, at more themes.
    strict = CommunityClusterer(min_nesting=0.95, **walk).fit_predict(X)
    assert len(np.unique(labels)) < len(np.unique(strict)) <= len(np.unique(fine))


def test_same_seed_same_labels_numbered_by_first_row():
    X, _ = _blobs(seed=3)
    a = CommunityClusterer(random_state=7).fit_predict(X)
    b = CommunityClusterer(random_state=7).fit_predict(X)
    np.testing.assert_array_equal(a, b)
    _, first = np.unique(a, return_index=True)
    assert list(a[np.sort(first)]) == list(range(a.max() + 1))


def test_global_random_state_is_left_alone():
    X, _ = _blobs(seed=4)
    random.seed(123)
    before = random.getstate()
    CommunityClusterer(random_state=0).fit_predict(X)
    assert random.getstate() == before


@pytest.mark.parametrize(
    "params",
    [
        {"n_neighbors": 1},
        {"resolutions": ()},
        {"resolutions": (1.0, -2.0)},
        {"n_runs": 0},
        {"min_stability": 1.5},
        {"min_nesting": -0.1},
    ],
)
def test_bad_parameters_are_refused(params):
    X, _ = _blobs(n_groups=2, per_group=10)
    with pytest.raises(ValueError):
        CommunityClusterer(**params).fit_predict(X)


def test_tiny_inputs():
    assert list(CommunityClusterer().fit_predict(np.eye(2, dtype=np.float32))) == [0, 0]
    X, _ = _blobs(n_groups=2, per_group=3)
    assert len(CommunityClusterer().fit_predict(X)) == 6


def test_nearest_neighbors_matches_brute_force():
    X, _ = _blobs(n_groups=3, per_group=30, seed=5)
    got = nearest_neighbors(X, 6, block=7)
    sims = X @ X.T
    np.fill_diagonal(sims, np.inf)
    want = np.argsort(-sims, axis=1, kind="stable")[:, :6]
    assert (got[:, 0] == np.arange(len(X))).all()
    for row_got, row_want, row_sims in zip(got, want, sims):
        np.testing.assert_allclose(np.sort(row_sims[row_got]), np.sort(row_sims[row_want]))


def test_theme_model_reports_what_the_clusterer_chose(survey):
    from rtc_nlp import ThemeModel
    from rtc_nlp.cli.commands import format_summary

    model = ThemeModel(embedder="lexical", clusterer=CommunityClusterer(n_neighbors=5), random_state=0).fit(survey)
    clustering = model.summary_["clustering"]
    assert clustering["method"] == "CommunityClusterer"
    assert 0.0 <= clustering["stability"] <= 1.0 and clustering["resolution"] in (2.0, 1.0, 0.5)
    assert f"themes agree {clustering['stability']:.2f}" in format_summary(model)
    assert clustering["margin"] >= 0.05 and "narrow margin" not in format_summary(model)
    # Held to a threshold just below the stability it found, the same themes come with a caution.
    close = CommunityClusterer(n_neighbors=5, min_stability=clustering["stability"] - 0.02)
    flagged = ThemeModel(embedder="lexical", clusterer=close, random_state=0).fit(survey)
    assert flagged.summary_["clustering"]["narrow_margin"] is True
    assert "narrow margin (0.020)" in format_summary(flagged)
    pd.testing.assert_frame_equal(flagged.assignments_, model.assignments_)


def test_small_input_clusterer_reads_a_square_matrix_as_points():
    """Six answers in six dimensions whose vectors happen to form a symmetric matrix with a zero
    diagonal: still six points in two groups, not a matrix of distances (and no scipy warning)."""
    import warnings

    from rtc_nlp import SilhouetteAgglomerative

    near, far = np.ones((3, 3)) - np.eye(3), np.full((3, 3), 9.0)
    X = np.block([[near, far], [far, near]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # only inside this block
        labels = SilhouetteAgglomerative().fit_predict(X)
    assert adjusted_rand_score([0, 0, 0, 1, 1, 1], labels) == 1.0


def test_nested_ward_takes_a_square_symmetric_set_of_vectors_for_what_it_is():
    # Four short answers whose vectors happen to form a symmetric matrix with a zero diagonal:
    # scipy warned they looked like a distance matrix, a false alarm a user would see.
    X = np.ones((4, 4)) - np.eye(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = NestedWard().fit(X)
    assert len(model.labels_) == 4
