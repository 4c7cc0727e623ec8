"""The report: a self-contained HTML page, in Italian, that an analyst can send to a client.

``page`` assembles it from a results folder (and a comparison or validation, if given);
``figures`` draws its plotly figures, which notebooks show too; ``text`` writes its Italian
sentences and numbers (the method note, validation in plain words).
"""

from .figures import (
    confusion_figure,
    nets_figure,
    prevalence_plot,
    sizes_figure,
    theme_bubbles_figure,
    theme_map,
    theme_map_figure,
    theme_positions,
)
from .page import write_report
from .text import verdict

__all__ = [
    "confusion_figure",
    "nets_figure",
    "prevalence_plot",
    "sizes_figure",
    "theme_bubbles_figure",
    "theme_map",
    "theme_map_figure",
    "theme_positions",
    "verdict",
    "write_report",
]
