"""The fast path for large files: a lexical student of a slow encoder, with routing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_themes import _many_answers

import rtc_nlp.embedders.student as student_module
from rtc_nlp import LexicalEmbedder, ThemeModel
from rtc_nlp.embedders.student import LexicalStudent, calibrate, margins, routed
from rtc_nlp.errors import ModelFileError

EMBEDDED: list[str] = []  # every text the "encoder" below embedded, in order


class SlowEncoder(LexicalEmbedder):
    """A stand-in for a pretrained encoder: lexical vectors, but flagged slow, and counted."""

    fast = False

    def transform(self, texts):
        EMBEDDED.extend(texts)
        return super().transform(texts)


def test_the_student_learns_the_encoders_space_from_the_texts(monkeypatch):
    texts = _many_answers(40)
    rng = np.random.default_rng(0)
    truth = np.repeat(np.arange(3), 40)
    # The "encoder" puts each topic in its own direction, with noise: only the words tell which.
    target = np.eye(3)[truth] + rng.normal(scale=0.2, size=(len(texts), 3))
    train = rng.permutation(len(texts))
    train, test = train[:60], train[60:]
    student = LexicalStudent().fit([texts[i] for i in train], target[train])
    predicted = student.transform([texts[i] for i in test])
    assert np.allclose(np.linalg.norm(predicted, axis=1), 1.0, atol=1e-5)
    assert (np.argmax(predicted, axis=1) == truth[test]).mean() >= 0.9
    # Threads change nothing (the batches are the same); batches only the last bits.
    monkeypatch.setattr(student_module, "_BATCH", 7)
    batched = student.transform(texts)
    assert np.array_equal(student.transform(texts, n_jobs=2), batched)
    np.testing.assert_allclose(batched, student.lexical_.transform(texts), atol=1e-6)
    # A text with no known term gets a zero vector, which is always routed to the encoder.
    assert not student.transform(["zzzz qqqq"]).any()
    # The Gram matrix built in blocks of rows, by threads, gives the same student.
    monkeypatch.setattr(student_module, "_GRAM_BLOCK", 9)
    fitted = [LexicalStudent().fit([texts[i] for i in train], target[train], n_jobs=j) for j in (1, 2)]
    assert [np.array_equal(f.lexical_.components_, student.lexical_.components_) for f in fitted] == [True, True]
    with pytest.raises(ValueError, match="one row per text"):
        LexicalStudent().fit(texts[:3], target[:2])


def test_margins_and_the_calibrated_threshold():
    centres = np.eye(3, dtype=np.float32)
    vectors = np.array([[1, 0, 0], [0.6, 0.5, 0], [0, 0, 0], [0, 0.2, 0.9]], dtype=np.float32)
    best, margin = margins(vectors, centres)
    assert best.tolist()[:2] == [0, 0] and best[3] == 2
    assert np.allclose(margin, [1.0, 0.1, 0.0, 0.7])
    assert margins(vectors, centres[:1])[1][0] == np.inf  # one theme: nothing to hesitate between
    # Ten answers by falling margin: the student agrees with the encoder on the first six, then
    # on one of the last four. The threshold keeps the longest run agreeing >= 0.75: the first
    # nine (7 of 9 agree; all ten would be 7 of 10).
    margin_values = np.linspace(1.0, 0.1, 10, dtype=np.float32)
    agree = np.array([1, 1, 1, 1, 1, 1, 0, 1, 0, 0], dtype=bool)
    student = np.zeros((10, 2), np.float32)
    student[:, 0] = 0.5 + margin_values / 2
    student[:, 1] = 0.5 - margin_values / 2
    encoder = np.where(agree[:, None], [[1.0, 0.0]], [[0.0, 1.0]]).astype(np.float32)
    threshold, info = calibrate(student, encoder, np.eye(2, dtype=np.float32), agreement=0.75)
    assert threshold == pytest.approx((margin_values[8] + margin_values[9]) / 2, abs=1e-6)
    assert info["kept_agreement"] == pytest.approx(7 / 9, abs=1e-4) and info["routed_share"] == pytest.approx(0.1)
    assert routed(student, np.eye(2, dtype=np.float32), threshold).tolist() == [9]
    unknown = np.vstack([student, np.zeros((1, 2), np.float32)])  # a text with no known term
    assert routed(unknown, np.eye(2, dtype=np.float32), 0.0).tolist() == [10]
    nothing, _ = calibrate(student, encoder, np.eye(2, dtype=np.float32), agreement=1.01)
    assert nothing == np.inf  # no run agrees enough: every answer goes to the encoder


@pytest.fixture(scope="module")
def fast_fit():
    texts = _many_answers(60)
    EMBEDDED.clear()
    model = ThemeModel(
        embedder=SlowEncoder(n_components=20), max_fit_answers=60, student_above=100, cache_dir=False, verbose=False
    ).fit(texts)
    return texts, model, list(EMBEDDED)


def test_the_encoder_embeds_only_the_sample_and_the_routed_answers(fast_fit):
    texts, model, embedded = fast_fit
    info = model.summary_["fast_path"]
    assert info["distinct_answers"] == len(set(texts)) == 180
    assert info["student_answers"] == 30 and info["calibration_answers"] == 30
    # Embedded: the 60 answers of the sample, then the routed answers outside it, each once.
    assert len(embedded) == len(set(embedded)) == info["encoder_answers"] < 180
    sample = set(embedded[:60])
    assert set(embedded[60:]).isdisjoint(sample)
    assert info["encoder_answers"] - 60 <= info["routed"] <= 180
    assert (model.assignments_["status"] == "theme").all()
    # The student's themes still follow the topics.
    truth = np.repeat(np.arange(3), 60)  # _many_answers gives the three topics in blocks
    purity = sum(np.bincount(truth[model.assignments_["theme_id"] == t]).max() for t in model.themes_["theme_id"])
    assert purity / len(texts) >= 0.9


def test_recoding_takes_the_same_path_and_gives_the_same_themes(fast_fit, tmp_path):
    texts, model, _ = fast_fit
    EMBEDDED.clear()
    again = model.transform(texts)
    assert again["theme_id"].tolist() == model.assignments_["theme_id"].tolist()
    assert len(EMBEDDED) == model.summary_["fast_path"]["routed"]  # the student embeds the rest
    model.save(tmp_path / "model")
    document = json.loads((tmp_path / "model" / "model.json").read_text(encoding="utf-8"))
    assert document["student"]["threshold"] == pytest.approx(model.student_threshold_)
    assert (tmp_path / "model" / "student" / "lexical" / "components.npy").exists()
    loaded = ThemeModel.load(tmp_path / "model", cache_dir=False)
    assert loaded.transform(texts)["theme_id"].tolist() == model.assignments_["theme_id"].tolist()
    document["student"]["threshold"] = "0.1"  # tampered with: refused, not guessed
    (tmp_path / "model" / "model.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelFileError, match="student threshold must be a number, got '0.1'"):
        ThemeModel.load(tmp_path / "model", cache_dir=False)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(embedder=SlowEncoder(n_components=20), student_above=None),  # asked never to
        dict(embedder=SlowEncoder(n_components=20), student_above=500),  # too few answers
        dict(embedder="lexical", student_above=100),  # nothing to gain on the lexical embedder
        dict(embedder=SlowEncoder(n_components=20), student_above=100, max_fit_answers=None),  # no sample
    ],
    ids=["never", "below", "lexical", "no-sample"],
)
def test_every_answer_goes_through_the_embedder_off_the_fast_path(kwargs):
    texts = _many_answers(60)
    EMBEDDED.clear()
    model = ThemeModel(**{"max_fit_answers": 60, "cache_dir": False, "verbose": False, **kwargs}).fit(texts)
    assert model.student_ is None and model.summary_["fast_path"] == {}
    if isinstance(kwargs["embedder"], SlowEncoder):
        assert sorted(EMBEDDED) == sorted(set(texts))
