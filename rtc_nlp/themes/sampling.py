"""Seeded samples of distinct answers, drawn in proportion to how many respondents gave each."""

from __future__ import annotations

import numpy as np

__all__ = ["per_group_sample", "weighted_sample"]


def weighted_sample(weights: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``size`` items drawn without replacement in proportion to ``weights``
    (Efraimidis-Spirakis keys), in increasing order."""
    keys = np.log(rng.random(len(weights))) / weights
    return np.sort(np.argpartition(-keys, size - 1)[:size])


def per_group_sample(group: np.ndarray, counts: np.ndarray, n_groups: int, per_group: int, seed: int) -> np.ndarray:
    """``counts``, except that a group with more than ``per_group`` members keeps a seeded
    sample of them (drawn in proportion to their counts); the others get weight 0."""
    weights = np.zeros_like(counts)
    rng = np.random.default_rng(seed)
    for g in range(n_groups):
        members = np.flatnonzero(group == g)
        kept = members if len(members) <= per_group else members[weighted_sample(counts[members], per_group, rng)]
        weights[kept] = counts[kept]
    return weights
