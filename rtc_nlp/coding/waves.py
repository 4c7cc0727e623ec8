"""Comparing survey waves: the prevalence of each theme per wave and group, with intervals and a
test of change from the first wave."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, format_rows
from ..io.reading import resolve_column
from ..schema import UNCLASSIFIED, UNCLASSIFIED_ID
from .codebook import Codebook
from .significance import ALPHA, CORRECTIONS, LOW_BASE, adjust_p, change_marks, two_proportion_p

__all__ = [
    "THEMES_RUN_COLUMNS",
    "compare_waves",
    "count_carrying",
    "count_like_coded",
    "describe_bases",
    "prevalence_figure",
    "wilson_interval",
]

#: The columns a ``themes`` run adds to each answer; counting it again by the codebook's rule
#: replaces them.
THEMES_RUN_COLUMNS = (
    "theme_id",
    "theme_label",
    "net_id",
    "net_label",
    "similarity",
    "status",
    "reason",
    "duplicate",
    "codes",
)


def wilson_interval(successes: np.ndarray, n: np.ndarray, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (95% by default); NaN where ``n == 0``.

    The interval always holds the share itself and stays within [0, 1]: at a share of 0 or 1
    the bound equals the share, which rounding would otherwise put a hair on the wrong side.
    """
    successes, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        low, high = np.clip(np.fmin(centre - half, p), 0, 1), np.clip(np.fmax(centre + half, p), 0, 1)
    nan = np.isnan(p)
    return np.where(nan, np.nan, low), np.where(nan, np.nan, high)


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
    waves: dict[str, pd.DataFrame],
    codebook: Codebook,
    *,
    by: str | None = None,
    level: str = "theme",
    correction: str = "fdr",
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Prevalence of each theme per wave (and per group of ``by``), with Wilson 95% intervals
    and a test of change from the first wave to each later one, corrected for the number of
    tests.

    An answer counts for every code it carries; the base is the answers that are not
    non-answers. Returns one row per (wave, group, theme), plus one for "non classificato";
    group ``""`` is the whole wave, so with ``by`` the total comes before its groups.
    With ``level="net"`` the rows are the codebook's nets (and the themes under no net): an
    answer counts once for a net however many of its themes it carries, as SPSS counts nets.

    Each row of a later wave is tested against the same group and theme of the first wave
    (two-proportion z-test, ``change_p``); a row whose base, or the first wave's, is under
    :data:`~rtc_nlp.coding.significance.LOW_BASE` is shown but not tested (``low_base``). The
    p-values of all the tests of the comparison (themes x groups x waves) are adjusted together
    (``change_p_adjusted``; ``correction``: ``"fdr"`` Benjamini-Hochberg, ``"holm"``,
    ``"none"``), and ``flag`` is ``"up"`` or ``"down"`` where the adjusted p is below ``alpha``.
    """
    if level not in ("theme", "net"):
        raise ValueError(f"level must be 'theme' or 'net', got {level!r}")
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    if level == "net":
        units = [codebook[i] for i in dict.fromkeys(codebook.net_of(t.id) for t in codebook.codes)]
        members = {u.id: codebook.members(u.id) for u in units}
    else:
        units = codebook.codes
        members = {t.id: [t.id] for t in units}
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
    # Each later wave against the first, cell by cell (same group, same theme).
    first = table[table["wave"] == names[0]].set_index(["group", "theme_id"])
    key = pd.MultiIndex.from_frame(table[["group", "theme_id"]])
    later = (table["wave"] != names[0]).to_numpy()
    c1 = first["count"].reindex(key).to_numpy(dtype=float)
    n1 = first["base"].reindex(key).to_numpy(dtype=float)
    c2, n2 = table["count"].to_numpy(dtype=float), table["base"].to_numpy(dtype=float)
    low_base = (n2 < LOW_BASE) | (later & ~(n1 >= LOW_BASE))
    tested = later & ~low_base & ~np.isnan(n1)
    raw = np.where(tested, two_proportion_p(c2, n2, c1, n1), np.nan)
    adjusted = adjust_p(raw, correction)
    up = c2 / np.where(n2 > 0, n2, np.nan) > c1 / np.where(n1 > 0, n1, np.nan)
    table["change_p"] = raw
    table["change_p_adjusted"] = adjusted
    table["flag"] = np.where(adjusted < alpha, np.where(up, "up", "down"), "")
    table["low_base"] = low_base
    table["correction"] = correction
    return table


def prevalence_figure(table: pd.DataFrame) -> Any:
    """Theme prevalence per wave with Wilson 95% intervals (a matplotlib ``Figure``; one panel
    per group when :func:`compare_waves` was given ``by``). A later wave's bar is marked ▲ or ▼
    where the table flags a change (``flag``), and the note under the figure says which
    correction for the number of tests the flags rest on."""
    from matplotlib.figure import Figure

    from ..italian import CORRECTIONS as CORRECTION_NAMES

    groups = list(dict.fromkeys(table["group"]))
    themes = list(dict.fromkeys(table["theme_label"]))
    waves = list(dict.fromkeys(table["wave"]))
    fig = Figure(figsize=(8, 1.6 + 0.5 * len(themes) * len(groups)), layout="constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
    height = 0.8 / len(waves)
    for ax, group in zip(axes, groups):
        part = table[table["group"] == group]
        first = part[part["wave"] == waves[0]].set_index("theme_label").reindex(themes)["prevalence"].to_numpy()
        for k, wave in enumerate(waves):
            rows = part[part["wave"] == wave].set_index("theme_label").reindex(themes)
            y = np.arange(len(themes)) + k * height
            err = np.vstack([rows["prevalence"] - rows["ci_low"], rows["ci_high"] - rows["prevalence"]])
            ax.barh(y, rows["prevalence"], height=height, xerr=err, label=str(wave), capsize=2)
            for at, mark, right in zip(y, change_marks(rows, first), rows["ci_high"].to_numpy()):
                if mark:
                    ax.text(right, at, f" {mark}", va="center", color="#B00020", fontsize=11)
        ax.set_yticks(np.arange(len(themes)) + 0.4 - height / 2, [t[:45] for t in themes])
        ax.invert_yaxis()
        ax.set_xlabel("quota di risposte (intervallo di Wilson al 95%)")
        if len(groups) > 1:
            ax.set_title(str(group) or "totale")
    axes[0].legend(loc="lower right")
    if len(waves) > 1:
        correction = str(table["correction"].iloc[0]) if "correction" in table else "none"
        fig.supxlabel(
            f"▲ ▼ variazione dalla prima ondata con p corretto < {ALPHA:.2f} "
            f"({CORRECTION_NAMES.get(correction, correction)}); basi sotto {LOW_BASE} mostrate ma non testate",
            fontsize=8,
        )
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


def count_like_coded(
    answers: pd.DataFrame,
    codebook: Codebook,
    embedder: Any,
    *,
    min_similarity: float | None = None,
    max_codes: int = 2,
    random_state: int = 0,
    cache_dir: Any = None,
) -> pd.DataFrame:
    """The answers of a ``themes`` run coded again with ``codebook``, by the rule
    ``rtc-nlp code`` counts with (threshold, several codes per answer, "non classificato").

    A themes run gives every answer its nearest theme and leaves none "non classificato";
    counting one wave that way and the next by the codebook's rule would make every theme seem
    to move. ``min_similarity`` and ``max_codes`` should be those of the coded waves it is
    compared with; ``cache_dir`` is the embedding cache (default: the default folder, where the
    themes run left its vectors). The result's ``attrs["counted_by"]`` says how it was counted.
    """
    from .coder import CodebookCoder

    kept = answers.drop(columns=[c for c in THEMES_RUN_COLUMNS if c in answers.columns])
    coder = CodebookCoder(
        codebook,
        embedder,
        min_similarity=min_similarity,
        max_codes=max_codes,
        cache_dir=cache_dir,
        random_state=random_state,
    )
    coded = coder.fit(kept).code(kept)
    coded.attrs["counted_by"] = (
        f"a themes run, counted by the codebook's rule (coded again with it: threshold "
        f"{coder.min_similarity_:.3f}, at most {max_codes} codes)"
    )
    return coded


def describe_bases(waves: dict[str, pd.DataFrame]) -> list[str]:
    """One line per wave that says what its counts rest on: how it was counted (its
    ``attrs["counted_by"]``, when given), rows, non-answers (outside the base), the base, the
    "non classificato" in it, and answers carrying several codes (which count for each, so the
    prevalences of a wave can add up to more than 100%)."""
    lines = []
    for wave, coded in waves.items():
        status = coded["status"]
        non_answers = int((status == "non_answer").sum())
        codes = _codes_of(coded["codes"])
        several = int((codes.index.value_counts() > 1).sum())
        counted_by = coded.attrs.get("counted_by")
        lines.append(
            f"{wave}: " + (f"{counted_by}; " if counted_by else "") + f"{len(coded)} rows; "
            f"{non_answers} non-answers outside the base; base "
            f"{len(coded) - non_answers} answers, {int((status == 'unclassified').sum())} of them "
            f"'{UNCLASSIFIED}'; {several} carry two or more codes and count for each"
        )
    return lines
