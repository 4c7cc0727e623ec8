"""The report's own groupings as a validation set: the default pipeline against its hand coding.

``data/report/report_groupings.csv`` holds the groupings that *Ready to Change*'s analysts made
by hand; :func:`validate_report_groupings` finds themes and nets in each theme grouping and
compares each level with the report's groups (:func:`rtc_nlp.compare_with_manual`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from ..embedders.registry import resolve_embedder
from ..errors import InputError
from ..themes.model import ThemeModel
from .validate import compare_with_manual

logger = logging.getLogger(__name__)

__all__ = ["default_report_groupings", "validate_report_groupings"]


def default_report_groupings() -> Path:
    """The bundled ``data/report/report_groupings.csv`` of a source checkout."""
    return Path(__file__).resolve().parents[2] / "data" / "report" / "report_groupings.csv"


def validate_report_groupings(
    path: str | Path | None = None,
    *,
    embedder: Any = "auto",
    random_state: int = 0,
    n_boot: int = 1000,
    n_perm: int = 999,
) -> pd.DataFrame:
    """Run the default pipeline on each of the report's theme groupings and compare with its coding.

    Only groupings of ``kind == "theme"`` are run: the others group answers by who gave them
    (customer service or CSR interviewees), which no reading of the text can recover.

    Parameters
    ----------
    path : path or None
        ``report_groupings.csv`` (columns ``grouping``, ``kind``, ``item_id``, ``text``,
        ``theme``); ``None`` = the bundled file.
    embedder : str or Embedder, default "auto"
    random_state, n_boot, n_perm
        As in :func:`compare_with_manual`.

    Returns
    -------
    DataFrame
        One row per theme grouping and level (``themes``, and ``nets`` when the model has
        them): answers, manual codes, groups found, and accuracy, kappa, alpha, ARI with 95%
        intervals and permutation p-values (scope ``all``).
        ``attrs["not_validated"]`` lists the groupings left out.
    """
    path = Path(path) if path is not None else default_report_groupings()
    if not path.exists():
        # The file ships with the source checkout, not inside an installed package.
        raise InputError(
            "file not found: give the path of report_groupings.csv (rtc-nlp validate --report "
            "--groupings PATH; it is data/report/report_groupings.csv of the source checkout)",
            path=str(path),
        )
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    skipped = sorted(set(data.loc[data["kind"] != "theme", "grouping"]))
    if skipped:
        logger.info("not validated, their groups are respondent groups, not themes of the text: %s", ", ".join(skipped))
    embedder = resolve_embedder(embedder, verbose=False)
    rows = []
    for name, group in data[data["kind"] == "theme"].groupby("grouping", sort=False):
        model = ThemeModel(embedder=embedder, random_state=random_state, verbose=False)
        model.fit(group.rename(columns={"item_id": "id"})[["id", "text"]])
        manual = group.rename(columns={"item_id": "id", "theme": "code"})[["id", "code"]]
        for level, pred in _levels(model.assignments_):
            report = compare_with_manual(
                pred, manual, code_column="code", n_boot=n_boot, n_perm=n_perm, random_state=random_state
            )
            figures = report.summary[report.summary["scope"] == "all"].set_index("metric")
            row: dict[str, Any] = {
                "grouping": name,
                "kind": group["kind"].iloc[0],
                "level": level,
                "answers": len(group),
                "manual codes": report.counts["n_manual_codes"],
                "groups found": report.counts["n_themes"],
                "embedder": model.summary_["embedder"],
            }
            for metric in ("accuracy", "cohen_kappa", "krippendorff_alpha", "ari"):
                r = figures.loc[metric]
                row[metric] = r["value"]
                row[f"{metric} 95% CI"] = f"[{r['ci_low']:.2f}, {r['ci_high']:.2f}]"
                row[f"{metric} p"] = r["p_value"]
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["not_validated"] = skipped
    return table


def _levels(assignments: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The answers' themes, and their nets as if they were themes (when the model has nets)."""
    levels = [("themes", assignments)]
    if "net_id" in assignments.columns:
        nets = assignments.drop(columns=["theme_id", "theme_label"]).rename(
            columns={"net_id": "theme_id", "net_label": "theme_label"}
        )
        levels.append(("nets", nets))
    return levels
