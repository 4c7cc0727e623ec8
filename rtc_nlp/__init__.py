"""rtc_nlp: themes from open survey answers and interview snippets, that an analyst can check.

The main entry points::

    from rtc_nlp import read_answers, ThemeModel
    answers = read_answers("wave1.csv", text_column="risposta")
    model = ThemeModel(random_state=0).fit(answers)
    model.themes_, model.assignments_

    from rtc_nlp import compare_with_manual
    report = compare_with_manual(model.assignments_, "manual_codes.xlsx", id_column="ID")
    report.summary, report.matching, report.figure()

    from rtc_nlp import Codebook, code_answers, compare_waves
    codebook = Codebook.from_model(model)          # or Codebook.load("codebook.json")
    wave2 = code_answers(read_answers("wave2.csv", text_column="risposta"), codebook)
"""

from .coding.codebook import Codebook, Theme
from .coding.coder import CodebookCoder, code_answers
from .coding.manual_codes import ManualCodes, read_manual_codes
from .coding.review import read_overrides, review_queue
from .coding.waves import compare_waves
from .embedders.base import Embedder, register_embedder
from .embedders.e5 import E5Encoder
from .embedders.lexical import LexicalEmbedder
from .embedders.registry import resolve_embedder
from .embedders.sentence_transformer import SentenceTransformerEmbedder
from .embedders.use import UniversalSentenceEncoder
from .errors import InputError, ModelFileError, RtcNlpError
from .io.interviews import read_interviews, split_snippets
from .io.reading import read_answers
from .italian import italian_table
from .schema import __version__
from .themes.cluster import CommunityClusterer, NestedWard, SilhouetteAgglomerative
from .themes.model import NON_ANSWER, UNCLASSIFIED, ThemeModel
from .validation.report_groupings import validate_report_groupings
from .validation.validate import ValidationReport, compare_with_manual

__all__ = [
    "Codebook",
    "CodebookCoder",
    "Theme",
    "code_answers",
    "compare_waves",
    "read_overrides",
    "review_queue",
    "NON_ANSWER",
    "UNCLASSIFIED",
    "CommunityClusterer",
    "E5Encoder",
    "Embedder",
    "InputError",
    "italian_table",
    "LexicalEmbedder",
    "ManualCodes",
    "ModelFileError",
    "RtcNlpError",
    "SentenceTransformerEmbedder",
    "NestedWard",
    "SilhouetteAgglomerative",
    "ThemeModel",
    "UniversalSentenceEncoder",
    "ValidationReport",
    "__version__",
    "compare_with_manual",
    "read_answers",
    "read_interviews",
    "read_manual_codes",
    "register_embedder",
    "resolve_embedder",
    "split_snippets",
    "validate_report_groupings",
]
