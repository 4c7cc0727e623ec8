"""Parquet: the wide table, typed (the main theme a category, each theme a boolean)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...persist import atomic_write
from ...schema import NON_ANSWER, UNCLASSIFIED
from .tables import ExportData, net_column, theme_column


def write(data: ExportData, out: Path) -> list[Path]:
    """Write ``codes.parquet``."""
    typed = data.wide.copy()
    typed["main_theme"] = pd.Categorical(
        typed["main_theme"],
        categories=list(dict.fromkeys([*[t.label for t in data.book.codes], UNCLASSIFIED, NON_ANSWER])),
    )
    for column in [theme_column(t.id, t.label) for t in data.book.codes] + [
        net_column(n, data.book[n].label) for n in data.book.net_ids
    ]:
        typed[column] = typed[column].astype(bool)
    atomic_write(out / "codes.parquet", lambda tmp: typed.to_parquet(tmp, index=False))
    return [out / "codes.parquet"]
