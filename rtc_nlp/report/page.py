"""A self-contained HTML report of a run, in Italian, that an analyst can send to a client.

:func:`write_report` builds one page per run (a section per question): how the themes were
found (method note, reproducibility), the code frame with shares, keywords and typical
answers, every answer of each theme (collapsed, with respondent ids), the theme map, and,
where the results folder holds them, "non classificato", candidate new themes, the review
queue, the wave comparison with a segment x theme table, and the validation against manual
coding with its chance level and a verdict. plotly.js is embedded in the page, so it opens
offline: no external scripts, fonts or images. It reads on a phone as well as on a desktop.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..coding.crosstab import LOW_BASE, crosstab
from ..coding.waves import count_carrying
from ..errors import InputError
from ..io.questions import read_questions
from ..italian import CORRECTIONS, english_columns
from ..persist import atomic_write
from ..results.folder import COMPARISON_FOLDER, NEW_THEMES, PREVALENCE, REVIEW_SHEET, VALIDATION_FOLDER, open_results
from ..schema import ID, TEXT
from ..themes.describe import keyword_scores, typical_from_similarity
from .figures import (
    confusion_figure,
    nets_figure,
    prevalence_plot,
    sizes_figure,
    theme_bubbles_figure,
    theme_colour,
    theme_map,
    theme_map_figure,
    theme_positions,
)
from .text import method_note, number, percent, validation_section

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_VERBATIMS",
    "nets_figure",
    "confusion_figure",
    "prevalence_plot",
    "sizes_figure",
    "theme_bubbles_figure",
    "theme_map",
    "theme_map_figure",
    "write_report",
]

#: Answers listed per theme in the page; the rest are in the results' answer table.
MAX_VERBATIMS = 1000


@dataclass
class _Run:
    """One results folder, read for the report."""

    folder: Path
    answers: pd.DataFrame
    themes: pd.DataFrame  # theme_id, label, size, share, keywords (list), typical (list), net, colour
    nets: pd.DataFrame | None
    embedder: Any
    clustering: dict[str, Any]
    run: dict[str, Any]
    revision: int | None = None
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)  # new themes, review queue


def _load(folder: Path) -> _Run:
    """The answers, the theme table, the nets (or ``None``), the embedder and what the run was."""
    results = open_results(folder)
    answers, book, model = results.answers, results.codebook, results.model
    if model is not None:
        themes = model.themes_.assign(
            typical=lambda t: t["typical_answers"].map(list),
            share=model.themes_["share_of_answered"],
            colour="",
        )
        nets = None
        if "net_id" in themes.columns and len(model.nets_):
            themes["net"] = themes["net_id"]
            nets = model.nets_[["net_id", "label", "size"]]
        return _Run(
            folder, answers, themes, nets, model.embedder_, dict(model.summary_.get("clustering", {})), results.run
        )
    codes = book.codes
    sizes = answers[answers["theme_id"].astype(int) > 0].groupby("theme_id").size()
    base = max(int((answers["theme_id"].astype(int) >= 0).sum()), 1)
    themes = pd.DataFrame(
        {
            "theme_id": [t.id for t in codes],
            "label": [t.label for t in codes],
            "size": [int(sizes.get(t.id, 0)) for t in codes],
            "keywords": [list(t.keywords) for t in codes],
            "net": [t.parent for t in codes],
            "colour": [t.colour for t in codes],
        }
    )
    themes["share"] = themes["size"] / base
    themes["typical"] = [_typical_coded(answers[answers["theme_id"].astype(int) == t.id]) for t in codes]
    nets = None
    if book.net_ids:
        carried = count_carrying(answers["codes"], {n: book.members(n) for n in book.net_ids})
        nets = pd.DataFrame(
            {
                "net_id": book.net_ids,
                "label": [book[n].label for n in book.net_ids],
                "size": [carried[n] for n in book.net_ids],
            }
        )
    extra = {}
    if (folder / NEW_THEMES).exists():
        extra["new"] = pd.read_csv(folder / NEW_THEMES, keep_default_na=False)
    if (folder / REVIEW_SHEET).exists():
        review = pd.read_excel(folder / REVIEW_SHEET, dtype=str).fillna("")
        extra["review"] = english_columns(review, [ID, TEXT, "proposed_labels", "second_theme"])
    return _Run(folder, answers, themes, nets, None, {}, results.run, book.revision, extra)


def _typical_coded(members: pd.DataFrame, n: int = 3) -> list[str]:
    """The typical answers of a coded theme: the most similar to it, from the more central half,
    rewordings of one already shown skipped (no vectors are kept in a coded folder)."""
    texts = members[TEXT].astype(str).tolist()
    picked = typical_from_similarity(members["similarity"].to_numpy(dtype=float), texts, n)
    return [texts[i] for i in picked]


def _reproducibility(clustering: dict[str, Any]) -> str:
    """A paragraph on whether other seeds would give the same themes (community clusterer only)."""
    if "stability" not in clustering:
        return ""
    agreement = number(clustering["stability"])
    text = f"Riproducibilità: al livello scelto, con semi diversi i temi concordano {agreement} (ARI)."
    if not clustering.get("reproducible", True):
        text += (
            " <b>Temi NON riproducibili</b>: le risposte hanno poca struttura; leggere i temi come "
            "raggruppamenti di massima."
        )
    if clustering.get("narrow_margin"):
        text += (
            f" <b>Livello scelto per un margine stretto</b> ({number(clustering['margin'], 3)}): un altro seme "
            "(--seed) può dare temi più fini o più ampi; confrontare due semi prima di fidarsi del "
            "numero dei temi."
        )
    return f"<p class='note reproducibility'>{text}</p>"


_STYLE = """
*{box-sizing:border-box}
html{overflow-y:scroll}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
h2.question{font-size:1.4rem;margin-top:3rem;border-bottom:3px solid #3b6ea5}
h1,h2,h3,p,li,td,th,summary{overflow-wrap:break-word}
h3{font-size:1.1rem;margin-top:1.5rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ddd;padding:.35rem .5rem;
vertical-align:top;text-align:left}th{background:#f3f5f8}td.n,th.n{text-align:right;white-space:nowrap}
ul{margin:0;padding-left:1.1rem}
.note{color:#555;font-size:.85rem}tr.net td{background:#eef2f7;font-weight:600}
.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em;vertical-align:baseline}
details{border:1px solid #ddd;border-radius:4px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer;font-weight:600}
.bars{margin:.5rem 0}.bar{display:flex;align-items:center;gap:.5rem;font-size:.85rem;margin:.15rem 0}
.bar span.term{flex:0 0 40%;text-align:right}.bar span.fill{height:.8em;background:#3b6ea5;border-radius:2px}
.sig{color:#b00;font-weight:600}.verdict{font-size:1rem;background:#f6f8fb;border-left:4px solid #3b6ea5;
padding:.5rem .8rem}
.plotly-graph-div{max-width:100%}
td.name{min-width:8em}
@media (max-width:640px){body{margin:1rem auto;padding:0 .5rem}.themes .kw,.themes .id{display:none}
table{font-size:.8rem}th,td{padding:.3rem .25rem}td.name{min-width:5.5em}}
"""


def _table(head: list[str], rows: list[str], css: str = "") -> str:
    """A table inside a box that scrolls sideways on a narrow screen instead of overflowing."""
    cells = "".join(f"<th{' class=n' if h.startswith('#') else ''}>{html.escape(h.lstrip('#'))}</th>" for h in head)
    return f"<div class=scroll><table{f' class={css}' if css else ''}><tr>{cells}</tr>{''.join(rows)}</table></div>"


def _theme_table(run: _Run) -> str:
    """The code frame: each net (answers counted once) with its themes under it."""

    def row(r: Any) -> str:
        typical = "".join(f"<li>{html.escape(str(t))}</li>" for t in r.typical[:3])
        return (
            f"<tr><td class='n id'>{int(r.theme_id)}</td><td class=name><span class=dot style='background:"
            f"{theme_colour(r.theme_id, r.colour)}'></span>{html.escape(str(r.label))}</td>"
            f"<td class=n>{int(r.size)}</td><td class=n>{percent(r.share)}</td>"
            f"<td class=kw>{html.escape(', '.join(r.keywords[:6]))}</td><td><ul>{typical}</ul></td></tr>"
        )

    themes, nets = run.themes, run.nets
    if nets is None or not len(nets):
        rows = [row(r) for r in themes.itertuples()]
    else:
        base = max(int((run.answers["theme_id"].astype(int) >= 0).sum()), 1)
        rows = []
        for net in nets.itertuples():
            rows.append(
                f"<tr class=net><td colspan=6>Net: {html.escape(str(net.label))} &mdash; "
                f"{int(net.size)} risposte ({percent(net.size / base)})</td></tr>"
            )
            rows += [row(r) for r in themes[themes["net"] == net.net_id].itertuples()]
        alone = themes[themes["net"].isna()]
        if len(alone):
            rows.append("<tr class=net><td colspan=6>Temi senza net</td></tr>")
            rows += [row(r) for r in alone.itertuples()]
    head = ["#n.", "tema", "#risposte", "#quota", "parole chiave", "risposte tipiche"]
    table = _table(head, rows, "themes").replace("<th>parole chiave", "<th class=kw>parole chiave")
    return table.replace("<th class=n>n.</th>", "<th class='n id'>n.</th>", 1)


def _verbatims(run: _Run) -> str:
    """Every theme's answers, collapsed, with respondent ids and the weights of its keywords."""
    answers = run.answers
    texts = answers[TEXT].astype(str).tolist()
    labels = answers["theme_id"].astype(int).to_numpy()
    scores = keyword_scores(texts, labels, run.themes["theme_id"].astype(int).tolist(), 8)
    blocks = []
    for theme in run.themes.itertuples():
        members = answers[answers["theme_id"].astype(int) == int(theme.theme_id)]
        if "similarity" in members.columns:
            members = members.sort_values("similarity", ascending=False, kind="stable")
        top = scores.get(int(theme.theme_id), [])
        bars = ""
        if top:
            high = top[0][1]
            bars = "<div class=bars>" + "".join(
                f"<div class=bar><span class=term>{html.escape(term)}</span><span class=fill "
                f"style='width:{50 * score / high:.0f}%'></span></div>"
                for term, score in top
            )
            bars += "</div>"
        shown = members.head(MAX_VERBATIMS)
        more = (
            f"<p class=note>Le prime {MAX_VERBATIMS} di {len(members)}: tutte nella tabella delle risposte.</p>"
            if len(members) > MAX_VERBATIMS
            else ""
        )
        rows = [
            f"<tr><td>{html.escape(str(r[0]))}</td><td>{html.escape(str(r[1]))}</td></tr>"
            for r in shown[[ID, TEXT]].itertuples(index=False)
        ]
        blocks.append(
            f"<details><summary>{int(theme.theme_id)}. {html.escape(str(theme.label))} &mdash; "
            f"{len(members)} risposte</summary>{bars}{more}{_table(['id', 'risposta'], rows)}</details>"
        )
    return "".join(blocks)


def _others(run: _Run, h: str) -> list[str]:
    """'Non classificato', candidate new themes and the review queue, when the run has them."""
    parts = []
    answers = run.answers
    unclassified = answers[answers["status"] == "unclassified"] if "status" in answers.columns else answers[:0]
    if len(unclassified):
        rows = [
            f"<tr><td>{html.escape(str(r[0]))}</td><td>{html.escape(str(r[1]))}</td></tr>"
            for r in unclassified[[ID, TEXT]].itertuples(index=False)
        ]
        parts.append(
            f"<{h}>Non classificato</{h}><p>{len(unclassified)} risposte non abbastanza vicine a nessun tema: "
            "possono indicare un tema che manca.</p>"
            f"<details><summary>Le risposte ({len(unclassified)})</summary>{_table(['id', 'risposta'], rows)}</details>"
        )
    new = run.extra.get("new")
    if new is not None and len(new):
        rows = [
            f"<tr><td class=n>{int(r.candidate)}</td><td>{html.escape(str(r.label))}</td><td class=n>{int(r.size)}</td>"
            f"<td>{html.escape(str(r.nearest_theme_label))} ({number(float(r.nearest_similarity))})</td>"
            f"<td>{'sì' if str(r.likely_new) == 'True' else 'no'}</td>"
            f"<td><ul>{''.join(f'<li>{html.escape(t)}</li>' for t in str(r.typical_answers).split(' | '))}</ul></td>"
            f"<td>{html.escape(str(r.ids).replace(';', ', '))}</td></tr>"
            for r in new.itertuples()
        ]
        head = ["#n.", "possibile tema", "#risposte", "tema più vicino", "nuovo?", "risposte tipiche", "id"]
        parts.append(
            f"<{h}>Possibili temi nuovi</{h}><p>Gruppi di risposte lontane dai temi del codebook, o sul confine "
            "tra due: da valutare prima di aggiungerli al codebook.</p>" + _table(head, rows)
        )
    review = run.extra.get("review")
    if review is not None and len(review):
        rows = [
            f"<tr><td>{html.escape(r.id)}</td><td>{html.escape(r.text)}</td><td>{html.escape(r.proposed_labels)}</td>"
            f"<td>{html.escape(r.second_theme)}</td></tr>"
            for r in review.itertuples()
        ]
        parts.append(
            f"<{h}>Da rivedere</{h}><p>{len(review)} risposte sul confine tra due temi; correggerle nel foglio "
            f"review.xlsx (o in JupyterLab con ReviewWidget.from_folder, che scrive corrections.csv) e "
            f"ricodificare con --overrides.</p><details><summary>Le risposte ({len(review)})</summary>"
            + _table(["id", "risposta", "tema proposto", "secondo tema"], rows)
            + "</details>"
        )
    return parts


def _crosstab_table(prevalence: pd.DataFrame) -> str:
    """The last wave's segment x theme table, as market-research tables show it."""
    table = crosstab(prevalence)
    segments = [g for g in dict.fromkeys(table["group"]) if g != ""]
    if not segments:
        return ""
    letters = dict(zip(table["group"], table["letter"]))
    bases = table.drop_duplicates("group").set_index("group")[["base", "low_base"]]
    head = ["tema", "#Totale"] + [f"#{g} ({letters[g]})" for g in segments]
    rows = [
        "<tr><td><i>base</i></td>"
        + "".join(
            f"<td class=n><i>{int(bases.at[g, 'base'])}{' *' if bases.at[g, 'low_base'] else ''}</i></td>"
            for g in ["", *segments]
        )
        + "</tr>"
    ]
    for (_, label), cells in table.groupby(["theme_id", "theme_label"], sort=False):
        cells = cells.set_index("group")
        row = f"<tr><td class=name>{html.escape(str(label))}</td>"
        for g in ["", *segments]:
            sig = cells.at[g, "higher_than"]
            row += f"<td class=n>{percent(cells.at[g, 'share'])}{f' <span class=sig>{sig}</span>' if sig else ''}</td>"
        rows.append(row + "</tr>")
    wave = prevalence["wave"].iloc[-1]
    correction = CORRECTIONS.get(table.attrs["correction"], table.attrs["correction"])
    return (
        f"<p>Ondata {html.escape(str(wave))}: percentuali di colonna. Le lettere indicano i segmenti rispetto "
        "ai quali la quota è significativamente più alta (test z su due proporzioni per ogni coppia di "
        f"segmenti, p corretto &lt; 0,05). Correzione: {html.escape(correction)}. * Base inferiore a {LOW_BASE} "
        "risposte: mostrata ma non confrontata.</p>" + _table(head, rows)
    )


def _sections(
    folder: Path, comparison: str | Path | None, validation: str | Path | None, *, level: int, offset: int = 0
) -> tuple[list[str], int]:
    """The HTML parts about one results folder (one question), headed at ``level``, and how
    many figures; figure ids start at ``offset`` and the page's first figure carries plotly."""
    run = _load(folder)
    answers, themes = run.answers, run.themes
    usable = answers[answers["theme_id"].astype(int) > 0].reset_index(drop=True)
    h = f"h{level}"
    counts = answers["status"].value_counts() if "status" in answers.columns else pd.Series(dtype=int)
    comparison = Path(comparison) if comparison else folder / COMPARISON_FOLDER
    prevalence = None
    if (comparison / PREVALENCE).exists():
        prevalence = pd.read_csv(comparison / PREVALENCE, dtype={"group": str, "wave": str, "theme_label": str})
        prevalence["group"] = prevalence["group"].fillna("")
    parts = [
        f"<p>{len(answers)} risposte: {int(counts.get('theme', 0) + counts.get('reviewed', 0))} con un tema, "
        f"{int(counts.get('unclassified', 0))} non classificate, {int(counts.get('non_answer', 0))} non risposte.</p>",
        method_note(run.run, folder, run.revision, prevalence),
        _reproducibility(run.clustering),
        f"<{h}>Temi</{h}>",
        _theme_table(run),
        f"<{h}>Le risposte di ogni tema</{h}><p class=note>Aprire un tema per leggerne tutte le risposte, "
        "con l'id del rispondente, e il peso delle sue parole chiave.</p>",
        _verbatims(run),
    ]
    figures: list[tuple[str, Any, str]] = []
    if len(usable) and len(themes):
        centres = theme_positions(
            usable[TEXT].astype(str).tolist(),
            usable["theme_id"].astype(int).to_numpy(),
            themes["theme_id"].astype(int).tolist(),
            run.embedder,
        )
        present = ~np.isnan(centres[:, 0])
        figures.append(
            (
                "Mappa dei temi",
                theme_bubbles_figure(themes[present].reset_index(drop=True), centres[present]),
                "Ogni bolla è un tema, grande quanto le sue risposte; temi vicini raccolgono risposte simili.",
            )
        )
    if run.nets is not None and len(run.nets):
        figures.append(("Net e temi", nets_figure(themes, run.nets), ""))
    figures.append(("Dimensione dei temi", sizes_figure(themes), ""))
    parts_after: list[str] = []
    if prevalence is not None:
        figures.append(
            (
                "Confronto tra ondate",
                prevalence_plot(prevalence),
                "Quota di risposte per tema con intervallo di confidenza al 95%; ▲ ▼ variazione significativa "
                "rispetto alla prima ondata (p corretto per il numero di confronti &lt; 0,05; basi sotto "
                f"{LOW_BASE} risposte mai segnalate).",
            )
        )
        parts_after.append(f"<{h}>Tabella incrociata per segmento</{h}>" + _crosstab_table(prevalence))
    validation = Path(validation) if validation else folder / VALIDATION_FOLDER
    if (validation / "confusion.csv").exists():
        figures.append(
            (
                "Temi e codifica manuale",
                confusion_figure(pd.read_csv(validation / "confusion.csv", index_col=0)),
                "Risposte per tema (righe) e codice manuale (colonne); il colore è la quota del tema.",
            )
        )
    for k, (heading, fig, note) in enumerate(figures, start=offset):
        parts.append(f"<{h}>{html.escape(heading)}</{h}>")
        if note:
            parts.append(f"<p class=note>{note}</p>")
        fig.update_layout(title=None, margin={"t": 30})
        parts.append(
            fig.to_html(
                full_html=False,
                include_plotlyjs=(k == 0),
                config={"displaylogo": False, "responsive": True},
                div_id=f"fig{k}",
                default_width="100%",
            )
        )
        if heading == "Confronto tra ondate":
            parts += parts_after
        if heading == "Temi e codifica manuale" and (validation / "summary.csv").exists():
            parts.append(validation_section(pd.read_csv(validation / "summary.csv")))
    parts += _others(run, h)
    return parts, len(figures)


def write_report(
    results: str | Path,
    out: str | Path,
    *,
    comparison: str | Path | None = None,
    validation: str | Path | None = None,
    title: str = "",
    overwrite: bool = False,
) -> Path:
    """Write one self-contained HTML page about a run: with several questions
    (``questions.json``), one section per question, each with its own comparison and
    validation when present (``<comparison>/<question folder>`` when ``comparison`` is given,
    as ``rtc-nlp compare --out`` writes them, else ``<question folder>/comparison``; the same
    for validation).

    Parameters
    ----------
    results : folder
        Written by ``rtc-nlp themes`` or ``rtc-nlp code``.
    out : path
        The HTML file.
    comparison : folder or None
        Written by ``rtc-nlp compare --out`` (``prevalence.csv``); default: looked for in
        ``results/comparison``.
    validation : folder or None
        Written by ``rtc-nlp validate`` (``summary.csv``, ``confusion.csv``); default: looked
        for in ``results/validation``.
    title : str
        The page's heading; default "Temi delle risposte aperte".
    overwrite : bool
        Replace ``out`` if it exists.
    """
    folder, out = Path(results), Path(out)
    if out.exists() and not overwrite:
        raise InputError("exists; choose another --out or pass --overwrite", path=str(out))
    if out.resolve().parent == folder.resolve() and out.suffix.lower() != ".html":
        raise InputError("the report must be an .html file", path=str(out))
    questions = read_questions(folder)
    heading = f"<h1>{html.escape(title or 'Temi delle risposte aperte')}</h1>"
    if questions is None:
        parts = [heading, *_sections(folder, comparison, validation, level=2)[0]]
    else:
        # One section per question, each with its own comparison and validation if present.
        parts, offset = [heading], 0
        parts.append(
            "<p>"
            + " &middot; ".join(f"<a href='#q{k}'>{html.escape(q.name)}</a>" for k, q in enumerate(questions))
            + "</p>"
        )
        for k, question in enumerate(questions):
            parts.append(f"<h2 id=q{k} class=question>{html.escape(question.name)}</h2>")
            sections, n_figures = _sections(
                folder / question.folder,
                Path(comparison) / question.folder if comparison else None,
                Path(validation) / question.folder if validation else None,
                level=3,
                offset=offset,
            )
            offset += n_figures
            parts += sections
    page = (
        "<!DOCTYPE html><html lang=it><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title or 'rtc_nlp')}</title><style>{_STYLE}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )
    atomic_write(out, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    return out
