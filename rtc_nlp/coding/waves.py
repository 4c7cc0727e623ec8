"""Comparing survey waves: the prevalence of each theme per wave and group, with intervals and a
test of change from the first wave."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, format_rows
from ..io.reading import resolve_column
from ..schema import UNCLASSIFIED, UNCLASSIFIED_ID
from .codebook import Codebook

__all__ = ["compare_waves", "count_carrying", "describe_bases", "prevalence_figure", "wilson_interval"]


def wilson_interval(successes: np.ndarray, n: np.ndarray, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (95% by default); NaN where ``n == 0``."""
    successes, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def count_carrying(codes: pd.Series, groups: dict[int, list[int]]) -> dict[int, int]:
    """Answers carrying a code of each group, each answer counted once per group.

    Parameters
    ----------
    codes : Series of str
        Each answer's theme ids, ``;``-joined.
    groups : dict of int to list of int
        The codes of each group: one code for a theme, a net's codes for a net.
    """
    group_of = {int(code): key for key, members in groups.items() for code in members}
    hits = _codes_of(codes).map(group_of).dropna()
    counted = pd.Series(hits.to_numpy(), index=hits.index).reset_index().drop_duplicates()
    totals = counted.iloc[:, 1].value_counts()
    return {key: int(totals.get(key, 0)) for key in groups}


def compare_waves(
    waves: dict[str, pd.DataFrame], codebook: Codebook, *, by: str | None = None, level: str = "theme"
) -> pd.DataFrame:
    """Prevalence of each theme per wave (and per group of ``by``), with Wilson 95% intervals
    and a test of change from the first wave to each later one (two-proportion z-test).

    An answer counts for every code it carries; the base is the answers that are not
    non-answers. Returns one row per (wave, group, theme), plus one for "non classificato";
    group ``""`` is the whole wave, so with ``by`` the total comes before its groups.
    With ``level="net"`` the rows are the codebook's nets (and the themes under no net): an
    answer counts once for a net however many of its themes it carries, as SPSS counts nets.
    """
    if level not in ("theme", "net"):
        raise ValueError(f"level must be 'theme' or 'net', got {level!r}")
    if level == "net":
        units = [codebook[i] for i in dict.fromkeys(codebook.net_of(t.id) for t in codebook.codes)]
        members = {u.id: codebook.members(u.id) for u in units}
    else:
        units = codebook.codes
        members = {t.id: [t.id] for t in units}
    from scipy.stats import norm

    _check_codes(waves, codebook)
    names = list(waves)
    rows = []
    for wave in names:
        coded = waves[wave]
        # The whole wave first (group ""), then each group of ``by``.
        groups = [(None, coded)]
        if by is not None:
            column = resolve_column(coded, by, wave, "group")
            groups += list(coded.groupby(column, sort=True, dropna=False))
        for group, part in groups:
            base = int((part["status"] != "non_answer").sum())
            carried = count_carrying(part["codes"], members)
            for theme in units:
                count = carried[theme.id]
                rows.append(
                    {
                        "wave": wave,
                        "group": "" if group is None else str(group),
                        "theme_id": theme.id,
                        "theme_label": theme.label,
                        "count": count,
                        "base": base,
                    }
                )
            # A rising share of "non classificato" is the first sign of a theme the codebook lacks.
            rows.append(
                {
                    "wave": wave,
                    "group": "" if group is None else str(group),
                    "theme_id": UNCLASSIFIED_ID,
                    "theme_label": UNCLASSIFIED,
                    "count": int((part["status"] == "unclassified").sum()),
                    "base": base,
                }
            )
    table = pd.DataFrame(rows)
    table["prevalence"] = table["count"] / table["base"].where(table["base"] > 0)
    low, high = wilson_interval(table["count"].to_numpy(), table["base"].to_numpy())
    table["ci_low"], table["ci_high"] = low, high
    table["change_p"] = float("nan")
    first = table[table["wave"] == names[0]].set_index(["group", "theme_id"])
    for i in np.flatnonzero((table["wave"] != names[0]).to_numpy()):
        key = (table.at[i, "group"], table.at[i, "theme_id"])
        if key not in first.index:
            continue
        c1, n1 = first.loc[key, "count"], first.loc[key, "base"]
        c2, n2 = table.at[i, "count"], table.at[i, "base"]
        pooled = (c1 + c2) / (n1 + n2) if n1 + n2 else float("nan")
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) if n1 and n2 else float("nan")
        if se and se == se:
            table.at[i, "change_p"] = float(2 * norm.sf(abs((c2 / n2 - c1 / n1) / se)))
        elif n1 and n2:
            table.at[i, "change_p"] = 1.0
    return table


def prevalence_figure(table: pd.DataFrame) -> Any:
    """Theme prevalence per wave with Wilson 95% intervals (a matplotlib ``Figure``; one panel
    per group when :func:`compare_waves` was given ``by``)."""
    from matplotlib.figure import Figure

    groups = list(dict.fromkeys(table["group"]))
    themes = list(dict.fromkeys(table["theme_label"]))
    waves = list(dict.fromkeys(table["wave"]))
    fig = Figure(figsize=(8, 1.2 + 0.5 * len(themes) * len(groups)), layout="constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
    height = 0.8 / len(waves)
    for ax, group in zip(axes, groups):
        part = table[table["group"] == group]
        for k, wave in enumerate(waves):
            rows = part[part["wave"] == wave].set_index("theme_label").reindex(themes)
            y = np.arange(len(themes)) + k * height
            err = np.vstack([rows["prevalence"] - rows["ci_low"], rows["ci_high"] - rows["prevalence"]])
            ax.barh(y, rows["prevalence"], height=height, xerr=err, label=str(wave), capsize=2)
        ax.set_yticks(np.arange(len(themes)) + 0.4 - height / 2, [t[:45] for t in themes])
        ax.invert_yaxis()
        ax.set_xlabel("share of answers (95% Wilson interval)")
        if len(groups) > 1:
            ax.set_title(str(group) or "totale")
    axes[0].legend(loc="lower right")
    return fig


def _codes_of(codes: pd.Series) -> pd.Series:
    """The theme ids each answer carries (``;``-joined in ``codes``), one per row of the
    result, whose index is the answer's position."""
    exploded = codes.fillna("").astype(str).reset_index(drop=True).str.split(";").explode()
    exploded = exploded[exploded.str.strip() != ""]
    return exploded.astype(float).astype(int)


def _check_codes(waves: dict[str, pd.DataFrame], codebook: Codebook) -> None:
    """Every theme id a wave carries must be in the codebook: an answer coded to a theme the
    codebook merged away or deleted would otherwise silently count for nothing."""
    known = set(codebook.ids)
    for wave, coded in waves.items():
        codes = _codes_of(coded["codes"])
        unknown = codes[~codes.isin(known)]
        if len(unknown):
            rows = sorted({int(r) + 2 for r in unknown.index})
            raise InputError(
                f"{len(rows)} answer(s) carry theme ids the codebook does not have "
                f"({', '.join(map(str, sorted(set(unknown))))}; rows {format_rows(rows)}): the codebook was edited "
                "after these answers were coded. Code this wave again with it (rtc-nlp code ... --codebook)",
                path=wave,
            )


def describe_bases(waves: dict[str, pd.DataFrame]) -> list[str]:
    """One line per wave that says what its counts rest on: rows, non-answers (outside the
    base), the base, the "non classificato" in it, and answers carrying several codes (which
    count for each, so the prevalences of a wave can add up to more than 100%)."""
    lines = []
    for wave, coded in waves.items():
        status = coded["status"]
        non_answers = int((status == "non_answer").sum())
        codes = _codes_of(coded["codes"])
        several = int((codes.index.value_counts() > 1).sum())
        lines.append(
            f"{wave}: {len(coded)} rows; {non_answers} non-answers outside the base; base "
            f"{len(coded) - non_answers} answers, {int((status == 'unclassified').sum())} of them "
            f"'{UNCLASSIFIED}'; {several} carry two or more codes and count for each"
        )
    return lines
