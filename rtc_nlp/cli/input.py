"""How the ``rtc-nlp`` command reads its input: a file of answers (one or several questions) or
interview transcripts, cut into snippets and redacted as asked, and the record of how it was
read that each run keeps."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["input_record", "read_questions_of", "sheet_option"]


def sheet_option(value: str | None) -> str | int | None:
    """An XLSX sheet given on the command line: a name, or a 0-based number."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def read_questions_of(args: argparse.Namespace, named: bool = False) -> list[tuple[Any, pd.DataFrame]]:
    """The answers of each question of the input, as (Question, answers); one question given
    as one text column and no question column is ``[(None, answers)]`` (no sub-folders)
    unless ``named`` (coding it with a folder of codebooks, which finds it by its name)."""
    from ..io.interviews import read_interviews, split_snippets
    from ..io.questions import split_questions
    from ..io.reading import read_answers

    source = Path(args.input)
    turns = {"keep_interviewer": args.keep_interviewer, "interviewer_tags": args.interviewer_tag}
    if source.is_dir() or source.suffix.lower() == ".txt":
        interviews = read_interviews(source, by=args.split or "paragraph", encoding=args.encoding, **turns)
        return [(None, _maybe_redact(interviews, args))]

    def ready(answers: pd.DataFrame) -> pd.DataFrame:
        answers = split_snippets(answers, by=args.split, **turns) if args.split else answers
        return _maybe_redact(answers, args)

    columns = args.text_column
    answers = read_answers(source, columns[0], args.id_column, sheet=sheet_option(args.sheet), encoding=args.encoding)
    if len(columns) == 1 and args.question_column is None and not named:
        return [(None, ready(answers))]
    questions = split_questions(answers, columns, args.question_column, path=str(source))
    return [(question, ready(part)) for question, part in questions]


def input_record(args: argparse.Namespace, answers: pd.DataFrame) -> dict[str, Any]:
    """How the answers were read, for the run's summary: columns, where the ids come from,
    columns renamed and control characters removed."""
    attrs = answers.attrs
    return {
        "text_column": attrs.get("text_column"),
        "id_column": attrs.get("id_column", args.id_column),
        "id_source": attrs.get("id_source", "row number"),
        "encoding": attrs.get("encoding"),
        "renamed_columns": attrs.get("renamed_columns", {}),
        "control_characters": attrs.get("control_characters", {"removed": 0, "rows": []}),
        "interviewer_turns_left_out": attrs.get("interviewer_turns_left_out"),
    }


def _maybe_redact(answers: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """With --redact, personal data leave the texts right after reading: nothing downstream
    (embedder vocabulary, cache, outputs) ever sees them."""
    if not getattr(args, "redact", False):
        return answers
    from ..io.redact import redact_answers

    redacted = redact_answers(answers)
    found = {k: v for k, v in redacted.attrs["redaction"].items() if v}
    if not getattr(args, "quiet", False):
        print(
            "rtc-nlp: redacted "
            + (", ".join(f"{v} {k}" for k, v in found.items()) if found else "nothing (none found)")
        )
    return redacted
