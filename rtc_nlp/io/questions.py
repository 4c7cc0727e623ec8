"""Several open questions in one file, one run: each question gets its own sub-folder.

A survey export holds one column per open question (``--text-column q1 q2``), or, in long
format, one column of answers and one that names the question (``--question-column``). Each
question is read as a file of its own (its answers, the ids, every respondent attribute, but not
the other questions' answers), and every command writes a question's outputs into a sub-folder
of its results folder named after it. ``questions.json`` lists the questions and their
sub-folders, so that coding a new wave, comparing waves, exporting and the report find them.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError, format_rows
from ..persist import read_json, write_json
from ..schema import SOURCE_ROW, TEXT
from ..text import strip_accents
from .reading import resolve_column

__all__ = ["QUESTIONS", "Question", "read_questions", "split_questions", "staged", "write_questions"]

#: The file that lists the questions of a results folder and their sub-folders.
QUESTIONS = "questions.json"
_FORMAT, _VERSION = "rtc_nlp.questions", 1


@dataclass(frozen=True)
class Question:
    """One open question: its name (the column, or the value of the question column) and the
    sub-folder of a results folder that holds its outputs."""

    name: str
    folder: str


def _folder_name(name: str, taken: set[str]) -> str:
    """A short, portable folder name for a question, unique among ``taken`` (updated)."""
    base = re.sub(r"[^a-z0-9]+", "_", strip_accents(name).lower()).strip("_")[:40].rstrip("_") or "domanda"
    folder, n = base, 1
    while folder in taken:
        n += 1
        folder = f"{base}_{n}"
    taken.add(folder)
    return folder


def split_questions(
    answers: pd.DataFrame,
    text_columns: Sequence[str],
    question_column: str | None = None,
    path: str = "",
) -> list[tuple[Question, pd.DataFrame]]:
    """The answers of each question of a file read once.

    Parameters
    ----------
    answers : DataFrame
        The file as :func:`~rtc_nlp.read_answers` read it with the first of ``text_columns``
        (the other questions' columns are among its metadata).
    text_columns : sequence of str
        One column per question; with ``question_column``, exactly one.
    question_column : str or None
        The column that names each row's question (long format).
    path : str
        The file, for errors.

    Returns
    -------
    list of (Question, DataFrame)
        In the order of the columns, or of the questions' first rows. Each frame keeps every
        respondent attribute but the other questions' answers.
    """
    if question_column is not None and len(text_columns) != 1:
        raise InputError("--question-column takes one --text-column (the answers of every question)", path=path)
    taken: set[str] = set()
    if question_column is None:
        first = str(answers.attrs.get("text_column", text_columns[0]))
        others = [resolve_column(answers, column, path, "text") for column in text_columns[1:]]
        out = [(Question(first, _folder_name(first, taken)), answers.drop(columns=others))]
        for column in others:
            # The question's answers take the text's place; the first question's leave.
            frame = answers.drop(columns=others).assign(**{TEXT: answers[column].to_numpy()})
            frame.attrs = {**answers.attrs, "text_column": column}
            out.append((Question(column, _folder_name(column, taken)), frame))
        return out
    frame = answers
    column = resolve_column(frame, question_column, path, "question")
    missing = frame[column].isna() | (frame[column].astype(str).str.strip() == "")
    if missing.any():
        rows = frame.loc[missing, SOURCE_ROW].astype(int).tolist()
        raise InputError(
            f"{len(rows)} row(s) name no question in column {column!r}: rows {format_rows(rows)}",
            path=path,
            column=column,
            rows=rows,
        )
    names = frame[column].astype(str).str.strip()
    out = []
    for name in dict.fromkeys(names):
        part = frame[names == name].reset_index(drop=True)
        part.attrs = dict(frame.attrs)
        out.append((Question(name, _folder_name(name, taken)), part))
    return out


def write_questions(folder: str | Path, questions: Sequence[Question], **record: object) -> Path:
    """Write ``questions.json`` into ``folder``: the questions, their sub-folders, and
    ``record`` (how they were read)."""
    path = Path(folder) / QUESTIONS
    write_json(
        path,
        {"questions": [{"name": q.name, "folder": q.folder} for q in questions], **record},
        kind=_FORMAT,
        version=_VERSION,
    )
    return path


def read_questions(folder: str | Path) -> list[Question] | None:
    """The questions of a results folder, or ``None`` for a folder of one question."""
    path = Path(folder) / QUESTIONS
    if not path.is_file():
        return None
    document = read_json(path, kind=_FORMAT, max_version=_VERSION)
    try:
        questions = [Question(str(q["name"]), str(q["folder"])) for q in document["questions"]]
    except (KeyError, TypeError) as exc:
        raise InputError(f"is not a valid list of questions ({exc})", path=str(path)) from None
    for question in questions:
        if not re.fullmatch(r"[a-z0-9_]+", question.folder):  # a name, never a path elsewhere
            raise InputError(f"names a question folder that is not a plain name: {question.folder!r}", path=str(path))
        if not (Path(folder) / question.folder).is_dir():
            raise InputError(f"names a question folder that is missing: {question.folder!r}", path=str(path))
    return questions


@contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """A folder beside ``out`` to write every question into: when the block ends without error
    its entries move into ``out`` (replacing those of the same name), and it is removed either
    way, so an error on a later question leaves no partial output."""
    out = Path(out)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield staging
        out.mkdir(parents=True, exist_ok=True)
        for entry in sorted(staging.iterdir()):
            target = out / entry.name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            entry.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
