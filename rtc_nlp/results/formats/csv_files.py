"""CSV: the wide and long tables and the codebook, spreadsheet-safe (see :mod:`rtc_nlp.io.sheets`)."""

from __future__ import annotations

from pathlib import Path

from ...io.sheets import write_csv
from .tables import ExportData


def write(data: ExportData, out: Path) -> list[Path]:
    """Write ``codes_wide.csv``, ``codes_long.csv`` and ``codebook.csv``."""
    written = []
    for filename, table in (
        ("codes_wide.csv", data.wide),
        ("codes_long.csv", data.long),
        ("codebook.csv", data.book.to_frame()),
    ):
        write_csv(table, out / filename)
        written.append(out / filename)
    return written
