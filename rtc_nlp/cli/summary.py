"""The text summary of a fitted theme model, as ``rtc-nlp themes`` prints it: counts, how the
level of themes and nets was chosen, then one block per theme under its net."""

from __future__ import annotations

import textwrap
from typing import Any

__all__ = ["format_summary"]


def format_summary(model: object, width: int = 100, *, show_embedder: bool = True) -> str:
    """A readable text summary of a fitted ThemeModel: counts, then one block per theme.

    ``show_embedder=False`` leaves out the line naming the embedder, for a run that named it
    when it started (``embedder="auto"`` says which it chose and why).
    """
    summary = model.summary_  # type: ignore[attr-defined]
    lines = [f"embedder: {summary['embedder']}"] if show_embedder else []
    lines += [
        f"{summary['n_themes']} themes; {summary['n_coded']} answers coded, "
        f"{summary['n_non_answers']} non-answers set aside"
        + (
            f" ({', '.join(f'{k}: {v}' for k, v in summary['non_answers_by_reason'].items())})"
            if summary["non_answers_by_reason"]
            else ""
        )
        + f", {summary['n_unclassified']} non classificato ({summary['share_unclassified']:.1%})",
    ]
    if summary.get("n_truncated"):
        lines.append(
            f"{summary['n_truncated']} answers longer than the embedder's limit "
            f"({summary['max_chars']} characters) were embedded from their start only"
        )
    fast = summary.get("fast_path") or {}
    if fast:
        lines.append(
            f"fast path ({fast['distinct_answers']} distinct answers, above --student-above): a lexical student "
            f"of the encoder assigned {fast['distinct_answers'] - fast['routed']} of them; the encoder embedded "
            f"{fast['encoder_answers']} (the fit sample, and answers the student was unsure of: "
            f"{fast['routed']} assigned by the encoder)"
            + (
                f"; where sure, the student gave the encoder's theme {fast['kept_agreement']:.0%} of the time "
                f"({fast['calibration_answers']} answers checked)"
                if fast.get("kept_agreement") is not None
                else ""
            )
        )
    clustering = summary.get("clustering", {})
    if "stability" in clustering:
        lines.append(
            f"themes agree {clustering['stability']:.2f} (ARI) across seeds at the level kept"
            + (
                ""
                if clustering.get("reproducible", True)
                else ": NOT reproducible, the answers hold little structure; read the themes as rough groups"
            )
            + (
                f"; the level was chosen by a narrow margin ({clustering['margin']:.3f}): another seed "
                "(--seed) may give finer or coarser themes, compare two seeds before trusting their number"
                if clustering.get("narrow_margin")
                else ""
            )
        )
    lines += _alternatives(summary)
    lines.append("")
    themes, nets = model.themes_, getattr(model, "nets_", None)  # type: ignore[attr-defined]
    if nets is None or not len(nets) or "net_id" not in themes.columns:
        for row in themes.itertuples():
            lines += _theme_block(row, "", width)
        return "\n".join(lines)
    for net in nets.itertuples():
        lines.append(f"NET {net.net_id}: {net.label}  —  {net.size} answers ({net.share:.1%})")
        for row in themes[themes["net_id"] == net.net_id].itertuples():
            lines += _theme_block(row, "    ", width)
    return "\n".join(lines)


def _theme_block(row: Any, indent: str, width: int) -> list[str]:
    lines = [f"{indent}[{row.theme_id}] {row.label}  —  {row.size} answers ({row.share:.1%})"]
    lines.append(f"{indent}    keywords: " + textwrap.shorten(", ".join(row.keywords), width - 14 - len(indent)))
    for example in row.typical_answers[:3]:
        lines.append(f"{indent}    · " + textwrap.shorten(f'"{example}"', width - 6 - len(indent), placeholder=' …"'))
    return lines


def _alternatives(summary: dict[str, Any]) -> list[str]:
    """One line per level: what was kept, and the next finer and coarser choices."""
    lines = []
    levels = summary.get("clustering", {}).get("levels") or []
    kept = summary.get("clustering", {}).get("resolution")
    if len(levels) > 1 and kept is not None:
        shown = [
            f"{lv['n_communities']} groups (agreement across seeds {lv['stability']:.2f})"
            + (" <- kept" if lv["resolution"] == kept else "")
            for lv in levels
        ]
        lines.append("levels tried, finest first, before small groups dissolve: " + "; ".join(shown))
    nets = summary.get("nets") or {}
    tried = nets.get("alternatives") or []
    if tried:
        chosen = nets["n_nets"]
        score = next((a["silhouette"] for a in tried if a["n_nets"] == chosen), None)
        # On a few answers the themes that dissolve can leave fewer nets than any cut tried.
        near = [f"{a['n_nets']} nets: {a['silhouette']:.2f}" for a in tried if abs(a["n_nets"] - chosen) == 1]
        if score is None:
            near = ["cuts tried: " + "; ".join(f"{a['n_nets']} nets: {a['silhouette']:.2f}" for a in tried)]
        head = f"{chosen} nets " + (f"(separation {score:.2f})" if score is not None else "(small themes dissolved)")
        lines.append(head + "".join(f"; {part}" for part in near) + " (--n-nets to choose)")
    return lines
