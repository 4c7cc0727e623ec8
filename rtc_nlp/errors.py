"""Exceptions raised by rtc_nlp.

Every error caused by what the user gave says which file, column or rows are at fault and
what was expected, so the CLI can print it as one line without a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class RtcNlpError(Exception):
    """Base class for the errors rtc_nlp raises on purpose."""


class InputError(RtcNlpError, ValueError):
    """Bad input: a file, a column or rows that are not what was expected.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    path : str, optional
        The file at fault.
    column : str, optional
        The column at fault.
    rows : sequence of int, optional
        The rows at fault, numbered as in a spreadsheet (header is row 1).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
    ) -> None:
        self.path = path
        self.column = column
        self.rows = list(rows) if rows is not None else None
        prefix = f"{path}: " if path else ""
        super().__init__(prefix + message)


class ModelFileError(RtcNlpError, ValueError):
    """A saved model, codebook or cache file that cannot be loaded safely."""


def format_rows(rows: Sequence[int], limit: int = 10) -> str:
    """Return ``rows`` as a short human list, e.g. ``"3, 7, 9 and 4 more"``."""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        shown += f" and {len(rows) - limit} more"
    return shown
