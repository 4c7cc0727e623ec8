"""Redaction of personal data in open answers, before anything is embedded, cached or exported.

Each kind found becomes a named placeholder; only the counts per kind are kept, never the
values. Checks come from maintained libraries where one exists: ``python-stdnum`` for IBANs,
codici fiscali (homocode variants included), partite IVA and the Luhn digit of payment cards,
Google's ``phonenumbers`` for phone numbers (Italian, and international ones written with
``+`` or ``00``), the standard library for IP addresses, and the Italian first names and
municipalities that ``Faker`` ships for names and addresses. rtc_nlp's own rules cover what no
library does: the words around a value (an identifier labelled "P.IVA", "codice fiscale",
"IBAN", "carta" or "tel." is redacted even when its check digit fails: a typo by the
respondent is still their number), person names after "mi chiamo", "sono" or a title, street
addresses, dates of birth and licence plates. Ordinary numbers (years, amounts, dates,
percentages, counts), places named alone ("a Milano", "Bollate") and theme words stay.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import pandas as pd

from ..stopwords import is_stop_word

__all__ = ["PLACEHOLDERS", "find_personal_data", "redact", "redact_answers"]

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "url": "[URL]",
    "iban": "[IBAN]",
    "codice_fiscale": "[CODICE_FISCALE]",
    "partita_iva": "[PARTITA_IVA]",
    "card": "[CARTA]",
    "phone": "[TELEFONO]",
    "ip": "[IP]",
    "plate": "[TARGA]",
    "birth_date": "[DATA_NASCITA]",
    "address": "[INDIRIZZO]",
    "person": "[NOME]",
}

_I = re.IGNORECASE
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", _I)
# An IBAN starts with a country and two check digits ("IT60", or "IT 60" as statements print it);
# then groups of any length follow (_ibans tries each end, longest first, on its check digits).
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[ \u00a0]?\d{2}(?=[ \u00a0-]?[A-Z0-9])", _I)
_IBAN_GROUP = re.compile(r"[ \u00a0-]?[A-Z0-9]+", _I)
_SEPARATORS = str.maketrans("", "", " \u00a0-.")
_CF = re.compile(r"(?<![A-Za-z0-9])[A-Z]{6}[0-9A-Z]{2}[A-Z][0-9A-Z]{2}[A-Z][0-9A-Z]{3}[A-Z](?![A-Za-z0-9])", _I)
_PIVA = re.compile(r"(?<![\w+])(?:IT[ ]?)?\d{11}(?!\w)", _I)
_CARD = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?![\w])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?![\w:])")
_VERSION = re.compile(r"(?i:versione|version|release|\bv)\.?\s*$")
# Italian plates since 1994: two letters, three digits, two letters (no I, O, Q, U).
_PLATE = re.compile(r"(?<![\w])[A-HJ-NPR-TV-Z]{2} ?\d{3} ?[A-HJ-NPR-TV-Z]{2}(?![\w])")
_MONTHS = "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre"
_DATE = rf"\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}°? (?:{_MONTHS}) \d{{4}}|(?:19|20)\d{{2}}"
_A_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_BIRTH = re.compile(
    rf"\b(?:nat[oa]|nascita|classe|born|dob|compleanno)\b[^\d\n]{{0,25}}?(?P<value>{_DATE})(?![\d/])", _I
)

# A label, then the value it names: redacted whatever its check digits say.
# "n.", "n°", "nr." between a label and its value.
_NUMBER_SIGN = r"(?i:(?:n(?:r|um)?\.?|n°|numero)\s*)?"
_LABELLED: dict[str, re.Pattern[str]] = {
    # Spaced groups are allowed ("RSS MRA 85T10 A562S"); the value must still have a codice
    # fiscale's shape (_CF) once the spaces are out, see _SHAPES.
    "codice_fiscale": re.compile(
        r"(?i:cod(?:ice|\.)?\s*fisc(?:ale|\.)?|c\.\s?f\.?|\bcf\b)\s*[:.]?\s*" + _NUMBER_SIGN + r"[:.]?\s*"
        r"(?P<value>[A-Za-z0-9](?:[ ]?[A-Za-z0-9]){15})(?![A-Za-z0-9])"
    ),
    "partita_iva": re.compile(
        r"(?i:partita\s+i\.?v\.?a\.?|part\.?\s*iva|p\.\s?iva|\bp\s?iva\b|\bp\.\s?i\.(?!\w)|\biva\b"
        r"|\bvat(?:\s+(?:number|no\.?))?)\s*[:.]?\s*" + _NUMBER_SIGN + r"[:.]?\s*"
        r"(?P<value>(?:IT\s?)?\d(?:[ .]?\d){10})(?!\w)"
    ),
    "iban": re.compile(
        r"(?i:\biban\b)\s*[:.]?\s*(?P<value>[A-Z]{2}[ \u00a0]?\d{2}(?:[ \u00a0-]?[A-Z0-9]){11,30})(?![A-Za-z0-9])"
    ),
    "card": re.compile(
        r"(?i:carta(?:\s+di\s+(?:credito|debito))?|\bcard\b|\bvisa\b|mastercard|\bamex\b|bancomat)"
        r"\s*(?i:n\.?|numero)?\s*[:.]?\s*(?P<value>\d(?:[ -]?\d){12,18})(?!\w)"
    ),
    "phone": re.compile(
        r"(?i:\btel\b\.?|telefono|\bcell\b\.?|cellulare|\bfax\b|whatsapp|chiam(?:are|atemi|ami)\s+al(?:lo)?)"
        r"\s*[:.]?\s*(?P<value>(?:\+|00)?\d(?:[ ./-]?\d){5,14})(?!\w)"
    ),
    "plate": re.compile(r"(?i:\btarga)\s*[:.]?\s*(?P<value>[A-Za-z]{2}\s?\d{3}\s?[A-Za-z]{2})(?!\w)"),
}

_STREET = (
    r"(?i:via|viale|v\.le|piazza|p\.zza|p\.za|piazzale|largo|vicolo|strada|contrada|località|loc\.|"
    r"lungomare|borgo)"
)
_NAME_WORD = r"[A-ZÀ-Ý][\wÀ-ÿ'’.]*"
_LINK = r"(?:d[ei]|del(?:la|lo|le)?|degli|dei|di)"
# "corso" is also a training course ("corso Base 2"): as a street it needs two capitalised words.
_ADDRESS = re.compile(
    rf"\b(?:{_STREET}\s+(?:(?:{_NAME_WORD}|{_LINK})\s+){{0,4}}?{_NAME_WORD}"
    rf"|(?i:corso|c\.so)\s+{_NAME_WORD}\s+(?:(?:{_NAME_WORD}|{_LINK})\s+){{0,3}}?{_NAME_WORD}),?\s*"
    r"\d{1,4}[A-Za-z]?(?:/[A-Za-z0-9]{1,3})?(?:,?\s*\d{5}(?:\s+" + _NAME_WORD + r"){1,3})?(?!\d)"
)
_CAP_CITY = re.compile(r"(?<![\w])(?P<cap>\d{5})\s+(?P<city>[A-ZÀ-Ý][\wÀ-ÿ'’]+(?:[ -][A-ZÀ-Ý][\wÀ-ÿ'’]+){0,2})")
# A capitalised word in any Latin script ("Şahat", "D'Angelo"): an upper-case first letter
# (Latin-1 and Latin Extended-A), then letters.
_CAPITALISED = r"[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]+(?:['’][^\W\d_]+)?"
_TITLE = re.compile(
    r"\b(?i:sig\.?(?:ra|na)?|signor[ae]?|dott\.?(?:ssa)?|dr\.?|ing\.|avv\.?|prof\.?(?:ssa)?|geom\.|rag\.)\s+"
    rf"(?P<value>{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}})"
)
_INTRODUCED = re.compile(
    r"\b(?i:mi\s+chiamo|il\s+mio\s+nome\s+è|firmato|cordiali\s+saluti,?|saluti,)\s+"
    rf"(?P<value>{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}})"
)
_SONO = re.compile(rf"\b(?i:sono|io\s+sono)\s+(?P<value>{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}})")
# Words after a first name that make a place, not a person ("Mar Nero", "Victoria Falls").
_NOT_SURNAMES = frozenset(
    "nero rosso morto mediterraneo egeo caspio adriatico ionio tirreno baltico ligure nord sud est ovest falls".split()
)
_PAIR = re.compile(rf"(?<![\w])(?P<value>{_CAPITALISED}\s+{_CAPITALISED})(?![\w])")


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """First names, lower case, from the person providers Faker ships for Italian and for the
    languages respondents' colleagues are most often named in."""
    import importlib

    names: set[str] = set()
    for locale in ("it_IT", "en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "pt_BR", "ro_RO", "pl_PL"):
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names_male", "first_names_female", "first_names"):
            # Other languages' short names are too often words here ("Mar", "Ora").
            shortest = 3 if locale == "it_IT" else 4
            names.update(n.lower() for n in getattr(provider, attribute, ()) if n.isalpha() and len(n) >= shortest)
    return frozenset(names)


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    """Italian surnames, lower case, from Faker's Italian person provider."""
    from faker.providers.person.it_IT import Provider

    return frozenset(n.lower() for n in Provider.last_names)


@lru_cache(maxsize=1)
def _cities() -> frozenset[str]:
    """Italian municipalities, lower case, from Faker's Italian address provider."""
    from faker.providers.address.it_IT import Provider

    return frozenset(c.lower() for c in Provider.cities)


@lru_cache(maxsize=1)
def _city_pairs() -> frozenset[str]:
    """Every two words in a row of an Italian municipality's name ("alice castello", "martino
    alla"): a place, not a first name and a surname."""
    pairs = set()
    for city in _cities():
        words = city.replace("-", " ").split()
        pairs.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return frozenset(pairs)


def _stop(word: str) -> bool:
    """A function word that is not also a first name ("Sara" is, for the stop-word list, "sarà")."""
    return is_stop_word(word) and word.lower() not in _first_names()


@lru_cache(maxsize=1)
def _checks() -> dict[str, Callable[[str], bool]]:
    """The check of an unlabelled value of each kind, from python-stdnum (built once)."""
    from stdnum import iban, luhn
    from stdnum.it import codicefiscale, iva

    return {
        "iban": iban.is_valid,
        "codice_fiscale": codicefiscale.is_valid,
        "partita_iva": lambda v: iva.is_valid(v) and any(c not in "0 IT" for c in v.upper()),
        # A payment card: 13 to 19 digits, a card network's first digit, and Luhn's check.
        "card": lambda v: (
            v.replace(" ", "").replace("-", "")[:1] in "23456" and luhn.is_valid(v.replace(" ", "").replace("-", ""))
        ),
    }


def _ibans(text: str) -> Iterator[tuple[int, int]]:
    """IBANs with valid check digits, contiguous or in groups of any length ("IT60 X054 2811 ...",
    "IT 60 X 05428 11101 000000123456"): from each start, the longest run of groups that is one."""
    valid = _checks()["iban"]
    for start in _IBAN_START.finditer(text):
        ends, length, at = [], len(start.group().translate(_SEPARATORS)), start.end()
        while length < 34 and (group := _IBAN_GROUP.match(text, at)):
            at, length = group.end(), length + len(group.group().translate(_SEPARATORS))
            if length > 34:
                break
            ends.append(at)
        for end in reversed(ends):
            if not (text[end : end + 1].isalnum()) and valid(text[start.start() : end].translate(_SEPARATORS)):
                yield start.start(), end
                break


def _phones(text: str) -> Iterator[tuple[int, int]]:
    """Valid phone numbers by Google's phonenumbers (region IT; others need + or 00)."""
    if sum(c.isdigit() for c in text) < 6:
        return
    import phonenumbers

    for match in phonenumbers.PhoneNumberMatcher(text, "IT", leniency=phonenumbers.Leniency.VALID):
        if not _A_DATE.fullmatch(match.raw_string):  # "01.12.2020" is a date, whatever its digits
            yield match.start, match.end


def _ips(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            if _VERSION.search(text, 0, match.start()):
                continue
            try:
                ipaddress.ip_address(match.group())
            except ValueError:
                continue
            yield match.span()


def _persons(text: str) -> Iterator[tuple[int, int]]:
    """Names introduced by context ("mi chiamo", a title), or a known first name followed by a
    capitalised word that is not a function word."""
    firsts = _first_names()
    for pattern in (_TITLE, _INTRODUCED):
        for match in pattern.finditer(text):
            words = match.group("value").split()
            if not _stop(words[0]):
                yield match.span("value")
    for match in _SONO.finditer(text):
        words = match.group("value").split()
        if words[0].lower() in firsts or (len(words) > 1 and not any(_stop(w) for w in words)):
            yield match.span("value")
    for match in _PAIR.finditer(text):
        first, last = match.group("value").split()
        pair = f"{first} {last}".lower()
        # "Mario Rossi", or the surname first as forms write it ("Rossi Mario").
        named = (first.lower() in firsts and not _stop(last)) or (
            last.lower() in firsts and first.lower() in _surnames()
        )
        if named and last.lower() not in _NOT_SURNAMES and pair not in _city_pairs():
            yield match.span("value")


def _addresses(text: str) -> Iterator[tuple[int, int]]:
    for match in _ADDRESS.finditer(text):
        yield match.span()
    cities = _cities()
    for match in _CAP_CITY.finditer(text):
        cap = int(match.group("cap"))
        words = match.group("city").split()
        # The longest run of words that is a municipality: "20121 Milano centro" keeps "centro".
        for n in range(len(words), 0, -1):
            if 10 <= cap <= 98168 and " ".join(words[:n]).lower() in cities:
                yield match.start(), match.start("city") + len(" ".join(words[:n]))
                break


def find_personal_data(text: str) -> list[tuple[int, int, str]]:
    """The personal data in ``text``: ``(start, end, kind)`` spans, in order, not overlapping.

    Kinds are tried from the most specific (e-mails, web addresses, labelled identifiers) to
    the least (names); a span that overlaps one already found is left out.
    """
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, kind: str) -> None:
        if end > start and all(end <= s or start >= e for s, e, _ in found):
            found.append((start, end, kind))

    def checked(pattern: re.Pattern[str], kind: str) -> None:
        check = _checks()[kind]
        for match in pattern.finditer(text):
            if check(match.group()):
                add(*match.span(), kind)

    for match in _EMAIL.finditer(text):
        add(*match.span(), "email")
    for match in _URL.finditer(text):
        add(*match.span(), "url")
    has_digit = any(c.isdigit() for c in text)
    if has_digit:
        for kind, pattern in _LABELLED.items():
            for match in pattern.finditer(text):
                if kind != "codice_fiscale" or _CF.fullmatch(match.group("value").replace(" ", "")):
                    add(*match.span("value"), kind)
        for span in _ibans(text):
            add(*span, "iban")
        checked(_CF, "codice_fiscale")
        checked(_PIVA, "partita_iva")
        checked(_CARD, "card")
        for match in _BIRTH.finditer(text):
            add(*match.span("value"), "birth_date")
        for span in _ips(text):
            add(*span, "ip")
        for span in _addresses(text):
            add(*span, "address")
        for span in _phones(text):
            add(*span, "phone")
        for match in _PLATE.finditer(text):
            add(*match.span(), "plate")
    for span in _persons(text):
        add(*span, "person")
    return sorted(found)


def redact(text: Any) -> tuple[Any, Counter]:
    """Replace personal data in ``text`` by named placeholders (:data:`PLACEHOLDERS`).

    Returns
    -------
    text, Counter
        The redacted text (non-text values are returned unchanged) and how many items of each
        kind were replaced.
    """
    counts: Counter = Counter()
    if not isinstance(text, str) or not text:
        return text, counts
    pieces, last = [], 0
    for start, end, kind in find_personal_data(text):
        pieces += [text[last:start], PLACEHOLDERS[kind]]
        counts[kind] += 1
        last = end
    return "".join(pieces) + text[last:], counts


def redact_answers(answers: pd.DataFrame, column: str = "text") -> pd.DataFrame:
    """A copy of ``answers`` with personal data in ``column`` replaced; the counts per kind are
    in ``attrs["redaction"]`` (the input frame is not modified)."""
    out = answers.copy()
    total: Counter = Counter()
    cleaned = []
    done: dict[str, tuple[Any, Counter]] = {}  # survey answers repeat: each text is read once
    for value in out[column]:
        if isinstance(value, str):
            if value not in done:
                done[value] = redact(value)
            text, counts = done[value]
        else:
            text, counts = redact(value)
        cleaned.append(text)
        total.update(counts)
    out[column] = pd.Series(
        cleaned, index=out.index, dtype=out[column].dtype if out[column].dtype != object else object
    )
    if "speaker" in out.columns:  # an interview's speaker tags name people too
        out["speaker"], named = _pseudonyms(out["speaker"])
        total["person"] += named
    out.attrs = {**answers.attrs, "redaction": {kind: int(total.get(kind, 0)) for kind in PLACEHOLDERS}}
    return out


def _pseudonyms(speakers: pd.Series) -> tuple[pd.Series, int]:
    """Speaker tags that are not a role ("Intervistatore", "R") become "Persona 1", "Persona 2"...
    in order of first appearance, so turns stay told apart without a name; and how many."""
    from .interviews import ROLE_TAGS

    roles = {t.lower() for t in ROLE_TAGS} | {""}
    names: dict[str, str] = {}
    for speaker in speakers.dropna().astype(str):
        if speaker.strip().lower() not in roles and speaker not in names:
            names[speaker] = f"Persona {len(names) + 1}"
    return speakers.map(lambda s: names.get(s, s) if isinstance(s, str) else s), len(names)
