"""Plain, versioned files: atomic writes, JSON with a format version, arrays without pickle.

Nothing here ever unpickles: arrays load with ``allow_pickle=False`` and every JSON document
carries ``format`` and ``format_version`` that are checked before use.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelFileError

__all__ = [
    "atomic_write",
    "write_json",
    "read_json",
    "save_array",
    "load_array",
    "write_parquet",
    "read_parquet",
    "reproducible_zip",
    "FIXED_DATE",
]

#: The date stamped where a file format wants one (zip entries, XLSX properties, SPSS header):
#: the earliest a zip can hold, so the same input gives the same bytes on any day.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_OFFICE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def atomic_write(path: str | Path, write: Callable[[str], None]) -> None:
    """Write a file through a temporary name in the same folder, then rename it into place.

    Parameters
    ----------
    path : str or Path
        The final file.
    write : callable
        Called with the temporary path; must create the file there.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); give it the usual permissions of a new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        # Also on KeyboardInterrupt: no half-written file is left behind.
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, document: dict[str, Any], *, kind: str, version: int) -> None:
    """Write ``document`` as indented UTF-8 JSON tagged with its kind and format version."""
    payload = {"format": kind, "format_version": version, **document}
    text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False, default=_default)

    def write(tmp: str) -> None:
        Path(tmp).write_text(text + "\n", encoding="utf-8")

    atomic_write(path, write)


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def read_json(path: str | Path, *, kind: str, max_version: int) -> dict[str, Any]:
    """Read a JSON document written by :func:`write_json` and check its kind and version.

    Raises
    ------
    ModelFileError
        If the file is missing, not JSON, of another kind, or from a newer format version.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{path}: file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path}: not a valid JSON file ({exc}); it may be truncated") from None
    if not isinstance(document, dict) or document.get("format") != kind:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ModelFileError(f"{path}: expected a {kind!r} file, found {found!r}")
    version = document.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path}: missing or invalid format_version {version!r}")
    if version > max_version:
        raise ModelFileError(
            f"{path}: format version {version} is newer than this rtc_nlp reads (up to {max_version}); upgrade rtc_nlp"
        )
    return document


def save_array(path: str | Path, array: np.ndarray) -> None:
    """Save a numeric or fixed-width string array as ``.npy``, atomically."""
    array = np.asarray(array)
    if array.dtype == object:
        raise TypeError("object arrays would need pickle; convert to a numeric or str dtype")

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            np.save(handle, array, allow_pickle=False)

    atomic_write(path, write)


def load_array(path: str | Path, *, shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """Load a ``.npy`` array without pickle, optionally checking its shape (``None`` = any)."""
    try:
        array = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ModelFileError(f"{path}: file not found") from None
    except (ValueError, OSError, EOFError) as exc:
        raise ModelFileError(f"{path}: not a readable .npy array ({exc})") from None
    if shape is not None and (
        array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape))
    ):
        raise ModelFileError(f"{path}: expected an array of shape {shape}, found {array.shape}")
    return array


def write_parquet(frame: Any, path: str | Path) -> None:
    """Write a DataFrame as Parquet atomically; mixed object columns are stored as text
    (Parquet needs one type per column), missing values stay missing."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(lambda v: v if v is None or isinstance(v, str) or v != v else str(v))
    atomic_write(path, lambda tmp: out.to_parquet(tmp, index=False))


def read_parquet(path: str | Path, *, required: Sequence[str] = ()) -> Any:
    """Read a Parquet table written by :func:`write_parquet`, checking it has ``required`` columns.

    Raises
    ------
    ModelFileError
        If the file is missing, is not Parquet (truncated, tampered) or lacks a required column.
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: file not found")
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types on a damaged file
        raise ModelFileError(f"{path}: not a readable Parquet file ({exc}); it may be truncated") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ModelFileError(
            f"{path}: missing column(s) {', '.join(map(repr, missing))}; "
            "the file was changed or comes from another program"
        )
    return frame


def reproducible_zip(content: bytes) -> bytes:
    """The same zip (XLSX, QDPX) with every entry dated :data:`FIXED_DATE` and the Office
    created/modified properties fixed too: writers stamp the current time, which would make
    two runs on the same input differ."""
    stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % FIXED_DATE
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry)
            if entry.filename == "docProps/core.xml":
                body = _OFFICE_DATES.sub(rb"\g<1>" + stamp.encode() + rb"\g<3>", body)
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, body)
    return out.getvalue()
