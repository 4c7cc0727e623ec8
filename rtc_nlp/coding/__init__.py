"""Coding: the codebook an analyst keeps, and answers coded with it, wave after wave.

``codebook`` holds :class:`Codebook` (stable ids, edits that return a new codebook, JSON files);
``coder`` codes answers with it (several codes per answer, ``non classificato``); ``learner``
learns from every labelled answer and picks what to ask next; ``audit`` states the coder's
accuracy from a random sample the analyst checked; ``new_themes`` clusters what the
coder leaves out into candidate themes, or splits one; ``review`` picks the answers to check
and applies a reviewer's corrections;
``manual_codes`` reads a human coder's file; ``waves`` compares theme prevalence across waves
and groups, and ``crosstab`` makes the segment x theme table; ``significance`` is the one test,
small-base rule and correction for the number of tests that both flag with.
"""

from .codebook import Codebook, Theme
from .coder import CodebookCoder, code_answers
from .manual_codes import ManualCodes, read_manual_codes
from .review import read_overrides, review_queue
from .waves import compare_waves

__all__ = [
    "Codebook",
    "CodebookCoder",
    "ManualCodes",
    "Theme",
    "code_answers",
    "compare_waves",
    "read_manual_codes",
    "read_overrides",
    "review_queue",
]
