"""Describing themes: class-based TF-IDF keywords, a short label, the most typical answers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from .text import STOP_WORDS

__all__ = ["class_keywords", "label_from_keywords", "typical_indices"]

# Words of two or more letters (accents kept: keywords are read by people), no digits.
_TOKEN = r"(?u)\b[^\W\d_]{2,}\b"


def class_keywords(
    texts: Sequence[str], labels: Sequence[int], classes: Sequence[int], n_keywords: int = 10,
    weights: Sequence[float] | None = None,
) -> dict[int, list[str]]:
    """Top terms of each class by class-based TF-IDF (one- and two-word terms).

    A class's term frequency is normalised by the class's length and weighted by
    ``log(1 + A / f_t)``, with ``A`` the mean class length and ``f_t`` the term's frequency
    over all classes, so a term is a keyword when it is frequent in the class and rare
    elsewhere.

    Parameters
    ----------
    texts : sequence of str
        The answers.
    labels : sequence of int
        The class of each answer; answers whose label is not in ``classes`` are ignored.
    classes : sequence of int
        The classes to describe.
    n_keywords : int
        Terms per class.
    weights : sequence of float, optional
        How many times each text counts (e.g. how many respondents gave it): passing the
        distinct texts with their counts gives the same keywords as passing every answer.

    Returns
    -------
    dict
        Class -> list of keywords, best first.
    """
    labels = np.asarray(labels)
    weight = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    result: dict[int, list[str]] = {c: [] for c in classes}
    mask = np.isin(labels, list(classes)) & (weight > 0)
    if not mask.any():
        return result
    vectorizer = CountVectorizer(
        ngram_range=(1, 2), lowercase=True, token_pattern=_TOKEN,
        stop_words=sorted(STOP_WORDS),
    )
    kept = [t for t, m in zip(texts, mask) if m]
    try:
        counts = vectorizer.fit_transform(kept)
    except ValueError:  # only stop words: fall back to every word
        vectorizer.set_params(stop_words=None)
        try:
            counts = vectorizer.fit_transform(kept)
        except ValueError:
            return result
    terms = vectorizer.get_feature_names_out()
    class_index = {c: i for i, c in enumerate(classes)}
    rows = np.array([class_index[c] for c in labels[mask]])
    indicator = sp.csr_matrix((weight[mask], (rows, np.arange(len(rows)))), shape=(len(classes), len(rows)))
    # Sparse throughout: classes x terms can be millions of columns on large inputs.
    per_class = (indicator @ counts.astype(np.float64)).tocsr()
    lengths = np.asarray(per_class.sum(axis=1)).ravel()
    idf = np.log(1 + lengths.mean() / np.maximum(np.asarray(per_class.sum(axis=0)).ravel(), 1))
    for c, i in class_index.items():
        start, end = per_class.indptr[i], per_class.indptr[i + 1]
        columns = per_class.indices[start:end]
        scores = per_class.data[start:end] / (lengths[i] or 1) * idf[columns]
        order = np.lexsort((terms[columns], -scores))  # ties broken alphabetically: deterministic
        result[c] = [str(terms[columns[j]]) for j in order[:n_keywords] if scores[j] > 0]
    return result


def label_from_keywords(keywords: Sequence[str], n_terms: int = 3) -> str:
    """A short readable label: up to ``n_terms`` keywords, skipping ones already covered.

    "sicurezza dati" covers "sicurezza" and "dati", so the label does not repeat them.
    """
    chosen: list[str] = []
    covered: set[str] = set()
    for term in keywords:
        words = set(term.split())
        if words <= covered:
            continue
        # A bigram replaces the single words it contains that were already chosen.
        chosen = [c for c in chosen if not set(c.split()) <= words]
        chosen.append(term)
        covered |= words
        if len(chosen) == n_terms:
            break
    return ", ".join(chosen)


def typical_indices(vectors: np.ndarray, centroid: np.ndarray, texts: Sequence[str], n: int) -> list[int]:
    """Indices of the ``n`` rows closest to ``centroid``, one per distinct text."""
    sims = vectors @ centroid
    order = np.lexsort((np.arange(len(sims)), -sims))
    seen: set[str] = set()
    picked: list[int] = []
    for i in order:
        if texts[i] in seen:
            continue
        seen.add(texts[i])
        picked.append(int(i))
        if len(picked) == n:
            break
    return picked
