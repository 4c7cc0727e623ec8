"""The one assignment rule: nearest theme, thresholds, multi-coding, ties."""

from __future__ import annotations

import numpy as np

from rtc_nlp.themes.assign import nearest_themes

PROTOTYPES = np.eye(3, dtype=np.float32)  # three orthogonal themes


def unit(*rows):
    vectors = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def test_nearest_theme_similarity_second_and_margin():
    vectors = unit([0.9, 0.1, 0.0], [0.0, 0.2, 0.8])
    found = nearest_themes(vectors, PROTOTYPES)
    assert found.theme.tolist() == [0, 2] and found.second.tolist() == [1, 1]
    np.testing.assert_allclose(found.similarity, [vectors[0, 0], vectors[1, 2]], rtol=1e-6)
    np.testing.assert_allclose(found.margin, [vectors[0, 0] - vectors[0, 1], vectors[1, 2] - vectors[1, 1]], rtol=1e-6)


def test_threshold_and_nothing_in_common_leave_answers_unclassified_with_their_reason():
    vectors = unit([1, 0, 0], [0.5, 0.5, 0.5], [0, 0, 0], [-1, 0, 0])
    found = nearest_themes(vectors, PROTOTYPES, min_similarity=0.7)
    assert found.theme.tolist() == [0, -1, -1, -1]
    assert found.reason.tolist() == ["", "below_min_similarity", "no_known_terms", "no_known_terms"]
    assert found.nearest[1] == 0  # the theme it nearly got is still named
    assert (found.codes[1:] == -1).all()


def test_a_second_code_within_ratio_of_the_best_and_above_the_threshold():
    vectors = unit([1.0, 0.95, 0.0], [1.0, 0.5, 0.0], [0.5, 0.5, 0.5])
    found = nearest_themes(vectors, PROTOTYPES, min_similarity=0.6, max_codes=2, ratio=0.9)
    assert found.codes.tolist() == [[0, 1], [0, -1], [-1, -1]]
    assert np.isnan(found.scores[1, 1]) and found.scores[0, 1] == np.float32(vectors[0, 1])


def test_ties_go_to_the_first_theme_and_rounding_makes_batches_agree():
    tie = unit([1, 1, 0])
    assert nearest_themes(tie, PROTOTYPES).theme.tolist() == [0]
    # Two themes that differ in the seventh decimal: rounded to 5, the first wins in any batch.
    near = np.array([[1.0, 0.0], [1.0 - 1e-7, np.sqrt(1 - (1.0 - 1e-7) ** 2)]], dtype=np.float64)
    vector = np.array([[1.0 - 5e-8, np.sqrt(1 - (1.0 - 5e-8) ** 2)]])
    assert nearest_themes(vector, near, decimals=5).theme.tolist() == [0]


def test_no_theme_left_standing_leaves_every_answer_unclassified():
    found = nearest_themes(unit([1, 0, 0], [0, 1, 0]), np.zeros((0, 3), dtype=np.float32), max_codes=2)
    assert found.theme.tolist() == [-1, -1] and set(found.reason) == {"below_min_similarity"}
    assert found.codes.shape == (2, 2)


def test_one_theme_has_no_second():
    found = nearest_themes(unit([1, 0]), np.array([[1.0, 0.0]], dtype=np.float32), max_codes=2)
    assert found.theme.tolist() == [0] and found.second.tolist() == [-1] and np.isnan(found.margin[0])


def test_assigning_in_blocks_gives_each_row_what_it_gets_alone(monkeypatch):
    import rtc_nlp.themes.assign as assign

    rng = np.random.default_rng(0)
    vectors = unit(*rng.normal(size=(50, 3)), [0, 0, 0], [1, 1, 0])  # with nothing in common and a tie
    whole = nearest_themes(vectors, PROTOTYPES, min_similarity=0.3, max_codes=2, ratio=0.5)
    monkeypatch.setattr(assign, "_BLOCK", 7)  # 8 blocks, the last one short
    blocked = nearest_themes(vectors, PROTOTYPES, min_similarity=0.3, max_codes=2, ratio=0.5)
    alone = [
        nearest_themes(vectors[i : i + 1], PROTOTYPES, min_similarity=0.3, max_codes=2, ratio=0.5) for i in (0, 50, 51)
    ]
    for field in ("theme", "similarity", "reason", "nearest", "second", "margin", "codes", "scores"):
        np.testing.assert_array_equal(getattr(blocked, field), getattr(whole, field))
        assert len(getattr(blocked, field)) == len(vectors)
    assert [a.theme[0] for a in alone] == blocked.theme[[0, 50, 51]].tolist()
    assert blocked.reason[50] == "no_known_terms" and blocked.theme[51] == 0
    assert len(nearest_themes(vectors[:0], PROTOTYPES, max_codes=2).codes) == 0
