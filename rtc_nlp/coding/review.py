"""Reviewing coded answers: the least certain ones to check, and a reviewer's corrections.

:func:`review_queue` lists the answers a person should look at first; :func:`read_overrides`
reads the filled-in sheet back (every problem at once) and :func:`apply_overrides` makes the
corrections win over the coder, on every re-run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import InputError, format_rows
from ..io.reading import read_table, resolve_column
from ..italian import english_columns
from ..schema import ID, TEXT, UNCLASSIFIED, UNCLASSIFIED_ID, id_to_str
from .codebook import Codebook

#: What a reviewer writes to say an answer belongs to no theme ("non classificato").
NO_CODE = ("0", UNCLASSIFIED.casefold(), "nessuno")

__all__ = ["NO_CODE", "apply_overrides", "correction_codes", "read_corrections", "read_overrides", "review_queue"]


def apply_overrides(coded: pd.DataFrame, overrides: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Replace the codes of the answers a reviewer corrected (``id``, ``codes``) and mark them
    ``status = "reviewed"``; ``coded.attrs["n_overrides"]`` counts those applied."""
    coded = coded.copy()
    labels = {t.id: t.label for t in codebook.themes}
    position = {str(i): k for k, i in enumerate(coded[ID].astype(str))}
    applied = 0
    for respondent, codes in zip(overrides[ID].astype(str), overrides["codes"].astype(str)):
        if respondent not in position:
            continue
        k = position[respondent]
        ids = [int(c) for c in codes.split(";") if c.strip()]
        first = ids[0] if ids else UNCLASSIFIED_ID
        coded.iloc[k, coded.columns.get_loc("theme_id")] = first
        coded.iloc[k, coded.columns.get_loc("theme_label")] = labels.get(first, UNCLASSIFIED)
        coded.iloc[k, coded.columns.get_loc("codes")] = ";".join(map(str, ids))
        coded.iloc[k, coded.columns.get_loc("code_labels")] = "; ".join(labels[i] for i in ids)
        coded.iloc[k, coded.columns.get_loc("status")] = "reviewed"
        coded.iloc[k, coded.columns.get_loc("reason")] = "override"
        applied += 1
    coded.attrs["n_overrides"] = applied
    return coded


def review_queue(
    coded: pd.DataFrame, codebook: Codebook, n: int = 30, *, rows: Sequence[int] | None = None
) -> pd.DataFrame:
    """The answers to review, with an empty ``corrected_codes`` column to fill in with theme
    ids or labels separated by ``;``.

    ``rows`` (positions in ``coded``) are the answers to ask about, in order: the coder's
    active queue (:func:`rtc_nlp.coding.learner.active_queue`). Without them, the ``n`` least
    certain answers: smallest margin between their two best themes, and the "non classificato"
    closest to a theme.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"the review queue length must be a whole number >= 0, got {n!r}")
    labels = {t.id: t.label for t in codebook.themes}
    if rows is not None:
        candidates = coded.iloc[list(rows)[:n]]
    else:
        candidates = coded[coded["status"].isin(["theme", "unclassified"])].copy()
        candidates = candidates.sort_values(["margin", ID], kind="stable").head(n)
    queue = pd.DataFrame(
        {
            ID: candidates[ID].to_numpy(),
            TEXT: candidates[TEXT].to_numpy(),
            "proposed_codes": candidates["codes"].to_numpy(),
            "proposed_labels": candidates["code_labels"].to_numpy(),
            "second_theme": [
                f"{int(t)}: {labels.get(int(t), '')}" if pd.notna(t) else "" for t in candidates["second_theme_id"]
            ],
            "margin": candidates["margin"].round(3).to_numpy(),
            "corrected_codes": "",
        }
    )
    return queue


def correction_codes(cell: object, codebook: Codebook) -> tuple[list[int] | None, list[str]]:
    """The theme ids a reviewer wrote in a cell, and the parts that name no theme: ``None`` for
    an empty cell (no correction), ``[]`` for ``0`` or "non classificato" (no theme)."""
    if str(cell).strip().casefold() in NO_CODE:
        return [], []
    ids, unknown = codebook.resolve(cell)
    return (None if not ids and not unknown else ids), unknown


def read_overrides(
    source: str | Path | pd.DataFrame, codebook: Codebook, known_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Read a filled-in review sheet (CSV/XLSX with ``id`` and ``corrected_codes``, or its
    Italian header ``codici corretti`` as ``rtc-nlp code`` writes it in ``review.xlsx``).

    Codes are theme ids or labels (any case), separated by ``;``; ``0`` or "non classificato"
    says the answer belongs to no theme; an empty cell means "no correction". Returns ``id``,
    ``codes`` (ids ``;``-joined, ``""`` for no theme) for the corrected rows.

    Raises
    ------
    InputError
        Unknown codes or ids not among ``known_ids``, all listed at once.
    """
    where = "<table>" if isinstance(source, pd.DataFrame) else str(source)
    frame = source if isinstance(source, pd.DataFrame) else read_table(where, None, None, None)
    frame = english_columns(frame, [ID, "corrected_codes"])  # the review sheet's Italian headers
    id_col = resolve_column(frame, ID, where, "id")
    code_col = resolve_column(frame, "corrected_codes", where, "corrected_codes")
    valid = set(codebook.ids)
    rows, bad_codes, bad_ids = [], [], []
    known = set(map(str, known_ids)) if known_ids is not None else None
    for line, (respondent, cell) in enumerate(zip(frame[id_col], frame[code_col]), start=2):
        ids, unknown = correction_codes(cell, codebook)
        if ids is None:  # empty cell: no correction
            continue
        respondent = id_to_str(respondent)
        if known is not None and respondent not in known:
            bad_ids.append(f"{respondent} (row {line})")
        bad_codes += [f"{part!r} (row {line})" for part in unknown]
        rows.append({ID: respondent, "codes": ";".join(map(str, dict.fromkeys(ids)))})
    problems = []
    if bad_ids:
        problems.append(f"ids not among the coded answers: {format_rows(bad_ids)}")
    if bad_codes:
        problems.append(f"codes not in the codebook (ids {sorted(valid)} or their labels): {format_rows(bad_codes)}")
    if problems:
        raise InputError("; ".join(problems), path=where, column=str(code_col))
    return pd.DataFrame(rows, columns=[ID, "codes"])


def read_corrections(
    sources: Sequence[str | Path | pd.DataFrame], codebook: Codebook, known_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every correction a reviewer gave, from one or several filled-in sheets (review rounds,
    audits, a ``labels.csv`` of an earlier run), as ``id``, ``codes``.

    Raises
    ------
    InputError
        One message for every problem of every sheet: codes not in the codebook, ids not among
        ``known_ids``, and answers corrected twice with different codes (in one sheet or two).
    """
    frames, problems, seen = [], [], {}
    conflicts = []
    for source in sources:
        where = "<table>" if isinstance(source, pd.DataFrame) else str(source)
        try:
            frame = read_overrides(source, codebook, known_ids)
        except InputError as exc:
            problems.append(str(exc))
            continue
        for respondent, codes in zip(frame[ID], frame["codes"]):
            earlier = seen.get(respondent)
            if earlier is not None and set(earlier[1].split(";")) != set(codes.split(";")):
                conflicts.append(f"{respondent}: {earlier[1]!r} in {earlier[0]}, {codes!r} in {where}")
            seen.setdefault(respondent, (where, codes))
        frames.append(frame)
    if conflicts:
        problems.append(
            f"answers corrected twice with different codes (keep one correction each): {format_rows(conflicts)}"
        )
    if problems:
        raise InputError("; ".join(problems))
    merged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[ID, "codes"])
    return merged.drop_duplicates(ID).reset_index(drop=True)
