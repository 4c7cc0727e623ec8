"""Figures and a self-contained HTML report of a run, to mail to a colleague without Python.

Figures are plotly (interactive in notebooks and in the page); :func:`write_report` builds one
HTML file with how reproducible the themes are, the theme table, typical answers, the theme
map, theme sizes and, where the results folder holds them, the wave comparison and the
validation figures. plotly.js is embedded in the page, so it opens offline: no external
scripts, fonts or images.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .persist import atomic_write
from .questions import read_questions
from .results import COMPARISON_FOLDER, PREVALENCE, VALIDATION_FOLDER, open_results
from .schema import TEXT
from .waves import count_carrying

logger = logging.getLogger(__name__)

__all__ = [
    "nets_figure",
    "confusion_figure",
    "prevalence_plot",
    "sizes_figure",
    "theme_map",
    "theme_map_figure",
    "write_report",
]


def theme_map(texts: list[str], embedder: Any = None, random_state: int = 0) -> np.ndarray:
    """2-D coordinates of ``texts`` for the theme map (PCA of their vectors: deterministic).

    ``embedder``: a fitted embedder (e.g. ``model.embedder_``); ``None`` fits the lexical one.
    """
    from sklearn.decomposition import PCA

    from .lexical import LexicalEmbedder

    if embedder is None:
        embedder = LexicalEmbedder(random_state=random_state).fit(list(dict.fromkeys(texts)))
    vectors = np.asarray(embedder.transform(texts), dtype=np.float64)
    if len(vectors) < 3 or vectors.shape[1] < 2:
        return np.zeros((len(texts), 2))
    return PCA(n_components=2, random_state=random_state).fit_transform(vectors)


def theme_map_figure(
    coords: np.ndarray, labels: pd.Series, texts: pd.Series, title: str = "Mappa dei temi", max_points: int = 5000
) -> Any:
    """Scatter of the answers in 2-D, one colour per theme, the answer on hover.

    SVG, not WebGL (which headless and older browsers lack); above ``max_points`` answers a
    fixed random sample is drawn, so the page stays light.
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    labels = labels.astype(str).reset_index(drop=True)
    texts = texts.astype(str).reset_index(drop=True)
    if len(labels) > max_points:
        keep = np.sort(np.random.default_rng(0).choice(len(labels), max_points, replace=False))
        coords, labels, texts = coords[keep], labels[keep].reset_index(drop=True), texts[keep].reset_index(drop=True)
        title += f" (campione di {max_points} risposte)"
    for label in labels.value_counts().index:
        mask = (labels == label).to_numpy()
        fig.add_trace(
            go.Scatter(
                x=coords[mask, 0],
                y=coords[mask, 1],
                mode="markers",
                name=label[:40],
                text=[t[:200] for t in texts[mask]],
                hoverinfo="text+name",
                marker={"size": 7, "opacity": 0.75},
            )
        )
    fig.update_layout(
        title=title,
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=520,
        legend={"font": {"size": 10}},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def nets_figure(themes: pd.DataFrame, nets: pd.DataFrame, title: str = "Net e temi") -> Any:
    """A sunburst of the code frame: nets inside, their themes outside, sized by answers.

    ``themes`` has ``theme_id``, ``label``, ``size`` and ``net`` (the id of its net in ``nets``,
    or none); ``nets`` has ``net_id``, ``label`` and ``size`` (answers counted once per net).
    """
    import plotly.graph_objects as go

    ids, labels, parents, values = [], [], [], []
    for net in nets.itertuples():
        ids.append(f"net{net.net_id}")
        labels.append(str(net.label)[:40])
        parents.append("")
        values.append(int(net.size))
    for theme in themes.itertuples():
        net = getattr(theme, "net", None)
        ids.append(f"tema{theme.theme_id}")
        labels.append(str(theme.label)[:40])
        parents.append(f"net{int(net)}" if net is not None and net == net else "")
        values.append(int(theme.size))
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="remainder",
            hovertemplate="%{label}: %{value} risposte<extra></extra>",
        )
    )
    fig.update_layout(title=title, height=560, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def sizes_figure(themes: pd.DataFrame, title: str = "Dimensione dei temi") -> Any:
    """Horizontal bars: answers per theme (``theme_id``, ``label``, ``size`` columns)."""
    import plotly.graph_objects as go

    ordered = themes.sort_values("size")
    fig = go.Figure(
        go.Bar(
            x=ordered["size"],
            y=[f"{i}: {str(lab)[:50]}" for i, lab in zip(ordered["theme_id"], ordered["label"])],
            orientation="h",
        )
    )
    fig.update_layout(
        title=title,
        height=max(300, 28 * len(ordered) + 80),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis_title="risposte",
    )
    return fig


def prevalence_plot(table: pd.DataFrame, title: str = "Prevalenza dei temi per ondata") -> Any:
    """Prevalence per wave with 95% Wilson intervals, from :func:`rtc_nlp.compare_waves`."""
    import plotly.graph_objects as go

    fig = go.Figure()
    overall = table[table["group"].fillna("") == ""] if (table["group"].fillna("") == "").any() else table
    for wave, part in overall.groupby("wave", sort=False):
        fig.add_trace(
            go.Bar(
                name=str(wave),
                y=part["theme_label"].str[:45],
                x=part["prevalence"],
                orientation="h",
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": part["ci_high"] - part["prevalence"],
                    "arrayminus": part["prevalence"] - part["ci_low"],
                },
            )
        )
    fig.update_layout(
        title=title,
        barmode="group",
        xaxis={"tickformat": ".0%"},
        height=120 + 45 * overall["theme_label"].nunique(),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def confusion_figure(confusion: pd.DataFrame, title: str = "Temi e codici manuali") -> Any:
    """Heatmap of answers per theme (rows) and manual code (columns), from a ValidationReport."""
    import plotly.graph_objects as go

    values = confusion.to_numpy(dtype=float)
    shares = values / np.maximum(values.sum(axis=1, keepdims=True), 1)
    fig = go.Figure(
        go.Heatmap(
            z=shares,
            x=[str(c)[:30] for c in confusion.columns],
            y=[str(r)[:40] for r in confusion.index],
            text=values.astype(int),
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"title": "quota del tema"},
        )
    )
    fig.update_layout(
        title=title,
        yaxis={"autorange": "reversed"},
        height=200 + 30 * len(confusion),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def _load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, Any, dict[str, Any]]:
    """Answers, a theme table (theme_id, label, size, keywords, typical answers, net), the nets
    (or ``None``), an embedder and what the clusterer chose (empty for coded results)."""
    results = open_results(folder)
    answers, book, model = results.answers, results.codebook, results.model
    if model is not None:
        themes = model.themes_.assign(
            keywords=lambda t: t["keywords"].map(", ".join), typical=lambda t: t["typical_answers"].map(list)
        )
        nets = None
        if "net_id" in themes.columns and len(model.nets_):
            themes["net"] = themes["net_id"]
            nets = model.nets_[["net_id", "label", "size"]]
        return answers, themes, nets, model.embedder_, dict(model.summary_.get("clustering", {}))
    codes = book.codes
    sizes = answers[answers["theme_id"].astype(int) > 0].groupby("theme_id").size()
    themes = pd.DataFrame(
        {
            "theme_id": [t.id for t in codes],
            "label": [t.label for t in codes],
            "size": [int(sizes.get(t.id, 0)) for t in codes],
            "keywords": [", ".join(t.keywords) for t in codes],
            "net": [t.parent for t in codes],
        }
    )
    themes["typical"] = [
        answers.loc[answers["theme_id"].astype(int) == t.id]
        .sort_values("similarity", ascending=False)[TEXT]
        .drop_duplicates()
        .head(3)
        .tolist()
        for t in codes
    ]
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
    return answers, themes, nets, None, {}


def _reproducibility(clustering: dict[str, Any]) -> str:
    """A paragraph on whether other seeds would give the same themes (community clusterer only)."""
    if "stability" not in clustering:
        return ""
    text = (
        f"Riproducibilità: al livello scelto, con semi diversi i temi concordano {clustering['stability']:.2f} (ARI)."
    )
    if not clustering.get("reproducible", True):
        text += (
            " <b>Temi NON riproducibili</b>: le risposte hanno poca struttura; leggere i temi come "
            "raggruppamenti di massima."
        )
    if clustering.get("narrow_margin"):
        text += (
            f" <b>Livello scelto per un margine stretto</b> ({clustering['margin']:.3f}): un altro seme "
            "(--seed) può dare temi più fini o più ampi; confrontare due semi prima di fidarsi del "
            "numero dei temi."
        )
    return f"<p class='note reproducibility'>{text}</p>"


_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
h2.question{font-size:1.4rem;margin-top:3rem;border-bottom:3px solid #3b6ea5;overflow-wrap:anywhere}
h3{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ddd;padding:.35rem .5rem;
vertical-align:top;text-align:left}th{background:#f3f5f8}td.n{text-align:right}ul{margin:0;padding-left:1.1rem}
.note{color:#555;font-size:.85rem}tr.net td{background:#eef2f7;font-weight:600}
@media (max-width:640px){body{margin:1rem .5rem}.themes td:nth-child(4),.themes th:nth-child(4){display:none}}
"""


def _sections(
    folder: Path, comparison: str | Path | None, validation: str | Path | None, *, level: int, offset: int = 0
) -> tuple[list[str], int]:
    """The HTML parts about one results folder (one question): counts, reproducibility, the
    theme table and the figures, headed at ``level``, and how many figures; figure ids start
    at ``offset`` and the first figure of the page (``offset`` 0) carries plotly's script."""
    answers, themes, nets, embedder, clustering = _load(folder)
    usable = answers[answers["theme_id"].astype(int) >= 0].reset_index(drop=True)
    coords = theme_map(usable[TEXT].astype(str).tolist(), embedder)
    figures = [
        ("Mappa dei temi", theme_map_figure(coords, usable["theme_label"], usable[TEXT])),
        ("Dimensione dei temi", sizes_figure(themes)),
    ]
    if nets is not None and len(nets):
        figures.insert(1, ("Net e temi", nets_figure(themes, nets)))
    comparison = Path(comparison) if comparison else folder / COMPARISON_FOLDER
    if (comparison / PREVALENCE).exists():
        figures.append(
            ("Confronto tra ondate", prevalence_plot(pd.read_csv(comparison / PREVALENCE, keep_default_na=False)))
        )
    validation = Path(validation) if validation else folder / VALIDATION_FOLDER
    validation_table = ""
    if (validation / "confusion.csv").exists():
        figures.append(
            ("Temi e codifica manuale", confusion_figure(pd.read_csv(validation / "confusion.csv", index_col=0)))
        )
    if (validation / "summary.csv").exists():
        summary = pd.read_csv(validation / "summary.csv")
        rows = summary[summary["metric"].isin(["accuracy", "cohen_kappa", "krippendorff_alpha", "ari"])]
        validation_table = (
            "<table><tr><th>ambito</th><th>misura</th><th>valore</th><th>IC 95%</th><th>p</th></tr>"
            + "".join(
                f"<tr><td>{html.escape(str(r.scope))}</td><td>{html.escape(str(r.metric))}</td>"
                f"<td class=n>{r.value:.3f}</td><td class=n>[{r.ci_low:.3f}, {r.ci_high:.3f}]</td>"
                f"<td class=n>{'' if r.p_value != r.p_value else f'{r.p_value:.3f}'}</td></tr>"
                for r in rows.itertuples()
            )
            + "</table>"
        )

    counts = answers["status"].value_counts() if "status" in answers.columns else pd.Series(dtype=int)

    def theme_row(r: Any) -> str:
        return (
            f"<tr><td class=n>{int(r.theme_id)}</td><td>{html.escape(str(r.label))}</td><td class=n>{int(r.size)}</td>"
            f"<td>{html.escape(str(r.keywords))}</td>"
            f"<td><ul>{''.join(f'<li>{html.escape(str(t))}</li>' for t in r.typical[:3])}</ul></td></tr>"
        )

    if nets is None or not len(nets):
        theme_rows = "".join(theme_row(r) for r in themes.itertuples())
    else:
        # The code frame: each net (answers counted once) with its themes under it.
        blocks = []
        for net in nets.itertuples():
            blocks.append(
                f"<tr class=net><td colspan=5>Net {int(net.net_id)}: {html.escape(str(net.label))} "
                f"&mdash; {int(net.size)} risposte</td></tr>"
            )
            blocks += [theme_row(r) for r in themes[themes["net"] == net.net_id].itertuples()]
        blocks += [theme_row(r) for r in themes[themes["net"].isna()].itertuples()]
        theme_rows = "".join(blocks)
    h = f"h{level}"
    parts = [
        f"<p>{len(answers)} risposte: {int(counts.get('theme', 0) + counts.get('reviewed', 0))} con un tema, "
        f"{int(counts.get('unclassified', 0))} non classificate, {int(counts.get('non_answer', 0))} non risposte. "
        f"<span class=note>Fonte: {html.escape(folder.name)}</span></p>",
        _reproducibility(clustering),
        f"<{h}>Temi</{h}><table class=themes><tr><th>id</th><th>tema</th><th>risposte</th><th>parole chiave</th>"
        f"<th>risposte tipiche</th></tr>{theme_rows}</table>",
    ]
    for k, (heading, fig) in enumerate(figures, start=offset):
        parts.append(f"<{h}>{html.escape(heading)}</{h}>")
        parts.append(
            fig.to_html(full_html=False, include_plotlyjs=(k == 0), config={"displaylogo": False}, div_id=f"fig{k}")
        )
        if heading == "Temi e codifica manuale" and validation_table:
            parts.append(validation_table)
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
