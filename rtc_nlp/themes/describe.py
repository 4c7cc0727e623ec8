"""Describing themes: class-based TF-IDF keywords, a name, and typical answers that are central
and different from each other."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from ..embedders.base import unit_rows
from ..stopwords import KEYWORD_STOP_WORDS, is_evaluation
from .grouping import NetChoice, choose_nets
from .names import answer_as_name, content_words, key_phrases, rewords
from .sampling import per_group_sample

__all__ = [
    "NET_COLUMNS",
    "describe_nets",
    "describe_levels",
    "THEME_COLUMNS",
    "KEYWORD_TEXTS_PER_THEME",
    "class_keywords",
    "keyword_scores",
    "describe_themes",
    "label_from_keywords",
    "theme_name",
    "typical_from_similarity",
    "typical_indices",
]

#: The fewest distinct answers per theme the keywords read on large inputs.
KEYWORD_TEXTS_PER_THEME = 500
#: The most distinct answers per theme its name is read from, on large inputs.
NAME_TEXTS_PER_THEME = 150
_BLOCK = 8_192  # rows compared with their centre at once (about 80 MB of work arrays at 512 dimensions)
#: How much typical answers trade closeness to the centre for difference from each other (MMR).
DIVERSITY = 0.3
# The most distinct answers of a theme that typical answers are chosen among.
_POOL = 200

# Words of two or more letters (accents kept: keywords are read by people), no digits.
_TOKEN = r"(?u)\b[^\W\d_]{2,}\b"


def class_keywords(
    texts: Sequence[str],
    labels: Sequence[int],
    classes: Sequence[int],
    n_keywords: int = 10,
    weights: Sequence[float] | None = None,
) -> dict[int, list[str]]:
    """Top terms of each class by class-based TF-IDF: :func:`keyword_scores` without the scores."""
    scored = keyword_scores(texts, labels, classes, n_keywords, weights)
    return {c: [term for term, _ in terms] for c, terms in scored.items()}


def keyword_scores(
    texts: Sequence[str],
    labels: Sequence[int],
    classes: Sequence[int],
    n_keywords: int = 10,
    weights: Sequence[float] | None = None,
) -> dict[int, list[tuple[str, float]]]:
    """Top terms of each class by class-based TF-IDF (one- and two-word terms), with their scores.

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
        Class -> list of (keyword, score), best first.
    """
    labels = np.asarray(labels)
    weight = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    result: dict[int, list[tuple[str, float]]] = {c: [] for c in classes}
    mask = np.isin(labels, list(classes)) & (weight > 0)
    if not mask.any():
        return result
    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        lowercase=True,
        token_pattern=_TOKEN,
        stop_words=sorted(KEYWORD_STOP_WORDS),
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
        result[c] = [(str(terms[columns[j]]), float(scores[j])) for j in order[:n_keywords] if scores[j] > 0]
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


def theme_name(
    phrases: Sequence[str], typical: Sequence[str], keywords: Sequence[str], taken: Collection[str] = ()
) -> str:
    """A theme's name: the first of the phrases its answers share
    (:func:`rtc_nlp.themes.names.key_phrases`) that no other theme has ``taken``, else its most
    typical answer when short and not a lone evaluation ("Ottimo!"), else its top keywords;
    ``""`` when it has none of them."""
    for phrase in phrases:
        if phrase not in taken:
            return phrase
    answer = answer_as_name(typical[0]) if len(typical) else ""
    return (answer if not is_evaluation(answer) else "") or label_from_keywords(keywords)


def typical_indices(
    vectors: np.ndarray, centroid: np.ndarray, texts: Sequence[str], n: int, rivals: np.ndarray | None = None
) -> list[int]:
    """Indices of up to ``n`` typical rows: central, and different from each other.

    Chosen by maximal marginal relevance among the more central half of the distinct texts:
    each next answer is the most similar to the centre once its similarity to the answers
    already chosen is taken off (weight :data:`DIVERSITY`). An answer that rewords one
    already chosen (same content words, give or take a typo or an opener) is skipped, so a
    theme whose answers all say one thing shows fewer than ``n``; an answer more similar to one
    of the ``rivals`` (the other themes' centres) than to ``centroid`` is never typical.
    """
    return _typical(vectors @ centroid, texts, n, lambda rows: vectors[rows], rivals)


def typical_from_similarity(similarity: np.ndarray, texts: Sequence[str], n: int) -> list[int]:
    """:func:`typical_indices` when only each answer's similarity to its theme is known (a coded
    wave keeps no vectors): the most similar of the more central half, rewordings skipped."""
    return _typical(np.asarray(similarity, dtype=np.float64), texts, n, None)


def _typical(
    sims: np.ndarray,
    texts: Sequence[str],
    n: int,
    vectors_of: Callable[[np.ndarray], np.ndarray] | None,
    rivals: np.ndarray | None = None,
) -> list[int]:
    """:func:`typical_indices` on rows whose similarity to the centre is ``sims``; the vectors
    of a few rows are fetched with ``vectors_of`` (``None``: no vectors, rewordings skipped only)."""
    order = np.lexsort((np.arange(len(sims)), -sims))
    seen: set[str] = set()
    distinct: list[int] = []
    for i in order:
        if texts[i] not in seen:
            seen.add(texts[i])
            distinct.append(int(i))
    # The more central half: an answer at the edge of its theme is not typical of it.
    pool = np.array(distinct[: min(max(1, -(-len(distinct) // 2)), _POOL)], dtype=np.int64)
    vectors = None
    if vectors_of is not None and len(pool) > 1:
        vectors = np.asarray(vectors_of(pool), dtype=np.float64)
        if rivals is not None and len(rivals):
            closer = (vectors @ np.asarray(rivals, dtype=np.float64).T).max(axis=1) > sims[pool]
            if not closer.all():
                pool, vectors = pool[~closer], vectors[~closer]
    content = [content_words(texts[i]) for i in pool]
    picked: list[int] = []
    redundancy = np.full(len(pool), -np.inf)
    available = np.ones(len(pool), dtype=bool)
    while len(picked) < n and available.any():
        score = sims[pool] - DIVERSITY * np.maximum(redundancy, 0) if picked else sims[pool].astype(np.float64)
        j = int(np.flatnonzero(available)[np.argmax(score[available])])
        available[j] = False
        if any(rewords(content[j], content[p]) for p in picked):
            continue
        picked.append(j)
        if vectors is not None:
            redundancy = np.maximum(redundancy, vectors @ vectors[j])
    return [int(pool[j]) for j in picked]


def _own_similarity(vectors: np.ndarray, centroids: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Each row's similarity to the centre of its own group (NaN without one), a block of rows
    at a time: copying a large group's vectors, or casting them to the centres' precision, would
    take gigabytes on a million answers."""
    dtype = np.result_type(vectors.dtype, centroids.dtype)
    out = np.full(len(vectors), np.nan, dtype=dtype)
    for start in range(0, len(vectors), _BLOCK):
        rows = np.arange(start, min(start + _BLOCK, len(vectors)))
        rows = rows[group[rows] >= 0]
        out[rows] = np.einsum("ij,ij->i", vectors[rows].astype(dtype), centroids[group[rows]].astype(dtype))
    return out


THEME_COLUMNS = ["theme_id", "label", "keywords", "size", "share", "share_of_answered", "typical_answers"]
#: The columns of a table of nets: a theme table whose rows list the themes they group.
NET_COLUMNS = ["net_id", *THEME_COLUMNS[1:], "theme_ids"]


def describe_themes(
    texts: Sequence[str],
    theme: np.ndarray,
    counts: np.ndarray,
    vectors: np.ndarray,
    centroids: np.ndarray,
    *,
    n_rows: int,
    n_keywords: int = 10,
    n_examples: int = 5,
    fitted_on: int | None = None,
    random_state: int = 0,
    fallback: str = "tema",
) -> pd.DataFrame:
    """The theme table: id, label, keywords, size, shares and typical answers of each theme.

    Parameters
    ----------
    texts : sequence of str
        The distinct answers.
    theme : ndarray of int
        The 0-based theme of each distinct answer (-1 none).
    counts : ndarray of float
        How many rows gave each distinct answer.
    vectors : ndarray
        Their unit vectors.
    centroids : ndarray of shape (k, d)
        The themes' centres.
    n_rows : int
        Rows of the input, non-answers included (the denominator of ``share``).
    n_keywords, n_examples : int
    fitted_on : int or None
        Distinct answers the themes were fitted on; when fewer than ``texts``, the keywords of
        a theme read a seeded sample of its answers (at least :data:`KEYWORD_TEXTS_PER_THEME`),
        and its name a smaller one (at most :data:`NAME_TEXTS_PER_THEME`).
    random_state : int
    fallback : str
        Label of a group without a name (:func:`theme_name`), before its number.
    """
    k = len(centroids)
    # Keywords from the distinct answers weighted by their counts: the same as from every
    # row, at a fraction of the cost; very large inputs use a seeded sample per theme.
    fitted_on = len(texts) if fitted_on is None else fitted_on
    per_theme = len(texts) if fitted_on >= len(texts) else max(KEYWORD_TEXTS_PER_THEME, fitted_on // max(k, 1))
    keyword_weights = per_group_sample(theme, counts, k, per_theme, random_state)
    keywords = class_keywords(texts, theme, list(range(k)), n_keywords, weights=keyword_weights)
    # Names read fewer answers on large inputs: the phrase several hundred answers share is the
    # theme's name, and every answer read costs a pass in Python.
    name_weights = (
        keyword_weights
        if per_theme == len(texts)
        else per_group_sample(theme, counts, k, min(per_theme, NAME_TEXTS_PER_THEME), random_state)
    )
    phrases = key_phrases(texts, theme, list(range(k)), weights=name_weights)
    n_usable = int(counts.sum())
    own = _own_similarity(vectors, centroids, theme)
    rows = []
    labels_seen: dict[str, int] = {}
    for t in range(k):
        members = np.flatnonzero(theme == t)
        others = np.delete(centroids, t, axis=0)
        picked = _typical(
            own[members], [texts[i] for i in members], n_examples, lambda rows: vectors[members[rows]], others
        )
        typical = [texts[members[i]] for i in picked]
        label = theme_name(phrases[t], typical, keywords[t], taken=labels_seen) or f"{fallback} {t + 1}"
        labels_seen[label] = labels_seen.get(label, 0) + 1
        if labels_seen[label] > 1:  # two themes never share a label
            label = f"{label} ({labels_seen[label]})"
        size = int(counts[members].sum())
        rows.append(
            {
                "theme_id": t + 1,
                "label": label,
                "keywords": keywords[t],
                "size": size,
                "share": size / n_rows,
                "share_of_answered": size / n_usable,
                "typical_answers": typical,
            }
        )
    return pd.DataFrame(rows, columns=THEME_COLUMNS)


def describe_nets(
    net_of_theme: np.ndarray,
    texts: Sequence[str],
    theme: np.ndarray,
    counts: np.ndarray,
    vectors: np.ndarray,
    centroids: np.ndarray,
    theme_sizes: np.ndarray,
    row_theme: np.ndarray,
    *,
    n_rows: int,
    n_keywords: int = 10,
    n_examples: int = 5,
    fitted_on: int | None = None,
    random_state: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The table of nets, numbered by size, and the 1-based net id of each theme.

    Parameters
    ----------
    net_of_theme : ndarray of int, shape (k,)
        The 0-based net of each theme, in any order.
    texts, theme, counts, vectors
        The distinct answers, their 0-based theme (-1 none), how many rows gave each, their
        vectors (as for :func:`describe_themes`).
    centroids : ndarray of shape (k, d)
        The themes' centres.
    theme_sizes : ndarray of shape (k,)
        Answers per theme: a net's centre is the size-weighted mean of its themes' centres.
    row_theme : ndarray of int
        The 0-based theme of every input row (negative: none), for ties in size: the net whose
        first answer comes first in the file gets the smaller id.
    n_rows, n_keywords, n_examples, fitted_on, random_state
        As for :func:`describe_themes`.
    """
    m = int(net_of_theme.max()) + 1
    net_of_answer = np.where(theme >= 0, net_of_theme[np.maximum(theme, 0)], -1)
    sizes = np.bincount(net_of_answer[net_of_answer >= 0], weights=counts[net_of_answer >= 0], minlength=m)
    first_row = [int(np.flatnonzero(np.isin(row_theme, np.flatnonzero(net_of_theme == j)))[0]) for j in range(m)]
    order = np.lexsort((first_row, -sizes))
    remap = np.empty(m, dtype=np.int64)
    remap[order] = np.arange(m)
    net_of_theme = remap[net_of_theme]
    net_of_answer = np.where(net_of_answer >= 0, remap[np.maximum(net_of_answer, 0)], -1)
    weights = np.maximum(np.asarray(theme_sizes, dtype=np.float64), 1e-9)
    centres = unit_rows(
        np.vstack(
            [np.average(centroids[net_of_theme == j], axis=0, weights=weights[net_of_theme == j]) for j in range(m)]
        )
    )
    nets = describe_themes(
        texts,
        net_of_answer,
        counts,
        vectors,
        centres,
        n_rows=n_rows,
        n_keywords=n_keywords,
        n_examples=n_examples,
        fitted_on=fitted_on,
        random_state=random_state,
        fallback="gruppo",
    ).rename(columns={"theme_id": "net_id"})
    nets["theme_ids"] = [[int(t) + 1 for t in np.flatnonzero(net_of_theme == j)] for j in range(m)]
    return nets, net_of_theme + 1


def describe_levels(
    unique_texts: list[str],
    unique_theme: np.ndarray,
    counts: np.ndarray,
    vectors: np.ndarray,
    centroids: np.ndarray,
    row_index: np.ndarray,
    *,
    with_nets: bool,
    n_nets: int | None,
    proposed: NetChoice | None,
    settings: dict,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Both levels of a fitted model described: the theme table, the net table and how the nets
    were chosen (the clusterer's ``proposed`` nets unless the analyst gave ``n_nets``).

    ``settings`` (rows, keywords, examples, sample size, seed) describe both levels alike.
    Without nets, or without themes, the net table is empty.
    """
    themes = describe_themes(unique_texts, unique_theme, counts, vectors, centroids, **settings)
    if not with_nets or len(centroids) == 0:
        return themes, pd.DataFrame(columns=[*NET_COLUMNS]), {}
    choice = proposed
    if choice is None or n_nets is not None:
        choice = choose_nets(vectors, unique_theme, centroids, n_nets=n_nets, random_state=settings["random_state"])
    nets, net_of_theme = describe_nets(
        choice.net_of_theme,
        unique_texts,
        unique_theme,
        counts,
        vectors,
        centroids,
        themes["size"].to_numpy(dtype=np.float64),
        row_index,
        **settings,
    )
    themes.insert(1, "net_id", net_of_theme)
    return themes, nets, {"n_nets": len(nets), "alternatives": choice.alternatives}
