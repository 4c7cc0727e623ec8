"""When a difference between two shares is flagged: one test, one rule for small bases, and a
correction for the number of tests made at once.

Every comparison an analyst publishes (a theme up or down between waves, a segment higher than
another) goes through here, so the table, the figures and the report flag the same cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["ALPHA", "CORRECTIONS", "CORRECTION_NAMES", "LOW_BASE", "adjust_p", "change_marks", "two_proportion_p"]

#: Bases under this are shown but never tested: a share of fewer answers moves a lot with one answer.
LOW_BASE = 30
#: The significance level of a flag, after the correction.
ALPHA = 0.05
#: How the p-values of one comparison are corrected for the number of tests: Benjamini and
#: Hochberg's false discovery rate (the default, as market-research tools offer it), Holm's
#: family-wise error rate (stricter), or none.
CORRECTIONS = ("fdr", "holm", "none")
#: Each correction in a line of the command's output (the report says it in Italian).
CORRECTION_NAMES = {"fdr": "Benjamini-Hochberg false discovery rate", "holm": "Holm", "none": "no correction"}


def two_proportion_p(c1: np.ndarray, n1: np.ndarray, c2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p-value of the pooled two-proportion z-test of ``c1 / n1`` against ``c2 / n2``.

    1 where both shares are 0 or both 1 (no variance: no evidence of a difference); NaN where a
    base is 0.
    """
    c1, n1, c2, n2 = (np.asarray(v, dtype=float) for v in (c1, n1, c2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (c1 + c2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (c1 / n1 - c2 / n2) / se
        p = 2 * norm.sf(np.abs(z))
    p = np.where(se == 0, 1.0, p)
    return np.where((n1 > 0) & (n2 > 0), p, np.nan)


def adjust_p(p: np.ndarray, method: str = "fdr") -> np.ndarray:
    """``p`` adjusted for the number of tests among them (NaN entries are no test and stay NaN).

    Parameters
    ----------
    p : array of float
        Raw p-values of one comparison's tests.
    method : {"fdr", "holm", "none"}
        Benjamini-Hochberg step-up adjusted p-values (a cell is flagged when its adjusted p is
        below the level: the expected share of false flags among the flags stays under it),
        Holm's step-down (the chance of any false flag stays under it), or the raw p.
    """
    if method not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, got {method!r}")
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0 or method == "none":
        out[tested] = p[tested]
        return out
    order = tested[np.argsort(p[tested], kind="stable")]
    ranked = p[order]
    if method == "fdr":
        # p(i) * m / i, made monotone from the largest down.
        adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    else:
        # p(i) * (m - i + 1), made monotone from the smallest up.
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    out[order] = np.minimum(adjusted, 1.0)
    return out


def change_marks(rows: pd.DataFrame, before: np.ndarray | None = None) -> np.ndarray:
    """ "▲", "▼" or "" for each row of a prevalence table, as its ``flag`` says.

    A table written before flags existed has only the raw ``change_p``: then a row is marked
    where it is below :data:`ALPHA` and its share moved from ``before`` (the first wave's).
    """
    if "flag" in rows:
        flag = rows["flag"].fillna("").astype(str).to_numpy()
        return np.where(flag == "up", "▲", np.where(flag == "down", "▼", ""))
    p = pd.to_numeric(rows.get("change_p", pd.Series(np.nan, index=rows.index)), errors="coerce").to_numpy()
    higher = rows["prevalence"].to_numpy(dtype=float) > (np.nan if before is None else before)
    return np.where(p < ALPHA, np.where(higher, "▲", "▼"), "")
