"""What a widget leaves where widgets cannot run, what it keeps of files it replaces, its JavaScript.

An HTML export of a notebook (nbconvert, JupyterLab's *Export as HTML*) has no kernel: there
each widget shows a static table instead (the code frame; the review queue with the decisions
taken), so the exported notebook stays readable (:func:`show_with_fallback`).
:func:`keep_previous` moves a file the editor is about to replace out of the way under a new
name, so nothing an analyst made is lost; :func:`view_module` assembles a view's JavaScript.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..coding.codebook import Codebook

__all__ = ["STATIC", "frame_table", "keep_previous", "review_table", "show_with_fallback", "view_module"]

#: The widgets' browser side.
STATIC = Path(__file__).with_name("static")


def view_module(name: str) -> str:
    """A view's JavaScript module: the helpers both views share, then ``static/<name>``."""
    return (STATIC / "common.js").read_text(encoding="utf-8") + (STATIC / name).read_text(encoding="utf-8")


_STYLE = "border-collapse:collapse;font-size:13px"
_CELL = "border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top"


def _table(caption: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th style='{_CELL}'>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='{_CELL}'>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<table class='rtc-static' style='{_STYLE}'><caption style='text-align:left;color:#555'>"
        f"{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def frame_table(tree: list[dict[str, Any]], codebook: Codebook) -> str:
    """The code frame as a table: net, theme, answers, share, keywords."""
    rows = []
    for node in tree:
        theme = codebook[node["id"]]
        name = html.escape(node["label"])
        rows.append(
            [
                str(node["id"]),
                f"<b>{name}</b>" if node["is_net"] else ("&emsp;" if node["parent"] else "") + name,
                f"{node['size']:,}".replace(",", "."),
                f"{node['share']:.1%}".replace(".", ","),
                html.escape(", ".join(theme.keywords[:6])),
            ]
        )
    caption = (
        f"Codebook «{codebook.name or 'senza nome'}», revisione {codebook.revision}: "
        "in JupyterLab qui si apre l'editor; questa è la sua copia statica."
    )
    return _table(caption, ["id", "net / tema", "risposte", "quota", "parole chiave"], rows)


def review_table(items: list[dict[str, Any]], labels: dict[int, str], decided: int, total: int) -> str:
    """The review queue as a table: answer, proposed codes, the analyst's decision."""
    rows = []
    for item in items:
        proposed = "; ".join(p["label"] for p in item["proposed"]) or "non classificato"
        decision = item["decision"]
        shown = "" if decision is None else ("; ".join(labels[c] for c in decision) or "non classificato")
        rows.append([html.escape(item["id"]), html.escape(item["text"]), html.escape(proposed), html.escape(shown)])
    caption = (
        f"Coda di revisione: {decided} risposte decise su {total}. In JupyterLab qui si apre la "
        "revisione una risposta alla volta; questa è la sua copia statica."
    )
    return _table(caption, ["id", "risposta", "temi proposti", "decisione"], rows)


def show_with_fallback(widget: Any, table: str) -> None:
    """Display ``widget`` and, as a second output, its static ``table``.

    Two outputs, not one bundle: an executed notebook stores the widget's state, and an HTML
    export then picks the widget over any other form of the same output, though offline it
    draws nothing. The table is always there in an export; in JupyterLab the widget hides it
    once it has drawn (``static/*.js``), and a notebook reopened without its kernel shows it.
    """
    from IPython.display import HTML, display

    data, metadata = widget._repr_mimebundle_()
    display(data, metadata=metadata, raw=True)
    display(HTML(f"<div class='rtc-static-fallback'>{table}</div>"))


def keep_previous(path: Path, revision: int) -> Path:
    """Rename ``path`` to ``<stem>.rev<revision><suffix>`` (``-2``, ``-3``... if taken)."""
    kept = path.with_name(f"{path.stem}.rev{revision}{path.suffix}")
    n = 2
    while kept.exists():
        kept = path.with_name(f"{path.stem}.rev{revision}-{n}{path.suffix}")
        n += 1
    path.rename(kept)
    return kept
