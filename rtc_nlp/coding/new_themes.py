"""New themes: the candidates among the answers a codebook leaves out, and one theme split in two.

:func:`candidate_themes` clusters what a :class:`~rtc_nlp.CodebookCoder` left "non classificato"
or uncertain into candidate themes the codebook lacks; :func:`split_theme` re-clusters the
answers of one theme into new themes with new ids.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..embedders.base import Embedder, unit_rows
from ..embedders.registry import resolve_embedder
from ..errors import InputError
from ..schema import ID, TEXT
from ..themes.assign import nearest_themes
from ..themes.describe import class_keywords, theme_name, typical_indices
from ..themes.grouping import candidate_min_size, choose_clusterer
from ..themes.names import key_phrases
from .codebook import Codebook

__all__ = ["CANDIDATE_FIT", "candidate_themes", "split_groups", "split_theme"]

#: Above this many answers to group, the candidates are found on a seeded sample of this many
#: and every other answer joins the nearest one (clustering is most of the cost on large waves).
CANDIDATE_FIT = 8_000


def _groups(vectors: np.ndarray, random_state: int) -> np.ndarray:
    """Each vector's group: clustered, or on a large pool, a sample clustered and the rest
    given the group whose centre is nearest."""
    if len(vectors) <= 2:
        return np.zeros(len(vectors), dtype=np.int64)
    if len(vectors) <= CANDIDATE_FIT:
        return choose_clusterer(len(vectors), random_state=random_state).fit_predict(vectors)
    sample = np.sort(np.random.default_rng(random_state).choice(len(vectors), CANDIDATE_FIT, replace=False))
    found = choose_clusterer(CANDIDATE_FIT, random_state=random_state).fit_predict(vectors[sample])
    names = np.unique(found)
    centres = np.vstack([vectors[sample[found == g]].mean(axis=0) for g in names])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    groups = names[nearest_themes(vectors, centres).nearest]
    groups[sample] = found  # the sample keeps the groups it was clustered into
    return groups


def candidate_themes(
    coder: Any,
    coded: pd.DataFrame,
    *,
    max_margin: float = 0.05,
    min_size: int | None = None,
    n_keywords: int = 8,
    n_examples: int = 3,
) -> pd.DataFrame:
    """Candidate new themes among the answers ``coder`` (a fitted :class:`~rtc_nlp.CodebookCoder`)
    left unassigned or uncertain in ``coded``, its last :meth:`~rtc_nlp.CodebookCoder.code`.

    The answers "non classificato", or coded with a margin below ``max_margin`` between the
    best two themes, are clustered; each group of at least ``min_size`` answers (default:
    3, or 2% of the coded answers) is a candidate, with keywords, typical answers, its
    nearest existing theme and the similarity to it (low = likely new).
    """
    if not hasattr(coder, "vectors_") or len(coder.vectors_) != len(coded):
        raise ValueError("call code() on these answers first")
    pool = np.flatnonzero(
        ((coded["status"] == "unclassified") & (coded["reason"] == "below_min_similarity")).to_numpy()
        | ((coded["status"] == "theme") & (coded["margin"] < max_margin)).to_numpy()
    )
    columns = [
        "candidate",
        "label",
        "keywords",
        "size",
        "nearest_theme_id",
        "nearest_theme_label",
        "nearest_similarity",
        "likely_new",
        "typical_answers",
        "ids",
    ]
    n_coded = int((coded["status"] != "non_answer").sum())
    min_size = min_size or candidate_min_size(n_coded)
    if len(pool) < min_size:
        return pd.DataFrame(columns=columns)
    vectors = coder.vectors_[pool]
    groups = _groups(vectors, coder.random_state)
    texts = coded[TEXT].astype(str).to_numpy()[pool].tolist()
    kept = [g for g in np.unique(groups) if (groups == g).sum() >= min_size]
    if not kept:
        return pd.DataFrame(columns=columns)
    keywords = class_keywords(texts, groups.tolist(), kept, n_keywords)
    phrases = key_phrases(texts, groups.tolist(), kept)
    labels = {t.id: t.label for t in coder.codebook.themes}
    code_ids = [t.id for t in coder.codebook.codes]
    rows = []
    for g in kept:
        members = np.flatnonzero(groups == g)
        centre = vectors[members].mean(axis=0)
        centre = centre / (np.linalg.norm(centre) or 1.0)
        sims = coder.prototypes_ @ centre
        nearest = int(np.argmax(sims))
        typical = typical_indices(vectors[members], centre, [texts[m] for m in members], n_examples)
        rows.append(
            {
                "label": theme_name(phrases[g], [texts[members[t]] for t in typical], keywords[g]),
                "keywords": "; ".join(keywords[g]),
                "size": len(members),
                "nearest_theme_id": code_ids[nearest],
                "nearest_theme_label": labels[code_ids[nearest]],
                "nearest_similarity": float(sims[nearest]),
                # Half-way between the coding threshold and a typical answer's similarity.
                "likely_new": bool(sims[nearest] < coder.min_similarity_ * 1.5),
                "typical_answers": " | ".join(texts[members[t]] for t in typical),
                "ids": ";".join(str(coded[ID].iat[pool[m]]) for m in members),
            }
        )
    out = pd.DataFrame(rows).sort_values(["nearest_similarity", "size"], ascending=[True, False], kind="stable")
    out.insert(0, "candidate", range(1, len(out) + 1))
    return out.reset_index(drop=True)[columns]


def split_theme(
    codebook: Codebook,
    theme_id: int,
    coded: pd.DataFrame,
    n_parts: int = 2,
    *,
    embedder: str | Embedder = "lexical",
    n_keywords: int = 8,
    n_examples: int = 5,
    random_state: int = 0,
) -> Codebook:
    """Split one theme by re-clustering the answers coded with it (k-means, ``n_parts``).

    ``coded`` is the output of :func:`code_answers` (or ``ThemeModel.assignments_``); the
    answers whose main theme is ``theme_id`` are split. The new themes get new ids, keywords
    by class-based TF-IDF and their most typical answers as examples; every other theme keeps
    its id.
    """
    codebook[theme_id]
    members = coded[coded["theme_id"] == theme_id]
    texts = list(dict.fromkeys(members[TEXT].astype(str)))
    if len(texts) < 2 * n_parts:
        raise InputError(f"theme {theme_id} has {len(texts)} distinct answers: too few to split in {n_parts}")
    groups, _ = split_groups(
        texts, n_parts, embedder=embedder, n_keywords=n_keywords, n_examples=n_examples, random_state=random_state
    )
    return codebook.split(theme_id, groups)


def split_groups(
    texts: list[str],
    n_parts: int,
    *,
    embedder: str | Embedder = "lexical",
    n_keywords: int = 8,
    n_examples: int = 5,
    random_state: int = 0,
) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The sub-groups a list of distinct answers forms (k-means, ``n_parts``): one dict per
    group as :meth:`Codebook.split` takes it (label, keywords, examples), and the group of
    each text."""
    from sklearn.cluster import KMeans

    model = resolve_embedder(embedder, verbose=False)
    model.fit(texts if model.learns_from_texts else [])
    vectors = unit_rows(model.transform(texts))
    parts = KMeans(n_clusters=n_parts, n_init=10, random_state=random_state).fit_predict(vectors)
    keywords = class_keywords(texts, parts.tolist(), list(range(n_parts)), n_keywords)
    phrases = key_phrases(texts, parts.tolist(), list(range(n_parts)))
    groups = []
    for part in range(n_parts):
        rows = np.flatnonzero(parts == part)
        centre = vectors[rows].mean(axis=0)
        typical = typical_indices(
            vectors[rows], centre / (np.linalg.norm(centre) or 1.0), [texts[r] for r in rows], n_examples
        )
        examples = [texts[rows[t]] for t in typical]
        groups.append(
            {
                "label": theme_name(phrases[part], examples, keywords[part]),
                "keywords": keywords[part],
                "examples": examples,
            }
        )
    return groups, parts
