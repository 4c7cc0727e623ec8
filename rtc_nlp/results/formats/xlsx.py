"""XLSX: the wide and long tables and the codebook, with a review column to correct codes in.

The ``risposte`` sheet has a ``revisione`` column with a drop-down of the theme ids; a reviewer
writes the right code there and :func:`read_reviewed` reads the sheet back.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from ...coding.codebook import Codebook
from ...errors import InputError
from ...io.sheets import safe_frame
from ...italian import italian_table
from ...persist import atomic_write, reproducible_zip
from ...schema import ID, NON_ANSWER_ID, TEXT, id_to_str
from .tables import ExportData, net_column, theme_column

REVIEW_COLUMN = "revisione"
ANSWERS_SHEET = "risposte"


def write(data: ExportData, out: Path) -> list[Path]:
    """Write ``codes.xlsx``."""
    content = _xlsx(data.wide, data.long, data.book)
    atomic_write(out / "codes.xlsx", lambda tmp: Path(tmp).write_bytes(content))
    return [out / "codes.xlsx"]


def _xlsx(wide: pd.DataFrame, long: pd.DataFrame, book: Codebook) -> bytes:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    frame = code_frame(wide, book)
    # Italian headers for the analyst; the respondents' own columns keep their names.
    own = [ID, TEXT, "main_theme_id", "main_theme", "main_net_id", "status", "theme_id", "theme_label", "main"]
    wide = safe_frame(italian_table(wide, digits=None, yes_no=False, columns=own), excel=True)
    long = safe_frame(italian_table(long, digits=None, yes_no=False, columns=own), excel=True)
    codebook = italian_table(book.to_frame(), digits=None, yes_no=False)
    wide.insert(4, REVIEW_COLUMN, "")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        wide.to_excel(writer, sheet_name=ANSWERS_SHEET, index=False)
        long.to_excel(writer, sheet_name="formato lungo", index=False)
        safe_frame(codebook, excel=True).to_excel(writer, sheet_name="codebook", index=False)
        safe_frame(frame, excel=True).to_excel(writer, sheet_name="schema dei codici", index=False)
        sheets = ((ANSWERS_SHEET, wide), ("formato lungo", long), ("codebook", codebook), ("schema dei codici", frame))
        for sheet_name, table in sheets:
            sheet = writer.sheets[sheet_name]
            sheet.freeze_panes = "B2"
            for k, column in enumerate(table.columns, start=1):
                values = [str(column)] + [str(v) for v in table[column].head(200)]
                width = min(60, max(6, max(len(v) for v in values) + 2))
                sheet.column_dimensions[get_column_letter(k)].width = width
        sheet = writer.sheets[ANSWERS_SHEET]
        # A drop-down of the valid codes in the review column (ids and labels).
        choices = ",".join(f"{t.id}" for t in book.codes)
        validation = DataValidation(
            type="list",
            formula1=f'"{choices}"',
            allow_blank=True,
            promptTitle="revisione",
            prompt="codice corretto (id del tema)",
        )
        column = get_column_letter(list(wide.columns).index(REVIEW_COLUMN) + 1)
        validation.add(f"{column}2:{column}{max(2, len(wide) + 1)}")
        sheet.add_data_validation(validation)
    return reproducible_zip(buffer.getvalue())


def code_frame(wide: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """The code frame with its counts: each net, then its themes indented under it, then the
    themes under no net; answers and share of the answers that are not non-answers. An answer
    counts once in a net however many of its themes it has."""
    answered = wide["main_theme_id"].astype(int) != NON_ANSWER_ID
    base = max(int(answered.sum()), 1)
    rows = []

    def row(level: str, theme_id: int, label: str, column: str) -> None:
        count = int(wide.loc[answered, column].astype(int).sum())
        rows.append(
            {"livello": level, "id": theme_id, "codice": label, "risposte": count, "quota": round(count / base, 4)}
        )

    for net_id in book.net_ids:
        net = book[net_id]
        row("net", net.id, net.label, net_column(net.id, net.label))
        for theme in map(book.__getitem__, book.members(net_id)):
            row("tema", theme.id, "    " + theme.label, theme_column(theme.id, theme.label))
    for theme in book.codes:
        if theme.parent is None:
            row("tema", theme.id, theme.label, theme_column(theme.id, theme.label))
    return pd.DataFrame(rows, columns=["livello", "id", "codice", "risposte", "quota"])


def read_reviewed(path: str | Path, codebook: Codebook) -> pd.DataFrame:
    """Read back the ``risposte`` sheet of ``codes.xlsx`` (``answers`` before 0.4) after a
    reviewer edited it.

    The 0/1 theme columns give each answer's codes; a filled ``revisione`` cell (theme ids
    ``;``-separated) wins over them. Returns ``id``, ``codes`` (ids ``;``-joined), ``code``
    (the first, as a label: ready for :func:`rtc_nlp.compare_with_manual`) and ``reviewed``
    (whether the reviewer wrote in ``revisione``). Pass ``[["id", "codes"]]`` of the reviewed
    rows to :func:`rtc_nlp.coding.review.apply_overrides` to use them as overrides.
    """

    # "answers": the sheet's name before 0.4, with English headers.
    names = pd.ExcelFile(path).sheet_names
    name = ANSWERS_SHEET if ANSWERS_SHEET in names else "answers"
    sheet = pd.read_excel(path, sheet_name=name, dtype={ID: str, REVIEW_COLUMN: str})
    labels = {t.id: t.label for t in codebook.themes}
    columns = {t.id: theme_column(t.id, t.label) for t in codebook.codes}
    missing = [c for c in columns.values() if c not in sheet.columns]
    if missing:
        raise InputError(
            f"has no column(s) {', '.join(map(repr, missing))}: it was not exported with this codebook", path=str(path)
        )
    rows, bad = [], []
    for line, record in enumerate(sheet.to_dict(orient="records"), start=2):
        codes, unknown = codebook.resolve(record.get(REVIEW_COLUMN), labels=False)
        bad += [f"{part!r} (row {line})" for part in unknown]
        review = bool(codes or unknown)
        if not review:
            codes = [t for t, column in columns.items() if str(record.get(column, "0")).strip() in ("1", "1.0", "True")]
        rows.append(
            {
                ID: id_to_str(record[ID]),
                "codes": ";".join(map(str, codes)),
                "code": labels[codes[0]] if codes else "",
                "reviewed": review,
            }
        )
    if bad:
        raise InputError(
            f"column {REVIEW_COLUMN!r} holds codes that are not theme ids ({sorted(labels)}): " + ", ".join(bad[:10]),
            path=str(path),
            column=REVIEW_COLUMN,
        )
    return pd.DataFrame(rows, columns=[ID, "codes", "code", "reviewed"])
