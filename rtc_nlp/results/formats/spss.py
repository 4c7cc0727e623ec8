"""SPSS: a ``.sav`` with one 0/1 variable per theme (labelled), the main theme and every
respondent attribute of the file (``dimensione``, ``settore``, ...: numbers as scale variables,
text as nominal ones, each labelled with its column name), and an ``.sps`` that declares the
themes as a multiple-dichotomy set (SPSS stores it only when told)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ...coding.codebook import Codebook
from ...persist import FIXED_DATE, atomic_write
from ...schema import ID, NON_ANSWER, NON_ANSWER_ID, TEXT, UNCLASSIFIED, UNCLASSIFIED_ID
from ...text import strip_accents
from .tables import ExportData, net_column, theme_column

#: SPSS long strings hold at most 32,767 bytes.
SPSS_MAX_BYTES = 32767
#: Where a .sav header keeps its creation date and time ("dd Mon yy", "hh:mm:ss").
_HEADER_DATE = slice(92, 109)


def write(data: ExportData, out: Path) -> list[Path]:
    """Write ``codes.sav`` and ``codes.sps``."""
    data.notes += _sav(data.wide, data.book, out / "codes.sav")
    return [out / "codes.sav", out / "codes.sps"]


def spss_names(labels: Sequence[str], prefix: str = "T") -> list[str]:
    """Valid, unique SPSS variable names for themes: ``T<n>_<words>``, letters, digits and
    underscores only, at most 32 characters (safe for every SPSS version)."""
    names, seen = [], set()
    for k, label in enumerate(labels, start=1):
        ascii_words = re.sub(r"[^A-Za-z0-9]+", "_", strip_accents(label)).strip("_")
        base = f"{prefix}{k}_{ascii_words}"[:32].rstrip("_") or f"{prefix}{k}"
        name, n = base, 1
        while name.upper() in seen:
            n += 1
            name = f"{base[:28]}_{n}"
        seen.add(name.upper())
        names.append(name)
    return names


def _sav(wide: pd.DataFrame, book: Codebook, path: Path) -> list[str]:
    import pyreadstat

    codes = book.codes
    names = spss_names([t.label for t in codes])
    nets = [book[n] for n in book.net_ids]
    net_names = spss_names([t.label for t in nets], prefix="N")
    notes = []
    texts = []
    for text in wide[TEXT].fillna("").astype(str):
        raw = text.encode("utf-8")
        if len(raw) > SPSS_MAX_BYTES:
            text = raw[:SPSS_MAX_BYTES].decode("utf-8", errors="ignore")
            notes.append("an answer longer than SPSS's 32,767 bytes was cut (full text in JSON/Parquet)")
        texts.append(text)
    frame = pd.DataFrame(
        {"id": wide[ID].astype(str), "risposta": texts, "tema_princ": wide["main_theme_id"].astype(int)}
    )
    special = {UNCLASSIFIED_ID: UNCLASSIFIED, NON_ANSWER_ID: NON_ANSWER}
    value_labels = {"tema_princ": {**{t.id: t.label[:120] for t in codes}, **special}}
    labels = {"id": "id del rispondente", "risposta": "risposta aperta", "tema_princ": "tema principale"}
    if nets:
        # The net of the main theme, labelled with the nets (and the themes under no net).
        frame["net_princ"] = wide["main_net_id"].astype(int)
        value_labels["net_princ"] = {
            **{book.net_of(t.id): book[book.net_of(t.id)].label[:120] for t in codes},
            **special,
        }
        labels["net_princ"] = "net del tema principale"
    for name, theme in zip(names, codes):
        frame[name] = wide[theme_column(theme.id, theme.label)].astype(int)
    for name, net in zip(net_names, nets):
        frame[name] = wide[net_column(net.id, net.label)].astype(int)
    for name in names + net_names:
        value_labels[name] = {0: "no", 1: "sì"}
    labels.update({name: t.label[:250] for name, t in zip(names, codes)})
    labels.update({name: f"net: {t.label}"[:250] for name, t in zip(net_names, nets)})
    measures = {n: "nominal" for n in [*names, *net_names, "tema_princ", *(["net_princ"] if nets else [])]}
    # The respondent attributes: the wide table's columns after its status, as the file had them.
    attributes = list(wide.columns[wide.columns.get_loc("status") + 1 :])
    taken = {c.upper() for c in frame.columns}
    for column in attributes:
        name = _attribute_name(str(column), taken)
        frame[name], measures[name] = _spss_values(wide[column])
        labels[name] = str(column)[:250]

    def write_sav(tmp: str) -> None:
        pyreadstat.write_sav(
            frame,
            tmp,
            column_labels=labels,
            variable_value_labels=value_labels,
            variable_measure=measures,
            note=f"rtc_nlp codebook {book.name!r} revision {book.revision}",
        )
        _fix_header_date(Path(tmp))

    atomic_write(path, write_sav)
    set_label = (book.name or "temi").replace("'", " ")[:40]
    syntax = (
        f"* Multiple-dichotomy set of the themes (SPSS stores it only when declared).\n"
        f"MRSETS /MDGROUP NAME=$temi LABEL='{set_label}' CATEGORYLABELS=VARLABELS\n"
        f"  VARIABLES={' '.join(names)} VALUE=1.\n"
    )
    if nets:
        syntax += (
            f"MRSETS /MDGROUP NAME=$net LABEL='{set_label} (net)' CATEGORYLABELS=VARLABELS\n"
            f"  VARIABLES={' '.join(net_names)} VALUE=1.\n"
        )
    atomic_write(path.with_suffix(".sps"), lambda tmp: Path(tmp).write_text(syntax, encoding="utf-8"))
    return sorted(set(notes))


def _attribute_name(column: str, taken: set[str]) -> str:
    """A valid SPSS name for a respondent attribute, unique among ``taken`` (updated): letters,
    digits and underscores, starting with a letter, at most 32 characters."""
    base = re.sub(r"[^A-Za-z0-9_]+", "_", strip_accents(column)).strip("_")[:32] or "var"
    base = base if base[0].isalpha() else f"v_{base}"[:32]
    name, n = base, 1
    while name.upper() in taken:
        n += 1
        name = f"{base[:28]}_{n}"
    taken.add(name.upper())
    return name


def _spss_values(values: pd.Series) -> tuple[pd.Series, str]:
    """An attribute as SPSS stores it, and its measure level: numbers (every filled cell a
    number) as a scale variable, anything else as text, nominal; empty cells stay missing."""
    values = values.reset_index(drop=True)
    filled = values.notna() & (values.astype(str).str.strip() != "")
    numbers = pd.to_numeric(values.where(filled), errors="coerce")
    if filled.any() and numbers[filled].notna().all() and not pd.api.types.is_bool_dtype(values):
        return numbers.astype(float), "scale"
    text = values.where(filled, "").astype(str)
    return text.map(lambda v: v.encode("utf-8")[:SPSS_MAX_BYTES].decode("utf-8", errors="ignore")), "nominal"


def _fix_header_date(path: Path) -> None:
    """Stamp :data:`FIXED_DATE` in the header, where ReadStat writes the current time: the same
    input then gives the same file."""
    content = bytearray(path.read_bytes())
    if content[:4] != b"$FL2":
        return
    year, month, day, hour, minute, second = FIXED_DATE
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    stamp = f"{day:02d} {months[month - 1]} {year % 100:02d}{hour:02d}:{minute:02d}:{second:02d}".encode("ascii")
    content[_HEADER_DATE] = stamp
    path.write_bytes(bytes(content))
