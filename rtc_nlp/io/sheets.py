"""Spreadsheet-safe CSV and XLSX files.

Open answers are typed by strangers, and CSV and XLSX files are opened in spreadsheets. A text
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could run as a
formula, so every CSV and XLSX rtc_nlp writes gives such a cell a leading apostrophe: the
spreadsheet shows it as text. In XLSX, control characters (which Excel's XML cannot store)
become U+FFFD and a cell keeps at most 32,767 characters. Parquet, JSON and the saved model
keep the original text.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..persist import atomic_write, reproducible_zip

__all__ = ["FORMULA_START", "safe_cell", "safe_frame", "write_csv", "xlsx_bytes", "write_xlsx"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXCEL_MAX_CHARS = 32767


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet cannot run: a leading apostrophe before ``= + - @``, tab or
    carriage return. Other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xml_text(value: Any) -> str:
    """Text XML 1.0 can hold: control characters become U+FFFD."""
    return _CONTROL.sub("\ufffd", "" if value is None else str(value))


def safe_frame(frame: pd.DataFrame, *, excel: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell made safe (and, for Excel, storable)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            cells = out[column].map(safe_cell)
            if excel:
                cells = cells.map(lambda v: xml_text(v)[:EXCEL_MAX_CHARS] if isinstance(v, str) else v)
            out[column] = cells
    out.columns = [safe_cell(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> None:
    """Write a spreadsheet-safe UTF-8 CSV atomically.

    Rows end in CRLF (as Excel writes them), which also makes the writer quote any cell holding
    a bare carriage return: unquoted, a reader would take it for the end of the row.
    """
    safe = safe_frame(frame)
    atomic_write(path, lambda tmp: safe.to_csv(tmp, index=index, encoding="utf-8", lineterminator="\r\n"))


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A spreadsheet-safe workbook (one sheet per item) as bytes, the same for the same sheets."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_frame(frame, excel=True).to_excel(writer, sheet_name=name, index=False)
    return reproducible_zip(buffer.getvalue())


def write_xlsx(sheets: dict[str, pd.DataFrame], path: str | Path) -> None:
    """Write a spreadsheet-safe workbook atomically."""
    content = xlsx_bytes(sheets)
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(content))
