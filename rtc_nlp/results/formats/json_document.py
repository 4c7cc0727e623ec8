"""JSON: answers with their codes, the codebook and what produced them, in one document."""

from __future__ import annotations

import json
from pathlib import Path

from ...persist import atomic_write
from ...schema import ID, TEXT, versions
from .tables import ExportData, code_lists

FORMAT, FORMAT_VERSION = "rtc_nlp.export", 1


def write(data: ExportData, out: Path) -> list[Path]:
    """Write ``codes.json``."""
    book, frame = data.book, data.frame
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "run": {
            **data.run,
            "codebook_revision": book.revision,
            "export_versions": versions(("rtc_nlp", "pandas", "pyreadstat", "openpyxl")),
        },
        "codebook": {"name": book.name, "revision": book.revision, "themes": [t.to_dict() for t in book.themes]},
        "answers": [
            {
                ID: r[ID],
                TEXT: r[TEXT],
                "main_theme_id": int(r["theme_id"]),
                "codes": codes,
                "status": r.get("status", ""),
            }
            for r, codes in zip(frame.to_dict(orient="records"), code_lists(frame))
        ],
    }
    text = json.dumps(document, indent=1, ensure_ascii=False, default=str)
    atomic_write(out / "codes.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return [out / "codes.json"]
