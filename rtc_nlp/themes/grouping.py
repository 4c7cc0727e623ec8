"""How many themes: which clusterer groups the answers, and which of its groups become themes.

Everything that decides the number of themes lives here: the clusterer for the input's size
(agglomerative up to :data:`SMALL_INPUT` distinct answers, communities above, k-means when the
analyst gives the number), the size below which a group dissolves into its nearest theme, the
merging of near-duplicate themes, and the rule for candidate new themes in a coded wave.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..embedders.base import unit_rows
from ..estimator import fresh
from .cluster import CommunityClusterer, NestedWard, SilhouetteAgglomerative

logger = logging.getLogger(__name__)

__all__ = [
    "SMALL_INPUT",
    "candidate_min_size",
    "choose_clusterer",
    "clustering_info",
    "group_centres",
    "merge_near_duplicates",
    "min_theme_size",
    "nets_of_clusterer",
    "settle_themes",
]

#: Up to this many distinct answers the default clusterer is agglomerative, above it the
#: community clusterer: measured on samples of 30, 100 and 300 answers with the USE encoder's
#: vectors (``benchmarks/bench_small.py --small-input``, ``docs/benchmarks.md``).
SMALL_INPUT = 100


#: Community resolutions tried, finest first. With nets, the themes under them come from the
#: finest reproducible level of a longer ladder (the nets do the grouping); without nets, the
#: single level of themes is chosen as before 0.4. Measured on the seven benchmark sets with
#: the USE encoder (``benchmarks/bench_themes.py``, ``docs/benchmarks.md``).
SUB_THEME_RESOLUTIONS = (4.0, 2.0, 1.0, 0.5)
FLAT_RESOLUTIONS = (2.0, 1.0, 0.5)
#: Themes whose centres are this cosine-similar merge, when there are no nets to group them.
FLAT_MERGE_SIMILARITY = 0.7
#: The number of nets is chosen in this range (inclusive), when there are themes enough.
NET_RANGE = (3, 15)
#: Distinct answers the silhouette of a net partition is measured on (a seeded sample).
NET_SAMPLE = 3000


def choose_clusterer(
    n_distinct: int,
    *,
    clusterer: Any = None,
    n_themes: int | None = None,
    nets: bool = False,
    random_state: int = 0,
    verbose: bool = False,
) -> Any:
    """The clusterer for ``n_distinct`` answers: an unfitted copy of the user's, else k-means
    with ``n_themes`` clusters, else up to :data:`SMALL_INPUT` distinct answers
    :class:`NestedWard` when nets will group the themes (:class:`SilhouetteAgglomerative`
    without), and above :class:`CommunityClusterer` (on :data:`SUB_THEME_RESOLUTIONS` when
    nets will group the themes, else :data:`FLAT_RESOLUTIONS`)."""
    if clusterer is not None:
        return fresh(clusterer)
    if n_themes is not None:
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=int(n_themes), n_init=10, random_state=random_state)
    if n_distinct <= SMALL_INPUT:
        return NestedWard(*NET_RANGE) if nets else SilhouetteAgglomerative()
    resolutions = SUB_THEME_RESOLUTIONS if nets else FLAT_RESOLUTIONS
    return CommunityClusterer(resolutions=resolutions, random_state=random_state, verbose=verbose)


def min_theme_size(n_answers: int, given: int | None = None) -> int:
    """Answers a theme needs (``given``, else 0.5% of ``n_answers``, between 2 and 50)."""
    if given is not None:
        return int(given)
    return int(min(50, max(2, round(0.005 * n_answers))))


def candidate_min_size(n_coded: int) -> int:
    """Answers a candidate new theme needs in a coded wave: 3, or 2% of the coded answers."""
    return max(3, math.ceil(0.02 * n_coded))


def settle_themes(
    points: np.ndarray,
    weights: np.ndarray,
    labels: np.ndarray,
    *,
    min_size: int,
    keep_all: bool = False,
    merge_similarity: float | None = None,
    min_similarity: float | None = None,
) -> np.ndarray:
    """From a clusterer's groups to the themes kept, as unit-length centres.

    Groups smaller than ``min_size`` answers (counted with ``weights``) and noise (label -1)
    dissolve into their nearest theme, unless ``keep_all`` (the analyst asked for this many);
    if none is large enough the largest is kept. Themes whose centres are at least
    ``merge_similarity`` cosine-similar are merged (not with ``keep_all``). Last, themes that
    win no answer once every answer goes to its nearest centre (above ``min_similarity``) go.
    """
    sizes = {c: int(weights[labels == c].sum()) for c in np.unique(labels) if c >= 0}
    if not sizes:  # everything was noise: one theme
        sizes, labels = {0: int(weights.sum())}, np.zeros_like(labels)
    if keep_all:
        kept = sorted(sizes)
    else:
        kept = [c for c in sorted(sizes) if sizes[c] >= min_size]
        kept = kept or [max(sizes, key=lambda c: (sizes[c], -c))]
    dissolved = len(sizes) - len(kept)
    centroids = group_centres(points, weights, labels, kept)
    if not keep_all and merge_similarity is not None:
        merged, labels = merge_near_duplicates(centroids, labels, kept, float(merge_similarity))
        if len(merged) < len(kept):
            kept, centroids = merged, group_centres(points, weights, labels, merged)
    while len(centroids):
        sims = points @ centroids.T
        best = np.argmax(sims, axis=1)
        if min_similarity is not None:
            best = best[sims[np.arange(len(best)), best] >= float(min_similarity)]
        alive = np.unique(best)
        if len(alive) == len(centroids):
            break
        centroids = centroids[alive]
    logger.info(
        "%d themes (%d groups found, %d dissolved below %d answers)", len(centroids), len(sizes), dissolved, min_size
    )
    return centroids


def group_centres(points: np.ndarray, weights: np.ndarray, labels: np.ndarray, groups: list[int]) -> np.ndarray:
    """Unit-length weighted mean of each group's points, in the order of ``groups``."""
    return unit_rows(np.vstack([np.average(points[labels == c], axis=0, weights=weights[labels == c]) for c in groups]))


def merge_near_duplicates(
    centres: np.ndarray, labels: np.ndarray, groups: list[int], similarity: float
) -> tuple[list[int], np.ndarray]:
    """Merge the groups whose ``centres`` are at least ``similarity`` cosine-similar (average
    linkage between the centres); return the groups left and the new labels."""
    if len(groups) < 2:
        return groups, labels
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    # Condensed distances, so scipy never warns that square centres look like a distance matrix.
    merged = fcluster(
        linkage(pdist(centres.astype(np.float64), metric="cosine"), method="average"),
        t=1.0 - similarity,
        criterion="distance",
    )
    _, first, which = np.unique(merged, return_index=True, return_inverse=True)
    if len(first) == len(groups):
        return groups, labels
    # Each merged group takes the label of its first member; dissolved groups stay as they were.
    leader = first[which]  # position in ``groups`` of each group's first member
    labels = labels.copy()
    for i in np.flatnonzero(leader != np.arange(len(groups))):
        labels[labels == groups[i]] = groups[leader[i]]
    logger.info(
        "%d near-duplicate themes merged into others (centres cosine >= %.2f)", len(groups) - len(first), similarity
    )
    return [groups[i] for i in np.sort(first)], labels


def clustering_info(clusterer: Any) -> dict[str, Any]:
    """What the clusterer chose, for the summary: its name, its fitted scalars and the levels
    it tried (the community clusterer)."""
    info: dict[str, Any] = {"method": type(clusterer).__name__}
    levels = getattr(clusterer, "levels_", None)
    if levels:
        info["levels"] = [
            {
                "resolution": float(lv["resolution"]),
                "n_communities": int(lv["n_communities"]),
                "stability": round(float(lv["stability"]), 4),
            }
            for lv in levels
        ]
    for name in (
        "resolution_",
        "stability_",
        "reproducible_",
        "margin_",
        "narrow_margin_",
        "n_neighbors_",
        "silhouette_",
    ):
        value = getattr(clusterer, name, None)
        if isinstance(value, (bool, np.bool_)):
            info[name.rstrip("_")] = bool(value)
        elif isinstance(value, (int, float, np.integer, np.floating)):
            info[name.rstrip("_")] = float(value) if isinstance(value, (float, np.floating)) else int(value)
    return info


@dataclass
class NetChoice:
    """How themes group into nets.

    Attributes
    ----------
    net_of_theme : ndarray of int, shape (k,)
        The 0-based net of each theme (in the order of the centres given).
    n_nets : int
    alternatives : list of dict
        Each number of nets tried: ``n_nets`` and ``silhouette`` (of the answers grouped by
        net; higher = better separated), finest first.
    """

    net_of_theme: np.ndarray
    n_nets: int
    alternatives: list[dict[str, float]] = field(default_factory=list)


def choose_nets(
    points: np.ndarray,
    theme_of_point: np.ndarray,
    centroids: np.ndarray,
    *,
    n_nets: int | None = None,
    random_state: int = 0,
) -> NetChoice:
    """Group themes into nets: average linkage of the theme centres (cosine), cut where the
    answers grouped by net are best separated (silhouette), with :data:`NET_RANGE` nets and
    at most half as many nets as themes.

    Parameters
    ----------
    points : ndarray of shape (n, d)
        Unit vectors of the distinct answers.
    theme_of_point : ndarray of int, shape (n,)
        The 0-based theme of each answer (-1 none: left out).
    centroids : ndarray of shape (k, d)
        The theme centres.
    n_nets : int or None
        Exactly this many nets (at most ``k``); ``None`` chooses in :data:`NET_RANGE`. With
        ``k`` themes too few to group (fewer than 6), each theme is its own net.
    random_state : int
        Seed of the sample the silhouette is measured on.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist
    from sklearn.metrics import silhouette_score

    k = len(centroids)
    if n_nets is not None and not 1 <= n_nets <= k:
        raise ValueError(f"n_nets={n_nets} but there are {k} themes to group; give at most {k}")
    if k < 2 or n_nets == k:
        return NetChoice(np.arange(k, dtype=np.int64), k)
    tree = linkage(np.nan_to_num(pdist(centroids.astype(np.float64), metric="cosine"), nan=1.0), method="average")

    def cut(m: int) -> np.ndarray:
        return (fcluster(tree, t=m, criterion="maxclust") - 1).astype(np.int64)

    if n_nets is not None:
        nets = cut(n_nets)
        return NetChoice(nets, len(np.unique(nets)))
    # A net groups two themes or more on average: at most half as many nets as themes.
    low, high = NET_RANGE[0], min(NET_RANGE[1], k // 2)
    if high < low:  # too few themes to group: each is its own net
        return NetChoice(np.arange(k, dtype=np.int64), k)
    kept = np.flatnonzero(theme_of_point >= 0)
    rng = np.random.default_rng(random_state)
    sample = kept if len(kept) <= NET_SAMPLE else np.sort(rng.choice(kept, NET_SAMPLE, replace=False))
    best: tuple[float, int] | None = None
    alternatives = []
    for m in range(high, low - 1, -1):  # finest first: ties keep the finer
        nets = cut(m)[theme_of_point[sample]]
        if not 2 <= len(np.unique(nets)) < len(sample):
            continue
        score = float(silhouette_score(points[sample], nets, metric="cosine"))
        alternatives.append({"n_nets": m, "silhouette": round(score, 4)})
        if best is None or score > best[0] + 1e-12:
            best = (score, m)
    if best is None:
        return NetChoice(np.arange(k, dtype=np.int64), k, alternatives)
    logger.info("%d nets (silhouette %.3f) over %d themes", best[1], best[0], k)
    return NetChoice(cut(best[1]), best[1], alternatives)


def nets_of_clusterer(clusterer: Any, points: np.ndarray, centroids: np.ndarray) -> NetChoice | None:
    """The nets a clusterer found beside its groups (``net_labels_``, as :class:`NestedWard`
    gives), carried over to the settled themes: each theme joins the net most of its answers
    (the points nearest its centre) are in. ``None`` when the clusterer gives no nets."""
    net_labels = getattr(clusterer, "net_labels_", None)
    if net_labels is None or len(centroids) == 0:
        return None
    nearest = np.argmax(points @ centroids.T, axis=1)
    # settle_themes keeps only themes that win answers, so every theme has votes.
    votes = [np.bincount(net_labels[nearest == t], minlength=int(net_labels.max()) + 1) for t in range(len(centroids))]
    _, net_of_theme = np.unique([int(np.argmax(v)) for v in votes], return_inverse=True)
    alternatives = list(getattr(clusterer, "alternatives_", []))
    return NetChoice(net_of_theme.astype(np.int64), int(net_of_theme.max()) + 1, alternatives)
