"""Text preparation: normalisation, non-answer detection and stop words.

Survey answers are typed by strangers: "non so", "-", "N/A" and empty cells are common and,
if clustered, form the largest "theme". They are recognised here, with a reason, and set
aside before embedding.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = [
    "ITALIAN_STOP_WORDS",
    "STOP_WORDS",
    "NON_ANSWER_REASONS",
    "normalize_text",
    "non_answer_reason",
    "prepare_texts",
    "guess_language",
    "strip_accents",
]

# Function words only: content words such as "dati" or "clienti" must stay, they are themes.
ITALIAN_STOP_WORDS: frozenset[str] = frozenset(
    """
    a ad al alla alle allo ai agli all anche ancora avere aveva avevano avete abbiamo
    ci coi col come con contro cui che chi ciò cioè
    da dal dalla dalle dallo dai dagli dall de degli dei del dell della delle dello di dopo dove
    e ed è era erano essere essendo esso essa essi esse
    fa fare fino fra fu
    gli già
    ha hai hanno ho
    i il in infatti invece io
    la le lei li lo loro lui l
    ma mai me mi mia mie miei mio molto molta molti molte
    ne negli nei nel nell nella nelle nello né noi non nostra nostre nostri nostro nulla
    o od ogni oppure
    per perché però più poco poi può
    qua quale quali quando quanto quasi quel quella quelle quelli quello questa queste questi questo qui
    se sé sei sempre senza si sia siamo siete sono sta stata state stati stato su sua sue sui sul
    sull sulla sulle sullo suo suoi
    ti tra tu tua tue tuo tuoi tutta tutte tutti tutto
    un una uno
    vi voi vostra vostre vostri vostro
    es ecc etc
    """.split()
)

STOP_WORDS: frozenset[str] = ITALIAN_STOP_WORDS | frozenset(ENGLISH_STOP_WORDS)

NON_ANSWER_REASONS: dict[str, str] = {
    "empty": "empty or missing",
    "punctuation": "only punctuation or symbols",
    "dont_know": "don't know",
    "nothing": "nothing / none",
    "not_applicable": "not applicable",
    "not_text": "a number or a date, not text",
}


def strip_accents(text: str) -> str:
    """``text`` without its combining accents (``"perché"`` -> ``"perche"``)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _fold(text: str) -> str:
    """Lower-case, strip accents and punctuation: the key non-answers are matched on."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = [ch if unicodedata.category(ch)[0] in "LN" else " " for ch in decomposed if not unicodedata.combining(ch)]
    return " ".join("".join(kept).split())


# Matched against the folded form (lower case, no accents, no punctuation, single spaces).
_NON_ANSWERS: dict[str, str] = {}
for _reason, _phrases in {
    "dont_know": """non so|nn so|non lo so|non saprei|non saprei dire|non saprei rispondere|
        boh|bho|mah|non ho idea|nessuna idea|non sono in grado di rispondere|non ricordo|
        don't know|do not know|i don't know|dont know|i dont know|dunno|idk|no idea|not sure|
        unsure|ns|nsnr""",
    "nothing": """niente|nulla|nessuno|nessuna|nessun|no|nope|none|nothing|nil|
        niente da dire|niente da aggiungere|nulla da aggiungere|nessun commento|no comment|
        no comments|nothing to add|non ho niente da aggiungere|non ho nulla da aggiungere|
        nothing else|x|xx|xxx""",
    "not_applicable": """n a|na|n d|nd|n r|nr|non applicabile|non pertinente|non rilevante|
        non disponibile|not applicable|not relevant|not available""",
}.items():
    for _phrase in _phrases.split("|"):
        _NON_ANSWERS[_fold(_phrase)] = _reason

_LONGEST_NON_ANSWER = max(len(k.replace(" ", "")) for k in _NON_ANSWERS)
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[.,]\d+)?%?")
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


class _ControlTable(dict):
    """``str.translate`` table of the control and format characters, filled as they are met.

    Format characters (Unicode category Cf: zero-width spaces, BOMs, direction marks) are
    dropped; control characters and line or paragraph separators (Cc, Zl, Zp) become spaces;
    any other character maps to itself. Looking categories up on first sight keeps the cost to
    the characters the answers use, instead of scanning all of Unicode.
    """

    def __missing__(self, code: int) -> int | str | None:
        category = unicodedata.category(chr(code))
        value: int | str | None = code
        if category == "Cf":
            value = None
        elif category in ("Cc", "Zl", "Zp"):
            value = " "
        self[code] = value
        return value


_CONTROLS = _ControlTable()
_ASCII_CONTROLS = {code: " " for code in [*range(32), 127]}


def normalize_text(text: str) -> str:
    """Return ``text`` in Unicode NFC with whitespace collapsed and control characters removed.

    Parameters
    ----------
    text : str
        Any string.

    Returns
    -------
    str
        The normalised string; line breaks become single spaces.
    """
    # Control and format characters (e.g. zero-width spaces, BOMs) would split words.
    if text.isascii():  # already NFC, and its only control characters are C0 and DEL
        if not text.isprintable():
            text = text.translate(_ASCII_CONTROLS)
    else:
        text = unicodedata.normalize("NFC", text).translate(_CONTROLS)
    # split() splits on exactly the characters that regular expressions call white space.
    return " ".join(text.split())


def non_answer_reason(value: object) -> str | None:
    """Return why ``value`` is not a usable answer, or ``None`` if it is one.

    Parameters
    ----------
    value : object
        A cell of the text column: a string, a number, a date or a missing value.

    Returns
    -------
    str or None
        A key of :data:`NON_ANSWER_REASONS`, or ``None`` for a real answer.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "empty"
    if isinstance(value, (bool, np.bool_, int, float, np.number, datetime, date, time, pd.Timestamp)):
        return "not_text"
    return _reason_of_clean(normalize_text(str(value)))


# Matches a text with more letters or digits than the longest non-answer, and stops there.
_MORE_LETTERS = re.compile(r"(?:[\W_]*[^\W_]){%d}" % (_LONGEST_NON_ANSWER + 1))


def _reason_of_clean(text: str) -> str | None:
    """The non-answer reason of an already normalised text."""
    if not text:
        return "empty"
    # Folding is slow (per character); only a text with few letters can fold to a known
    # non-answer or to nothing, so answers with more letters than any of those skip it.
    if not _MORE_LETTERS.match(text):
        folded = _fold(text)
        if not folded:
            return "punctuation"
    else:
        folded = ""
    if _NUMBER.fullmatch(text) or _DATE.fullmatch(text):
        return "not_text"
    return _NON_ANSWERS.get(folded) if folded else None


def prepare_texts(values: pd.Series) -> pd.DataFrame:
    """Normalise a column of answers and flag the non-answers.

    Parameters
    ----------
    values : pandas.Series
        The raw cells of the text column, in any dtype.

    Returns
    -------
    pandas.DataFrame
        Same index as ``values``, columns ``clean_text`` (normalised string, empty for
        missing cells) and ``non_answer`` (a reason key or ``None``).
    """
    raw = values.to_numpy(dtype=object)
    is_str = np.fromiter((isinstance(v, str) for v in raw), dtype=bool, count=len(raw))
    clean = np.empty(len(raw), dtype=object)
    reasons = np.empty(len(raw), dtype=object)
    # Each distinct text is prepared once: survey files repeat many answers.
    if is_str.any():
        codes, unique = pd.factorize(pd.Series(raw[is_str], dtype=object))
        unique_clean = [normalize_text(t) for t in unique]
        unique_reason = [_reason_of_clean(t) for t in unique_clean]
        clean[is_str] = np.asarray(unique_clean, dtype=object)[codes]
        reasons[is_str] = np.asarray(unique_reason, dtype=object)[codes]
    for i in np.flatnonzero(~is_str):
        reasons[i] = non_answer_reason(raw[i])
        clean[i] = "" if reasons[i] == "empty" else normalize_text(str(raw[i]))
    return pd.DataFrame(
        {"clean_text": clean.tolist(), "non_answer": pd.Series(reasons, index=values.index, dtype=object)},
        index=values.index,
    )


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH_ONLY = frozenset(ENGLISH_STOP_WORDS) - ITALIAN_STOP_WORDS


def guess_language(text: object) -> str:
    """``"it"``, ``"en"`` or ``""`` (too short or unclear), from the share of each language's
    function words: enough to spot English answers in an Italian survey, not a detector."""
    words = _WORD.findall(str(text).lower()) if isinstance(text, str) else []
    italian = sum(w in ITALIAN_STOP_WORDS for w in words)
    english = sum(w in _ENGLISH_ONLY for w in words)
    if italian + english < 2 or italian == english:
        return ""
    return "it" if italian > english else "en"
