"""Export coded answers and their codebook to the tools analysts use next.

Formats: CSV and XLSX (long: one row per answer and code; wide: one 0/1 column per theme),
Parquet (typed), JSON (answers, themes, codebook, run metadata), SPSS ``.sav`` (one 0/1
variable per theme with labels, plus the main theme; an ``.sps`` file declares the
multiple-dichotomy set), and REFI-QDA (a ``.qdc`` codebook and a ``.qdpx`` project for NVivo,
MAXQDA, ATLAS.ti, QualCoder). Every export is keyed by the respondent id and carries the
codebook.

Spreadsheet safety: in CSV and XLSX a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a leading apostrophe, so a spreadsheet shows it as text and never runs
it as a formula; in XLSX, control characters (which Excel's XML cannot hold) become U+FFFD and
a cell keeps at most 32,767 characters. JSON, Parquet and the QDA project's text files keep
the original text.
"""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pandas as pd

from .codebook import Codebook
from .errors import InputError
from .persist import atomic_write, read_parquet
from .schema import (
    ID,
    NON_ANSWER,
    NON_ANSWER_ID,
    TEXT,
    UNCLASSIFIED,
    UNCLASSIFIED_ID,
    id_to_str,
    versions,
)
from .sheets import safe_cell, safe_frame, write_csv, xml_text
from .text import strip_accents
from .themes import MODEL_FORMAT, MODEL_FORMAT_VERSION

logger = logging.getLogger(__name__)

__all__ = ["FORMATS", "export", "load_results", "read_reviewed", "safe_cell", "spss_names"]

FORMATS = ("xlsx", "csv", "parquet", "json", "sav", "qdc", "qdpx")
#: SPSS long strings hold at most 32,767 bytes.
SPSS_MAX_BYTES = 32767
_GUID_NAMESPACE = uuid.UUID("6f1c1a52-8f0e-4d1e-9a44-7c3b1b0e2f10")
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
REVIEW_COLUMN = "revisione"


def load_results(source: str | Path | pd.DataFrame, codebook: Codebook | None = None) -> tuple[pd.DataFrame, Codebook]:
    """Coded answers and their codebook from a results folder or a frame.

    A folder of ``rtc-nlp code`` (``answers_with_codes.csv``, ``codebook.json``) or of
    ``rtc-nlp themes`` (``answers_with_themes.csv``, ``model/``) is accepted; a frame needs
    ``codebook``. The answers get a ``codes`` column (theme ids ``;``-joined) if they lack one.
    """
    from .themes import ThemeModel

    if isinstance(source, pd.DataFrame):
        if codebook is None:
            raise ValueError("a table of coded answers needs its codebook")
        frame = source.copy()
    else:
        folder = Path(source)
        # The Parquet files keep the original texts; the CSVs are spreadsheet-safe copies.
        if (folder / "answers_with_codes.parquet").exists():
            frame = read_parquet(folder / "answers_with_codes.parquet", required=(ID, TEXT, "theme_id", "codes"))
            codebook = codebook or Codebook.load(folder / "codebook.json")
        elif (folder / "answers_with_codes.csv").exists():
            frame = pd.read_csv(folder / "answers_with_codes.csv", dtype={ID: str, "codes": str}, keep_default_na=False,
                                na_values={"theme_id": [""]})
            codebook = codebook or Codebook.load(folder / "codebook.json")
        elif (folder / "model" / "assignments.parquet").exists():
            model = ThemeModel.load(folder / "model", cache_dir=False)
            frame = model.assignments_.copy()
            codebook = codebook or Codebook.from_model(model)
        elif (folder / "answers_with_themes.csv").exists():
            frame = pd.read_csv(folder / "answers_with_themes.csv", dtype={ID: str}, keep_default_na=False,
                                na_values={"theme_id": [""]})
            codebook = codebook or Codebook.from_model(ThemeModel.load(folder / "model"))
        else:
            raise InputError("holds no answers_with_codes.csv or answers_with_themes.csv: give a folder written "
                             "by 'rtc-nlp code' or 'rtc-nlp themes'", path=str(folder))
    if "codes" not in frame.columns:
        frame["codes"] = [str(t) if t > 0 else "" for t in frame["theme_id"].astype(int)]
    frame["codes"] = frame["codes"].fillna("").astype(str)
    frame[ID] = frame[ID].astype(str)
    return frame, codebook  # type: ignore[return-value]


def _code_lists(frame: pd.DataFrame) -> list[list[int]]:
    return [[int(c) for c in str(codes).split(";") if c.strip()] for codes in frame["codes"]]


def _wide(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    lists = _code_lists(frame)
    labels = {t.id: t.label for t in book.themes}
    wide = pd.DataFrame({ID: frame[ID], TEXT: frame[TEXT], "main_theme_id": frame["theme_id"].astype(int),
                         "main_theme": [labels.get(int(t), UNCLASSIFIED if t == UNCLASSIFIED_ID else NON_ANSWER)
                                        for t in frame["theme_id"]]})
    for theme in book.themes:
        wide[_theme_column(theme.id, theme.label)] = [int(theme.id in codes) for codes in lists]
    wide["status"] = frame.get("status", pd.Series([""] * len(frame)))
    skip = {ID, TEXT, "theme_id", "theme_label", "codes", "code_labels", "confidences", "similarity",
            "second_theme_id", "margin", "status", "reason", "duplicate", "source_row"}
    for column in frame.columns:
        if column not in skip:
            wide[column] = frame[column].to_numpy()
    return wide


def _theme_column(theme_id: int, label: str) -> str:
    return f"T{theme_id} {label}"[:60]


def _long(frame: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    labels = {t.id: t.label for t in book.themes}
    rows = []
    for respondent, text, main, codes in zip(frame[ID], frame[TEXT], frame["theme_id"].astype(int), _code_lists(frame)):
        if not codes:
            rows.append({ID: respondent, TEXT: text, "theme_id": main,
                         "theme_label": UNCLASSIFIED if main == UNCLASSIFIED_ID else NON_ANSWER, "main": True})
        for k, code in enumerate(codes):
            rows.append({ID: respondent, TEXT: text, "theme_id": code, "theme_label": labels.get(code, ""),
                         "main": k == 0})
    return pd.DataFrame(rows, columns=[ID, TEXT, "theme_id", "theme_label", "main"])


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


def _guid(book: Codebook, *parts: Any) -> str:
    """Stable guid: the same codebook name and theme id give the same guid in every export."""
    return str(uuid.uuid5(_GUID_NAMESPACE, ":".join([book.name or "rtc_nlp", *map(str, parts)]))).upper()


def _codebook_xml(book: Codebook, parent: ET.Element | None = None, ns: str = CODEBOOK_NS) -> ET.Element:
    root = ET.Element(f"{{{ns}}}CodeBook", {"origin": "rtc_nlp"}) if parent is None else ET.SubElement(
        parent, f"{{{ns}}}CodeBook")
    codes = ET.SubElement(root, f"{{{ns}}}Codes")
    elements: dict[int, ET.Element] = {}
    for theme in sorted(book.themes, key=lambda t: t.parent is not None):  # parents first
        holder = elements.get(theme.parent, codes) if theme.parent is not None else codes
        code = ET.SubElement(holder, f"{{{ns}}}Code", {
            "guid": _guid(book, "theme", theme.id), "name": xml_text(theme.label), "isCodable": "true",
            "color": theme.colour.upper() if theme.colour else "#808080"})
        description = theme.description or ", ".join(theme.keywords)
        if description:
            ET.SubElement(code, f"{{{ns}}}Description").text = xml_text(description)
        elements[theme.id] = code
    return root


def _qdpx(frame: pd.DataFrame, book: Codebook, name: str) -> bytes:
    ET.register_namespace("", PROJECT_NS)
    project = ET.Element(f"{{{PROJECT_NS}}}Project", {"name": xml_text(name), "origin": "rtc_nlp"})
    users = ET.SubElement(project, f"{{{PROJECT_NS}}}Users")
    user = _guid(book, "user", "rtc_nlp")
    ET.SubElement(users, f"{{{PROJECT_NS}}}User", {"guid": user, "name": "rtc_nlp"})
    _codebook_xml(book, project, PROJECT_NS)
    sources = ET.SubElement(project, f"{{{PROJECT_NS}}}Sources")
    files: dict[str, str] = {}
    for respondent, text, codes in zip(frame[ID], frame[TEXT], _code_lists(frame)):
        body = "" if text is None or (isinstance(text, float) and text != text) else str(text)
        source_guid = _guid(book, "answer", respondent)
        files[f"sources/{source_guid}.txt"] = body
        source = ET.SubElement(sources, f"{{{PROJECT_NS}}}TextSource", {
            "guid": source_guid, "name": xml_text(f"{respondent}"),
            "plainTextPath": f"internal://{source_guid}.txt", "creatingUser": user})
        if codes and body:
            selection = ET.SubElement(source, f"{{{PROJECT_NS}}}PlainTextSelection", {
                "guid": _guid(book, "selection", respondent), "name": xml_text(body[:50]),
                "startPosition": "0", "endPosition": str(len(body)), "creatingUser": user})
            for code in codes:
                coding = ET.SubElement(selection, f"{{{PROJECT_NS}}}Coding", {
                    "guid": _guid(book, "coding", respondent, code), "creatingUser": user})
                ET.SubElement(coding, f"{{{PROJECT_NS}}}CodeRef", {"targetGUID": _guid(book, "theme", code)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", ET.tostring(project, encoding="utf-8", xml_declaration=True))
        for path, body in files.items():
            archive.writestr(path, body.encode("utf-8"))
    return buffer.getvalue()


def _xlsx(wide: pd.DataFrame, long: pd.DataFrame, book: Codebook) -> bytes:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wide = safe_frame(wide, excel=True)
    long = safe_frame(long, excel=True)
    wide.insert(4, REVIEW_COLUMN, "")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        wide.to_excel(writer, sheet_name="answers", index=False)
        long.to_excel(writer, sheet_name="long", index=False)
        safe_frame(book.to_frame(), excel=True).to_excel(writer, sheet_name="codebook", index=False)
        for sheet_name, table in (("answers", wide), ("long", long), ("codebook", book.to_frame())):
            sheet = writer.sheets[sheet_name]
            sheet.freeze_panes = "B2"
            for k, column in enumerate(table.columns, start=1):
                values = [str(column)] + [str(v) for v in table[column].head(200)]
                width = min(60, max(6, max(len(v) for v in values) + 2))
                sheet.column_dimensions[get_column_letter(k)].width = width
        sheet = writer.sheets["answers"]
        # A drop-down of the valid codes in the review column (ids and labels).
        choices = ",".join(f"{t.id}" for t in book.themes)
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True,
                                    promptTitle="revisione", prompt="codice corretto (id del tema)")
        column = get_column_letter(list(wide.columns).index(REVIEW_COLUMN) + 1)
        validation.add(f"{column}2:{column}{max(2, len(wide) + 1)}")
        sheet.add_data_validation(validation)
    return buffer.getvalue()


def _sav(wide: pd.DataFrame, book: Codebook, path: Path) -> list[str]:
    import pyreadstat

    names = spss_names([t.label for t in book.themes])
    notes = []
    texts = []
    for text in wide[TEXT].fillna("").astype(str):
        raw = text.encode("utf-8")
        if len(raw) > SPSS_MAX_BYTES:
            text = raw[:SPSS_MAX_BYTES].decode("utf-8", errors="ignore")
            notes.append("an answer longer than SPSS's 32,767 bytes was cut (full text in JSON/Parquet)")
        texts.append(text)
    frame = pd.DataFrame({"id": wide[ID].astype(str), "risposta": texts,
                          "tema_princ": wide["main_theme_id"].astype(int)})
    for name, theme in zip(names, book.themes):
        frame[name] = wide[_theme_column(theme.id, theme.label)].astype(int)
    value_labels = {"tema_princ": {**{t.id: t.label[:120] for t in book.themes},
                                   UNCLASSIFIED_ID: UNCLASSIFIED, NON_ANSWER_ID: NON_ANSWER}}
    for name in names:
        value_labels[name] = {0: "no", 1: "sì"}
    labels = {"id": "id del rispondente", "risposta": "risposta aperta", "tema_princ": "tema principale",
              **{name: t.label[:250] for name, t in zip(names, book.themes)}}
    atomic_write(path, lambda tmp: pyreadstat.write_sav(
        frame, tmp, column_labels=labels, variable_value_labels=value_labels,
        variable_measure={**{n: "nominal" for n in names}, "tema_princ": "nominal"},
        note=f"rtc_nlp codebook {book.name!r} revision {book.revision}"))
    set_label = (book.name or "temi").replace("'", " ")[:40]
    syntax = (f"* Multiple-dichotomy set of the themes (SPSS stores it only when declared).\n"
              f"MRSETS /MDGROUP NAME=$temi LABEL='{set_label}' CATEGORYLABELS=VARLABELS\n"
              f"  VARIABLES={' '.join(names)} VALUE=1.\n")
    atomic_write(path.with_suffix(".sps"), lambda tmp: Path(tmp).write_text(syntax, encoding="utf-8"))
    return sorted(set(notes))


def export(results: str | Path | pd.DataFrame, out: str | Path, formats: Sequence[str] = FORMATS, *,
           codebook: Codebook | None = None, overwrite: bool = False, name: str = "",
           redact: bool = False) -> list[Path]:
    """Write coded answers and their codebook in each of ``formats`` to folder ``out``.

    Parameters
    ----------
    results : folder or DataFrame
        See :func:`load_results`.
    out : folder
        Must not exist or be empty unless ``overwrite``; must not be an input.
    formats : sequence of str
        Any of ``xlsx``, ``csv``, ``parquet``, ``json``, ``sav``, ``qdc``, ``qdpx``.
    codebook : Codebook or None
        Needed when ``results`` is a frame.
    overwrite : bool
    name : str
        Project name (QDA tools show it).
    redact : bool
        Replace personal data in the answers by placeholders (see :mod:`rtc_nlp.redact`) in
        every file; the counts go in the JSON's run metadata.

    Returns
    -------
    list of Path
        The files written.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"unknown export format(s) {', '.join(map(repr, unknown))}; choose from {', '.join(FORMATS)}")
    out = Path(out)
    if not isinstance(results, pd.DataFrame) and out.exists() and Path(results).resolve() == out.resolve():
        raise InputError("the output folder is the results folder; choose another --out", path=str(out))
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not overwrite)):
        raise InputError("exists and is not an empty folder; choose another --out or pass --overwrite", path=str(out))
    frame, book = load_results(results, codebook)
    run = _run_metadata(results)
    if redact:
        from .redact import redact_answers

        frame = redact_answers(frame)
        run["redaction_at_export"] = frame.attrs["redaction"]
    wide, long = _wide(frame, book), _long(frame, book)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    notes: list[str] = []

    def put(filename: str, write: Any) -> None:
        atomic_write(out / filename, write)
        written.append(out / filename)

    if "csv" in formats:
        for filename, table in (("codes_wide.csv", wide), ("codes_long.csv", long), ("codebook.csv", book.to_frame())):
            write_csv(table, out / filename)
            written.append(out / filename)
    if "xlsx" in formats:
        content = _xlsx(wide, long, book)
        put("codes.xlsx", lambda tmp: Path(tmp).write_bytes(content))
    if "parquet" in formats:
        typed = wide.copy()
        typed["main_theme"] = pd.Categorical(typed["main_theme"],
                                             categories=[*[t.label for t in book.themes], UNCLASSIFIED, NON_ANSWER])
        for theme in book.themes:
            column = _theme_column(theme.id, theme.label)
            typed[column] = typed[column].astype(bool)
        put("codes.parquet", lambda tmp: typed.to_parquet(tmp, index=False))
    if "json" in formats:
        document = {"format": "rtc_nlp.export", "format_version": 1,
                    "run": {**run, "codebook_revision": book.revision,
                            "export_versions": versions(("rtc_nlp", "pandas", "pyreadstat", "openpyxl"))},
                    "codebook": {"name": book.name, "revision": book.revision,
                                 "themes": [t.to_dict() for t in book.themes]},
                    "answers": [{ID: r[ID], TEXT: r[TEXT], "main_theme_id": int(r["theme_id"]),
                                 "codes": codes, "status": r.get("status", "")}
                                for r, codes in zip(frame.to_dict(orient="records"), _code_lists(frame))]}
        text = json.dumps(document, indent=1, ensure_ascii=False, default=str)
        put("codes.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    if "sav" in formats:
        notes += _sav(wide, book, out / "codes.sav")
        written += [out / "codes.sav", out / "codes.sps"]
    if "qdc" in formats:
        ET.register_namespace("", CODEBOOK_NS)
        xml = ET.tostring(_codebook_xml(book), encoding="utf-8", xml_declaration=True)
        put("codebook.qdc", lambda tmp: Path(tmp).write_bytes(xml))
    if "qdpx" in formats:
        content = _qdpx(frame, book, name or book.name or "rtc_nlp")
        put("project.qdpx", lambda tmp: Path(tmp).write_bytes(content))
    for note in notes:
        logger.warning(note)
    return written


def _run_metadata(results: str | Path | pd.DataFrame) -> dict[str, Any]:
    """What produced the results: ``run.json`` of ``rtc-nlp code`` (embedder, parameters,
    input file hash, versions) or ``model/model.json`` of ``rtc-nlp themes``."""
    from .persist import read_json

    if isinstance(results, pd.DataFrame):
        return {k: v for k, v in results.attrs.items() if isinstance(v, (str, int, float))}
    folder = Path(results)
    if (folder / "run.json").exists():
        document = read_json(folder / "run.json", kind="rtc_nlp.run", max_version=1)
        return {k: v for k, v in document.items() if k not in ("format", "format_version")}
    if (folder / "model" / "model.json").exists():
        document = read_json(folder / "model" / "model.json", kind=MODEL_FORMAT, max_version=MODEL_FORMAT_VERSION)
        summary = document.get("summary", {})
        return {"command": "themes", "embedder": summary.get("embedder", ""), "parameters": document.get("params", {}),
                "versions": document.get("versions", {}), "input": summary.get("input", {})}
    return {}


def read_reviewed(path: str | Path, codebook: Codebook) -> pd.DataFrame:
    """Read back the ``answers`` sheet of ``codes.xlsx`` after a reviewer edited it.

    The 0/1 theme columns give each answer's codes; a filled ``revisione`` cell (theme ids
    ``;``-separated) wins over them. Returns ``id``, ``codes`` (ids ``;``-joined), ``code``
    (the first, as a label: ready for :func:`rtc_nlp.compare_with_manual`) and ``reviewed``
    (whether the reviewer wrote in ``revisione``). Pass ``[["id", "codes"]]`` of the reviewed
    rows to :func:`rtc_nlp.coding.apply_overrides` to use them as overrides.
    """

    sheet = pd.read_excel(path, sheet_name="answers", dtype={ID: str, REVIEW_COLUMN: str})
    labels = {t.id: t.label for t in codebook.themes}
    columns = {t.id: _theme_column(t.id, t.label) for t in codebook.themes}
    missing = [c for c in columns.values() if c not in sheet.columns]
    if missing:
        raise InputError(f"has no column(s) {', '.join(map(repr, missing))}: it was not exported with this codebook",
                         path=str(path))
    rows, bad = [], []
    for line, record in enumerate(sheet.to_dict(orient="records"), start=2):
        codes, unknown = codebook.resolve(record.get(REVIEW_COLUMN), labels=False)
        bad += [f"{part!r} (row {line})" for part in unknown]
        review = bool(codes or unknown)
        if not review:
            codes = [t for t, column in columns.items() if str(record.get(column, "0")).strip() in ("1", "1.0", "True")]
        rows.append({ID: id_to_str(record[ID]), "codes": ";".join(map(str, codes)),
                     "code": labels[codes[0]] if codes else "", "reviewed": review})
    if bad:
        raise InputError(f"column {REVIEW_COLUMN!r} holds codes that are not theme ids ({sorted(labels)}): "
                         + ", ".join(bad[:10]), path=str(path), column=REVIEW_COLUMN)
    return pd.DataFrame(rows, columns=[ID, "codes", "code", "reviewed"])


