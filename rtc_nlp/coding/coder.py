"""Coding answers with a codebook: several codes per answer, new waves, new themes.

:class:`CodebookCoder` turns each theme of a :class:`~rtc_nlp.Codebook` into a prototype
vector (the mean of its description, keywords and examples, plus any manually coded answers:
few-shot) and gives every answer the themes it is similar enough to (at most ``max_codes``),
with a confidence, or "non classificato" with the reason. Nothing is refitted between waves:
coding wave 2 with the wave-1 codebook keeps every id and label, and what stays unassigned or
uncertain is clustered into candidate new themes. Reviewing the codes is :mod:`rtc_nlp.coding.review`,
comparing waves :mod:`rtc_nlp.coding.waves`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..embedders.base import Embedder, unit_rows
from ..embedders.batches import embed_in_batches
from ..embedders.cache import cache_for
from ..embedders.registry import resolve_embedder
from ..embedders.student import STUDENT_ABOVE, LexicalStudent, route_to_encoder, student_path
from ..errors import InputError
from ..estimator import check_fitted, fresh
from ..schema import ID, NON_ANSWER, NON_ANSWER_ID, TEXT, UNCLASSIFIED, UNCLASSIFIED_ID, as_frame
from ..text import prepare_texts
from ..themes.assign import nearest_themes
from ..themes.sampling import weighted_sample
from .codebook import Codebook
from .learner import ThemeLearner, learned_assignment
from .review import apply_overrides

logger = logging.getLogger(__name__)

__all__ = ["CodebookCoder", "code_answers"]

#: Similarity of an answer to its second theme, as a share of the first, from which it gets both.
DEFAULT_RATIO = 0.9
#: On the fast path, the distinct answers the encoder embeds first: the student learns from
#: most of them, the rest calibrate its routing, and all of them set the threshold.
FAST_SAMPLE = 12_000


class CodebookCoder(BaseEstimator):
    """Code answers against a codebook (scikit-learn style: parameters here, checked in fit).

    Parameters
    ----------
    codebook : Codebook
    embedder : str or Embedder, default "auto"
        As in :class:`~rtc_nlp.ThemeModel`. A lexical embedder is fitted on the codebook's
        texts and the answers being coded.
    min_similarity : float or None, default None
        Below this similarity to every theme an answer is "non classificato". ``None`` = half
        the median best similarity of the answers given to :meth:`fit` (``min_similarity_``):
        scale-free across embedders, and on the demo survey it leaves most answers of the
        theme wave 2 adds unclassified while coding about 90% of wave 1. It is never below 5%
        of the similarity of the codebook's own texts to their theme.
    max_codes : int, default 2
        Most codes per answer.
    ratio : float, default 0.9
        A further theme is given when its similarity is at least ``ratio`` times the best one.
    manual : DataFrame or None
        Answers the analyst coded (``text``, and ``codes``: theme ids ``;``-joined, or
        ``theme_id``): manual codes, reviewers' corrections. With ``learn`` they teach the
        coder; without, they join their themes' prototypes (the mean-vector rule).
    learn : bool, default True
        Learn from ``manual`` (and the codebook's examples): a :class:`ThemeLearner` scores the
        codes with enough labelled answers (see :mod:`rtc_nlp.coding.learner`). Without
        labelled answers nothing is learned and the mean-vector rule codes alone.
    student_above : int or None, default 40,000
        The fast path for large files, as in :class:`~rtc_nlp.ThemeModel`: above this many
        distinct answers given to :meth:`fit`, the encoder embeds a sample of them
        (:data:`FAST_SAMPLE`), a lexical student of it embeds the rest, and the answers the
        student is unsure of (a small margin between its best two themes) go to the encoder.
        ``None``: the encoder embeds every answer.
    n_jobs : int or None, default None
        Threads that embed large inputs (``-1``: all cores; the result is the same).
    cache_dir : str, Path, True, False or None, default False
        The embedding cache, as in :class:`~rtc_nlp.ThemeModel` (``None`` or ``True``: the
        default folder); ``False``, the default here: answers are embedded afresh.
    random_state : int, default 0
    verbose : bool, default False
    """

    def __init__(
        self,
        codebook: Codebook,
        embedder: str | Embedder = "auto",
        *,
        min_similarity: float | None = None,
        max_codes: int = 2,
        ratio: float = DEFAULT_RATIO,
        manual: pd.DataFrame | None = None,
        learn: bool = True,
        student_above: int | None = STUDENT_ABOVE,
        n_jobs: int | None = None,
        cache_dir: str | Path | bool | None = False,
        random_state: int = 0,
        verbose: bool = False,
    ) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.max_codes = max_codes
        self.ratio = ratio
        self.manual = manual
        self.learn = learn
        self.student_above = student_above
        self.n_jobs = n_jobs
        self.cache_dir = cache_dir
        self.random_state = random_state
        self.verbose = verbose

    def _check(self) -> None:
        if not isinstance(self.codebook, Codebook) or len(self.codebook) == 0:
            raise ValueError("codebook must be a Codebook with at least one theme")
        if not (isinstance(self.max_codes, int) and self.max_codes >= 1):
            raise ValueError(f"max_codes must be a positive integer, got {self.max_codes!r}")
        if not 0 < float(self.ratio) <= 1:
            raise ValueError(f"ratio must be in (0, 1], got {self.ratio!r}")
        if self.student_above is not None and not (isinstance(self.student_above, int) and self.student_above >= 0):
            raise ValueError(f"student_above must be a non-negative integer or None, got {self.student_above!r}")

    def _labelled(self) -> list[tuple[str, list[int]]]:
        """The analyst's labelled answers (``manual``): each text and the positions of its codes
        among the codebook's codes."""
        if self.manual is None or len(self.manual) == 0:
            return []
        codes = self.codebook.codes  # nets are counted through their themes, never coded directly
        index = {theme.id: i for i, theme in enumerate(codes)}
        column = "codes" if "codes" in self.manual.columns else "theme_id"
        rows, unknown = [], []
        for text, cell in zip(self.manual[TEXT].astype(str), self.manual[column]):
            ids = [int(float(c)) for c in str(cell).split(";") if c.strip()] if cell == cell else []
            unknown += [i for i in ids if i not in index]
            rows.append((text, [index[i] for i in ids if i in index]))
        if unknown:
            raise InputError(
                f"manual example(s) coded {sorted(set(unknown))}, not codebook ids of a theme "
                f"({[t.id for t in codes]}; nets are counted through their themes)",
                column=column,
            )
        return rows

    def _theme_texts(self) -> list[list[str]]:
        texts = [theme.texts() for theme in self.codebook.codes]
        if self.learn:
            # The learner places each code's centre from its labelled answers; the prototypes,
            # and the threshold set on them, stay the codebook's (labelled answers in them pulled
            # them towards boundary answers and raised the threshold: measured worse).
            return texts
        for text, positions in self._labelled():
            for position in positions:
                texts[position].append(text)
        return texts

    def fit(self, answers: Any = None) -> CodebookCoder:
        """Build the theme prototypes; ``answers`` (optional) also fit a lexical embedder."""
        self._check()
        theme_texts = self._theme_texts()
        extra: list[str] = []
        if answers is not None:
            prepared = prepare_texts(as_frame(answers)[TEXT])
            extra = [str(t) for t, na in zip(prepared["clean_text"], prepared["non_answer"]) if na is None or na != na]
        self.embedder_ = resolve_embedder(fresh(self.embedder), verbose=self.verbose)
        flat = [t for group in theme_texts for t in group]
        corpus = list(dict.fromkeys(flat + extra))
        self.embedder_.fit(corpus if self.embedder_.learns_from_texts else [])
        self._last_batch: tuple[tuple[str, ...], np.ndarray] | None = None
        self._distinct: tuple[tuple[str, ...], np.ndarray] | None = None
        vectors = self._texts_vectors(flat)
        prototypes, own, start = [], [], 0
        for group in theme_texts:
            block = vectors[start : start + len(group)]
            start += len(group)
            centre = block.mean(axis=0)
            prototypes.append(centre / (np.linalg.norm(centre) or 1.0))
            own.extend((block @ prototypes[-1]).tolist())
        self.prototypes_ = np.vstack(prototypes).astype(np.float32)
        self.own_similarity_ = float(np.median(own))
        self.student_: LexicalStudent | None = None
        self.fast_path_: dict[str, Any] = {}
        distinct = list(dict.fromkeys(extra))
        fast = self.student_above is not None and len(distinct) > self.student_above and not self.embedder_.fast
        if self.min_similarity is not None:
            if fast:
                self._fit_student(extra)
            self.min_similarity_ = float(self.min_similarity)
        else:
            # A floor tied to the codebook's own scale, so that a batch of answers unrelated to
            # every theme cannot lower the bar to noise (stray character n-grams).
            floor = 0.05 * self.own_similarity_
            if fast:  # the encoder's sample stands for every answer
                best = (self._fit_student(extra) @ self.prototypes_.T).max(axis=1)
            else:
                best = (self._embed(extra) @ self.prototypes_.T).max(axis=1) if extra else []
            self.min_similarity_ = max(floor, 0.5 * float(np.median(best))) if len(best) else floor
        self.learner_ = self._fit_learner() if self.learn else None
        return self

    def _fit_learner(self) -> ThemeLearner | None:
        """A :class:`ThemeLearner` taught by the analyst's labelled answers and the codebook's
        examples; ``None`` without labelled answers, or when no code has enough of them."""
        labelled = self._labelled()
        if not labelled:
            return None
        codes = self.codebook.codes
        examples = [(e, [i]) for i, theme in enumerate(codes) for e in theme.examples if e.strip()]
        rows = labelled + examples
        matrix = np.zeros((len(rows), len(codes)), dtype=bool)
        for r, (_, positions) in enumerate(rows):
            matrix[r, positions] = True
        vectors = self._texts_vectors([text for text, _ in rows])
        learner = ThemeLearner(random_state=self.random_state).fit(
            vectors, matrix, self.prototypes_, self.min_similarity_
        )
        return learner if learner.learned_.any() else None

    def _fit_student(self, texts: list[str]) -> np.ndarray:
        """The fast path: the encoder embeds a sample of the distinct ``texts`` (drawn in
        proportion to how often each was given), a student learns from it, and every distinct
        text gets its vector (the student's, or the encoder's where the student is unsure).
        Returns the encoder's vectors of the sample."""
        codes, unique = pd.factorize(pd.Series(texts, dtype=object))
        distinct = [str(t) for t in unique]
        counts = np.bincount(codes, minlength=len(distinct))
        size = min(FAST_SAMPLE, len(distinct))
        sample = weighted_sample(counts, size, np.random.default_rng(self.random_state))
        sample_vectors = self._encode([distinct[i] for i in sample])
        self.student_, self.student_threshold_, vectors, self.fast_path_ = student_path(
            distinct,
            sample,
            sample_vectors,
            self.prototypes_,
            self._encode,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
        )
        self._distinct = (tuple(distinct), vectors)
        logger.info(
            "fast path: the encoder embedded %d of %d distinct answers",
            self.fast_path_["encoder_answers"],
            len(distinct),
        )
        return sample_vectors

    def _texts_vectors(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts``: from the encoder, or through the cache when there is one."""
        return unit_rows(self.embedder_.transform(texts)) if self.cache_dir is False else self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """The encoder's unit vectors of ``texts``, in batches on ``n_jobs`` threads, through the
        cache when there is one."""
        cache = cache_for(self.cache_dir)
        return unit_rows(embed_in_batches(self.embedder_, texts, cache=cache, n_jobs=self.n_jobs, verbose=self.verbose))

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts``. The last batch is kept: ``fit`` (for the threshold) and
        ``code`` on the same answers would otherwise embed them twice. With a student (the fast
        path), each distinct text is embedded once, by the student or, where it is unsure, by
        the encoder."""
        key = tuple(texts)
        if self._last_batch is not None and self._last_batch[0] == key:
            return self._last_batch[1]
        if self.student_ is None:
            vectors = self._texts_vectors(texts)
        else:
            codes, unique = pd.factorize(pd.Series(texts, dtype=object))
            distinct = tuple(str(t) for t in unique)
            if self._distinct is not None and self._distinct[0] == distinct:
                found = self._distinct[1]
            else:
                found, _, _ = route_to_encoder(
                    list(distinct),
                    self.student_.transform(list(distinct), n_jobs=self.n_jobs),
                    self.prototypes_,
                    self.student_threshold_,
                    self._encode,
                )
                self._distinct = (distinct, found)
            vectors = found[codes]
        self._last_batch = (key, vectors)
        return vectors

    def code(self, answers: Any) -> pd.DataFrame:
        """Code ``answers``: one row per answer, in input order.

        Returns
        -------
        DataFrame
            ``id``, ``text``, ``theme_id`` (main code; ``0`` "non classificato", ``-1``
            non-answer), ``theme_label``, ``codes`` and ``code_labels`` (all codes, ``;``-joined),
            ``similarity`` (to the main theme), ``confidences`` (one per code), ``second_theme_id``,
            ``margin`` (best minus second similarity), ``status``, ``reason``, then the
            answers' other columns.
        """
        check_fitted(self, "prototypes_")
        frame = as_frame(answers)
        if len(frame) == 0:
            raise InputError("there are no answers to code: the table is empty")
        prepared = prepare_texts(frame[TEXT])
        usable = prepared["non_answer"].isna().to_numpy()
        clean = prepared["clean_text"].astype(str).tolist()
        vectors = np.zeros((len(frame), self.prototypes_.shape[1]), dtype=np.float32)
        if usable.any():
            vectors[usable] = self._embed([clean[i] for i in np.flatnonzero(usable)])
        self.vectors_ = vectors
        if self.learner_ is not None:
            # What the analyst taught decides; the threshold still leaves far answers out.
            self.scores_ = self.learner_.predict_proba(vectors, self.prototypes_)
            found = learned_assignment(
                self.scores_, vectors @ self.prototypes_.T, max_codes=self.max_codes, ratio=self.ratio
            )
        else:
            self.scores_ = vectors @ self.prototypes_.T
            found = nearest_themes(
                vectors,
                self.prototypes_,
                min_similarity=self.min_similarity_,
                max_codes=self.max_codes,
                ratio=self.ratio,
            )
        ids = np.array([t.id for t in self.codebook.codes], dtype=np.int64)
        labels = np.array([t.label for t in self.codebook.codes] + [UNCLASSIFIED], dtype=object)
        coded_ok = usable & (found.theme >= 0)
        unclassified = usable & ~coded_ok
        theme_id = np.where(coded_ok, ids[found.theme], np.where(usable, UNCLASSIFIED_ID, NON_ANSWER_ID))
        codes = found.codes
        rows_codes = [";".join(str(ids[j]) for j in row if j >= 0) for row in codes]
        rows_labels = ["; ".join(labels[j] for j in row if j >= 0) for row in codes]
        rows_conf = [";".join(f"{v:.3f}" for v in row if v == v) for row in found.scores]
        second = np.where(found.second >= 0, ids[np.maximum(found.second, 0)], -1)
        # An unclassified answer names its nearest theme as the second: the one it nearly got.
        second = np.where(unclassified, ids[found.nearest], second)
        second_id = pd.array(second, dtype="Int64")
        second_id[~(usable & (second >= 0))] = pd.NA
        coded = pd.DataFrame(
            {
                ID: frame[ID].to_numpy(),
                TEXT: frame[TEXT].to_numpy(),
                "theme_id": theme_id.astype(np.int64),
                "theme_label": np.where(
                    coded_ok, labels[np.maximum(found.theme, 0)], np.where(usable, UNCLASSIFIED, NON_ANSWER)
                ),
                "codes": rows_codes,
                "code_labels": rows_labels,
                "similarity": np.where(usable, found.similarity, np.nan),
                "confidences": rows_conf,
                "second_theme_id": second_id,
                "margin": np.where(usable, found.margin, np.nan),
                "status": np.where(coded_ok, "theme", np.where(usable, "unclassified", "non_answer")),
                "reason": np.where(usable, found.reason, prepared["non_answer"].to_numpy(dtype=object)),
            }
        )
        if self.codebook.net_ids:
            # The net of the main code, beside it; an answer counts once in a net.
            nets = {t.id: self.codebook.net_of(t.id) for t in self.codebook.codes}
            net_labels = {t.id: t.label for t in self.codebook.themes}
            net_id = [nets.get(int(t), int(t)) for t in coded["theme_id"]]
            coded.insert(4, "net_id", np.asarray(net_id, dtype=np.int64))
            coded.insert(5, "net_label", [net_labels.get(n, label) for n, label in zip(net_id, coded["theme_label"])])
        for column in frame.columns:
            if column not in (ID, TEXT) and column not in coded.columns:
                coded[column] = frame[column].to_numpy()
        coded.attrs.update(
            min_similarity=self.min_similarity_,
            embedder=self.embedder_.description,
            codebook_revision=self.codebook.revision,
        )
        return coded

    def new_themes(
        self,
        coded: pd.DataFrame,
        *,
        max_margin: float = 0.05,
        min_size: int | None = None,
        n_keywords: int = 8,
        n_examples: int = 3,
    ) -> pd.DataFrame:
        """Candidate new themes among the answers left unassigned or uncertain by :meth:`code`
        (see :func:`rtc_nlp.coding.new_themes.candidate_themes`)."""
        from .new_themes import candidate_themes

        return candidate_themes(
            self, coded, max_margin=max_margin, min_size=min_size, n_keywords=n_keywords, n_examples=n_examples
        )


def code_answers(
    answers: Any,
    codebook: Codebook,
    *,
    embedder: str | Embedder = "auto",
    min_similarity: float | None = None,
    max_codes: int = 2,
    ratio: float = DEFAULT_RATIO,
    manual: pd.DataFrame | None = None,
    overrides: pd.DataFrame | None = None,
    learn: bool = True,
    random_state: int = 0,
    verbose: bool = False,
) -> pd.DataFrame:
    """Code ``answers`` with ``codebook`` (see :class:`CodebookCoder`) and apply ``overrides``
    (from :func:`read_overrides` or :func:`~rtc_nlp.coding.review.read_corrections`: a
    reviewer's corrections, which win on their rows and, with ``learn``, teach the coder)."""
    frame = as_frame(answers)
    parts = []
    if manual is not None and len(manual):
        codes = manual["codes"] if "codes" in manual.columns else manual["theme_id"]
        parts.append(pd.DataFrame({TEXT: manual[TEXT].astype(str), "codes": codes.astype(str)}))
    if overrides is not None and len(overrides):
        texts = dict(zip(frame[ID].astype(str), frame[TEXT].astype(str)))
        known = overrides[overrides[ID].astype(str).isin(texts)]
        parts.append(pd.DataFrame({TEXT: known[ID].astype(str).map(texts), "codes": known["codes"].astype(str)}))
    labelled = pd.concat(parts, ignore_index=True) if parts else None
    coder = CodebookCoder(
        codebook,
        embedder,
        min_similarity=min_similarity,
        max_codes=max_codes,
        ratio=ratio,
        manual=labelled,
        learn=learn,
        random_state=random_state,
        verbose=verbose,
    ).fit(frame)
    coded = coder.code(frame)
    return apply_overrides(coded, overrides, codebook) if overrides is not None else coded
