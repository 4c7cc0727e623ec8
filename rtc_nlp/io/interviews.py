"""Interviews: transcripts cut into snippets, by speaker turn, paragraph or sentence.

A transcript alternates speakers, each turn opening a line with a tag: ``Intervistatore:``,
``D:``/``R:``, ``Mario Rossi:``, optionally after a time stamp (``[00:12:31]``). A tag counts as
a speaker when it is one of the usual interviewer or interviewee tags, or when it opens two or
more lines of the file (so a line such as ``Nota: ...`` in a text without speakers stays text).
The interviewer's turns are left out by default: their questions are not answers. Every
snippet keeps its file, turn, speaker and character offsets in the file's text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..schema import ID, TEXT
from .reading import decode_bytes

__all__ = ["INTERVIEWER_TAGS", "ROLE_TAGS", "SPLITS", "read_interviews", "speaker_turns", "split_snippets"]

#: How long texts are cut: one snippet per speaker turn, per paragraph (blank line) or per
#: sentence (with the sentence splitter ``sentencex``, which knows Italian abbreviations).
SPLITS = ("turn", "paragraph", "sentence")
#: Tags of the interviewer's turns, compared without case: left out unless asked for.
INTERVIEWER_TAGS = frozenset(
    {
        "d",
        "domanda",
        "i",
        "int",
        "intervistatore",
        "intervistatrice",
        "interviewer",
        "moderatore",
        "moderatrice",
        "q",
        "question",
        "ricercatore",
        "ricercatrice",
    }
)
#: Role tags, not names: a speaker even when they open one line only (and kept by --redact).
ROLE_TAGS = INTERVIEWER_TAGS | {"r", "risposta", "intervistato", "intervistata", "a", "answer", "respondent"}
# A line that opens with an optional time stamp, then a tag of at most four words and a colon.
_TAG = re.compile(
    r"^[ \t]*(?:\[[0-9:.,]{4,12}\][ \t]*|\(?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\)?[ \t]+)?"
    r"(?P<tag>[^\W\d_][\w'.]*(?:[ \t][\w'.]+){0,3}?)[ \t]*:(?:[ \t]+|$)",
    re.M,
)
#: Sentences shorter than this join the next one of their turn ("Sì." is no snippet alone).
MIN_SENTENCE_CHARS = 25


@dataclass(frozen=True)
class Turn:
    """One speaker's turn: ``speaker`` ("" before the first tag, or with no tags at all), where
    the turn starts (its tag) and where its words start and end, as offsets in the text."""

    speaker: str
    start: int
    body_start: int
    end: int


def speaker_turns(text: str) -> list[Turn]:
    """The speaker turns of ``text`` (one turn without speaker when no line opens with a tag)."""
    found = list(_TAG.finditer(text))
    counts: dict[str, int] = {}
    for match in found:
        key = _fold(match.group("tag"))
        counts[key] = counts.get(key, 0) + 1
    tags = [m for m in found if _fold(m.group("tag")) in ROLE_TAGS or counts[_fold(m.group("tag"))] >= 2]
    turns = []
    if not tags or text[: tags[0].start()].strip():
        turns.append(Turn("", 0, 0, tags[0].start() if tags else len(text)))
    for k, match in enumerate(tags):
        end = tags[k + 1].start() if k + 1 < len(tags) else len(text)
        turns.append(Turn(" ".join(match.group("tag").split()), match.start(), match.end(), end))
    return turns


def _fold(tag: str) -> str:
    return " ".join(tag.split()).casefold().rstrip(".")


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (blank-line separated) of ``text[start:end]``."""
    return [
        (start + m.start(), start + m.end())
        for m in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text[start:end])
        if m.group(0).strip()
    ]


def _sentences(text: str, start: int, end: int, language: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text[start:end]``, a short one joined to the next."""
    from sentencex import get_sentence_boundaries

    spans: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for lo, hi in _paragraphs(text, start, end):
        for bound in get_sentence_boundaries(language, text[lo:hi]):
            span = (lo + bound["start_index"], lo + bound["end_index"])
            if not text[span[0] : span[1]].strip():
                continue
            span = (pending[0], span[1]) if pending else span
            short = len(" ".join(text[span[0] : span[1]].split())) < MIN_SENTENCE_CHARS
            pending = span if short else None
            if not short:
                spans.append(span)
    if pending:  # a short last sentence joins the one before, if any
        spans[-1:] = [(spans[-1][0], pending[1])] if spans else [pending]
    return spans


def _cut(text: str, by: str, language: str) -> list[tuple[int, Turn, int, int]]:
    """(turn number, turn, start, end) of each snippet of ``text``; turns are numbered from 1
    among every turn of the text, those without words included."""
    if by not in SPLITS:
        raise ValueError(f"by must be one of {', '.join(SPLITS)}, got {by!r}")
    pieces = []
    for number, turn in enumerate(speaker_turns(text), start=1):
        if by == "turn":
            spans = [(turn.body_start, turn.end)] if text[turn.body_start : turn.end].strip() else []
        elif by == "paragraph":
            spans = _paragraphs(text, turn.body_start, turn.end)
        else:
            spans = _sentences(text, turn.body_start, turn.end, language)
        for lo, hi in spans:
            # Offsets of the words themselves: no surrounding spaces.
            piece = text[lo:hi]
            lo, hi = lo + len(piece) - len(piece.lstrip()), hi - (len(piece) - len(piece.rstrip()))
            pieces.append((number, turn, lo, hi))
    return pieces


def split_snippets(
    frame: pd.DataFrame,
    text_column: str = TEXT,
    *,
    by: str = "paragraph",
    id_column: str = ID,
    keep_interviewer: bool = False,
    interviewer_tags: Collection[str] | None = None,
    language: str = "it",
) -> pd.DataFrame:
    """Cut a column of long texts (interviews) into snippets, turn by turn.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per long text, e.g. from :func:`~rtc_nlp.read_answers`.
    text_column : str
        The column of long texts.
    by : {"turn", "paragraph", "sentence"}
        One snippet per speaker turn, per paragraph of a turn, or per sentence of a turn
        (sentences under :data:`MIN_SENTENCE_CHARS` characters join the next).
    id_column : str
        The column identifying each long text.
    keep_interviewer : bool, default False
        Keep the interviewer's turns (left out by default: questions are not answers).
    interviewer_tags : collection of str, optional
        The interviewer's tags (without the colon, any case); default :data:`INTERVIEWER_TAGS`.
    language : str, default "it"
        Language of the sentence splitter.

    Returns
    -------
    pandas.DataFrame
        One row per snippet: ``id`` (``"<source id>#<position>"``), ``text`` (its words, one
        space between them), ``source_id``, ``position`` (1-based, among the snippets kept),
        ``turn`` (1-based, among every turn of the text), ``speaker`` ("" without tags),
        ``start_char`` and ``end_char`` (the snippet's words are ``text[start_char:end_char]``
        of the source text), and the other columns of the source row. ``attrs`` count the
        interviewer turns left out (``interviewer_turns_left_out``).
    """
    if text_column not in frame.columns:
        raise InputError(f"no column {text_column!r}; columns: {list(frame.columns)}")
    interviewer = {_fold(t) for t in (INTERVIEWER_TAGS if interviewer_tags is None else interviewer_tags)}
    rows, left_out = [], 0
    for index, record in frame.iterrows():
        text = record[text_column]
        text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
        source_id = str(record[id_column]) if id_column in frame.columns else str(index)
        rest = record.drop(labels=[text_column]).to_dict()
        position = 0
        for number, turn, start, end in _cut(text, by, language):
            if not keep_interviewer and _fold(turn.speaker) in interviewer:
                left_out += 1
                continue
            position += 1
            rows.append(
                {
                    **rest,
                    ID: f"{source_id}#{position}",
                    TEXT: " ".join(text[start:end].split()),
                    "source_id": source_id,
                    "position": position,
                    "turn": number,
                    "speaker": turn.speaker,
                    "start_char": start,
                    "end_char": end,
                }
            )
    columns = [ID, TEXT, "source_id", "position", "turn", "speaker", "start_char", "end_char"]
    out = pd.DataFrame(rows, columns=None if rows else columns)
    if not out.empty:
        out = out[columns + [c for c in out.columns if c not in columns and c != id_column]].reset_index(drop=True)
    out.attrs["interviewer_turns_left_out"] = left_out
    return out


def read_interviews(
    paths: str | Path | Iterable[str | Path],
    *,
    by: str = "paragraph",
    encoding: str | None = None,
    keep_interviewer: bool = False,
    interviewer_tags: Collection[str] | None = None,
    language: str = "it",
) -> pd.DataFrame:
    """Read interview transcripts (``.txt`` files, or a folder of them) as snippets.

    Parameters
    ----------
    paths : path, folder or iterable of paths
        Text files; a folder means every ``*.txt`` in it, in name order.
    by, keep_interviewer, interviewer_tags, language
        How to cut, see :func:`split_snippets`.
    encoding : str, optional
        Force an encoding instead of detecting UTF-8 / cp1252.

    Returns
    -------
    pandas.DataFrame
        As :func:`split_snippets`, with ``source_id`` the file name and ``source`` its path;
        the offsets are in the file's text with line ends made ``\\n``.
    """
    if isinstance(paths, (str, Path)):
        root = Path(paths)
        if root.is_dir():
            files: Sequence[Path] = sorted(root.glob("*.txt"))
            if not files:
                raise InputError("folder holds no .txt files", path=str(root))
        else:
            files = [root]
    else:
        files = [Path(p) for p in paths]
    texts = []
    for file in files:
        if not file.exists():
            raise InputError("file not found", path=str(file))
        text, _ = decode_bytes(file.read_bytes(), str(file), encoding)
        texts.append({ID: file.name, TEXT: text.replace("\r\n", "\n").replace("\r", "\n"), "source": str(file)})
    snippets = split_snippets(
        pd.DataFrame(texts),
        by=by,
        keep_interviewer=keep_interviewer,
        interviewer_tags=interviewer_tags,
        language=language,
    )
    if snippets.empty:
        raise InputError("no text found in " + ", ".join(str(f) for f in files))
    return snippets
