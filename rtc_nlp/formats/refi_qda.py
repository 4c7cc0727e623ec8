"""REFI-QDA: a codebook (``.qdc``) and a project (``.qdpx``) for NVivo, MAXQDA, ATLAS.ti and
QualCoder. Every guid is derived from the codebook's name and the theme or answer id, so the same
results give the same guids (and a tool can match a re-export to its earlier import)."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pandas as pd

from ..codebook import Codebook
from ..persist import atomic_write, reproducible_zip
from ..schema import ID, TEXT
from ..sheets import xml_text
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
    content = _qdpx(data.frame, data.book, data.name or data.book.name or "rtc_nlp")
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


def _qdpx(frame: pd.DataFrame, book: Codebook, name: str) -> bytes:
    ET.register_namespace("", PROJECT_NS)
    project = ET.Element(f"{{{PROJECT_NS}}}Project", {"name": xml_text(name), "origin": "rtc_nlp"})
    users = ET.SubElement(project, f"{{{PROJECT_NS}}}Users")
    user = _guid(book, "user", "rtc_nlp")
    ET.SubElement(users, f"{{{PROJECT_NS}}}User", {"guid": user, "name": "rtc_nlp"})
    _codebook_xml(book, project, PROJECT_NS)
    sources = ET.SubElement(project, f"{{{PROJECT_NS}}}Sources")
    files: dict[str, str] = {}
    for respondent, text, codes in zip(frame[ID], frame[TEXT], code_lists(frame)):
        body = "" if text is None or (isinstance(text, float) and text != text) else str(text)
        source_guid = _guid(book, "answer", respondent)
        files[f"sources/{source_guid}.txt"] = body
        source = ET.SubElement(
            sources,
            f"{{{PROJECT_NS}}}TextSource",
            {
                "guid": source_guid,
                "name": xml_text(f"{respondent}"),
                "plainTextPath": f"internal://{source_guid}.txt",
                "creatingUser": user,
            },
        )
        if codes and body:
            selection = ET.SubElement(
                source,
                f"{{{PROJECT_NS}}}PlainTextSelection",
                {
                    "guid": _guid(book, "selection", respondent),
                    "name": xml_text(body[:50]),
                    "startPosition": "0",
                    "endPosition": str(len(body)),
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
