"""A segment x theme table as market-research tables show it: column percentages, and letters
marking the segments a cell is significantly higher than."""

from __future__ import annotations

import math
import string

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["LOW_BASE", "crosstab"]

#: Bases under this are flagged: a percentage of fewer answers moves a lot with one answer.
LOW_BASE = 30


def crosstab(table: pd.DataFrame, wave: str | None = None, *, alpha: float = 0.05) -> pd.DataFrame:
    """Theme x segment column percentages of one wave, with significance letters.

    Each segment (a value of ``by`` in :func:`rtc_nlp.compare_waves`) gets a letter, A, B, C
    in its order; a cell lists the letters of the segments whose share of the same theme it is
    significantly higher than (two-sided two-proportion z-test at ``alpha``, pooled variance,
    no correction for the number of tests, as market-research tables do). The total column is
    not tested against its own parts.

    Parameters
    ----------
    table : DataFrame
        From :func:`rtc_nlp.compare_waves` with ``by``: ``wave``, ``group`` (``""`` the total),
        ``theme_id``, ``theme_label``, ``count``, ``base``.
    wave : str, optional
        The wave to tabulate; default the last.
    alpha : float
        Significance level.

    Returns
    -------
    DataFrame
        One row per theme and segment (the total first, as ``group == ""``): ``theme_id``,
        ``theme_label``, ``group``, ``letter`` (``""`` for the total), ``count``, ``base``,
        ``share``, ``higher_than`` (letters, e.g. ``"AC"``) and ``low_base``.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    waves = list(dict.fromkeys(table["wave"]))
    wave = waves[-1] if wave is None else wave
    if wave not in waves:
        raise ValueError(f"no wave {wave!r} in the table; it has {', '.join(map(str, waves))}")
    part = table[table["wave"] == wave].copy()
    part["group"] = part["group"].fillna("").astype(str)
    segments = [g for g in dict.fromkeys(part["group"]) if g != ""]
    if len(segments) > len(string.ascii_uppercase):
        raise ValueError(f"{len(segments)} segments: at most {len(string.ascii_uppercase)} can be lettered")
    letters = dict(zip(segments, string.ascii_uppercase))
    critical = norm.isf(alpha / 2)
    rows = []
    for (theme_id, label), cells in part.groupby(["theme_id", "theme_label"], sort=False):
        by_group = cells.set_index("group")
        for group in [""] + segments if "" in by_group.index else segments:
            count, base = int(by_group.at[group, "count"]), int(by_group.at[group, "base"])
            higher = ""
            if group:
                for other in segments:
                    if other != group and _higher(
                        count, base, int(by_group.at[other, "count"]), int(by_group.at[other, "base"]), critical
                    ):
                        higher += letters[other]
            rows.append(
                {
                    "theme_id": theme_id,
                    "theme_label": label,
                    "group": group,
                    "letter": letters.get(group, ""),
                    "count": count,
                    "base": base,
                    "share": count / base if base else np.nan,
                    "higher_than": higher,
                    "low_base": base < LOW_BASE,
                }
            )
    return pd.DataFrame(rows)


def _higher(c1: int, n1: int, c2: int, n2: int, critical: float) -> bool:
    """Whether the share ``c1 / n1`` is significantly higher than ``c2 / n2``."""
    if not n1 or not n2:
        return False
    pooled = (c1 + c2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return se > 0 and (c1 / n1 - c2 / n2) / se > critical
