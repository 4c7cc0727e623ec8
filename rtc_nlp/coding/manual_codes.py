"""Reading a human coder's file of manual codes, and the predictions validation compares with it.

:func:`read_manual_codes` reads manual codes in long or wide form and lists every problem at
once (a table the caller shows); :func:`read_predictions` reads the themes to compare with them;
:func:`manual_examples` turns manual codes into examples for coding a new wave.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, format_rows
from ..io.reading import read_table, resolve_column
from ..schema import ID, TEXT, id_to_str
from .codebook import Codebook

logger = logging.getLogger(__name__)

__all__ = ["ManualCodes", "PROBLEM_COLUMNS", "manual_examples", "problem", "read_manual_codes", "read_predictions"]

_TRUE = {"1", "1.0", "true", "vero", "x", "si", "sì", "yes"}
_FALSE = {"", "0", "0.0", "false", "falso", "no", "nan"}
PROBLEM_COLUMNS = ["problem", "count", "ids", "what happens"]


@dataclass
class ManualCodes:
    """A human coder's codes in long form, with what was found wrong on the way.

    Attributes
    ----------
    codes : DataFrame
        ``id``, ``code``: one row per (answer, code), in file order (the first code of an
        answer is its main code).
    problems : DataFrame
        ``problem``, ``count``, ``ids``, ``what happens``: one row per kind of problem.
    notes : list of str
        Normalisations applied (e.g. codes that differ only in case or spacing).
    form : str
        ``"long"`` or ``"wide"``.
    source : str
        Where the codes came from.
    """

    codes: pd.DataFrame
    problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    form: str = "long"
    source: str = "<table>"


def problem(problems: list[dict[str, Any]], kind: str, ids: Sequence[Any], action: str) -> None:
    ids = [str(i) for i in ids]
    if ids:
        problems.append({"problem": kind, "count": len(ids), "ids": format_rows(ids), "what happens": action})


def _clean_code(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _unify_codes(codes: pd.Series, notes: list[str]) -> pd.Series:
    """Codes that differ only in case or spacing become one (the most frequent spelling)."""
    keys = codes.str.casefold()
    spelling: dict[str, str] = {}
    for key, group in codes.groupby(keys, sort=False):
        counts = group.value_counts(sort=False)
        best = counts.index[int(np.argmax(counts.to_numpy()))]
        spelling[key] = best
        if len(counts) > 1:
            variants = ", ".join(repr(v) for v in counts.index)
            notes.append(f"codes {variants} differ only in case or spacing: treated as one code {best!r}")
    return keys.map(spelling)


def read_manual_codes(
    source: str | Path | pd.DataFrame,
    id_column: str = "id",
    *,
    code_column: str | None = None,
    sheet: str | int | None = None,
    known_codes: Sequence[str] | None = None,
) -> ManualCodes:
    """Read manual coding from CSV, XLSX, Parquet or a DataFrame.

    Long form has an id column and a code column (several rows per id allowed: several
    codes). Wide form has an id column and one 0/1 column per code (``1``, ``x``, ``true``,
    ``sì`` count as coded; blank, ``0``, ``false`` as not). The form is detected unless
    ``code_column`` is given (then long).

    Parameters
    ----------
    source : path or DataFrame
    id_column : str, default "id"
        The respondent id column (matched ignoring case and spaces).
    code_column : str or None
        The code column of a long-form file.
    sheet : str or int or None
        XLSX sheet name or index.
    known_codes : sequence of str or None
        The codebook's codes: others are reported as unknown.

    Returns
    -------
    ManualCodes

    Raises
    ------
    InputError
        Missing columns, a wide column with values other than 0/1, or no usable code at all.
    """
    if isinstance(source, pd.DataFrame):
        frame, where = source.copy(), "<table>"
    else:
        where = str(source)
        if not Path(where).exists():
            raise InputError("file not found", path=where)
        frame = read_table(where, sheet, None, None)
    if frame.empty:
        raise InputError("has no rows of manual codes", path=where)
    id_col = resolve_column(frame, id_column, where, "id")
    others = [c for c in frame.columns if c != id_col]
    ids = frame[id_col].map(id_to_str)
    problems: list[dict[str, Any]] = []
    notes: list[str] = []
    problem(
        problems, "empty id", [i + 2 for i in np.flatnonzero(ids == "")], "rows dropped (listed by spreadsheet row)"
    )

    def is_flag_column(column: Any) -> bool:
        values = frame[column].map(lambda v: _clean_code(v).casefold())
        return bool(values.isin(_TRUE | _FALSE).all())

    if code_column is not None:
        form = "long"
        code_col = resolve_column(frame, code_column, where, "code")
    elif len(others) == 1 and not is_flag_column(others[0]):
        form, code_col = "long", others[0]
    elif others and all(is_flag_column(c) for c in others):
        form, code_col = "wide", None
    else:
        bad = [str(c) for c in others if not is_flag_column(c)]
        raise InputError(
            f"is neither long form (an id column and one code column) nor wide form (one 0/1 "
            f"column per code): columns {', '.join(map(repr, bad))} hold other values; give the "
            "code column (--code-column) for long form",
            path=where,
        )

    if form == "long":
        long = pd.DataFrame({"id": ids, "code": frame[code_col].map(_clean_code)})
        long = long[long["id"] != ""]
        empty = long["code"] == ""
        problem(problems, "empty code", long.loc[empty, "id"].unique(), "row ignored")
        long = long[~empty]
    else:
        keep = ids != ""
        dup = ids[keep][ids[keep].duplicated()].unique()
        problem(problems, "duplicate id", dup, "codes of all its rows are combined")
        rows = []
        for column in others:
            flags = frame[column].map(lambda v: _clean_code(v).casefold() in _TRUE)
            for respondent in ids[keep & flags]:
                rows.append((respondent, _clean_code(column)))
        long = pd.DataFrame(rows, columns=["id", "code"])
        order = {respondent: i for i, respondent in enumerate(dict.fromkeys(ids[keep]))}
        long = long.sort_values("id", key=lambda s: s.map(order), kind="stable")
        coded_ids = set(long["id"])
        uncoded = [r for r in order if r not in coded_ids]
        problem(problems, "empty code", uncoded, "answer has no manual code: left out")
    if long.empty:
        raise InputError("has no usable manual code: every code cell is empty", path=where)
    long["code"] = _unify_codes(long["code"], notes)
    repeated = long.duplicated(["id", "code"])
    if form == "long":
        problem(
            problems,
            "duplicate id",
            long.loc[repeated, "id"].unique(),
            "the same code given twice to one answer: counted once",
        )
    long = long[~repeated].reset_index(drop=True)
    if known_codes is not None:
        known = {_clean_code(c).casefold() for c in known_codes}
        unknown = long.loc[~long["code"].str.casefold().isin(known), "code"].unique()
        problem(problems, "unknown code", unknown, "kept, but it is not in the codebook")
    return ManualCodes(long, pd.DataFrame(problems, columns=PROBLEM_COLUMNS), notes, form, where)


def read_predictions(pred: str | Path | pd.DataFrame, id_column: str) -> tuple[pd.DataFrame, str]:
    if isinstance(pred, pd.DataFrame):
        frame, where = pred, "<predictions>"
    else:
        where = str(pred)
        if not Path(where).exists():
            raise InputError("file not found", path=where)
        frame = read_table(where, None, None, None)
    id_col = resolve_column(frame, id_column, where, "id")
    theme_col = resolve_column(frame, "theme_id", where, "theme_id")
    ids = frame[id_col].map(id_to_str)
    theme = pd.to_numeric(frame[theme_col], errors="coerce")
    if theme.isna().any():
        rows = [i + 2 for i in np.flatnonzero(theme.isna().to_numpy())]
        raise InputError(
            f"theme_id must be a whole number; rows {format_rows(rows)} are not",
            path=where,
            column=str(theme_col),
            rows=rows,
        )
    labels = (
        frame["theme_label"].astype(str)
        if "theme_label" in frame.columns
        else pd.Series([""] * len(frame), index=frame.index)
    )
    out = pd.DataFrame(
        {"id": ids.to_numpy(), "theme_id": theme.astype(int).to_numpy(), "theme_label": labels.to_numpy()}
    )
    dup = out["id"].duplicated()
    if dup.any():
        raise InputError(
            f"ids must be unique; repeated: {format_rows(list(out.loc[dup, 'id'].unique()))}",
            path=where,
            column=str(id_col),
        )
    return out, where


def manual_examples(
    path: str | Path, answers: pd.DataFrame, codebook: Codebook, *, code_column: str | None = None
) -> pd.DataFrame:
    """Answers a coder has coded by hand, as examples for :class:`rtc_nlp.CodebookCoder`.

    Parameters
    ----------
    path : path
        Manual codes keyed by ``id`` (see :func:`read_manual_codes`); each code is a theme id or
        label of ``codebook``.
    answers : DataFrame
        The answers being coded (``id``, ``text``); codes of other ids are left out.
    codebook : Codebook
    code_column : str or None

    Returns
    -------
    DataFrame
        ``text`` and ``theme_id`` (an answer's first code), one row per coded answer.

    Raises
    ------
    InputError
        If a code is not in the codebook (naming the file and the codes).
    """
    codes = read_manual_codes(path, ID, code_column=code_column).codes
    resolved = codes["code"].map(codebook.resolve)
    unknown = sorted({part for _, parts in resolved for part in parts})
    if unknown:
        raise InputError(f"codes not in the codebook: {', '.join(map(repr, unknown[:10]))}", path=str(path))
    codes = codes.drop_duplicates(ID)
    texts = answers.set_index(ID)[TEXT]
    codes = codes[codes[ID].isin(texts.index)]
    return pd.DataFrame(
        {TEXT: texts.loc[codes[ID]].to_numpy(), "theme_id": [ids[0] for ids, _ in resolved.loc[codes.index]]}
    )
