"""rtc_nlp: themes from open survey answers and interview snippets, that an analyst can check.

The main entry points::

    from rtc_nlp import read_answers, ThemeModel
    answers = read_answers("wave1.csv", text_column="risposta")
    model = ThemeModel(random_state=0).fit(answers)
    model.themes_, model.assignments_
"""

from .cluster import CommunityClusterer, SilhouetteAgglomerative
from .embed import Embedder, LexicalEmbedder, SentenceTransformerEmbedder, resolve_embedder
from .errors import InputError, ModelFileError, RtcNlpError
from .io import read_answers, read_interviews, split_snippets
from .themes import NON_ANSWER, UNCLASSIFIED, ThemeModel

__version__ = "0.1.0"

__all__ = [
    "CommunityClusterer",
    "Embedder",
    "InputError",
    "LexicalEmbedder",
    "ModelFileError",
    "NON_ANSWER",
    "RtcNlpError",
    "SentenceTransformerEmbedder",
    "SilhouetteAgglomerative",
    "ThemeModel",
    "UNCLASSIFIED",
    "read_answers",
    "read_interviews",
    "resolve_embedder",
    "split_snippets",
    "__version__",
]
