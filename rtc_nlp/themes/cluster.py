"""Clustering steps: find groups of answers in embedding space.

A clusterer is any object with ``fit_predict(X) -> labels`` (scikit-learn's KMeans,
AgglomerativeClustering or HDBSCAN fit too); label ``-1`` means "no group". Both clusterers here
are scikit-learn clusterers (``fit`` sets ``labels_``, ``fit_predict`` returns them) and pass
its estimator checks; :class:`NestedWard` also gives the broad groups ("nets") the themes nest in. The default,
:class:`CommunityClusterer`, finds the number of themes itself: it links each answer to its
nearest neighbours, weights links by shared neighbours, and finds communities (Leiden) at the
finest level that is reproducible across seeds (or, on request, walks on to broader themes).
"""

from __future__ import annotations

import logging
import math
import random
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import validate_data
from tqdm.auto import tqdm

logger = logging.getLogger(__name__)

__all__ = ["NARROW_MARGIN", "CommunityClusterer", "NestedWard", "SilhouetteAgglomerative", "nearest_neighbors"]

#: A level chosen by less than this (stability or nesting against its threshold) may change
#: with the seed: three runs estimate a level's stability only to a few hundredths.
NARROW_MARGIN = 0.05


def nearest_neighbors(
    vectors: np.ndarray, n_neighbors: int, *, block: int | None = None, progress: bool = False
) -> np.ndarray:
    """Indices of each row's ``n_neighbors`` most cosine-similar rows (itself included first).

    Parameters
    ----------
    vectors : ndarray of shape (n, d)
        Unit-length rows.
    n_neighbors : int
        How many neighbours, self included; capped at ``n``.
    block : int or None
        Rows compared at once (memory grows with ``block * n``); ``None`` keeps each block
        near 4 million similarities (about 50 MB with its work arrays).
    progress : bool
        Show a progress bar.
    """
    n = len(vectors)
    k = min(n_neighbors, n)
    block = block or max(64, (1 << 22) // max(n, 1))
    out = np.empty((n, k), dtype=np.int64)
    starts = range(0, n, block)
    for start in tqdm(starts, desc="neighbours", disable=not progress, leave=False):
        sims = vectors[start : start + block] @ vectors.T
        rows = np.arange(len(sims))
        sims[rows, start + rows] = np.inf  # self first, whatever the rounding
        if k < n:
            part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        else:
            part = np.tile(np.arange(n), (len(sims), 1))
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        out[start : start + block] = np.take_along_axis(part, order, axis=1)
    return out


class CommunityClusterer(ClusterMixin, BaseEstimator):
    """Leiden communities on a shared-nearest-neighbour graph, at a reproducible level.

    Each answer is linked to its nearest neighbours, links are weighted by the share of
    neighbours the two answers have in common (Jaccard), and communities are found by Leiden
    (modularity) at each resolution of ``resolutions``, finest first, ``n_runs`` times with
    different seeds. A level is *reproducible* when its runs agree (median pairwise ARI at
    least ``min_stability``). By default the first reproducible level is kept: the finest set
    of themes that comes back whatever the seed.

    With ``min_nesting`` set, the clusterer walks on from there to coarser levels while each is
    reproducible too and close to the last level kept (ARI between the two at least
    ``min_nesting``: the step merges a few themes, it does not reshuffle them or lump many
    together), and keeps the last: broader themes, reached by small reproducible steps. Give
    it more and coarser resolutions to walk through, e.g. ``(2, 1, 0.5, 0.25, 0.12, 0.06)``
    with ``n_runs=5`` and ``min_nesting=0.7``, as measured in ``docs/benchmarks-history.md``: fewer,
    broader themes that agree better with coarse gold classes (ARI), but whose number depends
    more on the seed.

    When no level is reproducible the data hold little structure, and the coarsest level with
    two or more communities is kept (few broad themes), with a warning in the log.

    The choice itself can depend on the seed when a level's stability is close to
    ``min_stability``: ``margin_`` says how close the closest call was, and ``narrow_margin_``
    flags a choice made by less than :data:`NARROW_MARGIN`, so that the analyst compares the
    themes of two seeds before trusting their number.

    Parameters
    ----------
    n_neighbors : int, default 12
        Neighbours per answer (capped at ``n - 1``).
    resolutions : sequence of float, default (2.0, 1.0, 0.5)
        Modularity resolutions tried, finest (highest) first. The defaults were chosen once
        for all the benchmark sets (``docs/benchmarks-history.md``, lexical vectors).
    n_runs : int, default 3
        Seeds per resolution; the stability is the median ARI between their partitions.
    min_stability : float, default 0.9
        Median pairwise ARI from which a resolution counts as reproducible.
    min_nesting : float or None, default None
        ``None``: keep the first reproducible level. A number: walk to coarser reproducible
        levels while their ARI with the last level kept is at least this.
    prune : float, default 1/15
        Links whose share of common neighbours (Jaccard) is below this are dropped.
    random_state : int, default 0
        Seed of the first run; run ``i`` uses ``random_state * 1000 + i``.
    verbose : bool, default False
        Show a progress bar of the neighbour search on large inputs.

    Attributes
    ----------
    labels_ : ndarray of shape (n,)
        Community of each row, 0..k-1 numbered by first row.
    resolution_ : float
        The resolution kept.
    stability_ : float
        Median pairwise ARI of the runs at that resolution.
    reproducible_ : bool
        Whether ``stability_ >= min_stability``.
    n_neighbors_ : int
        Neighbours actually used.
    margin_ : float
        Smallest distance between a level's stability (and, when walking, its nesting) and
        the threshold it was held to, over the levels tried: how narrowly the level was chosen.
    narrow_margin_ : bool
        Whether ``margin_ < NARROW_MARGIN``: another seed may keep a finer or coarser level.
    levels_ : list of dict
        Each resolution tried (and, without ``min_nesting``, the next coarser one after the level
        kept, for comparison): ``resolution``, ``n_communities`` (of its most typical run),
        ``stability``, ``nesting`` (ARI with the last level kept before it; ``None`` before
        the first reproducible level and without ``min_nesting``).
    """

    def __init__(
        self,
        n_neighbors: int = 12,
        resolutions: Sequence[float] = (2.0, 1.0, 0.5),
        n_runs: int = 3,
        min_stability: float = 0.9,
        min_nesting: float | None = None,
        prune: float = 1 / 15,
        random_state: int = 0,
        verbose: bool = False,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.resolutions = resolutions
        self.n_runs = n_runs
        self.min_stability = min_stability
        self.min_nesting = min_nesting
        self.prune = prune
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self) -> None:
        if not (isinstance(self.n_neighbors, int) and self.n_neighbors >= 2):
            raise ValueError(f"n_neighbors must be an int >= 2, got {self.n_neighbors!r}")
        if not self.resolutions or any(not (float(r) > 0) for r in self.resolutions):
            raise ValueError(f"resolutions must be positive numbers, got {self.resolutions!r}")
        if not (isinstance(self.n_runs, int) and self.n_runs >= 1):
            raise ValueError(f"n_runs must be an int >= 1, got {self.n_runs!r}")
        for name in ("min_stability", "min_nesting"):
            value = getattr(self, name)
            if not (value is None and name == "min_nesting") and not 0 <= float(value) <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")

    def graph(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shared-nearest-neighbour links of ``X``: (pairs of shape (m, 2), Jaccard weights)."""
        n = len(X)
        k = min(self.n_neighbors, n - 1) + 1  # + itself
        neighbors = nearest_neighbors(X, k, progress=self.verbose and n > 10_000)
        adjacency = sp.csr_matrix(
            (np.ones(n * k, dtype=np.float32), (np.repeat(np.arange(n), k), neighbors.ravel())),
            shape=(n, n),
        )
        shared = (adjacency @ adjacency.T).tocoo()
        jaccard = shared.data / (2 * k - shared.data)
        keep = (shared.row < shared.col) & (jaccard >= self.prune)
        self.n_neighbors_ = k - 1
        return np.column_stack([shared.row[keep], shared.col[keep]]), jaccard[keep].astype(np.float64)

    def _level(self, graph: Any, resolution: float) -> tuple[np.ndarray, float]:
        """The most typical of ``n_runs`` seeded partitions at ``resolution``, and their stability."""
        from sklearn.metrics import adjusted_rand_score

        runs = [_leiden(graph, resolution, self.random_state * 1000 + i) for i in range(self.n_runs)]
        agreement = np.ones((len(runs), len(runs)))
        for i, j in zip(*np.triu_indices(len(runs), 1)):
            agreement[i, j] = agreement[j, i] = adjusted_rand_score(runs[i], runs[j])
        stability = float(np.median(agreement[np.triu_indices(len(runs), 1)])) if len(runs) > 1 else 1.0
        # The run that agrees most with the others: the least seed-dependent partition.
        return runs[int(np.argmax(agreement.sum(axis=1)))], stability

    def _record_next_level(self, graph: Any, resolution: float) -> None:
        """Measure the next coarser resolution too, for ``levels_`` only: the analyst sees how
        many themes one step coarser would give, and how reproducible they would be."""
        coarser = [float(r) for r in self.resolutions if float(r) < resolution]
        if not coarser:
            return
        labels, stability = self._level(graph, coarser[0])
        self.levels_.append(
            {"resolution": coarser[0], "n_communities": int(labels.max() + 1), "stability": stability, "nesting": None}
        )

    def fit(self, X: np.ndarray, y: Any = None) -> CommunityClusterer:
        """Find the communities of the rows of ``X`` (``labels_``: 0..k-1, numbered by first row).

        Parameters
        ----------
        X : array-like of shape (n, d)
            Unit-length rows (embeddings).
        y : ignored
        """
        import igraph
        from sklearn.metrics import adjusted_rand_score

        self._check_params()
        X = validate_data(self, X, dtype=np.float32)
        n = len(X)
        if n <= 2:
            self.labels_, self.resolution_, self.stability_ = np.zeros(n, dtype=np.int64), 0.0, 1.0
            self.reproducible_, self.n_neighbors_, self.levels_ = True, 0, []
            self.margin_, self.narrow_margin_ = 1.0, False
            return self
        pairs, weights = self.graph(X)
        graph = igraph.Graph(n=n, edges=pairs.tolist())
        graph.es["weight"] = weights.tolist()
        self.levels_ = []
        kept: tuple[np.ndarray, float, float] | None = None  # labels, resolution, stability
        coarsest: tuple[np.ndarray, float, float] | None = None  # with two or more communities
        margin = 1.0
        for resolution in (float(r) for r in self.resolutions):
            labels, stability = self._level(graph, resolution)
            n_communities = int(labels.max() + 1)
            nesting = None if kept is None or self.min_nesting is None else float(adjusted_rand_score(kept[0], labels))
            self.levels_.append(
                {"resolution": resolution, "n_communities": n_communities, "stability": stability, "nesting": nesting}
            )
            logger.info(
                "community clusterer: resolution %.2f, %d communities, stability %.3f, nesting %s",
                resolution,
                n_communities,
                stability,
                "-" if nesting is None else f"{nesting:.3f}",
            )
            if n_communities < 2:  # one theme says nothing; coarser levels only merge further
                break
            coarsest = (labels, resolution, stability)
            margin = min(margin, abs(stability - self.min_stability))
            if nesting is not None and self.min_nesting is not None:
                margin = min(margin, abs(nesting - self.min_nesting))
            if stability < self.min_stability or (nesting is not None and nesting < self.min_nesting):
                if kept is not None:
                    break
                continue
            kept = (labels, resolution, stability)
            if self.min_nesting is None:  # no walk: the finest reproducible level
                self._record_next_level(graph, resolution)
                break
        if kept is None:
            logger.warning(
                "themes are not reproducible at any resolution (agreement between seeds below %.2f): "
                "the answers hold little structure; keeping the coarsest level",
                self.min_stability,
            )
            kept = coarsest or (labels, resolution, stability)
        labels, resolution, stability = kept
        _, first = np.unique(labels, return_index=True)
        renumber = np.empty(len(first), dtype=np.int64)
        renumber[np.argsort(first, kind="stable")] = np.arange(len(first))
        self.labels_ = renumber[labels]
        self.resolution_, self.stability_ = resolution, stability
        self.reproducible_ = stability >= self.min_stability
        self.margin_, self.narrow_margin_ = margin, margin < NARROW_MARGIN
        if self.narrow_margin_:
            logger.warning(
                "the level of themes was chosen by a narrow margin (%.3f): another seed may "
                "give finer or coarser themes",
                margin,
            )
        logger.info(
            "community clusterer: %d communities among %d answers (k=%d, resolution %.2f)",
            self.labels_.max() + 1,
            n,
            self.n_neighbors_,
            resolution,
        )
        return self


def _leiden(graph: Any, resolution: float, seed: int) -> np.ndarray:
    """Leiden (modularity) membership with igraph, seeded without touching the global RNG."""
    import igraph

    # igraph draws from one process-wide generator: lend it a seeded one, then give it back.
    igraph.set_random_number_generator(random.Random(seed))
    try:
        partition = graph.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution, n_iterations=-1
        )
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(partition.membership, dtype=np.int64)


class SilhouetteAgglomerative(ClusterMixin, BaseEstimator):
    """Average-linkage agglomerative clustering (cosine), k chosen by the best silhouette.

    The default for small inputs (up to 100 distinct answers) with one level of themes
    (``n_nets=0``; with nets, :class:`NestedWard`): on samples of 30 answers it
    agreed better with the gold themes than the community clusterer on 6 of 7 sets, at 100
    about as well, at 300 clearly worse (``docs/benchmarks.md``).

    Parameters
    ----------
    max_clusters : int or None, default None
        Largest k tried; ``None`` = ``2 * sqrt(n)``.
    """

    def __init__(self, max_clusters: int | None = None) -> None:
        self.max_clusters = max_clusters

    def fit(self, X: np.ndarray, y: Any = None) -> SilhouetteAgglomerative:
        """Cluster the rows of ``X`` (``labels_``) at the k with the best silhouette.

        Parameters
        ----------
        X : array-like of shape (n, d)
        y : ignored
        """
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import pdist
        from sklearn.metrics import silhouette_score

        if self.max_clusters is not None and not (isinstance(self.max_clusters, int) and self.max_clusters >= 2):
            raise ValueError(f"max_clusters must be an int >= 2 or None, got {self.max_clusters!r}")
        X = validate_data(self, X, dtype=np.float64)
        n = len(X)
        if n <= 2:
            self.labels_, self.silhouette_ = np.zeros(n, dtype=np.int64), 0.0
            return self
        # One linkage tree, cut at every k: cheaper than refitting for each k. Condensed
        # distances, so scipy never warns that a square X looks like a distance matrix.
        # A row of zeros has no direction: unrelated to every row (distance 1), as for scikit-learn.
        tree = linkage(np.nan_to_num(pdist(X, metric="cosine"), nan=1.0), method="average")
        top = self.max_clusters or max(3, int(2 * math.sqrt(n)))
        best_score, best = -np.inf, np.zeros(n, dtype=np.int64)
        for k in range(2, min(top, n - 1) + 1):
            labels = fcluster(tree, t=k, criterion="maxclust")
            if len(np.unique(labels)) < 2:
                continue
            score = silhouette_score(X, labels, metric="cosine")
            if score > best_score + 1e-12:  # ties keep the smaller k
                best_score, best = score, labels - 1
        self.labels_ = best.astype(np.int64)
        self.silhouette_ = float(best_score)
        return self


class NestedWard(ClusterMixin, BaseEstimator):
    """Ward clustering cut twice: broad groups (nets) and the themes nested in them.

    One Ward tree of the rows (Euclidean, which on unit vectors orders pairs as cosine does),
    cut first at the number of nets with the best silhouette between ``min_nets`` and
    ``min(max_nets, sqrt(n))``, then at the number of themes with the best silhouette between
    that many and ``2 * sqrt(n)``. Both cuts come from one tree, so every theme lies inside one
    net. The default for small inputs with nets: unlike average linkage, Ward does not peel
    single outlying answers off as groups of their own, so even 30 answers get three nets or
    more (``benchmarks/bench_small.py``, ``docs/benchmarks.md``).

    Parameters
    ----------
    min_nets, max_nets : int, default 3 and 15
        Range of the number of nets tried (fewer when there are too few rows).

    Attributes
    ----------
    labels_ : ndarray of int, shape (n,)
        0-based theme of each row.
    net_labels_ : ndarray of int, shape (n,)
        0-based net of each row; rows of one theme share a net.
    silhouette_, net_silhouette_ : float
        Cosine silhouette of the chosen cuts (0 with fewer than two groups).
    alternatives_ : list of dict
        Each number of nets tried (``n_nets``, ``silhouette``), most nets first.
    """

    def __init__(self, min_nets: int = 3, max_nets: int = 15) -> None:
        self.min_nets = min_nets
        self.max_nets = max_nets

    def fit(self, X: np.ndarray, y: Any = None) -> NestedWard:
        """Cut the Ward tree of the rows of ``X`` into nets (``net_labels_``) and themes (``labels_``).

        Parameters
        ----------
        X : array-like of shape (n, d)
        y : ignored
        """
        from scipy.cluster.hierarchy import ClusterWarning, fcluster, linkage

        for name in ("min_nets", "max_nets"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
                raise ValueError(f"{name} must be an int >= 2, got {value!r}")
        if self.max_nets < self.min_nets:
            raise ValueError(f"max_nets ({self.max_nets}) must be at least min_nets ({self.min_nets})")
        X = validate_data(self, X, dtype=np.float64)
        n = len(X)
        self.alternatives_: list[dict[str, float]] = []
        if n <= 3:
            self.labels_ = self.net_labels_ = np.zeros(n, dtype=np.int64)
            self.silhouette_ = self.net_silhouette_ = 0.0
            return self
        with warnings.catch_warnings():
            # X holds answers' vectors, never distances: scipy's guess that a square symmetric X
            # with a zero diagonal (a few short answers) is a distance matrix is a false alarm.
            warnings.filterwarnings("ignore", category=ClusterWarning)
            tree = linkage(X, method="ward")
        net_high = min(int(self.max_nets), max(int(self.min_nets), int(math.sqrt(n))), n - 1)
        net_low = min(int(self.min_nets), net_high)
        self.net_silhouette_, n_nets, nets = _best_cut(X, tree, net_low, net_high, self.alternatives_, fcluster)
        theme_high = min(n - 1, max(n_nets, int(2 * math.sqrt(n))))
        self.silhouette_, _, themes = _best_cut(X, tree, n_nets, theme_high, None, fcluster)
        self.labels_, self.net_labels_ = themes, nets
        return self


def _best_cut(
    X: np.ndarray, tree: np.ndarray, low: int, high: int, tried: list[dict[str, float]] | None, fcluster: Any
) -> tuple[float, int, np.ndarray]:
    """The cut of ``tree`` into ``low`` to ``high`` groups with the best cosine silhouette
    (ties keep the finer): (silhouette, groups, 0-based labels). Each cut tried is appended to
    ``tried`` when given."""
    from sklearn.metrics import silhouette_score

    best: tuple[float, int, np.ndarray] = (0.0, 1, np.zeros(len(X), dtype=np.int64))
    found = False
    for m in range(high, low - 1, -1):
        labels = fcluster(tree, t=m, criterion="maxclust") - 1
        groups = len(np.unique(labels))
        if not 2 <= groups < len(X):
            continue
        score = float(silhouette_score(X, labels, metric="cosine"))
        if tried is not None:
            tried.append({"n_nets": groups, "silhouette": round(score, 4)})
        if not found or score > best[0] + 1e-12:
            best, found = (score, groups, labels.astype(np.int64)), True
    return best
