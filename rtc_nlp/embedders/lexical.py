"""The lexical embedder: TF-IDF on word and character n-grams, truncated SVD, L2.

Fully offline and first-class: fitted on the answers themselves, fast, and the basis of any
fast path for very large files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils.extmath import randomized_svd, svd_flip

from ..errors import ModelFileError
from ..estimator import check_fitted
from ..persist import load_array, read_json, save_array, write_json
from ..text import STOP_WORDS, strip_accents
from .base import EMBEDDER_FORMAT, EMBEDDER_FORMAT_VERSION, Embedder, l2_normalize, register_embedder
from .ngrams import NgramCounter

__all__ = ["LexicalEmbedder"]

#: Longer than any character n-gram and no word: a term no text can produce.
_NO_TERM = "\x00" * 8


@register_embedder
class LexicalEmbedder(Embedder):
    """TF-IDF on word and character n-grams, then truncated SVD and L2 normalisation.

    Parameters
    ----------
    n_components : int, default 100
        SVD dimension (capped by the number of texts and features).
    word_ngram_range, char_ngram_range : tuple of int
        n-gram ranges of the word and character (within word boundaries) analysers.
    min_df : int or None, default None
        Minimum number of texts a term must occur in; ``None`` means 2 from 50 texts up and 1
        below (a survey of 20 answers has few repeated words).
    max_features : int, default 200_000
        Cap on each vocabulary (most frequent terms kept), bounding memory on large inputs.
    stop_words : bool, default True
        Drop Italian and English function words from the word analyser.
    random_state : int, default 0
        Seed of the randomised SVD.
    """

    kind = "lexical"
    learns_from_texts = True
    parallel_safe = True
    fast = True

    def __init__(
        self,
        n_components: int = 100,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (3, 5),
        min_df: int | None = None,
        max_features: int = 200_000,
        stop_words: bool = True,
        random_state: int = 0,
    ) -> None:
        self.n_components = n_components
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.stop_words = stop_words
        self.random_state = random_state

    def get_config(self) -> dict[str, Any]:
        return {
            "n_components": self.n_components,
            "word_ngram_range": list(self.word_ngram_range),
            "char_ngram_range": list(self.char_ngram_range),
            "min_df": self.min_df,
            "max_features": self.max_features,
            "stop_words": self.stop_words,
            "random_state": self.random_state,
        }

    @property
    def description(self) -> str:
        return "lexical (TF-IDF word + character n-grams, SVD, offline)"

    def _vectorizers(self, vocabularies: Sequence[dict[str, int] | None], min_df: int) -> list[CountVectorizer]:
        stop = sorted({strip_accents(w) for w in STOP_WORDS}) if self.stop_words else None
        word, char = vocabularies
        return [
            CountVectorizer(
                analyzer="word",
                ngram_range=tuple(self.word_ngram_range),
                lowercase=True,
                strip_accents="unicode",
                stop_words=stop,
                min_df=min_df,
                max_features=self.max_features,
                vocabulary=word,
                dtype=np.float32,
            ),
            CountVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.char_ngram_range),
                lowercase=True,
                strip_accents="unicode",
                min_df=min_df,
                max_features=self.max_features,
                vocabulary=char,
                dtype=np.float32,
            ),
        ]

    def fit(self, texts: Sequence[str]) -> LexicalEmbedder:
        """Learn the vocabularies, idf weights and SVD basis from ``texts``."""
        if not (isinstance(self.n_components, int) and self.n_components >= 1):
            raise ValueError(f"n_components must be a positive int, got {self.n_components!r}")
        matrix = self.fit_terms(texts)
        rank = min(self.n_components, matrix.shape[0], matrix.shape[1])
        if min(matrix.shape) <= max(2 * rank, 200):
            # Small inputs: the exact SVD is cheap and has no random part.
            _, _, vt = np.linalg.svd(matrix.toarray().astype(np.float64), full_matrices=False)
            vt = vt[:rank]
        else:
            _, _, vt = randomized_svd(matrix, rank, n_iter=5, random_state=self.random_state)
        # Fix signs so that the basis does not depend on the SVD solver's arbitrary choice.
        _, vt = svd_flip(np.zeros((1, vt.shape[0])), vt, u_based_decision=False)
        self.set_components(vt)
        return self

    def fit_terms(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Learn the vocabularies and idf weights only (no basis), and return the weighted term
        matrix of ``texts`` (as :meth:`term_matrix` gives it). :meth:`set_components` then
        sets the basis, e.g. a regression onto another embedder's space."""
        texts = list(texts)
        if not texts:
            raise ValueError("LexicalEmbedder.fit needs at least one text")
        min_df = self.min_df if self.min_df is not None else (2 if len(texts) >= 50 else 1)
        self.vectorizers_ = []
        self.idf_ = []
        blocks = []
        for vectorizer in self._vectorizers([None, None], min_df):
            try:
                counts = vectorizer.fit_transform(texts)
            except ValueError:
                # No term survives (e.g. min_df on very short texts): retry keeping all terms.
                vectorizer.set_params(min_df=1)
                try:
                    counts = vectorizer.fit_transform(texts)
                except ValueError:
                    vectorizer.set_params(stop_words=None)
                    try:
                        counts = vectorizer.fit_transform(texts)
                    except ValueError:
                        # Not one term at all (e.g. a lone letter): a placeholder term that no
                        # text can produce, so every vector is zero and the caller says so.
                        vectorizer.set_params(vocabulary={_NO_TERM: 0})
                        counts = vectorizer.fit_transform(texts)
            df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
            idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
            fitted = CountVectorizer(**{**vectorizer.get_params(), "vocabulary": vectorizer.vocabulary_})
            self.vectorizers_.append(fitted)
            self.idf_.append(idf)
            blocks.append(self._weight(counts, idf))
        self._counter = NgramCounter(self.vectorizers_)
        return sp.hstack(blocks).tocsr()

    def term_matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The weighted term matrix of ``texts`` (sublinear tf times idf; the word and the
        character block each of norm 1/sqrt(2)), one column per term of the vocabularies."""
        check_fitted(self, "idf_")
        return sp.hstack(
            [self._weight(b, idf) for b, idf in zip(self._counter.transform(list(texts)), self.idf_)]
        ).tocsr()

    def set_components(self, components: np.ndarray) -> LexicalEmbedder:
        """Set the basis the weighted terms are projected on (one row per output dimension, one
        column per term), after :meth:`fit_terms` or :meth:`fit`."""
        check_fitted(self, "idf_")
        components = np.asarray(components, dtype=np.float32)
        n_terms = sum(len(idf) for idf in self.idf_)
        if components.ndim != 2 or components.shape[1] != n_terms:
            raise ValueError(f"components must have shape (k, {n_terms}), got {components.shape}")
        self.components_ = np.ascontiguousarray(components)
        self._ready()
        return self

    def _ready(self) -> None:
        """Build what every ``transform`` batch reuses: the vocabulary index, and the SVD
        basis laid out for the sparse product."""
        self._identity = None
        self._counter = NgramCounter(self.vectorizers_)
        self._basis = np.ascontiguousarray(self.components_.T)

    @staticmethod
    def _weight(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
        """Sublinear tf times idf, each row scaled to norm 1/sqrt(2), in float32."""
        weighted = sp.csr_matrix(counts, dtype=np.float32, copy=True)
        rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
        weighted.data = np.log1p(weighted.data) * idf[weighted.indices]
        norms = np.sqrt(
            np.bincount(rows, weights=np.square(weighted.data, dtype=np.float64), minlength=weighted.shape[0])
        )
        norms[norms == 0] = 1.0
        # Each block has unit norm, so words and characters weigh the same. float32
        # throughout: half the memory and time of the SVD's sparse products.
        weighted.data *= (1.0 / (norms * np.sqrt(2.0))).astype(np.float32)[rows]
        return weighted

    def _check_fitted(self) -> None:
        check_fitted(self, "components_")

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        self._check_fitted()
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.components_.shape[0]), dtype=np.float32)
        # Each block is projected on its own rows of the basis: no stacked copy.
        projected, start = np.zeros((len(texts), self._basis.shape[1]), dtype=np.float32), 0
        for block, idf in zip(self._counter.transform(texts), self.idf_):
            projected += self._weight(block, idf) @ self._basis[start : start + block.shape[1]]
            start += block.shape[1]
        return l2_normalize(projected)

    @property
    def identity(self) -> str:
        self._check_fitted()
        if getattr(self, "_identity", None) is None:
            digest = hashlib.sha256(json.dumps(self.get_config(), sort_keys=True).encode())
            for vectorizer, idf in zip(self.vectorizers_, self.idf_):
                vocab = sorted(vectorizer.vocabulary.items(), key=lambda kv: kv[1])
                digest.update("\x1f".join(term for term, _ in vocab).encode("utf-8"))
                digest.update(idf.tobytes())
            digest.update(self.components_.tobytes())
            self._identity = f"lexical:{digest.hexdigest()}"
        return self._identity

    def save(self, folder: str | Path) -> None:
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, vectorizer, idf in zip(("word", "char"), self.vectorizers_, self.idf_):
            vocab = sorted(vectorizer.vocabulary.items(), key=lambda kv: kv[1])
            write_json(
                folder / f"vocabulary_{name}.json",
                {"terms": [t for t, _ in vocab]},
                kind="rtc_nlp.vocabulary",
                version=1,
            )
            save_array(folder / f"idf_{name}.npy", idf)
        save_array(folder / "components.npy", self.components_)
        write_json(
            folder / "embedder.json",
            {"kind": self.kind, "config": self.get_config()},
            kind=EMBEDDER_FORMAT,
            version=EMBEDDER_FORMAT_VERSION,
        )

    @classmethod
    def _load(cls, folder: Path, config: dict[str, Any]) -> LexicalEmbedder:
        config = dict(config)
        for key in ("word_ngram_range", "char_ngram_range"):
            config[key] = tuple(config[key])
        embedder = cls(**config)
        embedder.vectorizers_, embedder.idf_ = [], []
        template = embedder._vectorizers([None, None], 1)
        for name, vectorizer in zip(("word", "char"), template):
            terms = read_json(folder / f"vocabulary_{name}.json", kind="rtc_nlp.vocabulary", max_version=1)["terms"]
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise ModelFileError(f"{folder / f'vocabulary_{name}.json'}: 'terms' must be a list of strings")
            idf = load_array(folder / f"idf_{name}.npy", shape=(len(terms),))
            embedder.vectorizers_.append(
                CountVectorizer(**{**vectorizer.get_params(), "vocabulary": {t: i for i, t in enumerate(terms)}})
            )
            embedder.idf_.append(idf.astype(np.float32))
        n_features = sum(len(v.vocabulary) for v in embedder.vectorizers_)
        embedder.components_ = load_array(folder / "components.npy", shape=(None, n_features)).astype(np.float32)
        embedder._ready()
        return embedder
