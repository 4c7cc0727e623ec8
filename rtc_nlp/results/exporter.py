"""Export coded answers and their codebook to the tools analysts use next.

Formats: CSV and XLSX (long: one row per answer and code; wide: one 0/1 column per theme),
Parquet (typed), JSON (answers, themes, codebook, run metadata), SPSS ``.sav`` (one 0/1
variable per theme with labels, plus the main theme; an ``.sps`` file declares the
multiple-dichotomy set), and REFI-QDA (a ``.qdc`` codebook and a ``.qdpx`` project for NVivo,
MAXQDA, ATLAS.ti, QualCoder). Every export is keyed by the respondent id and carries the
codebook.

Spreadsheet safety: in CSV and XLSX a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a leading apostrophe, so a spreadsheet shows it as text and never runs
it as a formula; in XLSX, control characters (which Excel's XML cannot hold) become U+FFFD and
a cell keeps at most 32,767 characters. JSON, Parquet and the QDA project's text files keep
the original text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..coding.codebook import Codebook
from ..errors import InputError
from ..io.sheets import safe_cell
from .folder import load_results, open_results
from .formats import FORMATS, ExportData
from .formats.spss import spss_names
from .formats.xlsx import read_reviewed

logger = logging.getLogger(__name__)

__all__ = ["FORMATS", "export", "load_results", "read_reviewed", "safe_cell", "spss_names"]


def export(
    results: str | Path | pd.DataFrame,
    out: str | Path,
    formats: Sequence[str] = tuple(FORMATS),
    *,
    codebook: Codebook | None = None,
    overwrite: bool = False,
    name: str = "",
    redact: bool = False,
) -> list[Path]:
    """Write coded answers and their codebook in each of ``formats`` to folder ``out``.

    Parameters
    ----------
    results : folder or DataFrame
        See :func:`load_results`.
    out : folder
        Must not exist or be empty unless ``overwrite``; must not be an input.
    formats : sequence of str
        Any of :data:`rtc_nlp.results.formats.FORMATS`: ``csv``, ``xlsx``, ``parquet``, ``json``, ``sav``, ``qdc``,
        ``qdpx``; they are written in that order.
    codebook : Codebook or None
        Needed when ``results`` is a frame.
    overwrite : bool
    name : str
        Project name (QDA tools show it).
    redact : bool
        Replace personal data in the answers by placeholders (see :mod:`rtc_nlp.io.redact`) in
        every file; the counts go in the JSON's run metadata.

    Returns
    -------
    list of Path
        The files written.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"unknown export format(s) {', '.join(map(repr, unknown))}; choose from {', '.join(FORMATS)}")
    out = Path(out)
    if not isinstance(results, pd.DataFrame) and out.exists() and Path(results).resolve() == out.resolve():
        raise InputError("the output folder is the results folder; choose another --out", path=str(out))
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not overwrite)):
        raise InputError("exists and is not an empty folder; choose another --out or pass --overwrite", path=str(out))
    if isinstance(results, pd.DataFrame):
        frame, book = load_results(results, codebook)
        run = {k: v for k, v in results.attrs.items() if isinstance(v, (str, int, float))}
    else:
        opened = open_results(results, codebook)
        frame, book, run = opened.answers, opened.codebook, opened.run
    if redact:
        from ..io.redact import redact_answers

        frame = redact_answers(frame)
        run["redaction_at_export"] = frame.attrs["redaction"]
    data = ExportData.of(frame, book, run, name)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt, write in FORMATS.items():
        if fmt in formats:
            written += write(data, out)
    for note in data.notes:
        logger.warning(note)
    return written
