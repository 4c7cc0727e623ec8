"""On-disk cache of embeddings, keyed by the embedder's identity and each text.

Each write adds one shard (an ``.npz`` of text keys and vectors, no pickle) under a folder
named after the embedder identity, so a second run on the same answers, or a new wave that
repeats some of them, embeds only what it has not seen.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from pathlib import Path

import numpy as np

from ..persist import atomic_write

logger = logging.getLogger(__name__)

__all__ = ["EmbeddingCache", "cache_for", "default_cache_dir", "text_key"]


def default_cache_dir() -> Path:
    """The cache folder: ``$RTC_NLP_CACHE``, else the platform's user cache folder."""
    if os.environ.get("RTC_NLP_CACHE"):
        return Path(os.environ["RTC_NLP_CACHE"])
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "rtc_nlp" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rtc_nlp"


def text_key(text: str) -> bytes:
    """The cache key of one text: its SHA-256 as 64 hex characters."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest().encode("ascii")


class EmbeddingCache:
    """Embeddings stored per embedder identity under ``root/embeddings/<identity hash>/``.

    Parameters
    ----------
    root : str or Path, optional
        The cache folder; default :func:`default_cache_dir`.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()

    def _folder(self, identity: str) -> Path:
        return self.folder / hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]

    def get(self, identity: str, texts: list[str]) -> tuple[np.ndarray | None, np.ndarray]:
        """Look up ``texts``.

        Returns
        -------
        vectors : ndarray or None
            ``(len(texts), dim)`` with found rows filled, or ``None`` if nothing was found.
        found : ndarray of bool
            Which texts were found.
        """
        found = np.zeros(len(texts), dtype=bool)
        folder = self._folder(identity)
        if not folder.is_dir() or not texts:
            return None, found
        wanted = {text_key(t): i for i, t in enumerate(texts)}
        vectors: np.ndarray | None = None
        for shard in sorted(folder.glob("shard-*.npz")):
            try:
                with np.load(shard, allow_pickle=False) as data:
                    keys, vecs = data["keys"], data["vectors"]
                if keys.ndim != 1 or vecs.ndim != 2 or len(keys) != len(vecs):
                    raise ValueError("keys and vectors do not match")
            except Exception as exc:  # a corrupt shard is dropped and its texts recomputed
                warnings.warn(
                    f"embedding cache shard {shard} is unreadable ({exc}); it is removed and "
                    "its texts will be embedded again",
                    RuntimeWarning,
                    stacklevel=2,
                )
                shard.unlink(missing_ok=True)
                continue
            for row, key in enumerate(keys):
                index = wanted.get(bytes(key))
                if index is not None and not found[index]:
                    if vectors is None:
                        vectors = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
                    if vecs.shape[1] != vectors.shape[1]:
                        continue
                    vectors[index] = vecs[row]
                    found[index] = True
        logger.debug("embedding cache: %d of %d texts found", found.sum(), len(texts))
        return vectors, found

    def put(self, identity: str, texts: list[str], vectors: np.ndarray) -> None:
        """Store ``vectors`` for ``texts`` as one new shard (written atomically)."""
        if not texts:
            return
        keys = np.array([text_key(t) for t in texts], dtype="S64")
        vectors = np.asarray(vectors, dtype=np.float32)
        name = hashlib.sha256(keys.tobytes()).hexdigest()[:24]
        target = self._folder(identity) / f"shard-{name}.npz"
        if target.exists():
            return

        def write(tmp: str) -> None:
            with open(tmp, "wb") as handle:
                np.savez(handle, keys=keys, vectors=vectors)

        atomic_write(target, write)
        (self._folder(identity) / "identity.txt").write_text(identity + "\n", encoding="utf-8")

    @property
    def folder(self) -> Path:
        """Where the embeddings are stored: ``root/embeddings``."""
        return self.root / "embeddings"

    def usage(self) -> tuple[int, int]:
        """How many files the cache holds, and their total size in bytes."""
        files = [f for f in self.folder.rglob("*") if f.is_file()] if self.folder.is_dir() else []
        return len(files), sum(f.stat().st_size for f in files)

    def clear(self) -> None:
        """Delete every cached embedding."""
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


def cache_for(option: str | Path | bool | None) -> EmbeddingCache | None:
    """The cache a ``cache_dir=`` option asks for: ``False`` none, ``None`` or ``True`` the
    default folder, else that folder."""
    if option is False:
        return None
    return EmbeddingCache(None if option in (None, True) else option)
