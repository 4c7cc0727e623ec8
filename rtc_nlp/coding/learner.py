"""A coder that learns from the analyst: every labelled answer teaches it, and the answers it
is least sure of are the ones it asks about next.

:class:`ThemeLearner` scores each answer against each code of a codebook: the mean-vector rule of
:class:`~rtc_nlp.CodebookCoder` (similarity to each code's prototype), corrected, for the codes
with labelled answers (codebook examples, manual codes, every correction ever given), by a
linear term on the encoder's vectors learned from them. With no labels at all it learns
nothing, and the coder codes as it always did.

:func:`active_queue` picks the answers to ask about: the smallest margin between their two best
codes, with no two near-copies in one batch. The learned model is saved as plain files
(``learner.json``, ``coefficients.npy`` and ``centroids.npy``), never a pickle.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator

from ..errors import ModelFileError
from ..estimator import check_fitted
from ..persist import read_json, write_json
from ..themes.assign import Assignment

__all__ = ["LEARNER_FORMAT", "ThemeLearner", "active_queue", "learned_assignment"]

LEARNER_FORMAT, LEARNER_FORMAT_VERSION = "rtc_nlp.theme_learner", 1
#: Labelled answers a code needs before it gets its own linear term.
MIN_LABELS = 1
#: The L2 penalty of the linear terms, chosen on the dev sets (``benchmarks/bench_learning.py``:
#: 0.01, 0.03, 0.1, 0.3 and 1 compared; 0.1 learned most at 400 corrections, docs/benchmarks.md).
ALPHA = 0.1
# Where the fit of the similarity scale starts: cosine similarities differ by hundredths.
_INITIAL_SCALE = 20.0


class ThemeLearner(BaseEstimator):
    """Per-code probabilities: the mean-vector rule, corrected by what labelled answers teach
    (scikit-learn style).

    Each code's score is ``scale * similarity_to_its_prototype`` plus ``centroid_scale *
    similarity_to_its_centroid`` (the mean of its labelled answers; its prototype where none is
    labelled), plus, for a code with labelled answers, a linear term ``w . x + b`` on the
    answer's vector; the two scales say how far to trust the codebook's words and the analyst's
    answers, and are learned, not set. "Non classificato" is one more
    option, scored as a prototype at the coding threshold would be (``scale * threshold``, plus
    its own term when answers were labelled as belonging to no code). The probabilities are the
    softmax of the scores. The scale and the linear terms are fitted together on the labelled
    answers (an answer with several codes shares its weight among them), the linear terms held
    near zero by an L2 penalty: with few labels the prototypes and the threshold decide as the
    mean-vector rule does, and every label moves the decision only as far as the labels agree.

    Parameters
    ----------
    alpha : float, default 0.1
        L2 penalty of the linear terms (times the labelled answers / 100).
    min_labels : int, default 1
        Labelled answers a code needs to get its own linear term.
    random_state : int, default 0
        Unused (the fit is deterministic); kept for the estimator interface.

    Attributes
    ----------
    learned_ : ndarray of bool, shape (n_codes + 1,)
        Which codes (and, last, "non classificato") have their own linear term.
    coef_ : ndarray, shape (n_codes + 1, dim)
        The linear terms' weights (zero rows where not learned).
    intercept_ : ndarray, shape (n_codes + 1,)
    threshold_ : float
        The similarity "non classificato" stands at.
    scale_, centroid_scale_ : float
        How sharply prototype and centroid similarities separate the codes.
    centroids_ : ndarray, shape (n_codes, dim)
        Each code's centre as its labelled answers place it (its prototype where none is).
    n_labels_ : int
        Labelled answers it learned from.
    """

    def __init__(self, alpha: float = ALPHA, min_labels: int = MIN_LABELS, random_state: int = 0) -> None:
        self.alpha = alpha
        self.min_labels = min_labels
        self.random_state = random_state

    def fit(self, vectors: np.ndarray, labels: np.ndarray, prototypes: np.ndarray, threshold: float) -> ThemeLearner:
        """Learn from labelled answers.

        Parameters
        ----------
        vectors : ndarray, shape (n, dim)
            Unit vectors of the labelled answers.
        labels : ndarray of 0/1, shape (n, n_codes)
            The codes of each answer (several allowed; none: the answer is "non classificato").
        prototypes : ndarray, shape (n_codes, dim)
            The mean-vector rule's prototypes.
        threshold : float
            The mean-vector rule's threshold: below it an answer is "non classificato".
        """
        if not (isinstance(self.min_labels, int) and self.min_labels >= 1):
            raise ValueError(f"min_labels must be a positive integer, got {self.min_labels!r}")
        if not float(self.alpha) > 0:
            raise ValueError(f"alpha must be positive, got {self.alpha!r}")
        vectors = np.asarray(vectors, dtype=np.float64)
        labels = np.asarray(labels, dtype=bool)
        prototypes = np.asarray(prototypes, dtype=np.float64)
        n_codes, dim = prototypes.shape
        if labels.shape != (len(vectors), n_codes):
            raise ValueError(f"labels must have shape ({len(vectors)}, {n_codes}), got {labels.shape}")
        # "Non classificato" is one more option, at the threshold's similarity.
        labels = np.column_stack([labels, ~labels.any(axis=1)])
        self.threshold_ = float(threshold)
        self.learned_ = labels.sum(axis=0) >= self.min_labels
        self.coef_ = np.zeros((n_codes + 1, dim), dtype=np.float32)
        self.intercept_ = np.zeros(n_codes + 1, dtype=np.float32)
        self.scale_, self.centroid_scale_ = _INITIAL_SCALE, 0.0
        self.n_labels_ = int(len(vectors))
        # Each code's centre as its labelled answers place it (the prototype where none is labelled).
        sums = labels[:, :-1].T.astype(np.float64) @ vectors
        counts = labels[:, :-1].sum(axis=0)
        self.centroids_ = np.where(counts[:, None] > 0, sums, prototypes)
        self.centroids_ = (self.centroids_ / np.linalg.norm(self.centroids_, axis=1, keepdims=True)).astype(np.float32)
        if len(vectors) == 0:
            return self
        target = labels / labels.sum(axis=1, keepdims=True)
        similarity = self._similarity(vectors, prototypes)
        # Each answer is compared with its codes' centres without itself (leave one out), as a
        # new answer would be: else the centres would seem closer than they are.
        own = labels[:, :-1] & (counts[None, :] > 1)
        dots = vectors @ sums.T
        loo = np.where(own, dots - 1.0, dots)
        norms = np.sqrt(np.maximum(np.sum(sums**2, axis=1)[None, :] - 2 * np.where(own, dots, 0) + own, 1e-12))
        centred = np.where(counts[None, :] > 0, loo / norms, vectors @ prototypes.T)
        centred = np.where(labels[:, :-1] & (counts[None, :] == 1), vectors @ prototypes.T, centred)
        centred = np.column_stack([centred, np.full(len(vectors), self.threshold_)])
        learned = np.flatnonzero(self.learned_)
        k = len(learned)
        penalty = float(self.alpha) * len(vectors) / 100

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            scale, centre_scale = theta[0], theta[1]
            weights, bias = theta[2 : 2 + k * dim].reshape(k, dim), theta[2 + k * dim :]
            logits = scale * similarity + centre_scale * centred
            logits[:, learned] += vectors @ weights.T + bias
            logits -= logits.max(axis=1, keepdims=True)
            probability = np.exp(logits)
            probability /= probability.sum(axis=1, keepdims=True)
            value = -float(np.sum(target * np.log(probability + 1e-12)))
            value += penalty * (float(np.sum(weights**2)) + float(np.sum(bias**2)))
            residual = probability - target
            gradient_scale = float(np.sum(residual * similarity))
            gradient_centre = float(np.sum(residual * centred))
            gradient_weights = residual[:, learned].T @ vectors + 2 * penalty * weights
            gradient_bias = residual[:, learned].sum(axis=0) + 2 * penalty * bias
            return value, np.concatenate([[gradient_scale, gradient_centre], gradient_weights.ravel(), gradient_bias])

        start = np.concatenate([[_INITIAL_SCALE, 0.0], np.zeros(k * dim + k)])
        found = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 500})
        self.scale_, self.centroid_scale_ = float(found.x[0]), float(found.x[1])
        self.coef_[learned] = found.x[2 : 2 + k * dim].reshape(k, dim)
        self.intercept_[learned] = found.x[2 + k * dim :]
        return self

    def _similarity(self, vectors: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
        """Similarity to each prototype, and the threshold's as the last column."""
        similarity = vectors @ np.asarray(prototypes, dtype=vectors.dtype).T
        return np.column_stack([similarity, np.full(len(vectors), self.threshold_, dtype=similarity.dtype)])

    def predict_proba(self, vectors: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
        """``(n, n_codes + 1)`` probabilities that each code is an answer's code, the last column
        that it is "non classificato" (rows sum to 1)."""
        check_fitted(self, "coef_")
        vectors = np.asarray(vectors, dtype=np.float32)
        logits = self.scale_ * self._similarity(vectors, prototypes)
        logits += self.centroid_scale_ * self._similarity(vectors, self.centroids_)
        logits += np.where(self.learned_, vectors @ self.coef_.T + self.intercept_, 0.0)
        logits -= logits.max(axis=1, keepdims=True)
        probability = np.exp(logits)
        return (probability / probability.sum(axis=1, keepdims=True)).astype(np.float32)

    # ----------------------------------------------------------------- saving
    def save(self, folder: str | Path) -> None:
        """Save as ``learner.json``, ``coefficients.npy`` and ``centroids.npy`` in ``folder``."""
        check_fitted(self, "coef_")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "coefficients.npy", self.coef_, allow_pickle=False)
        np.save(folder / "centroids.npy", self.centroids_, allow_pickle=False)
        write_json(
            folder / "learner.json",
            {
                "params": self.get_params(),
                "learned": self.learned_.tolist(),
                "intercept": self.intercept_.tolist(),
                "scale": self.scale_,
                "centroid_scale": self.centroid_scale_,
                "threshold": self.threshold_,
                "n_labels": self.n_labels_,
            },
            kind=LEARNER_FORMAT,
            version=LEARNER_FORMAT_VERSION,
        )

    @classmethod
    def load(cls, folder: str | Path) -> ThemeLearner:
        """Load a learner saved with :meth:`save` (no pickle).

        Raises
        ------
        ModelFileError
            If a file is missing, from a newer version, or the files disagree.
        """
        folder = Path(folder)
        document = read_json(folder / "learner.json", kind=LEARNER_FORMAT, max_version=LEARNER_FORMAT_VERSION)
        try:
            learner = cls(**document["params"])
            coef = np.load(folder / "coefficients.npy", allow_pickle=False)
            learner.learned_ = np.asarray(document["learned"], dtype=bool)
            learner.intercept_ = np.asarray(document["intercept"], dtype=np.float32)
            learner.scale_ = float(document["scale"])
            learner.centroid_scale_ = float(document["centroid_scale"])
            learner.centroids_ = np.load(folder / "centroids.npy", allow_pickle=False).astype(np.float32)
            learner.threshold_ = float(document["threshold"])
            learner.n_labels_ = int(document["n_labels"])
        except FileNotFoundError as exc:
            raise ModelFileError(f"{folder}: missing {Path(exc.filename).name}") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{folder / 'learner.json'}: invalid ({type(exc).__name__}: {exc})") from None
        rows = len(learner.learned_)
        if coef.shape[0] != rows or len(learner.intercept_) != rows or len(learner.centroids_) != rows - 1:
            raise ModelFileError(f"{folder}: coefficients.npy does not match learner.json")
        learner.coef_ = coef.astype(np.float32)
        return learner


def active_queue(
    scores: np.ndarray, vectors: np.ndarray, candidates: np.ndarray, n: int, *, max_similarity: float = 0.9
) -> np.ndarray:
    """The ``n`` answers (positions among ``candidates``' rows) that teach the coder most: the
    smallest margin between their two best ``scores``, skipping an answer whose vector is
    within ``max_similarity`` (cosine) of one already picked, so that one batch is not 50
    near-copies of the same doubt (they fill the batch only when nothing else is left).

    Parameters
    ----------
    scores : ndarray, shape (n_answers, n_codes)
        Each answer's score for each code (probabilities or similarities).
    vectors : ndarray, shape (n_answers, dim)
        Unit vectors of the answers.
    candidates : ndarray of int
        The answers that may be asked about (not yet reviewed, not non-answers).
    n : int
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    if n <= 0 or len(candidates) == 0:
        return np.zeros(0, dtype=np.int64)
    part = scores[candidates]
    if part.shape[1] > 1:
        top = np.sort(part, axis=1)[:, -2:]
        margin = top[:, 1] - top[:, 0]
    else:
        margin = np.abs(part[:, 0] - 0.5)
    order = candidates[np.argsort(margin, kind="stable")]
    picked: list[int] = []
    skipped: list[int] = []
    for i in order:
        if len(picked) == n:
            break
        if picked and float(np.max(vectors[picked] @ vectors[i])) >= max_similarity:
            skipped.append(int(i))
            continue
        picked.append(int(i))
    # Fewer distinct doubts than asked for: the near-copies fill the batch, least sure first.
    picked += skipped[: n - len(picked)]
    return np.asarray(picked, dtype=np.int64)


def learned_assignment(
    probabilities: np.ndarray,
    similarities: np.ndarray,
    *,
    max_codes: int = 2,
    ratio: float = 0.9,
) -> Assignment:
    """Codes from a learner's probabilities (the last column "non classificato"), in the shape
    :func:`~rtc_nlp.themes.assign.nearest_themes` gives.

    The main code is the most probable option; when that is "non classificato", the answer is
    (``below_min_similarity``, or ``no_known_terms`` when it shares nothing with any theme). A
    further code needs ``ratio`` times the main one's probability. ``similarity`` is the
    similarity to the main (or nearest) code's prototype.
    """
    codes_p = probabilities[:, :-1]
    n, k = codes_p.shape
    rows = np.arange(n)
    ranked = np.argsort(-codes_p, axis=1, kind="stable")[:, : max(max_codes, 2)]
    nearest = ranked[:, 0].astype(np.int64)
    best = codes_p[rows, nearest].astype(np.float64)
    # The doubt worth asking about: the two most probable options, "non classificato" included.
    top = np.sort(probabilities, axis=1)[:, -2:]
    margin = (top[:, 1] - top[:, 0]).astype(np.float64) if probabilities.shape[1] > 1 else np.full(n, np.nan)
    second = ranked[:, 1].astype(np.int64) if k > 1 else np.full(n, -1, dtype=np.int64)
    reason = np.full(n, "", dtype=object)
    unclassified = probabilities[:, -1] > best
    reason[unclassified] = "below_min_similarity"
    reason[unclassified & (similarities.max(axis=1) <= 0)] = "no_known_terms"
    theme = np.where(reason == "", nearest, -1).astype(np.int64)
    codes = ranked[:, :max_codes].astype(np.int64)
    scores = np.take_along_axis(codes_p, codes, axis=1).astype(np.float64)
    given = (scores >= ratio * best[:, None]) & (theme >= 0)[:, None]
    given[:, 0] = theme >= 0
    codes = np.where(given, codes, -1)
    similarity = similarities[rows, nearest].astype(np.float64)
    return Assignment(theme, similarity, reason, nearest, second, margin, codes, np.where(given, scores, np.nan))
