"""What every export format starts from: the coded answers, their codebook, and two layouts.

A format module gets an :class:`ExportData` and a folder, writes its files and returns their
paths; :data:`rtc_nlp.results.formats.FORMATS` lists the formats in the order they are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ...coding.codebook import Codebook
from ...schema import ID, NON_ANSWER, TEXT, UNCLASSIFIED, UNCLASSIFIED_ID

__all__ = ["ExportData", "code_lists", "long_table", "net_column", "theme_column", "wide_table"]


@dataclass
class ExportData:
    """The input of every format writer.

    Attributes
    ----------
    frame : DataFrame
        Coded answers (``id``, ``text``, ``theme_id``, ``codes``, ...), original texts.
    book : Codebook
    wide : DataFrame
        One row per answer, one 0/1 column per theme (:func:`wide_table`).
    long : DataFrame
        One row per answer and code (:func:`long_table`).
    run : dict
        What produced the results (``run.json`` or the model's summary).
    name : str
        Project name, for the formats that carry one.
    notes : list of str
        Warnings a writer leaves for the user (logged once at the end).
    """

    frame: pd.DataFrame
    book: Codebook
    wide: pd.DataFrame
    long: pd.DataFrame
    run: dict[str, Any]
    name: str = ""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, frame: pd.DataFrame, book: Codebook, run: dict[str, Any], name: str = "") -> ExportData:
        return cls(frame, book, wide_table(frame, book), long_table(frame, book), run, name)


def code_lists(frame: pd.DataFrame) -> list[list[int]]:
    """Each answer's theme ids, from its ``codes`` column (``;``-joined)."""
    return [[int(c) for c in str(codes).split(";") if c.strip()] for codes in frame["codes"]]


def wide_table(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """One row per answer: id, text, main theme (and its net), one 0/1 column per theme and per
    net (an answer counts once in a net however many of its themes it has), status, the rest."""
    lists = code_lists(frame)
    labels = {t.id: t.label for t in book.themes}
    wide = pd.DataFrame(
        {
            ID: frame[ID],
            TEXT: frame[TEXT],
            "main_theme_id": frame["theme_id"].astype(int),
            "main_theme": [
                labels.get(int(t), UNCLASSIFIED if t == UNCLASSIFIED_ID else NON_ANSWER) for t in frame["theme_id"]
            ],
        }
    )
    if book.net_ids:
        main = frame["theme_id"].astype(int)
        wide.insert(4, "main_net_id", [book.net_of(int(t)) if int(t) in labels else int(t) for t in main])
    for theme in book.codes:
        wide[theme_column(theme.id, theme.label)] = [int(theme.id in codes) for codes in lists]
    for net in book.net_ids:
        members = set(book.members(net))
        wide[net_column(net, book[net].label)] = [int(bool(members.intersection(codes))) for codes in lists]
    wide["status"] = frame.get("status", pd.Series([""] * len(frame)))
    skip = {
        ID,
        TEXT,
        "theme_id",
        "theme_label",
        "net_id",
        "net_label",
        "codes",
        "code_labels",
        "confidences",
        "similarity",
        "second_theme_id",
        "margin",
        "status",
        "reason",
        "duplicate",
        "source_row",
    }
    for column in frame.columns:
        if column not in skip:
            wide[column] = frame[column].to_numpy()
    return wide


def theme_column(theme_id: int, label: str) -> str:
    """The 0/1 column of a theme in the wide table (and its XLSX and Parquet exports)."""
    return f"T{theme_id} {label}"[:60]


def net_column(net_id: int, label: str) -> str:
    """The 0/1 column of a net in the wide table."""
    return f"N{net_id} {label}"[:60]


def long_table(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """One row per answer and code (an answer without codes keeps one row, its special code)."""
    labels = {t.id: t.label for t in book.themes}
    rows = []
    for respondent, text, main, codes in zip(frame[ID], frame[TEXT], frame["theme_id"].astype(int), code_lists(frame)):
        if not codes:
            rows.append(
                {
                    ID: respondent,
                    TEXT: text,
                    "theme_id": main,
                    "theme_label": UNCLASSIFIED if main == UNCLASSIFIED_ID else NON_ANSWER,
                    "main": True,
                }
            )
        for k, code in enumerate(codes):
            rows.append(
                {ID: respondent, TEXT: text, "theme_id": code, "theme_label": labels.get(code, ""), "main": k == 0}
            )
    return pd.DataFrame(rows, columns=[ID, TEXT, "theme_id", "theme_label", "main"])
