"""The report's figures, in plotly: interactive in notebooks and in the HTML page.

Every label an analyst reads is Italian and wrapped onto lines (long theme names must stay
readable on a phone), and each theme keeps one colour across figures: its codebook colour, or
the palette's colour for its id.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd

from ..coding.significance import change_marks
from ..palette import PALETTE, theme_colour

__all__ = [
    "confusion_figure",
    "nets_figure",
    "prevalence_plot",
    "sizes_figure",
    "theme_bubbles_figure",
    "theme_colour",
    "theme_map",
    "theme_map_figure",
    "theme_positions",
    "wrap",
]

_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
# The first wave grey, later waves in colour: the eye goes to what is new.
_WAVE_COLOURS = ("#9E9E9E", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00")


def wrap(text: Any, width: int = 28) -> str:
    """``text`` broken into lines of at most ``width`` characters, joined with ``<br>`` (plotly's
    line break), so a long theme name takes two lines instead of half the figure's width."""
    return "<br>".join(textwrap.wrap(str(text), width=width, break_long_words=True)) or str(text)


def _vectors(texts: list[str], embedder: Any, random_state: int) -> np.ndarray:
    """The texts' vectors by ``embedder`` (``None``: the lexical one, fitted on them)."""
    from ..embedders.lexical import LexicalEmbedder

    if embedder is None:
        embedder = LexicalEmbedder(random_state=random_state).fit(list(dict.fromkeys(texts)))
    return np.asarray(embedder.transform(texts), dtype=np.float64)


def theme_map(texts: list[str], embedder: Any = None, random_state: int = 0) -> np.ndarray:
    """2-D coordinates of ``texts`` for the theme map (PCA of their vectors: deterministic).

    ``embedder``: a fitted embedder (e.g. ``model.embedder_``); ``None`` fits the lexical one.
    """
    from sklearn.decomposition import PCA

    vectors = _vectors(texts, embedder, random_state)
    if len(vectors) < 3 or vectors.shape[1] < 2:
        return np.zeros((len(texts), 2))
    return PCA(n_components=2, random_state=random_state).fit_transform(vectors)


def theme_positions(
    texts: list[str], theme_ids: np.ndarray, themes: list[int], embedder: Any = None, random_state: int = 0
) -> np.ndarray:
    """2-D positions of ``themes`` for the bubble map: the principal components of the themes'
    mean vectors (classical multidimensional scaling of their distances), so that themes whose
    answers say similar things sit close together, and every theme counts the same (a
    projection of the answers themselves follows the big themes and piles the rest in the
    middle). Deterministic.

    ``texts`` and ``theme_ids`` are the answers and their theme; ``embedder`` a fitted embedder
    (``None`` fits the lexical one). A theme without answers gets NaN.
    """
    from sklearn.decomposition import PCA

    from ..embedders.base import unit_rows

    vectors = _vectors(texts, embedder, random_state)
    theme_ids = np.asarray(theme_ids)
    present = [t for t in themes if (theme_ids == t).any()]
    out = np.full((len(themes), 2), np.nan)
    if not present:
        return out
    centres = unit_rows(np.vstack([vectors[theme_ids == t].mean(axis=0) for t in present]))
    if len(present) < 3:
        coords = np.column_stack([np.arange(len(present), dtype=float), np.zeros(len(present))])
    else:
        coords = PCA(n_components=2, svd_solver="full").fit_transform(centres)
    index = {t: i for i, t in enumerate(present)}
    for row, t in enumerate(themes):
        if t in index:
            out[row] = coords[index[t]]
    return out


def theme_map_figure(
    coords: np.ndarray, labels: pd.Series, texts: pd.Series, title: str = "Mappa delle risposte", max_points: int = 5000
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
    for k, label in enumerate(labels.value_counts().index):
        mask = (labels == label).to_numpy()
        fig.add_trace(
            go.Scatter(
                x=coords[mask, 0],
                y=coords[mask, 1],
                mode="markers",
                name=label[:40],
                text=[t[:200] for t in texts[mask]],
                hoverinfo="text+name",
                marker={"size": 7, "opacity": 0.75, "color": PALETTE[k % len(PALETTE)]},
            )
        )
    fig.update_layout(
        title=title,
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=520,
        legend={"font": {"size": 10}},
        margin=_MARGIN,
    )
    return fig


def theme_bubbles_figure(themes: pd.DataFrame, coords: np.ndarray, title: str = "Mappa dei temi") -> Any:
    """The themes as bubbles: placed where their answers lie (``coords``, one row per theme),
    with an area proportional to their answers, in the theme's colour, named beside.

    ``themes`` has ``theme_id``, ``label``, ``size`` and optionally ``colour`` and ``share``.
    Themes close together on the map are answers that say similar things.
    """
    import plotly.graph_objects as go

    sizes = themes["size"].astype(float).to_numpy()
    colours = [theme_colour(t, c) for t, c in zip(themes["theme_id"], themes.get("colour", [""] * len(themes)))]
    shares = themes["share"] if "share" in themes.columns else sizes / max(sizes.sum(), 1)
    fig = go.Figure(
        go.Scatter(
            x=coords[:, 0],
            y=coords[:, 1],
            mode="markers+text",
            text=[wrap(f"{t}. {label}", 22) for t, label in zip(themes["theme_id"], themes["label"])],
            textposition="top center",
            textfont={"size": 10},
            customdata=np.column_stack([themes["label"].astype(str), sizes, shares]),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]:.0f} risposte (%{customdata[2]:.1%})<extra></extra>",
            marker={
                "size": sizes,
                "sizemode": "area",
                "sizeref": 2.0 * max(sizes.max(initial=1), 1) / 55**2,
                "sizemin": 6,
                "color": colours,
                "opacity": 0.75,
                "line": {"width": 1, "color": "#333"},
            },
        )
    )
    fig.update_layout(
        title=title,
        xaxis={"visible": False, "range": _padded(coords[:, 0])},
        yaxis={"visible": False, "range": _padded(coords[:, 1], top=0.25)},
        height=560,
        showlegend=False,
        margin=_MARGIN,
    )
    return fig


def _padded(values: np.ndarray, side: float = 0.15, top: float = 0.15) -> list[float]:
    """An axis range with room around the points, so bubbles and names at the edge show whole."""
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    span = (high - low) or 1.0
    return [low - side * span, high + top * span]


def nets_figure(themes: pd.DataFrame, nets: pd.DataFrame, title: str = "Net e temi") -> Any:
    """A sunburst of the code frame: nets inside, their themes outside, sized by answers.

    ``themes`` has ``theme_id``, ``label``, ``size`` and ``net`` (the id of its net in ``nets``,
    or none); ``nets`` has ``net_id``, ``label`` and ``size`` (answers counted once per net).
    """
    import plotly.graph_objects as go

    ids, labels, parents, values, colours = [], [], [], [], []
    for net in nets.itertuples():
        ids.append(f"net{net.net_id}")
        labels.append(wrap(net.label, 20))
        parents.append("")
        values.append(int(net.size))
        colours.append(PALETTE[(int(net.net_id) - 1) % len(PALETTE)])
    for theme in themes.itertuples():
        net = getattr(theme, "net", None)
        ids.append(f"tema{theme.theme_id}")
        labels.append(wrap(theme.label, 20))
        parents.append(f"net{int(net)}" if net is not None and net == net else "")
        values.append(int(theme.size))
        colours.append(theme_colour(theme.theme_id, getattr(theme, "colour", "") or ""))
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="remainder",
            marker={"colors": colours},
            hovertemplate="%{label}: %{value} risposte<extra></extra>",
        )
    )
    fig.update_layout(title=title, height=560, margin=_MARGIN)
    return fig


def sizes_figure(themes: pd.DataFrame, title: str = "Dimensione dei temi") -> Any:
    """Horizontal bars: answers per theme (``theme_id``, ``label``, ``size`` columns)."""
    import plotly.graph_objects as go

    ordered = themes.sort_values("size")
    colours = [theme_colour(t, c) for t, c in zip(ordered["theme_id"], ordered.get("colour", [""] * len(ordered)))]
    fig = go.Figure(
        go.Bar(
            x=ordered["size"],
            y=[wrap(f"{i}. {lab}") for i, lab in zip(ordered["theme_id"], ordered["label"])],
            orientation="h",
            marker={"color": colours},
            hovertemplate="%{y}: %{x} risposte<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=max(300, 34 * len(ordered) + 80),
        margin=_MARGIN,
        xaxis_title="risposte",
    )
    return fig


def prevalence_plot(table: pd.DataFrame, title: str = "Prevalenza dei temi per ondata") -> Any:
    """Prevalence per wave with 95% Wilson intervals, from :func:`rtc_nlp.compare_waves`: one
    panel for the whole wave and one per group (when compared ``by`` a column), one above
    the other so that each stays readable on a phone. A later wave's bar is marked ▲ or ▼ where
    the table flags a change from the first wave (``flag``: its p corrected for the number of
    tests is below 0.05; a base under 30 is never flagged)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    table = table.assign(group=table["group"].fillna("").astype(str))
    p_column = "change_p_adjusted" if "change_p_adjusted" in table else "change_p"
    groups = list(dict.fromkeys(table["group"]))
    themes = list(dict.fromkeys(table["theme_label"]))
    waves = list(dict.fromkeys(table["wave"]))
    titles = [group or "Totale" for group in groups] if len(groups) > 1 else None
    # Each panel as tall as its bars need, with about 60 pixels between panels.
    height = 100 + len(groups) * (14 * len(themes) * len(waves) + 60)
    fig = make_subplots(
        rows=len(groups), cols=1, shared_xaxes=True, subplot_titles=titles, vertical_spacing=60 / height
    )
    first = table[table["wave"] == waves[0]].set_index(["group", "theme_label"])["prevalence"]
    for row, group in enumerate(groups, start=1):
        part = table[table["group"] == group]
        for k, wave in enumerate(waves):
            rows = part[part["wave"] == wave].set_index("theme_label").reindex(themes)
            before = first.reindex([(group, t) for t in themes]).to_numpy()
            marks = change_marks(rows, before)
            p = pd.to_numeric(rows.get(p_column, pd.Series(np.nan, index=rows.index)), errors="coerce").to_numpy()
            fig.add_trace(
                go.Bar(
                    name=str(wave),
                    legendgroup=str(wave),
                    showlegend=row == 1,
                    y=[wrap(t) for t in themes],
                    x=rows["prevalence"],
                    orientation="h",
                    marker={"color": _WAVE_COLOURS[k % len(_WAVE_COLOURS)]},
                    text=marks,
                    textposition="outside",
                    textfont={"size": 14, "color": "#B00020"},
                    error_x={
                        "type": "data",
                        "symmetric": False,
                        "array": rows["ci_high"] - rows["prevalence"],
                        "arrayminus": rows["prevalence"] - rows["ci_low"],
                    },
                    customdata=np.column_stack([rows["count"], rows["base"], p]),
                    hovertemplate=(
                        f"{wave}: " + "%{x:.1%} (%{customdata[0]:.0f} su %{customdata[1]:.0f})"
                        "<br>p della variazione"
                        + (" (corretto)" if p_column != "change_p" else "")
                        + ": %{customdata[2]:.3f}<extra></extra>"
                    ),
                ),
                row=row,
                col=1,
            )
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        title=title,
        barmode="group",
        height=height,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        margin=_MARGIN,
    )
    return fig


def confusion_figure(confusion: pd.DataFrame, title: str = "Temi e codici manuali") -> Any:
    """Heatmap of answers per theme (rows) and manual code (columns), from a ValidationReport;
    colour is the share of the theme's answers, the number the answers."""
    import plotly.graph_objects as go

    values = confusion.to_numpy(dtype=float)
    shares = values / np.maximum(values.sum(axis=1, keepdims=True), 1)
    fig = go.Figure(
        go.Heatmap(
            z=shares,
            x=[wrap(c, 16) for c in confusion.columns],
            y=[wrap(r, 28) for r in confusion.index],
            text=values.astype(int),
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": "quota<br>del tema"}},
            hovertemplate="tema %{y}<br>codice %{x}<br>%{text} risposte<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        yaxis={"autorange": "reversed", "automargin": True},
        # Whole names, on lines; upright when more than four codes would crowd a phone's width.
        xaxis={"automargin": True, "tickangle": -90 if len(confusion.columns) > 4 else 0},
        height=260 + 36 * len(confusion),
        margin=_MARGIN,
    )
    return fig
