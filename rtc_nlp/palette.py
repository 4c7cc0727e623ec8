"""The colours of themes: one per theme id, the same in the codebook and in every figure."""

from __future__ import annotations

__all__ = ["PALETTE", "theme_colour"]

#: Colours given to themes in id order (colour-blind safe, Okabe-Ito then Tableau, then more).
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#B07AA1",
    "#76B7B2",
    "#EDC948",
    "#FF9DA7",
    "#9C755F",
    # Then Dark2 and Set3, so that 32 themes get 32 colours.
    "#1B9E77",
    "#7570B3",
    "#E7298A",
    "#66A61E",
    "#A6761D",
    "#666666",
    "#8DD3C7",
    "#BEBADA",
    "#FB8072",
    "#80B1D3",
    "#FDB462",
    "#B3DE69",
    "#FCCDE5",
    "#BC80BD",
    "#CCEBC5",
    "#FFED6F",
)


def theme_colour(theme_id: int, colour: str = "") -> str:
    """The colour of a theme: ``colour`` when set (a codebook's own), else the palette's for its id."""
    return colour or PALETTE[(int(theme_id) - 1) % len(PALETTE)]
