"""The ground floor: names every stage shares, and the helpers that hand answers between them.

Column names of an answers table, the two special codes and their ids, ids as strings, any
accepted form of answers as one table, and the versions stamped into saved files. Every stage
imports these from here, so no stage reaches into another's private names.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pandas as pd

from .errors import InputError

__all__ = [
    "ID",
    "TEXT",
    "SOURCE_ROW",
    "UNCLASSIFIED",
    "NON_ANSWER",
    "UNCLASSIFIED_ID",
    "NON_ANSWER_ID",
    "as_frame",
    "id_to_str",
    "versions",
    "__version__",
]

#: The release, written here once (and in pyproject.toml); ``rtc_nlp.__version__`` is this.
__version__ = "0.4.0.dev0"

#: Columns every answers table has first.
ID, TEXT, SOURCE_ROW = "id", "text", "source_row"
#: Labels of the two special codes (the analysts' language), and their theme ids.
UNCLASSIFIED = "non classificato"
NON_ANSWER = "non risposta"
UNCLASSIFIED_ID, NON_ANSWER_ID = 0, -1


def id_to_str(value: object) -> str:
    """Ids as strings; a float id that is a whole number (Excel) loses its ``.0``."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def versions(
    packages: tuple[str, ...] = ("rtc_nlp", "numpy", "pandas", "scikit-learn", "igraph", "sentence-transformers"),
) -> dict[str, str]:
    """Installed versions of ``packages`` (those not installed are left out)."""
    out = {}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def as_frame(answers: Any) -> pd.DataFrame:
    """Accept a read_answers frame, a DataFrame with a ``text`` column, or a list of strings."""
    if isinstance(answers, pd.DataFrame):
        if TEXT not in answers.columns:
            raise InputError(
                f"the answers table has no {TEXT!r} column (columns: {list(answers.columns)}); "
                "read it with read_answers(path, text_column=...) or rename the column"
            )
        frame = answers.reset_index(drop=True).copy()
        if ID not in frame.columns:
            frame.insert(0, ID, [str(i + 1) for i in range(len(frame))])
        else:
            frame[ID] = frame[ID].astype(str)
            dups = frame[ID][frame[ID].duplicated(keep=False)]
            if len(dups):
                raise InputError(f"ids must be unique; repeated: {sorted(set(dups))[:5]}", column=ID)
        return frame
    if isinstance(answers, (str, bytes)):
        raise TypeError("answers must be a table or a list of texts, not a single string")
    values = list(answers)
    return pd.DataFrame({ID: [str(i + 1) for i in range(len(values))], TEXT: pd.Series(values, dtype=object)})
