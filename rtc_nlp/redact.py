"""Redaction of personal data in open answers, before anything is embedded, cached or exported.

Replaced by typed placeholders: e-mail addresses ``[EMAIL]``, web addresses ``[URL]``, IBANs
``[IBAN]`` (checked with their mod-97 check digits), Italian tax codes ``[CODICE_FISCALE]``
(checked with their control letter, homocode variants included), Italian VAT numbers
``[PARTITA_IVA]`` (checked with their control digit), and phone numbers ``[TELEFONO]`` (Italian
mobile and landline numbers, with or without +39, and international numbers written with a
leading ``+`` or ``00``). Checks keep ordinary numbers (years, amounts, dates, percentages,
counts) and codes inside longer words untouched. One ambiguity is settled towards privacy: an
11-digit number that starts with 0 and is not a valid partita IVA is redacted as a landline.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pandas as pd

__all__ = ["PLACEHOLDERS", "redact", "redact_answers"]

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "url": "[URL]",
    "iban": "[IBAN]",
    "codice_fiscale": "[CODICE_FISCALE]",
    "partita_iva": "[PARTITA_IVA]",
    "phone": "[TELEFONO]",
}

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")
_CF = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z]"
    r"[0-9LMNPQRSTUV]{3}[A-Z](?![A-Za-z0-9])",
    re.IGNORECASE,
)
_PIVA = re.compile(r"(?<![\w+])(?:IT[ ]?)?\d{11}(?!\w)")
# Phones: an international prefix (+CC / 00CC) or an Italian mobile (3xx, 9-10 digits) /
# landline (0x, 6-12 digits) number, digits grouped by spaces, dots, dashes or slashes. A match
# may not stop before a separator and another digit: "(0039 357-27..." is one number, not two.
_PHONE_END = r"(?!\w|[ ./-]\d)"
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(?0\d{1,3}\)?(?:[ ./-]?\d){5,8}|3\d{2}(?:[ ./-]?\d){6,7})"
    + _PHONE_END
    + r"|(?<![\w+])(?:\+|00)(?!39)\d{1,3}(?:[ .-]?\d){6,12}"
    + _PHONE_END
)

_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_CF_ODD = {
    **{str(d): v for d, v in zip(range(10), (1, 0, 5, 7, 9, 13, 15, 17, 19, 21))},
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23),
        )
    ),
}


def _cf_valid(code: str) -> bool:
    """The control letter of a codice fiscale (16th character)."""
    code = code.upper()
    total = 0
    for position, char in enumerate(code[:15]):
        if position % 2 == 0:  # 1st, 3rd, ... characters (odd positions, 1-based)
            total += _CF_ODD[char]
        else:
            total += int(char) if char.isdigit() else ord(char) - ord("A")
    return code[15] == chr(ord("A") + total % 26)


def _piva_valid(number: str) -> bool:
    """The control digit of a partita IVA (Luhn-style, 11 digits)."""
    digits = [int(c) for c in number[-11:]]
    total = sum(digits[0:10:2])
    for d in digits[1:10:2]:
        total += d * 2 - 9 if d * 2 > 9 else d * 2
    return (10 - total % 10) % 10 == digits[10] and any(digits)


def _iban_valid(iban: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN."""
    compact = iban.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def redact(text: Any) -> tuple[Any, Counter]:
    """Replace personal data in ``text`` by typed placeholders.

    Returns
    -------
    text, Counter
        The redacted text (non-text values are returned unchanged) and how many items of each
        kind (``email``, ``url``, ``iban``, ``codice_fiscale``, ``partita_iva``, ``phone``)
        were replaced.
    """
    counts: Counter = Counter()
    if not isinstance(text, str) or not text:
        return text, counts

    def sub(pattern: re.Pattern[str], kind: str, text: str, check: Any = None) -> str:
        def replace(match: re.Match[str]) -> str:
            if check is not None and not check(match.group(0)):
                return match.group(0)
            counts[kind] += 1
            return PLACEHOLDERS[kind]

        return pattern.sub(replace, text)

    text = sub(_EMAIL, "email", text)
    text = sub(_URL, "url", text)
    text = sub(_IBAN, "iban", text, _iban_valid)
    text = sub(_CF, "codice_fiscale", text, _cf_valid)
    text = sub(_PIVA, "partita_iva", text, lambda m: _piva_valid(m.replace(" ", "")))
    text = sub(_PHONE, "phone", text, lambda m: 8 <= _digits(m) <= 15 and not _DATE.fullmatch(m.strip()))
    return text, counts


def redact_answers(answers: pd.DataFrame, column: str = "text") -> pd.DataFrame:
    """A copy of ``answers`` with personal data in ``column`` replaced; the counts per kind are
    in ``attrs["redaction"]`` (the input frame is not modified)."""
    out = answers.copy()
    total: Counter = Counter()
    cleaned = []
    for value in out[column]:
        text, counts = redact(value)
        cleaned.append(text)
        total.update(counts)
    out[column] = pd.Series(
        cleaned, index=out.index, dtype=out[column].dtype if out[column].dtype != object else object
    )
    out.attrs = {**answers.attrs, "redaction": {kind: int(total.get(kind, 0)) for kind in PLACEHOLDERS}}
    return out
