"""The table of answers with their themes (``ThemeModel.assignments_``) and its counts.

One row per input row, in input order: id, text, theme id and label, net id and label (with
nets), similarity to the theme, status (``theme``, ``unclassified``, ``non_answer``), the reason
of an answer without theme, whether it repeats an earlier answer, then the input's other columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..schema import ID, NON_ANSWER, NON_ANSWER_ID, TEXT, UNCLASSIFIED, UNCLASSIFIED_ID

__all__ = ["answer_table", "summary_counts"]


def _special(index: np.ndarray) -> np.ndarray:
    """The id of the special code of each row without theme (-1: unclassified, -2: non-answer)."""
    return np.where(index == -1, UNCLASSIFIED_ID, NON_ANSWER_ID)


def _label(code: int, labels: dict[int, str]) -> str:
    return labels[code] if code > 0 else (UNCLASSIFIED if code == UNCLASSIFIED_ID else NON_ANSWER)


def answer_table(
    frame: pd.DataFrame,
    prepared: pd.DataFrame,
    usable: np.ndarray,
    codes: np.ndarray,
    row_index: np.ndarray,
    sims: np.ndarray,
    reasons: list[str],
    themes: pd.DataFrame,
    nets: pd.DataFrame,
) -> pd.DataFrame:
    """Build the table.

    Parameters
    ----------
    frame : DataFrame
        The input rows (``id``, ``text``, other columns).
    prepared : DataFrame
        Their cleaned texts and non-answer reasons (:func:`rtc_nlp.text.prepare_texts`).
    usable : ndarray of bool
        Rows that are answers (not non-answers).
    codes : ndarray of int
        The distinct answer of each usable row.
    row_index : ndarray of int
        The 0-based theme of each row; -1 unclassified, -2 non-answer.
    sims, reasons
        Each distinct answer's similarity to its theme and why it has none ("" if it has).
    themes : DataFrame
        The theme table (``label``, and ``net_id`` with nets).
    nets : DataFrame
        The net table (``net_id``, ``label``), empty without nets.
    """
    similarity = np.full(len(frame), np.nan)
    similarity[usable] = np.round(sims[codes], 6)
    reason = np.array(prepared["non_answer"].fillna("").tolist(), dtype=object)
    reason[usable] = np.asarray(reasons, dtype=object)[codes] if len(reasons) else []
    status = np.where(row_index >= 0, "theme", np.where(row_index == -1, "unclassified", "non_answer"))
    theme_id = np.where(row_index >= 0, row_index + 1, _special(row_index)).astype(np.int64)
    theme_labels = dict(zip(range(1, len(themes) + 1), themes["label"]))
    duplicate = np.zeros(len(frame), dtype=bool)
    duplicate[usable] = pd.Series(codes).duplicated().to_numpy()
    columns: dict[str, Any] = {
        ID: frame[ID].astype(str).to_numpy(),
        TEXT: frame[TEXT].to_numpy(),
        "theme_id": theme_id,
        "theme_label": [_label(int(t), theme_labels) for t in theme_id],
    }
    if "net_id" in themes.columns:
        net_of_theme = themes["net_id"].to_numpy(dtype=np.int64)
        net_id = np.where(row_index >= 0, net_of_theme[np.maximum(row_index, 0)], _special(row_index)).astype(np.int64)
        net_labels = dict(zip(nets["net_id"].astype(int), nets["label"]))
        columns.update(net_id=net_id, net_label=[_label(int(n), net_labels) for n in net_id])
    columns.update(similarity=similarity, status=status, reason=reason, duplicate=duplicate)
    meta = frame.drop(columns=[ID, TEXT]).reset_index(drop=True)
    return pd.concat([pd.DataFrame(columns), meta], axis=1)


def summary_counts(assignments: pd.DataFrame) -> dict[str, Any]:
    """Answers, coded, non-answers (by reason) and unclassified, with the unclassified share."""
    n = len(assignments)
    status = assignments["status"]
    non_answers = assignments.loc[status == "non_answer", "reason"].value_counts().sort_index()
    unclassified = int((status == "unclassified").sum())
    return {
        "n_answers": n,
        "n_coded": int((status == "theme").sum()),
        "n_non_answers": int((status == "non_answer").sum()),
        "non_answers_by_reason": {str(k): int(v) for k, v in non_answers.items()},
        "n_unclassified": unclassified,
        "share_unclassified": unclassified / n if n else 0.0,
    }
