"""The result of a validation: its tables, a heatmap, a headline, and the files it saves.

:func:`rtc_nlp.compare_with_manual` builds a :class:`ValidationReport`; ``report.save(folder)``
writes ``summary.csv``/``.md``, ``matching.csv``, ``confusion.csv``, ``per_code.csv``,
``problems.csv``, ``validation.json`` and ``heatmap.png``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io.sheets import write_csv
from ..persist import atomic_write

__all__ = ["ValidationReport"]


@dataclass
class ValidationReport:
    """Agreement between themes and manual codes. Build it with :func:`compare_with_manual`.

    Attributes
    ----------
    summary : DataFrame
        ``scope``, ``metric``, ``value``, ``ci_low``, ``ci_high`` (95% interval from
        resampling respondents: half-samples without replacement), ``chance`` (mean under
        shuffled labels), ``p_value`` (permutation test, for accuracy, kappa, alpha and ARI),
        ``n``. Scope ``all`` keeps non-answers and "non classificato" as categories of their
        own; ``answered`` leaves them out.
    matching : DataFrame
        Each theme with the manual code it is matched to (one-to-one), the answers they
        share and the share of each side that this is.
    confusion : DataFrame
        Answers per theme (rows) and manual code (columns), scope ``all``.
    per_code : DataFrame
        Per manual code: matched theme, binary kappa, precision, recall, F1 (all codes of an
        answer count), support, and a 95% interval for F1.
    problems : DataFrame
        Everything found wrong in the inputs, one row per kind.
    notes : list of str
    counts : dict
    """

    summary: pd.DataFrame
    matching: pd.DataFrame
    confusion: pd.DataFrame
    per_code: pd.DataFrame
    problems: pd.DataFrame
    notes: list[str]
    counts: dict[str, Any]

    def figure(self, normalize: bool = True) -> Any:
        """Confusion heatmap (themes × manual codes), rows as shares of each theme.

        Returns a matplotlib ``Figure`` (not attached to pyplot, so no global state).
        """
        from matplotlib.figure import Figure

        table = self.confusion
        values = table.to_numpy(dtype=float)
        shown = values / np.maximum(values.sum(axis=1, keepdims=True), 1) if normalize else values
        fig = Figure(
            figsize=(3.5 + 0.7 * max(3, table.shape[1]), 2.0 + 0.45 * max(3, table.shape[0])), layout="constrained"
        )
        ax = fig.add_subplot()
        image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None, aspect="auto")
        ax.set_xticks(range(table.shape[1]), [str(c)[:30] for c in table.columns], rotation=45, ha="right")
        ax.set_yticks(range(table.shape[0]), [str(r)[:40] for r in table.index])
        for (i, j), count in np.ndenumerate(values):
            if count:
                ax.text(
                    j,
                    i,
                    str(int(count)),
                    ha="center",
                    va="center",
                    color="white" if shown[i, j] > 0.6 else "black",
                    fontsize=8,
                )
        ax.set_xlabel("manual code")
        ax.set_ylabel("theme")
        ax.set_title("answers per theme and manual code" + (" (colour: share of theme)" if normalize else ""))
        fig.colorbar(image, ax=ax, fraction=0.04)
        return fig

    def headline(self) -> str:
        """The main figures with their intervals, as a few readable lines."""
        c = self.counts
        lines = [
            f"{c['n_shared']} answers compared ({c['n_answered']} with a theme; "
            f"{c['n_non_answers']} non-answers, {c['n_unclassified']} non classificato)"
        ]
        for scope in ("answered", "all"):
            rows = self.summary[self.summary["scope"] == scope].set_index("metric")
            if rows.empty or rows["value"].isna().all():
                continue
            parts = []
            for metric in ("accuracy", "cohen_kappa", "krippendorff_alpha", "ari", "ami"):
                r = rows.loc[metric]
                text = f"{metric} {r['value']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}]"
                if pd.notna(r["p_value"]):
                    text += f" p={r['p_value']:.3f}"
                parts.append(text)
            lines.append(f"{scope}: " + "; ".join(parts))
        lines.extend(f"note: {n}" for n in self.notes)
        if len(self.problems):
            lines.append(
                f"{int(self.problems['count'].sum())} input problems (see problems.csv): "
                + "; ".join(f"{r.problem} ×{r.count}" for r in self.problems.itertuples())
            )
        return "\n".join(lines)

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Write ``summary.csv``, ``summary.md``, ``matching.csv``, ``confusion.csv``,
        ``per_code.csv``, ``problems.csv``, ``validation.json`` and ``heatmap.png``."""
        folder = Path(folder)
        if folder.exists() and any(folder.iterdir()) and not overwrite:
            raise InputError("exists and is not empty; choose another folder or pass --overwrite", path=str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        for name, table, index in (
            ("summary", self.summary, False),
            ("matching", self.matching, False),
            ("confusion", self.confusion, True),
            ("per_code", self.per_code, False),
            ("problems", self.problems, False),
        ):
            write_csv(table, folder / f"{name}.csv", index=index)
        atomic_write(folder / "summary.md", lambda tmp: Path(tmp).write_text(_markdown(self.summary), encoding="utf-8"))
        document = {"format": "rtc_nlp.validation", "format_version": 1, "counts": self.counts, "notes": self.notes}
        atomic_write(
            folder / "validation.json",
            lambda tmp: Path(tmp).write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8"),
        )
        fig = self.figure()
        atomic_write(folder / "heatmap.png", lambda tmp: fig.savefig(tmp, format="png", dpi=120))
        return folder


def _markdown(table: pd.DataFrame) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if v != v else f"{v:.3f}"
        return str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines) + "\n"
