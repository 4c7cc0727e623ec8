"""Reading answers: CSV (delimiter and encoding detected), XLSX and Parquet.

Interview transcripts are :mod:`rtc_nlp.io.interviews`.

The result is always one DataFrame with ``id``, ``text`` and ``source_row`` first and every
other column of the file kept, unchanged, as metadata.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from pathlib import Path

import pandas as pd

from ..errors import InputError, format_rows
from ..schema import ID, SOURCE_ROW, TEXT, id_to_str

logger = logging.getLogger(__name__)

__all__ = ["ID_COLUMN_NAMES", "decode_bytes", "file_sha256", "read_answers", "read_table"]

_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
#: Above this share of NUL characters a file that decodes as UTF-8 is not text (UTF-16 without a
#: BOM is half NULs); below it the NULs are stray bytes inside cells, removed with the other
#: control characters (:func:`_remove_control_characters`).
_MAX_NUL_SHARE = 0.1
#: Control characters removed from every cell (tab, line feed and carriage return are text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Column names taken as the respondent id without --id-column, compared without case, spaces,
#: underscores or hyphens: generic, Qualtrics (ResponseId), SurveyMonkey (Respondent ID), Italian.
ID_COLUMN_NAMES = ("id", "respondentid", "responseid", "idrispondente")


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode_bytes(raw: bytes, path: str, encoding: str | None) -> tuple[str, str]:
    """Decode CSV bytes: the given encoding, else a BOM, else UTF-8, else cp1252."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"cannot be read as {encoding!r}: {exc}", path=path) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]  # Excel's "Unicode text" export
    else:
        candidates = ["utf-8", "cp1252"]
    for name in candidates:
        try:
            text = raw.decode(name)
        except UnicodeDecodeError:
            continue
        if "\x00" in text and (name == "cp1252" or text.count("\x00") > _MAX_NUL_SHARE * len(text)):
            # Binary data (which cp1252 decodes as anything) or UTF-16 without a BOM (half
            # NULs), not stray bytes inside the cells of a UTF-8 file.
            break
        return text, name
    raise InputError(
        "is not a text file in a known encoding (expected UTF-8, UTF-8 with BOM, UTF-16 "
        "with BOM or Windows cp1252); save it again as 'CSV UTF-8' or pass --encoding",
        path=path,
    )


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter among ``,`` ``;`` tab and ``|`` that splits the rows most consistently."""
    sample_lines = text[:65536].splitlines()[:50]
    sample = "\n".join(sample_lines)
    best, best_score = ",", (0, 0.0)
    for delim in (",", ";", "\t", "|"):
        widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delim) if row]
        if not widths or widths[0] < 2:
            continue
        consistent = sum(w == widths[0] for w in widths) / len(widths)
        score = (round(consistent, 2) >= 0.9, consistent * widths[0])
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(path: str, encoding: str | None, delimiter: str | None) -> pd.DataFrame:
    raw = Path(path).read_bytes()
    text, used = decode_bytes(raw, path, encoding)
    if not text.strip():
        raise InputError("is empty: expected a header row and at least one answer", path=path)
    delim = delimiter or _sniff_delimiter(text)
    # The CSV parser ends a cell at a NUL: a placeholder carries it to the cell-level clean-up.
    text = text.replace("\x00", "\x01")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"is not a valid CSV with delimiter {delim!r}: {exc}", path=path) from None
    logger.info("read %s as CSV (encoding %s, delimiter %r)", path, used, delim)
    frame.attrs["encoding"], frame.attrs["delimiter"] = used, delim
    return frame


def _read_excel(path: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            names = book.sheet_names
            if sheet is None:
                sheet = 0
            if isinstance(sheet, int) and not 0 <= sheet < len(names):
                raise InputError(
                    f"has no sheet number {sheet}; it has {len(names)} sheet(s): {_sheets(book)}", path=path
                )
            if isinstance(sheet, str) and sheet not in names:
                raise InputError(f"has no sheet {sheet!r}; sheets: {_sheets(book)}", path=path)
            # Like the CSV reader: a cell that says "N/A" or "null" is an answer to keep as
            # written (a non-answer later, with its reason), not a missing value.
            frame = pd.read_excel(book, sheet_name=sheet, dtype=object, keep_default_na=False, na_values=[""])
            frame.attrs["workbook"] = path  # a missing column's error lists every sheet (_sheets)
            return frame
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types on a corrupt or non-XLSX file
        raise InputError(f"cannot be read as an Excel workbook (.xlsx): {exc}", path=path) from None


def _sheets(book: pd.ExcelFile | str) -> str:
    """Every sheet of a workbook (open, or its path) with its columns, for an error that must
    say where to look."""
    if isinstance(book, str):
        with pd.ExcelFile(book, engine="openpyxl") as opened:
            return _sheets(opened)
    described = []
    for name in book.sheet_names:
        header = pd.read_excel(book, sheet_name=name, nrows=0).columns
        described.append(f"{name!r} (columns {', '.join(repr(str(c)) for c in header) or 'none'})")
    return "; ".join(described)


def read_table(path: str, sheet: str | int | None, encoding: str | None, delimiter: str | None) -> pd.DataFrame:
    if Path(path).is_dir():
        raise InputError("is a folder; expected a CSV, XLSX or Parquet file", path=path)
    suffix = Path(path).suffix.lower()
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    if suffix in _PARQUET_SUFFIXES:
        try:
            return pd.read_parquet(path)
        except Exception as exc:
            raise InputError(f"cannot be read as Parquet: {exc}", path=path) from None
    if suffix == ".xls":
        raise InputError("is an old Excel .xls file: save it as .xlsx or CSV", path=path)
    return _read_csv(path, encoding, delimiter)


def resolve_column(frame: pd.DataFrame, name: str, path: str, what: str) -> str:
    """Find ``name`` among the columns, tolerating case and surrounding spaces."""
    columns = [str(c) for c in frame.columns]
    if name in columns:
        return name
    folded = {c.strip().casefold(): c for c in columns}
    if name.strip().casefold() in folded:
        return folded[name.strip().casefold()]
    sheets = _sheets(frame.attrs["workbook"]) if frame.attrs.get("workbook") else ""
    raise InputError(
        f"has no {what} column {name!r}; its columns are: {', '.join(map(repr, columns))}"
        + (f"; every sheet (choose one with --sheet): {sheets}" if sheets else ""),
        path=path,
        column=name,
    )


def read_answers(
    path: str | Path,
    text_column: str,
    id_column: str | None = None,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> pd.DataFrame:
    """Read a file of open answers.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv`` (delimiter ``,`` ``;`` tab and encoding UTF-8, UTF-8 with BOM,
        UTF-16 or cp1252 detected), ``.xlsx`` or ``.parquet`` file.
    text_column : str
        The column holding the answers (case and surrounding spaces are tolerated).
    id_column : str, optional
        The respondent id column. Ids must be present and unique. Without it, a column named
        as in :data:`ID_COLUMN_NAMES` (``id``, ``ID``, ``respondent_id``, Qualtrics'
        ``ResponseId``, SurveyMonkey's ``Respondent ID``, ``id_rispondente``) is the id when
        its ids are present and unique (``attrs["id_source"]`` says which); else the id is the
        row number as a spreadsheet shows it (header is row 1, first answer row 2).
    sheet : str or int, optional
        XLSX sheet name or 0-based index (default: the first sheet).
    encoding, delimiter : str, optional
        Force the CSV encoding or delimiter instead of detecting them.

    Returns
    -------
    pandas.DataFrame
        Columns ``id`` (str), ``text`` (the cells as read, missing values kept),
        ``source_row`` (int) and every other column of the file as metadata (one named
        ``id``, ``text`` or ``source_row`` gets ``_meta`` added, with a warning). Control
        characters (NUL bytes and the like) are removed from the cells, the rows kept.
        ``attrs`` hold the source path, its SHA-256, the column names used, where the ids
        come from (``id_source``), the renamed columns and the control characters removed
        (``control_characters``: how many, on which rows).

    Raises
    ------
    InputError
        When the file is missing, unreadable, empty, lacks a column, or has missing or
        duplicate ids. The message names the file, the column and the rows.
    """
    path = str(path)
    if not Path(path).exists():
        raise InputError("file not found", path=path)
    frame = read_table(path, sheet, encoding, delimiter)
    frame.columns = [str(c) for c in frame.columns]
    if frame.shape[1] == 0:
        raise InputError("has no columns: expected a header row", path=path)
    if len(frame) == 0:
        raise InputError("has a header but no rows of answers", path=path)
    text_col = resolve_column(frame, text_column, path, "text")
    source_row = pd.RangeIndex(2, len(frame) + 2)
    frame, control = _remove_control_characters(frame, source_row, path)
    detected = id_column is None
    id_col = _detect_id_column(frame, text_col) if detected else resolve_column(frame, id_column, path, "id")
    if id_col is not None:
        ids, problem = _checked_ids(frame[id_col], id_col, source_row, path)
        if problem is not None and not detected:
            raise problem
        if problem is not None:
            said = str(problem).removeprefix(f"{path}: ")
            logger.warning("%s: column %r is not used as the id (%s); the ids are the row numbers", path, id_col, said)
            id_col = None
    if id_col is None:
        ids = pd.Series([str(r) for r in source_row], index=frame.index)
    meta = frame.drop(columns=[c for c in (text_col, id_col) if c is not None])
    # A metadata column that clashes with ours keeps its data under a new name, said aloud.
    renamed = {c: f"{c}_meta" for c in meta.columns if c in (ID, TEXT, SOURCE_ROW)}
    if renamed:
        logger.warning(
            "%s: column(s) kept under a new name: %s", path, ", ".join(f"{a!r} -> {b!r}" for a, b in renamed.items())
        )
    meta = meta.rename(columns=renamed)
    result = pd.concat(
        [
            pd.DataFrame(
                {
                    ID: ids.astype(object).to_numpy(),
                    TEXT: frame[text_col].astype(object).to_numpy(),
                    SOURCE_ROW: source_row.to_numpy(),
                },
                index=frame.index,
            ),
            meta,
        ],
        axis=1,
    ).reset_index(drop=True)
    result.attrs.update(
        source=path,
        sha256=file_sha256(path),
        text_column=text_col,
        id_column=id_col,
        id_source=(f"column {id_col!r}" + (" (found by its name)" if detected else "")) if id_col else "row number",
        renamed_columns=renamed,
        control_characters=control,
        **{k: v for k, v in frame.attrs.items() if k in ("encoding", "delimiter")},
    )
    return result


def _detect_id_column(frame: pd.DataFrame, text_col: str) -> str | None:
    """The first column whose name is one of :data:`ID_COLUMN_NAMES`, or ``None``."""
    for column in frame.columns:
        folded = re.sub(r"[\s_\-]+", "", str(column)).casefold()
        if column != text_col and folded in ID_COLUMN_NAMES:
            return str(column)
    return None


def _checked_ids(
    raw: pd.Series, column: str, source_row: pd.RangeIndex, path: str
) -> tuple[pd.Series, InputError | None]:
    """The ids of ``column`` as text, and the error that makes them unusable (missing or
    repeated ids), if any."""
    ids = raw.map(id_to_str)
    missing = [int(r) for r, v in zip(source_row, ids) if v == ""]
    if missing:
        return ids, InputError(
            f"{len(missing)} row(s) have no id in column {column!r}: rows {format_rows(missing)}",
            path=path,
            column=column,
            rows=missing,
        )
    dup_mask = ids.duplicated(keep=False).to_numpy()
    if dup_mask.any():
        dups = [int(r) for r, d in zip(source_row, dup_mask) if d]
        examples = sorted(set(ids[dup_mask]))[:5]
        return ids, InputError(
            f"ids in column {column!r} must be unique; {len(examples)}+ repeated id(s) "
            f"such as {examples} on rows {format_rows(dups)}",
            path=path,
            column=column,
            rows=dups,
        )
    return ids, None


def _remove_control_characters(
    frame: pd.DataFrame, source_row: pd.RangeIndex, path: str
) -> tuple[pd.DataFrame, dict[str, object]]:
    """``frame`` with control characters (NUL and the like, not tab or line ends) removed from
    every text cell, and what was removed: how many characters, on which rows. The rows are
    kept; the file is not touched."""
    removed, rows = 0, set()
    cleaned = {}
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        text = values.map(lambda v: v if isinstance(v, str) else "")
        if not _CONTROL.search("\n".join(text)):  # one search of the column: the usual case
            continue
        counts = text.str.count(_CONTROL.pattern).to_numpy()
        if counts.any():
            removed += int(counts.sum())
            rows.update(int(r) for r in source_row[counts > 0])
            cleaned[column] = values.map(lambda v: _CONTROL.sub("", v) if isinstance(v, str) else v)
    if not removed:
        return frame, {"removed": 0, "rows": []}
    rows_sorted = sorted(rows)
    logger.warning(
        "%s: removed %d control character(s) (such as NUL bytes) on rows %s; the rows are kept",
        path,
        removed,
        format_rows(rows_sorted),
    )
    return frame.assign(**cleaned), {"removed": removed, "rows": rows_sorted}
