"""The results folder: what each command writes there, and how a later command reads it back.

``rtc-nlp themes`` writes the answers with their themes, a theme table and the fitted model;
``rtc-nlp code`` writes the coded answers, the codebook used, a review sheet, candidate new
themes and ``run.json`` (what produced them). ``export``, ``report``, ``codebook`` and
``compare`` read those folders through :func:`open_results`, so the layout is known here only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..coding.codebook import Codebook
from ..errors import InputError
from ..io.sheets import write_csv
from ..persist import atomic_write, read_json, read_parquet, write_json, write_parquet
from ..schema import ID, TEXT

if TYPE_CHECKING:
    from ..themes.model import ThemeModel

__all__ = [
    "ANSWERS_WITH_THEMES",
    "THEMES_TABLE",
    "MODEL_FOLDER",
    "ANSWERS_WITH_CODES",
    "NEW_THEMES",
    "REVIEW_SHEET",
    "CORRECTIONS_SHEET",
    "EDITED_CODEBOOK",
    "EDITED_ANSWERS",
    "CODEBOOK",
    "RUN",
    "PREVALENCE",
    "COMPARISON_FOLDER",
    "VALIDATION_FOLDER",
    "Results",
    "check_output",
    "load_results",
    "model_folder",
    "open_results",
    "themes_table",
    "read_labels",
    "write_coded",
    "write_themes",
]

# What `rtc-nlp themes` writes.
ANSWERS_WITH_THEMES = "answers_with_themes.csv"
THEMES_TABLE = "themes.csv"
MODEL_FOLDER = "model"
# What `rtc-nlp code` writes; the Parquet twin keeps the original texts (the CSV is spreadsheet-safe).
ANSWERS_WITH_CODES = "answers_with_codes.csv"
ANSWERS_WITH_CODES_PARQUET = "answers_with_codes.parquet"
NEW_THEMES = "new_themes.csv"
REVIEW_SHEET = "review.xlsx"
AUDIT_SHEET = "audit.xlsx"
# The coder a `code` run learned: the learner's plain files and every labelled answer it learned
# from, which the next wave learns from too (`--learned`).
CODER_FOLDER, LABELS = "coder", "labels.csv"
CODEBOOK = "codebook.json"
# What the widgets write (rtc_nlp.widgets): the review widget's decisions, in the overrides format
# `code --overrides` reads; the code-frame editor's codebook in a coded folder (whose codebook.json
# is the one its answers were coded with) and the answers' themes after its edits.
CORRECTIONS_SHEET = "corrections.csv"
EDITED_CODEBOOK, EDITED_ANSWERS = "codebook_edited.json", "answers_with_edited_themes.csv"
RUN, RUN_FORMAT, RUN_FORMAT_VERSION = "run.json", "rtc_nlp.run", 1
# What `compare` and `validate` write; `report` looks for them inside a results folder.
PREVALENCE, PREVALENCE_FIGURE = "prevalence.csv", "prevalence.png"
COMPARISON_FOLDER, VALIDATION_FOLDER = "comparison", "validation"

_NOT_RESULTS = (
    f"holds no {ANSWERS_WITH_CODES} or {ANSWERS_WITH_THEMES}: give a folder written by "
    "'rtc-nlp code' or 'rtc-nlp themes'"
)


@dataclass
class Results:
    """A results folder read back.

    Attributes
    ----------
    answers : DataFrame
        One row per answer, with ``theme_id``, ``theme_label``, ``status`` and ``codes``
        (theme ids ``;``-joined); original texts, not the spreadsheet-safe copies.
    codebook : Codebook
    model : ThemeModel or None
        The fitted model of a ``themes`` folder; ``None`` for coded results.
    run : dict
        What produced them: embedder, parameters, input, versions.
    """

    answers: pd.DataFrame
    codebook: Codebook
    model: ThemeModel | None = None
    run: dict[str, Any] = field(default_factory=dict)


def check_output(out: Path, inputs: Sequence[Path], overwrite: bool) -> None:
    """Refuse an output folder that is an input, is a file, or holds files (unless ``overwrite``)."""
    for source in inputs:
        if source.exists() and out.exists() and out.resolve() == source.resolve():
            raise InputError("the output folder is the input file; choose another --out", path=str(out))
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder; choose another --out", path=str(out))
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise InputError(
            "output folder exists and is not empty; choose another --out or pass --overwrite", path=str(out)
        )


def themes_table(themes: pd.DataFrame) -> pd.DataFrame:
    """The themes as a flat table for CSV/Excel: keywords joined, one column per typical answer."""
    flat = themes.drop(columns=["keywords", "typical_answers"]).copy()
    flat["keywords"] = themes["keywords"].map("; ".join)
    n = max((len(t) for t in themes["typical_answers"]), default=0)
    for i in range(n):
        flat[f"typical_{i + 1}"] = themes["typical_answers"].map(lambda t, i=i: t[i] if i < len(t) else "")
    return flat


def write_themes(out: str | Path, model: ThemeModel) -> list[Path]:
    """Write a fitted model's answers, theme table and model folder to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(model.assignments_, out / ANSWERS_WITH_THEMES)
    write_csv(themes_table(model.themes_), out / THEMES_TABLE)
    model.save(out / MODEL_FOLDER)
    return [out / ANSWERS_WITH_THEMES, out / THEMES_TABLE, out / MODEL_FOLDER]


def write_coded(
    out: str | Path,
    coded: pd.DataFrame,
    codebook: Codebook,
    *,
    new_themes: pd.DataFrame,
    sheets: dict[str, bytes],
    run: dict[str, Any],
    learner: Any = None,
    labels: pd.DataFrame | None = None,
) -> list[Path]:
    """Write a coded wave: answers (CSV and Parquet), candidate new themes, the spreadsheets
    (``sheets``: file name -> XLSX bytes: the review queue, an audit), the codebook used,
    ``run.json``, and the coder's folder (the learner's files, and the labelled answers it
    learned from)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(coded, out / ANSWERS_WITH_CODES)
    write_parquet(coded, out / ANSWERS_WITH_CODES_PARQUET)
    write_csv(new_themes, out / NEW_THEMES)
    for name, content in sheets.items():
        atomic_write(out / name, lambda tmp, content=content: Path(tmp).write_bytes(content))
    codebook.save(out / CODEBOOK)
    written = [out / ANSWERS_WITH_CODES, *(out / name for name in sheets), out / NEW_THEMES, out / CODEBOOK]
    if learner is not None or (labels is not None and len(labels)):
        (out / CODER_FOLDER).mkdir(exist_ok=True)
        if learner is not None:
            learner.save(out / CODER_FOLDER)
        if labels is not None:
            write_csv(labels, out / CODER_FOLDER / LABELS)
        written.append(out / CODER_FOLDER)
    write_json(out / RUN, run, kind=RUN_FORMAT, version=RUN_FORMAT_VERSION)
    return [*written, out / RUN]


def read_labels(folder: str | Path, codebook: Codebook) -> pd.DataFrame:
    """The labelled answers a ``code`` run learned from (``text``, ``codes``), to learn from
    again on the next wave: ``folder`` is that run's results folder or its ``coder`` folder.

    Raises
    ------
    InputError
        If there is no ``labels.csv``, or it names codes the codebook does not have (the
        codebook was edited since: every such code listed).
    """
    folder = Path(folder)
    path = next((p for p in (folder / CODER_FOLDER / LABELS, folder / LABELS) if p.exists()), None)
    if path is None:
        raise InputError(
            f"holds no {CODER_FOLDER}/{LABELS}: give the folder a 'rtc-nlp code' run wrote", path=str(folder)
        )
    labels = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not {TEXT, "codes"} <= set(labels.columns):
        raise InputError(f"needs the columns {TEXT!r} and 'codes' (has {list(labels.columns)})", path=str(path))
    known = {str(i) for i in codebook.ids}
    given = {c.strip() for cell in labels["codes"] for c in str(cell).split(";") if c.strip()}
    unknown = sorted(c for c in given if c.removesuffix(".0") not in known)
    if unknown:
        raise InputError(
            f"labels with codes the codebook does not have ({', '.join(unknown)}): the codebook was edited "
            "after they were given; map them to its themes, or leave --learned out",
            path=str(path),
        )
    return labels[[TEXT, "codes"]]


def model_folder(folder: str | Path) -> Path:
    """The model folder of a ``themes`` results folder (or ``folder`` itself if it is one)."""
    folder = Path(folder)
    for candidate in (folder / MODEL_FOLDER, folder):
        if (candidate / "model.json").exists():
            return candidate
    raise InputError(f"holds no {MODEL_FOLDER}/model.json: give a results folder of 'rtc-nlp themes'", path=str(folder))


def _read_coded_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={ID: str, "codes": str}, keep_default_na=False, na_values={"theme_id": [""]})


def open_results(folder: str | Path, codebook: Codebook | None = None) -> Results:
    """Read a folder written by ``rtc-nlp code`` or ``rtc-nlp themes``.

    Parameters
    ----------
    folder : path
    codebook : Codebook or None
        Overrides the folder's own codebook.
    """
    from ..themes.model import ThemeModel
    from ..themes.model_folder import MODEL_FORMAT, MODEL_FORMAT_VERSION

    folder = Path(folder)
    model = None
    if (folder / ANSWERS_WITH_CODES_PARQUET).exists():
        answers = read_parquet(folder / ANSWERS_WITH_CODES_PARQUET, required=(ID, TEXT, "theme_id", "codes"))
        codebook = codebook or Codebook.load(folder / CODEBOOK)
    elif (folder / ANSWERS_WITH_CODES).exists():
        answers = _read_coded_csv(folder / ANSWERS_WITH_CODES)
        codebook = codebook or Codebook.load(folder / CODEBOOK)
    elif (folder / ANSWERS_WITH_THEMES).exists() or (folder / MODEL_FOLDER / "assignments.parquet").exists():
        model = ThemeModel.load(folder / MODEL_FOLDER, cache_dir=False)
        answers = model.assignments_.copy()  # original texts: the CSV is a spreadsheet-safe copy
        codebook = codebook or Codebook.from_model(model)
    else:
        raise InputError(_NOT_RESULTS, path=str(folder))
    run: dict[str, Any] = {}
    if (folder / RUN).exists():
        document = read_json(folder / RUN, kind=RUN_FORMAT, max_version=RUN_FORMAT_VERSION)
        run = {k: v for k, v in document.items() if k not in ("format", "format_version")}
    elif (folder / MODEL_FOLDER / "model.json").exists():
        document = read_json(folder / MODEL_FOLDER / "model.json", kind=MODEL_FORMAT, max_version=MODEL_FORMAT_VERSION)
        summary = document.get("summary", {})
        run = {
            "command": "themes",
            "embedder": summary.get("embedder", ""),
            "parameters": document.get("params", {}),
            "versions": document.get("versions", {}),
            "input": summary.get("input", {}),
            "redaction": summary.get("redaction"),
        }
    return Results(_with_codes(answers), codebook, model, run)


def _with_codes(frame: pd.DataFrame) -> pd.DataFrame:
    if "codes" not in frame.columns:
        frame["codes"] = [str(t) if t > 0 else "" for t in frame["theme_id"].astype(int)]
    frame["codes"] = frame["codes"].fillna("").astype(str)
    frame[ID] = frame[ID].astype(str)
    return frame


def load_results(source: str | Path | pd.DataFrame, codebook: Codebook | None = None) -> tuple[pd.DataFrame, Codebook]:
    """Coded answers and their codebook from a results folder or a frame.

    A folder of ``rtc-nlp code`` or ``rtc-nlp themes`` is accepted (see :func:`open_results`); a
    frame needs ``codebook``. The answers get a ``codes`` column (theme ids ``;``-joined) if they
    lack one.
    """
    if isinstance(source, pd.DataFrame):
        if codebook is None:
            raise ValueError("a table of coded answers needs its codebook")
        return _with_codes(source.copy()), codebook
    results = open_results(source, codebook)
    return results.answers, results.codebook


def wave_names(folders: Sequence[str | Path]) -> list[str]:
    """How waves are shown: their folders' names, or their paths where two names are the same."""
    names = [Path(f).name or str(f) for f in folders]
    return names if len(set(names)) == len(names) else [str(f) for f in folders]


def read_waves(
    folders: Sequence[str | Path], names: Sequence[str] | None = None, codebook: Codebook | None = None
) -> tuple[dict[str, pd.DataFrame], Codebook]:
    """The coded answers of each ``rtc-nlp code`` or ``rtc-nlp themes`` folder, keyed by
    ``names`` (default: the folders' names, or their paths where two names are the same), and
    the codebook to count them with: ``codebook`` if given, else that of the first folder
    holding a ``codebook.json`` (a ``code`` run), else the themes of the first folder's model.

    Every wave is counted by one rule, the codebook's: a ``themes`` run (themes found on wave 1,
    the usual start of the re-wave workflow) is coded again with the codebook, with the
    threshold and most codes of the first coded wave (:func:`~rtc_nlp.coding.waves.count_like_coded`).
    Each wave's ``attrs["counted_by"]`` says how it was counted.
    """
    from ..coding.waves import count_like_coded

    folders = [Path(f) for f in folders]
    names = wave_names(folders) if names is None else names
    waves, books, runs, themes_runs = {}, [], [], {}
    for folder, name in zip(folders, names):
        if (folder / ANSWERS_WITH_CODES).exists():
            answers = pd.read_csv(folder / ANSWERS_WITH_CODES, dtype={"codes": str, ID: str})
            answers.attrs["counted_by"] = "coded with the codebook (rtc-nlp code)"
            books.append(folder / CODEBOOK)
            if (folder / RUN).exists():
                runs.append(read_json(folder / RUN, kind=RUN_FORMAT, max_version=RUN_FORMAT_VERSION))
        else:
            themes_runs[name] = open_results(folder)  # a themes run, or an error that names both kinds
            answers = themes_runs[name].answers
        waves[name] = answers
    if codebook is None:
        book = next((b for b in books if b.exists()), None)
        if book is not None:
            codebook = Codebook.load(book)
        else:  # no coded wave: the first folder is a themes run, already open
            codebook = themes_runs[names[0]].codebook
    parameters = (runs[0].get("parameters") or {}) if runs else {}
    for name, results in themes_runs.items():
        waves[name] = count_like_coded(
            results.answers,
            codebook,
            results.model.embedder_,
            min_similarity=parameters.get("min_similarity_used"),
            max_codes=int(parameters.get("max_codes") or 2),
            random_state=int(parameters.get("seed") or 0),
        )
    return waves, codebook
