"""The embedder contract: turn answers into L2-normalised vectors behind one interface.

:class:`Embedder` is what every backend subclasses; :func:`register_embedder` puts a backend in
the table of kinds that :mod:`rtc_nlp.embedders.registry` loads and resolves names from.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
from sklearn.base import BaseEstimator

__all__ = [
    "Embedder",
    "EMBEDDER_FORMAT",
    "EMBEDDER_FORMAT_VERSION",
    "clip_texts",
    "l2_normalize",
    "registered_embedder",
    "registered_kinds",
    "unit_rows",
    "register_embedder",
]

EMBEDDER_FORMAT = "rtc_nlp.embedder"
EMBEDDER_FORMAT_VERSION = 1

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
    #: of the embedder, :mod:`rtc_nlp.embedders.student`) would not pay: true of the lexical embedder.
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
    """Class decorator: make ``cls`` loadable by ``load_embedder`` under ``cls.kind``.

    A new embedder is one class in one file with this decorator (plus, for a built-in one,
    its module in ``BUILTIN_MODULES`` of :mod:`rtc_nlp.embedders.registry`, imported on demand).
    """
    if not (isinstance(cls, type) and issubclass(cls, Embedder)) or cls.kind == Embedder.kind:
        raise TypeError(f"register_embedder takes an Embedder subclass with its own kind, got {cls!r}")
    _KINDS[cls.kind] = cls
    return cls


def registered_embedder(kind: str) -> type[Embedder] | None:
    """The class registered under ``kind``, or ``None`` if its module has not registered it."""
    return _KINDS.get(kind)


def registered_kinds() -> set[str]:
    """The kinds registered so far."""
    return set(_KINDS)
