"""A pretrained sentence-transformers model, for users who have its weights on disk.

Loaded lazily; ``find_local_model`` reads only the file system, so choosing it never waits
on an unreachable model hub.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from ..persist import write_json
from .base import EMBEDDER_FORMAT, EMBEDDER_FORMAT_VERSION, Embedder, register_embedder

__all__ = ["DEFAULT_SENTENCE_MODEL", "SentenceTransformerEmbedder", "find_local_model"]

DEFAULT_SENTENCE_MODEL = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"


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


@register_embedder
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
            "model": self.model,
            "batch_size": self.batch_size,
            "device": self.device,
            "normalize": self.normalize,
            "show_progress_bar": self.show_progress_bar,
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
            texts,
            batch_size=self.batch_size,
            show_progress_bar=show,
            convert_to_numpy=True,
            normalize_embeddings=self.normalize,
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
        write_json(
            folder / "embedder.json",
            {"kind": self.kind, "config": self.get_config(), "identity": self.identity},
            kind=EMBEDDER_FORMAT,
            version=EMBEDDER_FORMAT_VERSION,
        )

    @classmethod
    def _load(cls, folder: Path, config: dict[str, Any]) -> SentenceTransformerEmbedder:
        return cls(**config)
