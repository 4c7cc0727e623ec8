"""Validation: how far machine themes agree with a human coding, with intervals and chance.

``validate`` compares predictions with manual codes (:func:`compare_with_manual`); ``agreement``
holds the measures (kappa, Krippendorff's alpha, ARI, matching); ``summary`` is the result
(:class:`ValidationReport`: tables, heatmap, files); ``report_groupings`` runs the default
pipeline on the seed report's own hand-made groupings.
"""

from .report_groupings import validate_report_groupings
from .summary import ValidationReport
from .validate import compare_with_manual

__all__ = ["ValidationReport", "compare_with_manual", "validate_report_groupings"]
