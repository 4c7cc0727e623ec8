"""A fitted ThemeModel as a folder of plain files, and back.

``model.json`` (parameters in the constructor's order, versions, summary, themes, nets),
``centroids.npy``, ``assignments.parquet``, the embedder's own folder and, when the model was
fitted on the fast path, the student's (``student/``). Nothing is pickled;
every file is checked when read.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..embedders.registry import load_embedder
from ..embedders.student import LexicalStudent
from ..errors import ModelFileError
from ..persist import load_array, read_json, read_parquet, save_array, write_json, write_parquet
from ..schema import ID, TEXT, versions
from .describe import NET_COLUMNS

__all__ = ["MODEL_FORMAT", "MODEL_FORMAT_VERSION", "read_model", "write_model"]

#: The format name and version of ``model.json``.
MODEL_FORMAT, MODEL_FORMAT_VERSION = "rtc_nlp.theme_model", 1
_STEPS = ("embedder", "reducer", "clusterer", "cache_dir")  # objects and places, not parameters


def write_model(model: Any, folder: str | Path) -> None:
    """Write a fitted model to ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.embedder_.save(folder / "embedder")
    save_array(folder / "centroids.npy", model.centroids_)
    write_parquet(model.assignments_, folder / "assignments.parquet")
    # In the constructor's order, as earlier releases wrote them.
    order = inspect.signature(type(model).__init__).parameters
    values = model.get_params(deep=False)
    params = {k: values[k] for k in order if k in values and k not in _STEPS}
    params["reducer"] = None if model.reducer is None else type(model.reducer).__name__
    params["clusterer"] = None if model.clusterer is None else type(model.clusterer).__name__
    student = getattr(model, "student_", None)
    if student is not None:
        student.save(folder / "student")
    document = {
        "params": params,
        "versions": versions(),
        "summary": model.summary_,
        "themes": model.themes_.to_dict(orient="records"),
        "nets": model.nets_.to_dict(orient="records"),
    }
    if student is not None:
        threshold = float(model.student_threshold_)
        document["student"] = {"threshold": threshold if np.isfinite(threshold) else None}
    write_json(folder / "model.json", document, kind=MODEL_FORMAT, version=MODEL_FORMAT_VERSION)


def read_model(cls: type, folder: str | Path, *, cache_dir: str | Path | bool | None = None) -> Any:
    """Read a model written by :func:`write_model` as an instance of ``cls``.

    Raises
    ------
    ModelFileError
        If a file is missing, tampered with, truncated or from a newer version.
    """
    folder = Path(folder)
    document = read_json(folder / "model.json", kind=MODEL_FORMAT, max_version=MODEL_FORMAT_VERSION)
    try:
        params = dict(document["params"])
        themes = pd.DataFrame(document["themes"])
        summary = dict(document["summary"])
        for key in ("reducer", "clusterer"):
            params.pop(key, None)
        model = cls(**params, cache_dir=cache_dir)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{folder / 'model.json'}: missing or invalid field ({exc})") from None
    model.embedder_ = load_embedder(folder / "embedder")
    model.embedder = model.embedder_
    model.centroids_ = load_array(folder / "centroids.npy", shape=(len(themes), None)).astype(np.float32)
    model.themes_ = themes
    # Models saved before nets existed have none.
    model.nets_ = pd.DataFrame(document.get("nets") or [], columns=[*NET_COLUMNS])
    model.summary_ = summary
    # The fast path's student, when the model was fitted on it (models before 0.4 have none).
    model.student_, model.student_info_ = None, dict(summary.get("fast_path") or {})
    if document.get("student") is not None:
        threshold = document["student"].get("threshold") if isinstance(document["student"], dict) else "?"
        if threshold is not None and not isinstance(threshold, (int, float)):
            raise ModelFileError(f"{folder / 'model.json'}: student threshold must be a number, got {threshold!r}")
        model.student_ = LexicalStudent.load(folder / "student")
        model.student_threshold_ = float("inf") if threshold is None else float(threshold)
    model.assignments_ = read_parquet(
        folder / "assignments.parquet", required=(ID, TEXT, "theme_id", "theme_label", "status")
    )
    return model
