"""Parquet: the wide table, typed (the main theme a category, each theme a boolean)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..persist import atomic_write
from ..schema import NON_ANSWER, UNCLASSIFIED
from .tables import ExportData, theme_column


def write(data: ExportData, out: Path) -> list[Path]:
    """Write ``codes.parquet``."""
    typed = data.wide.copy()
    typed["main_theme"] = pd.Categorical(
        typed["main_theme"], categories=[*[t.label for t in data.book.themes], UNCLASSIFIED, NON_ANSWER]
    )
    for theme in data.book.themes:
        column = theme_column(theme.id, theme.label)
        typed[column] = typed[column].astype(bool)
    atomic_write(out / "codes.parquet", lambda tmp: typed.to_parquet(tmp, index=False))
    return [out / "codes.parquet"]
