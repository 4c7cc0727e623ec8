"""Export formats, one module each, and the table that lists them.

A format is a function ``write(data, out) -> list[Path]`` (see :class:`ExportData`); adding one
is a module in this package plus its line in :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import csv_files, json_document, parquet, refi_qda, spss, xlsx
from .tables import ExportData

__all__ = ["FORMATS", "ExportData", "Writer"]

Writer = Callable[[ExportData, Path], list[Path]]

#: Every export format and its writer, in the order they are written.
FORMATS: dict[str, Writer] = {
    "csv": csv_files.write,
    "xlsx": xlsx.write,
    "parquet": parquet.write,
    "json": json_document.write,
    "sav": spss.write,
    "qdc": refi_qda.write_codebook,
    "qdpx": refi_qda.write_project,
}
