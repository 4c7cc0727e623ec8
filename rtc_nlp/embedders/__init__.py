"""Embedders: answers in, unit-length vectors out, behind one interface.

``base`` holds the contract every backend subclasses and the decorator that registers it;
``registry`` turns a name or a saved folder into an embedder (``"auto"`` decides from the disk
alone). One module per backend: ``use`` (the default, weights inside a registry package),
``e5``, ``lexical`` (TF-IDF + SVD, with ``ngrams``) and ``sentence_transformer``; ``weights``
checks the files of packaged encoders. Around them: ``cache`` (vectors on disk), ``batches``
(many answers through the cache) and ``student`` (the lexical student that makes large files fast).
"""

from .base import Embedder, register_embedder
from .cache import EmbeddingCache
from .e5 import E5Encoder
from .lexical import LexicalEmbedder
from .registry import load_embedder, resolve_embedder
from .sentence_transformer import SentenceTransformerEmbedder
from .use import UniversalSentenceEncoder

__all__ = [
    "E5Encoder",
    "Embedder",
    "EmbeddingCache",
    "LexicalEmbedder",
    "SentenceTransformerEmbedder",
    "UniversalSentenceEncoder",
    "load_embedder",
    "register_embedder",
    "resolve_embedder",
]
