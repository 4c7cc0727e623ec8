"""ThemeModel: discover themes in open answers, name them, and code answers with them.

Steps (each swappable): embedder -> reducer (optional) -> clusterer -> theme centroids.
Every usable answer is then given the theme whose centroid is most similar, in fit and in
transform alike, so coding the training answers again gives exactly the fitted themes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..embedders.base import Embedder
from ..embedders.batches import embed_in_batches
from ..embedders.cache import EmbeddingCache, cache_for
from ..embedders.registry import resolve_embedder
from ..embedders.student import STUDENT_ABOVE, LexicalStudent, route_to_encoder, student_path
from ..errors import InputError
from ..estimator import check_fitted, fresh
from ..schema import NON_ANSWER, TEXT, UNCLASSIFIED, as_frame
from ..text import NON_ANSWER_REASONS, prepare_texts
from .answer_table import answer_table, summary_counts
from .assign import nearest_themes, stable_order
from .describe import describe_levels
from .grouping import (
    FLAT_MERGE_SIMILARITY,
    NetChoice,
    choose_clusterer,
    clustering_info,
    min_theme_size,
    nets_of_clusterer,
    settle_themes,
)
from .model_folder import MODEL_FORMAT, MODEL_FORMAT_VERSION, read_model, write_model
from .sampling import weighted_sample

logger = logging.getLogger(__name__)

__all__ = ["MODEL_FORMAT", "MODEL_FORMAT_VERSION", "NON_ANSWER", "UNCLASSIFIED", "ThemeModel"]

_UNCLASSIFIED_REASONS = {
    "no_known_terms": "shares no term with the answers the themes were built from",
    "below_min_similarity": "less similar than min_similarity to every theme",
}


class ThemeModel(BaseEstimator):
    """Discover themes in open answers (scikit-learn style estimator).

    Parameters
    ----------
    embedder : {"auto", "use", "e5", "lexical", "sentence-transformers"}, str or Embedder, default "auto"
        How answers become vectors; ``"auto"`` uses a sentence-transformers model when it is
        on disk, else the multilingual Universal Sentence Encoder when installed (it is with
        the README's commands), else the offline lexical embedder, and says which.
    reducer : object or None, default None
        Optional step with ``fit_transform(X)`` applied before clustering only (e.g.
        ``umap.UMAP(random_state=0)``); themes are still matched in embedding space.
    clusterer : object or None, default None
        Any object with ``fit_predict(X)``. ``None`` uses, up to 100 distinct answers,
        :class:`NestedWard` (which proposes the nets too) or with ``n_nets=0``
        :class:`SilhouetteAgglomerative`; :class:`CommunityClusterer` above; k-means when
        ``n_themes`` is given. What it chose (resolution, stability across seeds) is in ``summary_["clustering"]``.
    n_themes : int or None, default None
        The number of themes; ``None`` finds it.
    n_nets : int or None, default None
        Broad themes ("nets") that group the themes, as in a market-research code frame: each
        answer then has a theme and the net of its theme. ``None`` chooses between 3 and 15
        nets (see :func:`rtc_nlp.themes.grouping.choose_nets`), a number asks for exactly that many,
        ``0`` gives one level of themes only (as before 0.4).
    min_theme_size : int or None, default None
        Smaller groups are dissolved into the nearest theme. ``None`` = 0.5% of the answers,
        between 2 and 50.
    min_similarity : float or None, default None
        Answers less similar than this to every theme are "non classificato"; ``None``
        leaves only answers with no vocabulary in common with the themes unclassified.
    merge_similarity : float, None or "auto", default "auto"
        When the number of themes is found (``n_themes=None``), themes whose centres are at
        least this cosine-similar (average linkage between centres) are merged into one: the
        clusterer can split one theme into near-duplicates. ``None`` never merges; ``"auto"``
        merges at 0.7 with one level of themes (``n_nets=0``) and never under nets, which
        group near-duplicates themselves.
    max_fit_answers : int or None, default 20000
        Above this many distinct answers, the embedder and the themes are fitted on a seeded
        sample of this many distinct answers (drawn in proportion to how often each is
        given), and every answer is then assigned to its nearest theme in batches: a million
        answers fit in about 75 s and 2.1 GB on two cores. ``None`` always fits on everything.
    student_above : int or None, default 40000
        The fast path for large files (:mod:`rtc_nlp.embedders.student`): above this many distinct
        answers, and with a sample to fit on (``max_fit_answers``), a slow embedder (an
        encoder, not the lexical one) embeds only the sample; a lexical student trained on
        part of it embeds the rest, and the answers it is unsure of go to the encoder. The
        saved model keeps the student, so coding a new wave takes the same path. ``None``
        never takes it.
    n_keywords : int, default 10
        Keywords per theme.
    n_examples : int, default 5
        Typical answers per theme (the closest to its centre).
    cache_dir : str, Path, False or None, default None
        Embedding cache folder; ``None`` = default location, ``False`` = no cache.
    n_jobs : int or None, default None
        Threads that embed batches of answers in parallel on large inputs (``None`` = 1,
        ``-1`` = all cores), for embedders that allow it. The result does not depend on it.
    random_state : int, default 0
        Seed of every random step; same input and seed give the same themes.
    verbose : bool, default True
        Print which embedder ran.

    Attributes
    ----------
    themes_ : pandas.DataFrame
        One row per theme: ``theme_id``, ``net_id`` (with nets), ``label``, ``keywords``,
        ``size``, ``share``, ``share_of_answered``, ``typical_answers``.
    nets_ : pandas.DataFrame
        One row per net: ``net_id``, ``label``, ``keywords``, ``size``, ``share``,
        ``share_of_answered``, ``typical_answers``, ``theme_ids``. Empty with ``n_nets=0``.
    assignments_ : pandas.DataFrame
        One row per input answer: ``id``, ``text``, ``theme_id``, ``theme_label``, ``net_id``
        and ``net_label`` (with nets), ``similarity``, ``status``, ``reason``, ``duplicate``
        and the input's other columns.
    summary_ : dict
        Counts and shares: answers, non-answers by reason, unclassified, themes, embedder;
        ``fast_path`` says what the fast path did (empty when it was not taken).
    embedder_ : Embedder
        The fitted embedder.
    student_ : LexicalStudent or None
        On the fast path, the lexical student of the encoder; ``student_threshold_`` is the
        margin below which an answer goes to the encoder.
    centroids_ : ndarray of shape (n_themes, dim)
        Unit-length theme centres, row ``i`` for ``theme_id == i + 1``.
    """

    def __init__(
        self,
        embedder: str | Embedder = "auto",
        reducer: Any = None,
        clusterer: Any = None,
        n_themes: int | None = None,
        n_nets: int | None = None,
        min_theme_size: int | None = None,
        min_similarity: float | None = None,
        merge_similarity: float | str | None = "auto",
        max_fit_answers: int | None = 20_000,
        student_above: int | None = STUDENT_ABOVE,
        n_keywords: int = 10,
        n_examples: int = 5,
        cache_dir: str | Path | bool | None = None,
        n_jobs: int | None = None,
        random_state: int = 0,
        verbose: bool = True,
    ) -> None:
        self.embedder = embedder
        self.reducer = reducer
        self.clusterer = clusterer
        self.n_themes = n_themes
        self.n_nets = n_nets
        self.min_theme_size = min_theme_size
        self.min_similarity = min_similarity
        self.merge_similarity = merge_similarity
        self.max_fit_answers = max_fit_answers
        self.student_above = student_above
        self.n_keywords = n_keywords
        self.n_examples = n_examples
        self.cache_dir = cache_dir
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ----------------------------------------------------------------- parameters
    def _check_params(self) -> None:
        def positive_int(name: str, value: Any, allow_none: bool) -> None:
            if value is None and allow_none:
                return
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer{' or None' if allow_none else ''}, got {value!r}")

        positive_int("n_themes", self.n_themes, True)
        positive_int("min_theme_size", self.min_theme_size, True)
        positive_int("max_fit_answers", self.max_fit_answers, True)
        positive_int("student_above", self.student_above, True)
        positive_int("n_keywords", self.n_keywords, False)
        positive_int("n_examples", self.n_examples, False)
        if self.min_similarity is not None and not -1.0 <= float(self.min_similarity) <= 1.0:
            raise ValueError(f"min_similarity must be between -1 and 1 or None, got {self.min_similarity!r}")
        if self.n_nets is not None and (
            isinstance(self.n_nets, bool) or not isinstance(self.n_nets, (int, np.integer)) or self.n_nets < 0
        ):
            raise ValueError(f"n_nets must be a whole number >= 0 or None, got {self.n_nets!r}")
        if self.merge_similarity not in (None, "auto") and not 0.0 < float(self.merge_similarity) <= 1.0:
            raise ValueError(f"merge_similarity must be in (0, 1], None or 'auto', got {self.merge_similarity!r}")
        if not isinstance(self.random_state, (int, np.integer)):
            raise ValueError(f"random_state must be an int, got {self.random_state!r}")

    def _cache(self) -> EmbeddingCache | None:
        return cache_for(self.cache_dir)

    # ----------------------------------------------------------------- embedding
    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` with the fitted embedder, through the cache, in batches."""
        return embed_in_batches(self.embedder_, texts, cache=self._cache(), n_jobs=self.n_jobs, verbose=self.verbose)

    # ----------------------------------------------------------------- fitting
    def fit(self, answers: Any, y: Any = None) -> ThemeModel:
        """Discover the themes of ``answers``.

        Parameters
        ----------
        answers : DataFrame or sequence of str
            A frame from :func:`rtc_nlp.read_answers` (``id``, ``text``, metadata) or any
            frame with a ``text`` column, or a list of answers.
        y : ignored

        Returns
        -------
        ThemeModel
            ``self``, fitted.

        Raises
        ------
        InputError
            If no answer is usable (all empty or non-answers).
        """
        self._check_params()
        frame = as_frame(answers)
        if len(frame) == 0:
            raise InputError("there are no answers: the table is empty")
        prepared = prepare_texts(frame[TEXT])
        usable = prepared["non_answer"].isna().to_numpy(copy=True)
        if not usable.any():
            counts = prepared["non_answer"].value_counts().to_dict()
            detail = ", ".join(f"{n} {NON_ANSWER_REASONS[r]}" for r, n in counts.items())
            raise InputError(
                f"no usable answers: all {len(frame)} rows are empty or non-answers ({detail}); "
                "check that the text column is the right one"
            )
        clean = prepared["clean_text"].to_numpy(dtype=object)
        codes, unique = pd.factorize(pd.Series(clean[usable], dtype=object))
        unique_texts = [str(t) for t in unique]
        weights = np.bincount(codes, minlength=len(unique_texts))

        sample = self._fit_sample(weights)
        fit_texts = unique_texts if sample is None else [unique_texts[i] for i in sample]
        # The user's steps are cloned, never fitted in place (scikit-learn's convention).
        self.embedder_ = resolve_embedder(fresh(self.embedder), verbose=self.verbose)
        self.embedder_.fit(fit_texts if self.embedder_.learns_from_texts else [])
        self.student_: LexicalStudent | None = None
        self.student_info_: dict[str, Any] = {}
        if sample is None:
            vectors = self._embed(unique_texts)
            self.centroids_, proposed = self._find_centroids(vectors, weights, len(frame))
        else:
            # The fast path: a slow embedder embeds the sample only; a student does the rest.
            fast = self.student_above is not None and len(unique_texts) > self.student_above
            fast = fast and not self.embedder_.fast
            vectors = self._embed(fit_texts if fast else unique_texts)
            sample_vectors = vectors if fast else vectors[sample]
            # The size floor scales with the share of the answers the sample stands for.
            scale = float(weights[sample].sum()) / float(weights.sum())
            self.centroids_, proposed = self._find_centroids(
                sample_vectors, weights[sample], max(1, round(len(frame) * scale))
            )
            logger.info("themes fitted on %d of %d distinct answers", len(sample), len(unique_texts))
            if fast:
                vectors = self._fit_student(unique_texts, sample, sample_vectors)
        self.clustering_["fitted_on"] = len(fit_texts)
        self.clustering_["distinct_answers"] = len(unique_texts)
        self._finish(frame, prepared, vectors, unique_texts, codes, usable, proposed)
        return self

    def _fit_student(self, texts: list[str], sample: np.ndarray, sample_vectors: np.ndarray) -> np.ndarray:
        """The fast path: the student and its threshold, and the vectors every distinct
        answer is assigned by."""
        self.student_, self.student_threshold_, vectors, self.student_info_ = student_path(
            texts,
            sample,
            sample_vectors,
            self.centroids_,
            self._embed,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
        )
        return vectors

    def _with_nets(self) -> bool:
        return self.n_nets != 0

    def _merge_similarity(self) -> float | None:
        if self.merge_similarity == "auto":
            return None if self._with_nets() else FLAT_MERGE_SIMILARITY
        return None if self.merge_similarity is None else float(self.merge_similarity)

    def _fit_sample(self, weights: np.ndarray) -> np.ndarray | None:
        """Indices of the distinct answers to fit on, or ``None`` for all of them.

        A seeded sample drawn in proportion to how many respondents gave each answer.
        """
        if self.max_fit_answers is None or len(weights) <= self.max_fit_answers:
            return None
        return weighted_sample(weights, self.max_fit_answers, np.random.default_rng(self.random_state))

    def _find_centroids(
        self, vectors: np.ndarray, weights: np.ndarray, n_answers: int
    ) -> tuple[np.ndarray, NetChoice | None]:
        """Cluster the distinct answers: the unit-length theme centres, and the nets the
        clusterer proposes for them (``None`` when it proposes none)."""
        nonzero = np.linalg.norm(vectors, axis=1) > 0
        points = vectors[nonzero]
        if len(points) == 0:
            raise InputError("no usable answers: no answer has any word the embedder can use")
        n_distinct = len(points)
        if self.n_themes is not None and self.n_themes > n_distinct:
            raise InputError(f"n_themes={self.n_themes} but there are only {n_distinct} distinct usable answers")
        self.clustering_ = {"method": "single answer"}
        clusterer = None
        if n_distinct == 1:
            labels = np.zeros(1, dtype=np.int64)
        else:
            space = points if self.reducer is None else np.asarray(fresh(self.reducer).fit_transform(points))
            clusterer = choose_clusterer(
                n_distinct,
                clusterer=self.clusterer,
                n_themes=self.n_themes,
                nets=self._with_nets(),
                random_state=self.random_state,
                verbose=self.verbose,
            )
            labels = np.asarray(clusterer.fit_predict(space), dtype=np.int64)
            self.clustering_ = clustering_info(clusterer)
        centroids = settle_themes(
            points,
            weights[nonzero],
            labels,
            min_size=min_theme_size(n_answers, self.min_theme_size),
            keep_all=self.n_themes is not None,
            merge_similarity=self._merge_similarity(),
            min_similarity=self.min_similarity,
        ).astype(np.float32)
        return centroids, nets_of_clusterer(clusterer, points, centroids)

    def _assign(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Nearest theme of each vector: (0-based theme index or -1, similarity, reason)."""
        # Rounded: coding the training answers again must give the same themes.
        found = nearest_themes(vectors, self.centroids_, min_similarity=self.min_similarity, decimals=5)
        return found.theme, found.similarity, found.reason.tolist()

    def _finish(
        self,
        frame: pd.DataFrame,
        prepared: pd.DataFrame,
        vectors: np.ndarray,
        unique_texts: list[str],
        codes: np.ndarray,
        usable: np.ndarray,
        proposed: NetChoice | None = None,
    ) -> None:
        """Order and describe the themes, and build ``themes_``, ``assignments_``, ``summary_``
        (``proposed``: the nets the clusterer found, in the order of the centres)."""
        index, sims, reasons = self._assign(vectors)
        row_index = np.full(len(frame), -2, dtype=np.int64)  # -2: non-answer
        row_index[usable] = index[codes]
        order, row_index = stable_order(row_index, len(self.centroids_))
        self.centroids_ = self.centroids_[order]
        if proposed is not None:
            proposed = NetChoice(proposed.net_of_theme[order], proposed.n_nets, proposed.alternatives)
        # The theme of each distinct answer, and how many rows gave it.
        unique_theme = np.full(len(unique_texts), -1)
        unique_theme[codes] = row_index[usable]
        counts = np.bincount(codes, minlength=len(unique_texts)).astype(np.float64)
        self._describe(len(frame), vectors, unique_texts, unique_theme, counts, row_index, proposed)
        self.assignments_ = answer_table(
            frame, prepared, usable, codes, row_index, sims, reasons, self.themes_, self.nets_
        )
        self.summary_ = self._summary(self.assignments_)
        limit = getattr(self.embedder_, "max_chars", None)
        if limit is not None:
            lengths = prepared["clean_text"].str.len().to_numpy()
            self.summary_["n_truncated"] = int((lengths[usable] > limit).sum())
            self.summary_["max_chars"] = int(limit)

    def _describe(
        self,
        n_rows: int,
        vectors: np.ndarray,
        unique_texts: list[str],
        unique_theme: np.ndarray,
        counts: np.ndarray,
        row_index: np.ndarray,
        proposed: NetChoice | None = None,
    ) -> None:
        """The theme table (``themes_``) and the nets that group the themes (``nets_``): the
        clusterer's ``proposed`` nets unless the analyst gave their number."""
        settings = {
            "n_rows": n_rows,
            "n_keywords": self.n_keywords,
            "n_examples": self.n_examples,
            "fitted_on": getattr(self, "clustering_", {}).get("fitted_on", len(unique_texts)),
            "random_state": self.random_state,
        }
        self.themes_, self.nets_, self.nets_info_ = describe_levels(
            unique_texts,
            unique_theme,
            counts,
            vectors,
            self.centroids_,
            row_index,
            with_nets=self._with_nets(),
            n_nets=self.n_nets,
            proposed=proposed,
            settings=settings,
        )

    def _summary(self, assignments: pd.DataFrame) -> dict[str, Any]:
        return {
            **summary_counts(assignments),
            "n_themes": len(self.centroids_),
            "n_nets": len(self.nets_),
            "nets": dict(getattr(self, "nets_info_", {})),
            "embedder": self.embedder_.description,
            "embedder_identity": self.embedder_.identity,
            "clustering": getattr(self, "clustering_", {}),
            "fast_path": dict(getattr(self, "student_info_", {})),
        }

    # ----------------------------------------------------------------- coding
    def _check_fitted(self) -> None:
        check_fitted(self, "centroids_")

    def transform(self, answers: Any) -> pd.DataFrame:
        """Code new answers with the fitted themes (nothing is refitted).

        Returns
        -------
        pandas.DataFrame
            One row per answer, with the columns of ``assignments_``.
        """
        self._check_fitted()
        frame = as_frame(answers)
        prepared = prepare_texts(frame[TEXT])
        usable = prepared["non_answer"].isna().to_numpy(copy=True)
        codes, unique = pd.factorize(pd.Series(prepared["clean_text"].to_numpy(dtype=object)[usable], dtype=object))
        vectors = self.embed([str(t) for t in unique])
        index, sims, reasons = self._assign(vectors)
        row_index = np.full(len(frame), -2, dtype=np.int64)
        row_index[usable] = index[codes] if len(codes) else []
        return answer_table(frame, prepared, usable, codes, row_index, sims, reasons, self.themes_, self.nets_)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors answers are assigned by: the embedder's, or on the fast path (a model
        fitted with a student) the student's, with the answers it is unsure of embedded by the
        encoder, as in :meth:`fit`. Texts are embedded as given (``transform`` cleans first)."""
        self._check_fitted()
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.centroids_.shape[1]), np.float32)
        if getattr(self, "student_", None) is not None:
            student_vectors = self.student_.transform(texts, n_jobs=self.n_jobs)
            return route_to_encoder(texts, student_vectors, self.centroids_, self.student_threshold_, self._embed)[0]
        return self._embed(texts)

    def fit_transform(self, answers: Any, y: Any = None) -> pd.DataFrame:
        """Fit and return ``assignments_``."""
        return self.fit(answers).assignments_

    # ----------------------------------------------------------------- saving
    def save(self, folder: str | Path) -> None:
        """Save to a folder of plain files: ``model.json``, ``centroids.npy``,
        ``assignments.parquet`` and the embedder's own folder. Loads back without pickle."""
        self._check_fitted()
        write_model(self, folder)

    @classmethod
    def load(cls, folder: str | Path, *, cache_dir: str | Path | bool | None = None) -> ThemeModel:
        """Load a model saved with :meth:`save`.

        The loaded embedder becomes the ``embedder`` parameter as well as ``embedder_``: the
        saved files do not record how it was named (``"auto"`` may pick another one on another
        machine), and refitting a loaded model must embed as the saved one did.

        Raises
        ------
        ModelFileError
            If a file is missing, tampered with, truncated or from a newer version.
        """
        return read_model(cls, folder, cache_dir=cache_dir)
