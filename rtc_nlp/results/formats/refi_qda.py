"""REFI-QDA: a codebook (``.qdc``) and a project (``.qdpx``) for NVivo, MAXQDA, ATLAS.ti and
QualCoder. Every guid is derived from the codebook's name and the theme or answer id, so the same
results give the same guids (and a tool can match a re-export to its earlier import).

Survey answers are one text source each. Interview snippets are coded where they stand: each
transcript is one source, and each coded snippet a selection at its character offsets, so the
analyst reads it in context; unless anything was redacted (the transcript holds what redaction
removed, and the interviewer's turns), or the transcript can no longer be read as it was cut.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pandas as pd

from ...coding.codebook import Codebook
from ...errors import InputError
from ...io.reading import decode_bytes
from ...io.sheets import xml_text
from ...persist import atomic_write, reproducible_zip
from ...schema import ID, TEXT
from .tables import ExportData, code_lists

_GUID_NAMESPACE = uuid.UUID("6f1c1a52-8f0e-4d1e-9a44-7c3b1b0e2f10")
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"


def write_codebook(data: ExportData, out: Path) -> list[Path]:
    """Write ``codebook.qdc``."""
    ET.register_namespace("", CODEBOOK_NS)
    xml = ET.tostring(_codebook_xml(data.book), encoding="utf-8", xml_declaration=True)
    atomic_write(out / "codebook.qdc", lambda tmp: Path(tmp).write_bytes(xml))
    return [out / "codebook.qdc"]


def write_project(data: ExportData, out: Path) -> list[Path]:
    """Write ``project.qdpx``: the codebook, every answer as a text source, its codings."""
    transcripts = _transcripts(data.frame, data.run)
    if "source" in data.frame.columns and "start_char" in data.frame.columns and not transcripts:
        data.notes.append("interview snippets exported one source each: redacted, or transcripts not found as cut")
    content = _qdpx(data.frame, data.book, data.name or data.book.name or "rtc_nlp", transcripts)
    atomic_write(out / "project.qdpx", lambda tmp: Path(tmp).write_bytes(content))
    return [out / "project.qdpx"]


def _guid(book: Codebook, *parts: Any) -> str:
    """Stable guid: the same codebook name and theme id give the same guid in every export."""
    return str(uuid.uuid5(_GUID_NAMESPACE, ":".join([book.name or "rtc_nlp", *map(str, parts)]))).upper()


def _codebook_xml(book: Codebook, parent: ET.Element | None = None, ns: str = CODEBOOK_NS) -> ET.Element:
    root = (
        ET.Element(f"{{{ns}}}CodeBook", {"origin": "rtc_nlp"})
        if parent is None
        else ET.SubElement(parent, f"{{{ns}}}CodeBook")
    )
    codes = ET.SubElement(root, f"{{{ns}}}Codes")
    elements: dict[int, ET.Element] = {}
    nets = set(book.net_ids)  # counted through their themes, never coded directly
    for theme in sorted(book.themes, key=lambda t: t.parent is not None):  # parents first
        holder = elements.get(theme.parent, codes) if theme.parent is not None else codes
        code = ET.SubElement(
            holder,
            f"{{{ns}}}Code",
            {
                "guid": _guid(book, "theme", theme.id),
                "name": xml_text(theme.label),
                "isCodable": "false" if theme.id in nets else "true",
                "color": theme.colour.upper() if theme.colour else "#808080",
            },
        )
        description = theme.description or ", ".join(theme.keywords)
        if description:
            ET.SubElement(code, f"{{{ns}}}Description").text = xml_text(description)
        elements[theme.id] = code
    return root


def _transcripts(frame: pd.DataFrame, run: dict[str, Any]) -> dict[str, str]:
    """The text of each interview transcript the snippets of ``frame`` were cut from, keyed by
    its path, when every snippet is found at its offsets in it (line ends read as ``\\n``);
    none when the answers or the export were redacted."""
    if not {"source", "start_char", "end_char"} <= set(frame.columns):
        return {}
    if run.get("redaction") or run.get("redaction_at_export"):
        return {}
    texts = {}
    for source, part in frame.groupby("source", sort=False):
        try:
            raw = Path(str(source)).read_bytes()
            text = decode_bytes(raw, str(source), None)[0].replace("\r\n", "\n").replace("\r", "\n")
        except (OSError, InputError):
            continue
        spans = zip(part["start_char"].astype(int), part["end_char"].astype(int), part[TEXT].astype(str))
        if all(" ".join(text[a:b].split()) == " ".join(snippet.split()) for a, b, snippet in spans):
            texts[str(source)] = text
    return texts


def _qdpx(frame: pd.DataFrame, book: Codebook, name: str, transcripts: dict[str, str] | None = None) -> bytes:
    ET.register_namespace("", PROJECT_NS)
    project = ET.Element(f"{{{PROJECT_NS}}}Project", {"name": xml_text(name), "origin": "rtc_nlp"})
    users = ET.SubElement(project, f"{{{PROJECT_NS}}}Users")
    user = _guid(book, "user", "rtc_nlp")
    ET.SubElement(users, f"{{{PROJECT_NS}}}User", {"guid": user, "name": "rtc_nlp"})
    _codebook_xml(book, project, PROJECT_NS)
    sources = ET.SubElement(project, f"{{{PROJECT_NS}}}Sources")
    files: dict[str, str] = {}
    transcripts = transcripts or {}
    in_transcript: dict[str, ET.Element] = {}  # path -> its TextSource
    # A transcript is named (and its guid derived) by its file name, by its path if two share one.
    shown = {path: Path(path).name for path in transcripts}
    if len(set(shown.values())) < len(shown):
        shown = {path: path for path in transcripts}
    located = frame["source"].astype(str) if transcripts else pd.Series([""] * len(frame))
    spans = (
        zip(frame["start_char"].astype(int), frame["end_char"].astype(int))
        if transcripts
        else ((0, 0) for _ in range(len(frame)))
    )
    for respondent, text, codes, path, (start, end) in zip(frame[ID], frame[TEXT], code_lists(frame), located, spans):
        body = "" if text is None or (isinstance(text, float) and text != text) else str(text)
        if path in transcripts:
            if path not in in_transcript:
                guid = _guid(book, "transcript", shown[path])
                files[f"sources/{guid}.txt"] = transcripts[path]
                in_transcript[path] = _text_source(sources, guid, shown[path], user)
            source, body = in_transcript[path], transcripts[path][start:end]
        else:
            source_guid = _guid(book, "answer", respondent)
            files[f"sources/{source_guid}.txt"] = body
            source, start, end = _text_source(sources, source_guid, f"{respondent}", user), 0, len(body)
        if codes and body:
            selection = ET.SubElement(
                source,
                f"{{{PROJECT_NS}}}PlainTextSelection",
                {
                    "guid": _guid(book, "selection", respondent),
                    "name": xml_text(" ".join(body.split())[:50]),
                    "startPosition": str(start),
                    "endPosition": str(end),
                    "creatingUser": user,
                },
            )
            for code in codes:
                coding = ET.SubElement(
                    selection,
                    f"{{{PROJECT_NS}}}Coding",
                    {"guid": _guid(book, "coding", respondent, code), "creatingUser": user},
                )
                ET.SubElement(coding, f"{{{PROJECT_NS}}}CodeRef", {"targetGUID": _guid(book, "theme", code)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", ET.tostring(project, encoding="utf-8", xml_declaration=True))
        for path, body in files.items():
            archive.writestr(path, body.encode("utf-8"))
    return reproducible_zip(buffer.getvalue())


def _text_source(sources: ET.Element, guid: str, name: str, user: str) -> ET.Element:
    """A text source whose plain text is ``sources/<guid>.txt`` in the project archive."""
    return ET.SubElement(
        sources,
        f"{{{PROJECT_NS}}}TextSource",
        {"guid": guid, "name": xml_text(name), "plainTextPath": f"internal://{guid}.txt", "creatingUser": user},
    )
