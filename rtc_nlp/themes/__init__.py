"""Themes: the model that finds them in one question's answers, and every step it takes.

``model`` holds :class:`ThemeModel` (fit, transform, save) and ``model_folder`` the plain files
it is saved as. Its steps, one module each: ``cluster`` (the clusterers), ``grouping`` (how many
themes and nets), ``assign`` (which theme an answer gets, shared with the codebook coder),
``describe`` (keywords and typical answers), ``names`` (a theme's name from the phrases its
answers share), ``sampling`` and ``answer_table``; ``distributed`` runs the model on Dask.
"""

from .cluster import CommunityClusterer, NestedWard, SilhouetteAgglomerative
from .model import NON_ANSWER, UNCLASSIFIED, ThemeModel

__all__ = ["NON_ANSWER", "UNCLASSIFIED", "CommunityClusterer", "NestedWard", "SilhouetteAgglomerative", "ThemeModel"]
