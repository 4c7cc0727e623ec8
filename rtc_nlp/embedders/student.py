"""The fast path for large files: a lexical student of the encoder.

A pretrained encoder embeds a few hundred to a few thousand answers a second on a laptop, so a
file of 100,000 distinct answers would spend minutes in it. Above :data:`STUDENT_ABOVE` distinct
answers the encoder embeds only the seeded sample the themes are fitted on; a linear map from the
lexical features (TF-IDF of word and character n-grams) to the encoder's vectors, trained on part
of that sample (:class:`LexicalStudent`), embeds the rest. Where the student is unsure, because
its vector lies near the boundary between two themes, the encoder embeds the answer after all
(:func:`routed`): the margin below which it does is calibrated on the part of the sample the
student did not learn from, so that the answers it keeps agree with the encoder's theme at least
:data:`STUDENT_AGREEMENT` of the time (:func:`calibrate`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator

from ..errors import ModelFileError
from ..estimator import check_fitted
from ..persist import read_json, write_json
from .lexical import LexicalEmbedder
from .registry import load_embedder

__all__ = [
    "STUDENT_ABOVE",
    "STUDENT_AGREEMENT",
    "STUDENT_TRAIN",
    "LexicalStudent",
    "calibrate",
    "fit_student",
    "margins",
    "route_to_encoder",
    "routed",
    "student_path",
]

logger = logging.getLogger(__name__)

#: Distinct answers above which the fast path pays: below it every answer goes through the
#: encoder. Measured with ``benchmarks/bench_scale.py`` (``docs/benchmarks.md``).
STUDENT_ABOVE = 40_000
#: Answers of the fit sample the student learns from (the rest calibrates the routing). The
#: ridge is solved in its dual form, whose cost grows with the cube of this number.
STUDENT_TRAIN = 8_000
#: Share of the answers the student keeps that must get the encoder's theme (calibration).
STUDENT_AGREEMENT = 0.95

_FORMAT, _VERSION = "rtc_nlp.lexical_student", 1
_BATCH = 10_000  # texts embedded at once by one thread
_GRAM_BLOCK = 2_000  # rows of the Gram matrix built at once by one thread


class LexicalStudent(BaseEstimator):
    """A linear map from lexical features to an encoder's vectors (kernel ridge regression).

    The features are :class:`~rtc_nlp.LexicalEmbedder`'s weighted word and character n-grams,
    learned from the training texts. The map is solved in the dual form (one Cholesky of the
    texts' Gram matrix), so its cost depends on the number of training texts, not of terms; it
    is then folded into a term-by-dimension basis, and embedding a text is one sparse product,
    as fast as the lexical embedder itself.

    Parameters
    ----------
    alpha : float, default 0.3
        Ridge penalty.
    random_state : int, default 0
        Passed to the lexical features (which have no random part here).

    Attributes
    ----------
    lexical_ : LexicalEmbedder
        The features, with the fitted map as its basis: ``lexical_.transform`` is the student.
    """

    def __init__(self, alpha: float = 0.3, random_state: int = 0) -> None:
        self.alpha = alpha
        self.random_state = random_state

    def fit(self, texts: Sequence[str], vectors: np.ndarray, n_jobs: int | None = None) -> LexicalStudent:
        """Learn to map ``texts`` onto ``vectors`` (the encoder's, one row per text).

        Parameters
        ----------
        texts : sequence of str
        vectors : ndarray of shape (len(texts), d)
        n_jobs : int or None
            Threads that build the Gram matrix (``None`` = 1, ``-1`` = all cores); the result
            does not depend on it.
        """
        import scipy.linalg

        texts = list(texts)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise ValueError(f"vectors must have one row per text ({len(texts)}), got shape {vectors.shape}")
        if not (isinstance(self.alpha, (int, float)) and self.alpha > 0):
            raise ValueError(f"alpha must be a positive number, got {self.alpha!r}")
        self.lexical_ = LexicalEmbedder(random_state=self.random_state)
        terms = self.lexical_.fit_terms(texts)
        gram = _gram(terms, n_jobs)
        gram[np.diag_indices_from(gram)] += np.float32(self.alpha)
        dual = scipy.linalg.cho_solve(
            scipy.linalg.cho_factor(gram, lower=True, overwrite_a=True, check_finite=False),
            vectors,
            check_finite=False,
        )
        self.lexical_.set_components(np.asarray((terms.T @ dual).T, dtype=np.float32))
        return self

    def transform(self, texts: Sequence[str], n_jobs: int | None = None) -> np.ndarray:
        """Unit vectors in the encoder's space (zero for a text with no known term).

        Texts are embedded in batches of :data:`_BATCH` written into one array, so memory
        holds the result and a batch per thread; ``n_jobs`` threads (``None`` = 1, ``-1`` = all
        cores) share the batches. Each row depends on its text only, so the result depends on
        neither.
        """
        check_fitted(self, "lexical_")
        texts = list(texts)
        out = np.empty((len(texts), self.lexical_.components_.shape[0]), dtype=np.float32)
        starts = range(0, len(texts), _BATCH)

        def embed(start: int) -> None:
            out[start : start + _BATCH] = self.lexical_.transform(texts[start : start + _BATCH])

        _in_threads(embed, starts, n_jobs)
        return out

    def save(self, folder: str | Path) -> None:
        """Write ``student.json`` and the lexical features' folder."""
        check_fitted(self, "lexical_")
        folder = Path(folder)
        self.lexical_.save(folder / "lexical")
        write_json(folder / "student.json", {"params": self.get_params()}, kind=_FORMAT, version=_VERSION)

    @classmethod
    def load(cls, folder: str | Path) -> LexicalStudent:
        """Read a student written by :meth:`save`."""
        folder = Path(folder)
        document = read_json(folder / "student.json", kind=_FORMAT, max_version=_VERSION)
        try:
            student = cls(**document["params"])
        except (KeyError, TypeError) as exc:
            raise ModelFileError(f"{folder / 'student.json'}: missing or invalid field ({exc})") from None
        lexical = load_embedder(folder / "lexical")
        if not isinstance(lexical, LexicalEmbedder):
            raise ModelFileError(f"{folder / 'lexical'}: expected the lexical features, found {lexical.kind!r}")
        student.lexical_ = lexical
        return student


def _gram(terms: Any, n_jobs: int | None) -> np.ndarray:
    """``terms @ terms.T`` as a dense array, built a block of rows at a time: each row's
    products are the same in any block, and blocks keep the sparse intermediate small (on
    8,000 answers, two threads take a third of the time of one sparse product)."""
    n = terms.shape[0]
    gram = np.empty((n, n), dtype=np.float32)
    columns = terms.T.tocsr()
    starts = range(0, n, _GRAM_BLOCK)

    def rows(start: int) -> None:
        gram[start : start + _GRAM_BLOCK] = (terms[start : start + _GRAM_BLOCK] @ columns).toarray()

    _in_threads(rows, starts, n_jobs)
    return gram


def _in_threads(work: Callable[[int], None], starts: range, n_jobs: int | None) -> None:
    """Run ``work`` on each start, in ``n_jobs`` threads (``None`` = 1, ``-1`` = all cores):
    the sparse products inside release the GIL, and each start writes its own rows."""
    jobs = min(effective_n_jobs(n_jobs if n_jobs is not None else 1), len(starts))
    if jobs <= 1:
        for start in starts:
            work(start)
    else:
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(work, starts))


def margins(vectors: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nearest theme of each vector and its margin: the similarity to that theme minus the
    similarity to the next one (infinite with one theme; 0 for a zero vector)."""
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(centroids, dtype=np.float32).T
    best = np.argmax(sims, axis=1)
    if sims.shape[1] < 2:
        margin = np.full(len(sims), np.inf, dtype=np.float32)
    else:
        top = np.partition(sims, -2, axis=1)[:, -2:]
        margin = top[:, 1] - top[:, 0]
    margin[_zero_rows(vectors)] = 0.0
    return best, margin


def _zero_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows of zeros (squared norms by einsum: no temporary as large as ``vectors``)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return np.einsum("ij,ij->i", vectors, vectors) == 0


def calibrate(
    student_vectors: np.ndarray,
    encoder_vectors: np.ndarray,
    centroids: np.ndarray,
    agreement: float = STUDENT_AGREEMENT,
) -> tuple[float, dict[str, Any]]:
    """The margin below which an answer goes to the encoder, learned on answers both embedded.

    The answers are ordered by the student's margin, largest first; the threshold keeps the
    longest run whose share of answers with the encoder's nearest theme is at least
    ``agreement`` (halfway between the last margin kept and the next). Returns the threshold
    (infinite: every answer goes to the encoder) and the figures it was set on, for the summary.
    """
    student_theme, margin = margins(student_vectors, centroids)
    encoder_theme = np.argmax(np.asarray(encoder_vectors, dtype=np.float32) @ centroids.T, axis=1)
    order = np.argsort(-margin, kind="stable")
    agree = (student_theme == encoder_theme)[order]
    running = np.cumsum(agree) / np.arange(1, len(agree) + 1)
    ok = np.flatnonzero(running >= agreement)
    ordered = margin[order].astype(np.float64)
    if not len(ok):
        threshold = float("inf")
    elif ok[-1] + 1 < len(ordered):
        # Halfway to the next margin: an answer of the calibration, embedded again in another
        # batch, must not fall on the threshold's other side by a last-bit difference.
        threshold = float((ordered[ok[-1]] + ordered[ok[-1] + 1]) / 2)
    else:
        threshold = float(ordered[-1]) / 2  # every answer kept

    kept = margin >= threshold
    info = {
        "calibration_answers": len(margin),
        "threshold": threshold if np.isfinite(threshold) else None,
        "student_agreement": round(float(agree.mean()), 4) if len(agree) else None,
        "kept_agreement": round(float((student_theme == encoder_theme)[kept].mean()), 4) if kept.any() else None,
        "routed_share": round(float(1.0 - kept.mean()), 4) if len(margin) else None,
    }
    return threshold, info


def routed(vectors: np.ndarray, centroids: np.ndarray, threshold: float) -> np.ndarray:
    """Positions of the student vectors whose margin is below ``threshold``, and of those that
    are zero (no term the student knows): the encoder embeds those answers after all."""
    _, margin = margins(vectors, centroids)
    return np.flatnonzero((margin < threshold) | _zero_rows(vectors))


def fit_student(
    texts: Sequence[str],
    sample: np.ndarray,
    sample_vectors: np.ndarray,
    centroids: np.ndarray,
    *,
    random_state: int = 0,
    n_jobs: int | None = None,
) -> tuple[LexicalStudent, float, dict[str, Any], np.ndarray]:
    """Train a student on :data:`STUDENT_TRAIN` answers of the encoder's ``sample`` (positions
    in ``texts``, with their ``sample_vectors``), embed every text with it, and calibrate the
    routing threshold on the sample answers it did not learn from.

    Returns the student, the threshold, the calibration figures and the student's vectors of
    every text.
    """
    order = np.random.default_rng(random_state).permutation(len(sample))
    n_train = min(STUDENT_TRAIN, len(sample) // 2)
    train, held_out = np.sort(order[:n_train]), np.sort(order[n_train:])
    logger.info("fast path: a lexical student of the encoder learns from %d answers", n_train)
    student = LexicalStudent(random_state=random_state).fit(
        [texts[sample[i]] for i in train], sample_vectors[train], n_jobs=n_jobs
    )
    vectors = student.transform(texts, n_jobs=n_jobs)
    threshold, info = calibrate(vectors[sample[held_out]], sample_vectors[held_out], centroids)
    return student, threshold, {**info, "student_answers": int(n_train)}, vectors


def route_to_encoder(
    texts: Sequence[str],
    vectors: np.ndarray,
    centroids: np.ndarray,
    threshold: float,
    embed: Callable[[list[str]], np.ndarray],
    known: np.ndarray | None = None,
    known_vectors: np.ndarray | None = None,
) -> tuple[np.ndarray, int, int]:
    """The student's ``vectors`` of ``texts`` (changed in place), with those it is unsure of
    (:func:`routed`) replaced by the encoder's: taken from ``known_vectors`` where ``known``
    gives a row (else -1), embedded by ``embed`` otherwise. Returns the vectors, how many were
    routed to the encoder and how many of those it embedded."""
    at = routed(vectors, centroids, threshold)
    rows = known[at] if known is not None else np.full(len(at), -1, dtype=np.int64)
    have = rows >= 0
    if have.any():
        vectors[at[have]] = known_vectors[rows[have]]
    if (~have).any():
        vectors[at[~have]] = embed([texts[i] for i in at[~have]])
    return vectors, len(at), int(np.count_nonzero(~have))


def student_path(
    texts: Sequence[str],
    sample: np.ndarray,
    sample_vectors: np.ndarray,
    centroids: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
    *,
    random_state: int = 0,
    n_jobs: int | None = None,
) -> tuple[LexicalStudent, float, np.ndarray, dict[str, Any]]:
    """The whole fast path on distinct ``texts``: a student fitted on the encoder's ``sample``
    (:func:`fit_student`), then the answers it is unsure of sent to the encoder
    (:func:`route_to_encoder`, reusing the sample's vectors). Returns the student, its routing
    threshold, the vector of every text, and the figures for a summary."""
    student, threshold, info, student_vectors = fit_student(
        texts, sample, sample_vectors, centroids, random_state=random_state, n_jobs=n_jobs
    )
    known = np.full(len(texts), -1, dtype=np.int64)
    known[sample] = np.arange(len(sample))
    vectors, n_routed, n_embedded = route_to_encoder(
        texts, student_vectors, centroids, threshold, embed, known, sample_vectors
    )
    info = {**info, "distinct_answers": len(texts), "routed": n_routed, "encoder_answers": len(sample) + n_embedded}
    return student, threshold, vectors, info
