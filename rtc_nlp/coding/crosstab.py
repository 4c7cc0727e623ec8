"""A segment x theme table as market-research tables show it: column percentages, and letters
marking the segments a cell is significantly higher than, corrected for the number of tests."""

from __future__ import annotations

import itertools
import string

import numpy as np
import pandas as pd

from .significance import ALPHA, CORRECTIONS, LOW_BASE, adjust_p, two_proportion_p

__all__ = ["LOW_BASE", "crosstab"]


def crosstab(
    table: pd.DataFrame, wave: str | None = None, *, alpha: float = ALPHA, correction: str | None = None
) -> pd.DataFrame:
    """Theme x segment column percentages of one wave, with significance letters.

    Each segment (a value of ``by`` in :func:`rtc_nlp.compare_waves`) gets a letter, A, B, C
    in its order; a cell lists the letters of the segments whose share of the same theme it is
    significantly higher than: two-sided two-proportion z-test for every pair of segments and
    theme, the p-values of the whole table adjusted together (as the comparison's were), below
    ``alpha``. A segment with a base under :data:`LOW_BASE` is shown but tested against none.
    The total column is not tested against its own parts.

    Parameters
    ----------
    table : DataFrame
        From :func:`rtc_nlp.compare_waves` with ``by``: ``wave``, ``group`` (``""`` the total),
        ``theme_id``, ``theme_label``, ``count``, ``base`` (and ``correction``).
    wave : str, optional
        The wave to tabulate; default the last.
    alpha : float
        Significance level, after the correction.
    correction : {"fdr", "holm", "none"}, optional
        Default: the one the comparison used (its ``correction`` column), else ``"fdr"``.

    Returns
    -------
    DataFrame
        One row per theme and segment (the total first, as ``group == ""``): ``theme_id``,
        ``theme_label``, ``group``, ``letter`` (``""`` for the total), ``count``, ``base``,
        ``share``, ``higher_than`` (letters, e.g. ``"AC"``) and ``low_base``;
        ``attrs["correction"]`` says how the p-values were adjusted.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    if correction is None:
        correction = str(table["correction"].iloc[0]) if "correction" in table and len(table) else "fdr"
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
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
    cells = {
        (theme_id, str(row.group)): (int(row.count), int(row.base))
        for theme_id, rows in part.groupby("theme_id", sort=False)
        for row in rows.itertuples()
    }
    # Every pair of segments of every theme is one test of the table's family.
    pairs = [
        (theme_id, a, b)
        for theme_id in dict.fromkeys(part["theme_id"])
        for a, b in itertools.combinations(segments, 2)
        if min(cells[(theme_id, a)][1], cells[(theme_id, b)][1]) >= LOW_BASE
    ]
    counts = np.array([cells[(t, a)] + cells[(t, b)] for t, a, b in pairs], dtype=float).reshape(-1, 4)
    raw = two_proportion_p(counts[:, 0], counts[:, 1], counts[:, 2], counts[:, 3])
    adjusted = adjust_p(raw, correction)
    higher: dict[tuple, str] = {}
    for (theme_id, a, b), (c1, n1, c2, n2), p in zip(pairs, counts, adjusted):
        if p < alpha:
            winner, loser = (a, b) if c1 / n1 > c2 / n2 else (b, a)
            higher[(theme_id, winner)] = higher.get((theme_id, winner), "") + letters[loser]
    rows = []
    for (theme_id, label), theme_cells in part.groupby(["theme_id", "theme_label"], sort=False):
        present = set(theme_cells["group"])
        for group in [""] + segments if "" in present else segments:
            count, base = cells[(theme_id, group)]
            rows.append(
                {
                    "theme_id": theme_id,
                    "theme_label": label,
                    "group": group,
                    "letter": letters.get(group, ""),
                    "count": count,
                    "base": base,
                    "share": count / base if base else np.nan,
                    "higher_than": "".join(sorted(higher.get((theme_id, group), ""))),  # letters follow the segments
                    "low_base": base < LOW_BASE,
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["correction"] = correction
    return out
