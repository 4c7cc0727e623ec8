"""An honest accuracy: a random sample of the machine's codes, checked by the analyst.

The review queue asks about the answers the coder is least sure of, so its corrections say
little about how often the coder is right. An audit is a random sample instead
(:func:`audit_sample`): once the analyst has written the right codes beside the proposed ones,
:func:`audit_estimate` states the share of answers the machine coded right and Cohen's kappa
between its main codes and the analyst's, each with a 95% interval.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from ..errors import InputError, format_rows
from ..io.reading import read_table, resolve_column
from ..italian import english_columns
from ..schema import ID, TEXT, id_to_str
from .codebook import Codebook
from .review import correction_codes
from .waves import wilson_interval

__all__ = ["CONFIRMED", "audit_estimate", "audit_sample", "read_audit"]

#: What the analyst may write in ``corrected_codes`` to say the proposed codes are right.
CONFIRMED = ("ok", "=", "sì", "si", "giusto", "corretto")


def audit_sample(coded: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` answers drawn at random (seeded) among those the machine coded or left
    "non classificato" (not the non-answers, not the answers a reviewer already corrected),
    with the proposed codes and an empty ``corrected_codes`` column."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"the audit size must be a whole number >= 0, got {n!r}")
    pool = np.flatnonzero(coded["status"].isin(["theme", "unclassified"]).to_numpy())
    picked = np.sort(np.random.default_rng(seed).choice(pool, size=min(n, len(pool)), replace=False))
    rows = coded.iloc[picked]
    return pd.DataFrame(
        {
            ID: rows[ID].to_numpy(),
            TEXT: rows[TEXT].to_numpy(),
            "proposed_codes": rows["codes"].fillna("").astype(str).to_numpy(),
            "proposed_labels": rows["code_labels"].fillna("").astype(str).to_numpy(),
            "corrected_codes": "",
        }
    )


def read_audit(source: str | Path | pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """A filled-in audit sheet: ``id``, ``proposed`` and ``correct`` (main code ids, 0 for
    "non classificato"), ``correct_codes`` (all the analyst's codes, ``;``-joined; ``0`` for
    none), for the rows the analyst checked (an empty cell is a row not checked yet).

    Raises
    ------
    InputError
        Codes not in the codebook, or a sheet without the audit's columns, all listed at once.
    """
    where = "<table>" if isinstance(source, pd.DataFrame) else str(source)
    frame = source if isinstance(source, pd.DataFrame) else read_table(where, None, None, None)
    frame = english_columns(frame, [ID, "proposed_codes", "corrected_codes"])
    id_col = resolve_column(frame, ID, where, "id")
    proposed_col = resolve_column(frame, "proposed_codes", where, "proposed_codes")
    code_col = resolve_column(frame, "corrected_codes", where, "corrected_codes")
    rows, bad = [], []
    for line, (respondent, proposed, cell) in enumerate(zip(frame[id_col], frame[proposed_col], frame[code_col]), 2):
        text = "" if pd.isna(cell) else str(cell).strip()
        if not text:
            continue
        proposed_ids = [int(float(c)) for c in str("" if pd.isna(proposed) else proposed).split(";") if c.strip()]
        if text.casefold() in CONFIRMED:
            correct = proposed_ids
        else:
            found, unknown = correction_codes(text, codebook)
            correct = found or []
            bad += [f"{part!r} (row {line})" for part in unknown]
        rows.append(
            {
                ID: id_to_str(respondent),
                "proposed": proposed_ids[0] if proposed_ids else 0,
                "correct": correct[0] if correct else 0,
                "correct_codes": ";".join(map(str, correct)) or "0",
            }
        )
    if bad:
        raise InputError(
            f"codes not in the codebook (ids {sorted(codebook.ids)}, their labels, 'ok' when the proposal is "
            f"right, or 0 for none): {format_rows(bad)}",
            path=where,
            column=str(code_col),
        )
    return pd.DataFrame(rows, columns=[ID, "proposed", "correct", "correct_codes"])


def audit_estimate(audit: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Accuracy of the machine's main codes on a checked random sample (Wilson 95% interval)
    and Cohen's kappa between its main codes and the analyst's (95% bootstrap interval).

    ``audit`` is :func:`read_audit`'s table. With no row checked, the figures are ``None``.
    """
    n = len(audit)
    if n == 0:
        return {"checked": 0, "accuracy": None, "accuracy_ci": None, "kappa": None, "kappa_ci": None}
    proposed = audit["proposed"].to_numpy().astype(str)
    correct = audit["correct"].to_numpy().astype(str)
    right = int(np.sum(proposed == correct))
    low, high = wilson_interval(np.array([right]), np.array([n]))
    kappa = _kappa(correct, proposed)
    rng = np.random.default_rng(seed)
    draws = [_kappa(correct[i], proposed[i]) for i in (rng.integers(0, n, n) for _ in range(n_boot))]
    draws = np.asarray([d for d in draws if d == d], dtype=float)
    kappa_ci = [float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975))] if len(draws) else None
    return {
        "checked": n,
        "right": right,
        "accuracy": right / n,
        "accuracy_ci": [float(low[0]), float(high[0])],
        "kappa": kappa if kappa == kappa else None,
        "kappa_ci": kappa_ci,
    }


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa; 1 when both agree on one code only (no chance to correct for), NaN if undefined."""
    if len(set(a) | set(b)) == 1:
        return 1.0
    return float(cohen_kappa_score(a, b))
