"""Giving answers their themes: the one rule both the theme model and the codebook coder use.

Each answer goes to the theme whose prototype (centroid) it is most similar to, unless it shares
nothing with any theme (``no_known_terms``) or its best similarity is below a threshold
(``below_min_similarity``): then it is "non classificato". Further themes (multi-coding) are
given when they come within ``ratio`` of the best one and pass the threshold too.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["Assignment", "nearest_themes", "stable_order"]

_BLOCK = 32_768  # rows assigned at once: about 65 MB of work arrays per 100 themes


@dataclass
class Assignment:
    """Where each answer goes, as 0-based indexes into the prototypes.

    Attributes
    ----------
    theme : ndarray of int, shape (n,)
        The main theme, or -1 for "non classificato".
    similarity : ndarray of float, shape (n,)
        Similarity to the most similar theme (also for the unclassified).
    reason : ndarray of str, shape (n,)
        Why an answer is unclassified (``no_known_terms``, ``below_min_similarity``), else "".
    nearest : ndarray of int, shape (n,)
        The most similar theme, assigned or not.
    second : ndarray of int, shape (n,)
        The second most similar theme (-1 when there is one theme only).
    margin : ndarray of float, shape (n,)
        Best minus second similarity (NaN with one theme).
    codes : ndarray of int, shape (n, max_codes)
        The themes given, best first; -1 pads.
    scores : ndarray of float, shape (n, max_codes)
        Their similarities.
    """

    theme: np.ndarray
    similarity: np.ndarray
    reason: np.ndarray
    nearest: np.ndarray
    second: np.ndarray
    margin: np.ndarray
    codes: np.ndarray
    scores: np.ndarray


def nearest_themes(
    vectors: np.ndarray,
    prototypes: np.ndarray,
    *,
    min_similarity: float | None = None,
    max_codes: int = 1,
    ratio: float = 1.0,
    decimals: int | None = None,
) -> Assignment:
    """Assign unit ``vectors`` to the nearest of the unit ``prototypes``.

    Parameters
    ----------
    vectors : ndarray, shape (n, d)
    prototypes : ndarray, shape (k, d)
        ``k`` may be 0: every answer is then unclassified (``below_min_similarity``).
    min_similarity : float or None
        Below it an answer is unclassified; ``None`` = no threshold.
    max_codes : int, default 1
        Most themes per answer.
    ratio : float, default 1.0
        A further theme is given when its similarity is at least ``ratio`` times the best one.
    decimals : int or None
        Round similarities first, so that last-bit differences between batches (BLAS) cannot
        flip a near-tie: the same answer then gets the same theme in any batch.

    Returns
    -------
    Assignment
    """
    n, k = len(vectors), len(prototypes)
    if k == 0:  # a threshold left no theme standing
        none = np.full(n, -1, dtype=np.int64)
        return Assignment(
            none,
            np.zeros(n),
            np.full(n, "below_min_similarity", dtype=object),
            none,
            none,
            np.full(n, np.nan),
            np.full((n, max_codes), -1, dtype=np.int64),
            np.zeros((n, max_codes)),
        )
    # Rows are assigned a block at a time: each row's themes depend on its similarities only,
    # and the work arrays (similarities, their ranking) stay a block's size on a large wave.
    blocks = [
        _nearest_block(vectors[start : start + _BLOCK], prototypes, min_similarity, max_codes, ratio, decimals)
        for start in range(0, n, _BLOCK)
    ] or [_nearest_block(vectors[:0], prototypes, min_similarity, max_codes, ratio, decimals)]
    return Assignment(*(np.concatenate(parts) for parts in zip(*(_fields(b) for b in blocks))))


def stable_order(row_index: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The order that gives ``k`` themes stable ids, and each row's theme index renumbered by it.

    Themes are ordered by size, ties by their first answer in the file, so the same answers
    give the same ids. Negative indices (no theme) stay as they are.
    """
    sizes = np.bincount(row_index[row_index >= 0], minlength=k)
    first = np.array([np.flatnonzero(row_index == t)[0] for t in range(k)], dtype=np.int64)
    order = np.lexsort((first, -sizes)) if k else np.zeros(0, dtype=np.int64)
    remap = np.empty(k, dtype=np.int64)
    remap[order] = np.arange(k)
    if k:
        row_index = np.where(row_index >= 0, remap[np.maximum(row_index, 0)], row_index)
    return order, row_index


def _fields(found: Assignment) -> tuple[np.ndarray, ...]:
    """The fields of ``found`` in order (``dataclasses.astuple`` would deep-copy the arrays)."""
    return tuple(getattr(found, field.name) for field in fields(found))


def _nearest_block(
    vectors: np.ndarray,
    prototypes: np.ndarray,
    min_similarity: float | None,
    max_codes: int,
    ratio: float,
    decimals: int | None,
) -> Assignment:
    """:func:`nearest_themes` on one block of rows, with at least one prototype."""
    n, k = len(vectors), len(prototypes)
    sims = vectors @ prototypes.T
    if decimals is not None:
        sims = np.round(sims, decimals)
    # A stable sort keeps the first theme among equals, as argmax does.
    ranked = np.argsort(-sims, axis=1, kind="stable")[:, : max(max_codes, 2)]
    rows = np.arange(n)
    nearest = ranked[:, 0].astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    best = sims[rows, nearest].astype(np.float64) if n else np.zeros(0)
    if k > 1:
        second = ranked[:, 1].astype(np.int64)
        margin = best - sims[rows, second]
    else:
        second, margin = np.full(n, -1, dtype=np.int64), np.full(n, np.nan)
    reason = np.full(n, "", dtype=object)
    floor = -np.inf if min_similarity is None else float(min_similarity)
    reason[best < floor] = "below_min_similarity"
    reason[best <= 0] = "no_known_terms"  # nothing in common with any theme, whatever argmax picks
    theme = np.where(reason == "", nearest, -1).astype(np.int64)
    codes = ranked[:, :max_codes].astype(np.int64)
    scores = np.take_along_axis(sims, codes, axis=1).astype(np.float64)
    given = (scores >= floor) & (scores >= ratio * best[:, None]) & (theme >= 0)[:, None]
    given[:, 0] = theme >= 0
    codes = np.where(given, codes, -1)
    return Assignment(theme, best, reason, nearest, second, margin, codes, np.where(given, scores, np.nan))
