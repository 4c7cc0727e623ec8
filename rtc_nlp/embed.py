"""Embedders: turn answers into L2-normalised vectors behind one interface.

Two backends:

* :class:`LexicalEmbedder` — TF-IDF on word and character n-grams (Italian and English stop
  words), truncated SVD, L2. Fully offline and first-class: fitted on the answers themselves.
* :class:`SentenceTransformerEmbedder` — a pretrained multilingual sentence-transformers model
  (name or local folder), loaded lazily.

``resolve_embedder("auto")`` picks the pretrained model only when it is already on disk, so it
decides in about a second and never waits on an unreachable model hub.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils.extmath import randomized_svd, svd_flip

from .errors import ModelFileError
from .ngrams import NgramCounter
from .persist import load_array, read_json, save_array, write_json
from .text import STOP_WORDS

logger = logging.getLogger(__name__)

__all__ = [
    "Embedder",
    "LexicalEmbedder",
    "SentenceTransformerEmbedder",
    "DEFAULT_SENTENCE_MODEL",
    "find_local_model",
    "resolve_embedder",
    "load_embedder",
]

DEFAULT_SENTENCE_MODEL = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
#: Longer than any character n-gram and no word: a term no text can produce.
_NO_TERM = "\x00" * 8
_FORMAT = "rtc_nlp.embedder"
_FORMAT_VERSION = 1


def _l2(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


class Embedder:
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


class LexicalEmbedder(Embedder):
    """TF-IDF on word and character n-grams, then truncated SVD and L2 normalisation.

    Parameters
    ----------
    n_components : int, default 100
        SVD dimension (capped by the number of texts and features).
    word_ngram_range, char_ngram_range : tuple of int
        n-gram ranges of the word and character (within word boundaries) analysers.
    min_df : int or None, default None
        Minimum number of texts a term must occur in; ``None`` means 2 from 50 texts up and 1
        below (a survey of 20 answers has few repeated words).
    max_features : int, default 200_000
        Cap on each vocabulary (most frequent terms kept), bounding memory on large inputs.
    stop_words : bool, default True
        Drop Italian and English function words from the word analyser.
    random_state : int, default 0
        Seed of the randomised SVD.
    """

    kind = "lexical"
    learns_from_texts = True
    parallel_safe = True

    def __init__(
        self,
        n_components: int = 100,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (3, 5),
        min_df: int | None = None,
        max_features: int = 200_000,
        stop_words: bool = True,
        random_state: int = 0,
    ) -> None:
        self.n_components = n_components
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.stop_words = stop_words
        self.random_state = random_state

    def get_config(self) -> dict[str, Any]:
        return {
            "n_components": self.n_components,
            "word_ngram_range": list(self.word_ngram_range),
            "char_ngram_range": list(self.char_ngram_range),
            "min_df": self.min_df,
            "max_features": self.max_features,
            "stop_words": self.stop_words,
            "random_state": self.random_state,
        }

    @property
    def description(self) -> str:
        return "lexical (TF-IDF word + character n-grams, SVD, offline)"

    def _vectorizers(self, vocabularies: Sequence[dict[str, int] | None], min_df: int) -> list[CountVectorizer]:
        stop = sorted({_strip_accents(w) for w in STOP_WORDS}) if self.stop_words else None
        word, char = vocabularies
        return [
            CountVectorizer(
                analyzer="word", ngram_range=tuple(self.word_ngram_range), lowercase=True,
                strip_accents="unicode", stop_words=stop, min_df=min_df,
                max_features=self.max_features, vocabulary=word, dtype=np.float32,
            ),
            CountVectorizer(
                analyzer="char_wb", ngram_range=tuple(self.char_ngram_range), lowercase=True,
                strip_accents="unicode", min_df=min_df, max_features=self.max_features,
                vocabulary=char, dtype=np.float32,
            ),
        ]

    def fit(self, texts: Sequence[str]) -> LexicalEmbedder:
        """Learn the vocabularies, idf weights and SVD basis from ``texts``."""
        texts = list(texts)
        if not texts:
            raise ValueError("LexicalEmbedder.fit needs at least one text")
        if not (isinstance(self.n_components, int) and self.n_components >= 1):
            raise ValueError(f"n_components must be a positive int, got {self.n_components!r}")
        min_df = self.min_df if self.min_df is not None else (2 if len(texts) >= 50 else 1)
        self.vectorizers_ = []
        self.idf_ = []
        blocks = []
        for vectorizer in self._vectorizers([None, None], min_df):
            try:
                counts = vectorizer.fit_transform(texts)
            except ValueError:
                # No term survives (e.g. min_df on very short texts): retry keeping all terms.
                vectorizer.set_params(min_df=1)
                try:
                    counts = vectorizer.fit_transform(texts)
                except ValueError:
                    vectorizer.set_params(stop_words=None)
                    try:
                        counts = vectorizer.fit_transform(texts)
                    except ValueError:
                        # Not one term at all (e.g. a lone letter): a placeholder term that no
                        # text can produce, so every vector is zero and the caller says so.
                        vectorizer.set_params(vocabulary={_NO_TERM: 0})
                        counts = vectorizer.fit_transform(texts)
            df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
            idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
            fitted = CountVectorizer(**{**vectorizer.get_params(), "vocabulary": vectorizer.vocabulary_})
            self.vectorizers_.append(fitted)
            self.idf_.append(idf)
            blocks.append(self._weight(counts, idf))
        matrix = sp.hstack(blocks).tocsr()
        rank = min(self.n_components, matrix.shape[0], matrix.shape[1])
        if min(matrix.shape) <= max(2 * rank, 200):
            # Small inputs: the exact SVD is cheap and has no random part.
            _, _, vt = np.linalg.svd(matrix.toarray().astype(np.float64), full_matrices=False)
            vt = vt[:rank]
        else:
            _, _, vt = randomized_svd(matrix, rank, n_iter=5, random_state=self.random_state)
        # Fix signs so that the basis does not depend on the SVD solver's arbitrary choice.
        _, vt = svd_flip(np.zeros((1, vt.shape[0])), vt, u_based_decision=False)
        self.components_ = np.ascontiguousarray(vt, dtype=np.float32)
        self._ready()
        return self

    def _ready(self) -> None:
        """Build what every ``transform`` batch reuses: the vocabulary index, and the SVD
        basis laid out for the sparse product."""
        self._identity = None
        self._counter = NgramCounter(self.vectorizers_)
        self._basis = np.ascontiguousarray(self.components_.T)

    @staticmethod
    def _weight(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
        """Sublinear tf times idf, each row scaled to norm 1/sqrt(2), in float32."""
        weighted = sp.csr_matrix(counts, dtype=np.float32, copy=True)
        rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
        weighted.data = np.log1p(weighted.data) * idf[weighted.indices]
        norms = np.sqrt(np.bincount(rows, weights=np.square(weighted.data, dtype=np.float64),
                                    minlength=weighted.shape[0]))
        norms[norms == 0] = 1.0
        # Each block has unit norm, so words and characters weigh the same. float32
        # throughout: half the memory and time of the SVD's sparse products.
        weighted.data *= (1.0 / (norms * np.sqrt(2.0))).astype(np.float32)[rows]
        return weighted

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise RuntimeError("this LexicalEmbedder is not fitted yet: call fit first")

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        self._check_fitted()
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.components_.shape[0]), dtype=np.float32)
        # Each block is projected on its own rows of the basis: no stacked copy.
        projected, start = np.zeros((len(texts), self._basis.shape[1]), dtype=np.float32), 0
        for block, idf in zip(self._counter.transform(texts), self.idf_):
            projected += self._weight(block, idf) @ self._basis[start:start + block.shape[1]]
            start += block.shape[1]
        return _l2(projected)

    @property
    def identity(self) -> str:
        self._check_fitted()
        if getattr(self, "_identity", None) is None:
            digest = hashlib.sha256(json.dumps(self.get_config(), sort_keys=True).encode())
            for vectorizer, idf in zip(self.vectorizers_, self.idf_):
                vocab = sorted(vectorizer.vocabulary.items(), key=lambda kv: kv[1])
                digest.update("\x1f".join(term for term, _ in vocab).encode("utf-8"))
                digest.update(idf.tobytes())
            digest.update(self.components_.tobytes())
            self._identity = f"lexical:{digest.hexdigest()}"
        return self._identity

    def save(self, folder: str | Path) -> None:
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, vectorizer, idf in zip(("word", "char"), self.vectorizers_, self.idf_):
            vocab = sorted(vectorizer.vocabulary.items(), key=lambda kv: kv[1])
            write_json(folder / f"vocabulary_{name}.json", {"terms": [t for t, _ in vocab]},
                       kind="rtc_nlp.vocabulary", version=1)
            save_array(folder / f"idf_{name}.npy", idf)
        save_array(folder / "components.npy", self.components_)
        write_json(folder / "embedder.json", {"kind": self.kind, "config": self.get_config()},
                   kind=_FORMAT, version=_FORMAT_VERSION)

    @classmethod
    def _load(cls, folder: Path, config: dict[str, Any]) -> LexicalEmbedder:
        config = dict(config)
        for key in ("word_ngram_range", "char_ngram_range"):
            config[key] = tuple(config[key])
        embedder = cls(**config)
        embedder.vectorizers_, embedder.idf_ = [], []
        template = embedder._vectorizers([None, None], 1)
        for name, vectorizer in zip(("word", "char"), template):
            terms = read_json(folder / f"vocabulary_{name}.json", kind="rtc_nlp.vocabulary",
                              max_version=1)["terms"]
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise ModelFileError(f"{folder / f'vocabulary_{name}.json'}: 'terms' must be a list of strings")
            idf = load_array(folder / f"idf_{name}.npy", shape=(len(terms),))
            embedder.vectorizers_.append(
                CountVectorizer(**{**vectorizer.get_params(), "vocabulary": {t: i for i, t in enumerate(terms)}})
            )
            embedder.idf_.append(idf.astype(np.float32))
        n_features = sum(len(v.vocabulary) for v in embedder.vectorizers_)
        embedder.components_ = load_array(folder / "components.npy", shape=(None, n_features)).astype(np.float32)
        embedder._ready()
        return embedder


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _hub_reachable(timeout: float = 2.0) -> bool:
    """Whether the model hub answers a TCP connection within ``timeout`` seconds.

    ``HF_HUB_OFFLINE`` means no; ``HF_ENDPOINT`` (a mirror) is honoured.
    """
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    try:
        with socket.create_connection((endpoint.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def find_local_model(model: str) -> str | None:
    """Return where ``model`` can be loaded from without network, or ``None``.

    Looks at a local folder first, then the Hugging Face cache (``HF_HOME`` /
    ``HF_HUB_CACHE``). Only the file system is read: it never contacts the model hub.

    Parameters
    ----------
    model : str
        A model folder, or a hub name such as ``"sentence-transformers/LaBSE"``.
    """
    folder = Path(model).expanduser()
    if folder.is_dir():
        return str(folder) if any((folder / f).exists() for f in ("modules.json", "config.json")) else None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    repo = model if "/" in model else f"sentence-transformers/{model}"
    for filename in ("modules.json", "config.json"):
        try:
            hit = try_to_load_from_cache(repo, filename)
        except Exception:  # an invalid repo id is simply "not cached"
            return None
        if isinstance(hit, str):
            return repo
    return None


class SentenceTransformerEmbedder(Embedder):
    """A pretrained sentence-transformers model (loaded lazily on first use).

    Parameters
    ----------
    model : str
        Hub name or local folder. The default is a multilingual model that handles Italian
        and English in one space.
    batch_size : int, default 32
    device : str, default "cpu"
    normalize : bool, default True
        Return unit-length vectors (cosine similarity is then a dot product).
    show_progress_bar : bool or None
        Progress bar while encoding; ``None`` shows it from 1,000 texts up.
    local_files_only : bool, default False
        Never contact the model hub (set by ``resolve_embedder("auto")``).
    """

    kind = "sentence-transformers"

    def __init__(
        self,
        model: str = DEFAULT_SENTENCE_MODEL,
        batch_size: int = 32,
        device: str = "cpu",
        normalize: bool = True,
        show_progress_bar: bool | None = None,
        local_files_only: bool = False,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.device = device
        self.normalize = normalize
        self.show_progress_bar = show_progress_bar
        self.local_files_only = local_files_only

    def get_config(self) -> dict[str, Any]:
        return {
            "model": self.model, "batch_size": self.batch_size, "device": self.device,
            "normalize": self.normalize, "show_progress_bar": self.show_progress_bar,
            "local_files_only": self.local_files_only,
        }

    @property
    def description(self) -> str:
        return f"sentence-transformers ({self.model})"

    def _load_model(self) -> Any:
        if getattr(self, "model_", None) is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ImportError(
                    "SentenceTransformerEmbedder needs the sentence-transformers package: "
                    "pip install sentence-transformers (or use embedder='lexical')"
                ) from exc
            kwargs: dict[str, Any] = {"device": self.device}
            if self.local_files_only:
                kwargs["local_files_only"] = True
            elif find_local_model(self.model) is None and not _hub_reachable():
                # Without this check the hub client retries for over a minute before failing.
                raise ModelFileError(
                    f"sentence-transformers model {self.model!r} is neither a model folder nor in the local "
                    "cache, and the model hub is not reachable; pass a model folder, or --embedder lexical "
                    "to work offline"
                )
            try:
                self.model_ = SentenceTransformer(self.model, **kwargs)
            except OSError as exc:
                # The hub's own message spans several lines; the CLI prints one.
                first = " ".join(str(exc).split())[:200]
                raise ModelFileError(
                    f"sentence-transformers model {self.model!r} is neither a model folder nor in the local "
                    f"cache, and it could not be downloaded ({first}); pass a model folder, or "
                    "--embedder lexical to work offline"
                ) from None
        return self.model_

    def fit(self, texts: Sequence[str]) -> SentenceTransformerEmbedder:
        self._load_model()
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load_model()
        texts = list(texts)
        if not texts:
            return np.zeros((0, model.get_sentence_embedding_dimension()), dtype=np.float32)
        show = self.show_progress_bar if self.show_progress_bar is not None else len(texts) >= 1000
        vectors = model.encode(
            texts, batch_size=self.batch_size, show_progress_bar=show,
            convert_to_numpy=True, normalize_embeddings=self.normalize,
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def identity(self) -> str:
        digest = hashlib.sha256()
        local = Path(self.model).expanduser()
        if local.is_dir():
            # A local folder is identified by its files' names, sizes and config contents.
            for file in sorted(p for p in local.rglob("*") if p.is_file()):
                digest.update(f"{file.relative_to(local)}:{file.stat().st_size}".encode())
                if file.suffix == ".json":
                    digest.update(file.read_bytes())
        else:
            digest.update(self.model.encode())
        return f"sentence-transformers:{self.model}:{digest.hexdigest()[:16]}:normalize={self.normalize}"

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        # The weights are referenced, not copied: the model folder or hub name is the source.
        write_json(folder / "embedder.json", {"kind": self.kind, "config": self.get_config(),
                                              "identity": self.identity},
                   kind=_FORMAT, version=_FORMAT_VERSION)

    @classmethod
    def _load(cls, folder: Path, config: dict[str, Any]) -> SentenceTransformerEmbedder:
        return cls(**config)


_KINDS: dict[str, type[Embedder]] = {
    LexicalEmbedder.kind: LexicalEmbedder,
    SentenceTransformerEmbedder.kind: SentenceTransformerEmbedder,
}


def load_embedder(folder: str | Path) -> Embedder:
    """Load an embedder saved with ``save`` (plain files only, never pickle)."""
    folder = Path(folder)
    document = read_json(folder / "embedder.json", kind=_FORMAT, max_version=_FORMAT_VERSION)
    kind, config = document.get("kind"), document.get("config")
    if kind not in _KINDS or not isinstance(config, dict):
        raise ModelFileError(f"{folder / 'embedder.json'}: unknown embedder kind {kind!r}")
    try:
        return _KINDS[kind]._load(folder, config)  # type: ignore[attr-defined]
    except ModelFileError:
        raise
    except (TypeError, KeyError, ValueError) as exc:
        raise ModelFileError(f"{folder / 'embedder.json'}: invalid config ({type(exc).__name__}: {exc})") from None


def resolve_embedder(spec: str | Embedder = "auto", *, verbose: bool = True) -> Embedder:
    """Turn an ``embedder=`` argument into an :class:`Embedder`.

    Parameters
    ----------
    spec : str or Embedder
        ``"auto"`` (the default multilingual model if it is already on disk, else the lexical
        embedder), ``"lexical"``, ``"sentence-transformers"`` (the default model, downloaded
        if needed), a model name or folder, or an Embedder instance.
    verbose : bool
        With ``"auto"``, print one line saying which embedder was chosen and why.
    """
    if isinstance(spec, Embedder):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"embedder must be a string or an Embedder, got {type(spec).__name__}")
    if spec == "lexical":
        return LexicalEmbedder()
    if spec == "sentence-transformers":
        return SentenceTransformerEmbedder()
    if spec != "auto":
        local = find_local_model(spec)
        return SentenceTransformerEmbedder(local or spec, local_files_only=local is not None)
    model = os.environ.get("RTC_NLP_MODEL", DEFAULT_SENTENCE_MODEL)
    local = find_local_model(model)
    if local is not None and _has_sentence_transformers():
        embedder: Embedder = SentenceTransformerEmbedder(local, local_files_only=True)
        message = f"rtc_nlp: embedder = sentence-transformers model {model!r} (found on disk)"
    else:
        embedder = LexicalEmbedder()
        why = "not found on disk" if local is None else "sentence-transformers is not installed"
        message = (f"rtc_nlp: embedder = lexical (TF-IDF + SVD, offline): model {model!r} {why}; "
                   "see README 'Embedders' to use it")
    logger.info(message)
    if verbose:
        print(message, file=sys.stderr)
    return embedder


def _has_sentence_transformers() -> bool:
    import importlib.util

    return importlib.util.find_spec("sentence_transformers") is not None
