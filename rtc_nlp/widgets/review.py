"""The review widget: the review queue one answer at a time, worked with the keyboard in JupyterLab.

:class:`ReviewWidget` shows an answer, the codes the coder proposes with their confidence, and
every code of the codebook to pick from. Keys: *Invio* accepts the proposal (or the codes
picked), *1*-*9* pick among the codes listed, */* searches a code by name, *0* says "no theme",
*S* or *→* skips, *←* goes back. Each decision is written at once to the overrides file that
``rtc-nlp code --overrides`` reads (:class:`ReviewSession`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import pandas as pd
import traitlets

from ..coding.codebook import Codebook
from ..coding.review import review_queue
from ..errors import InputError
from ..io.reading import read_table
from ..results.folder import CORRECTIONS_SHEET, REVIEW_SHEET, open_results
from ..schema import ID
from .fallback import STATIC, review_table, show_with_fallback, view_module
from .reviewing import ReviewSession

__all__ = ["ReviewWidget"]

log = logging.getLogger(__name__)
_ACTIONS = {"decide", "accept", "skip", "back", "goto"}


class ReviewWidget(anywidget.AnyWidget):
    """Work a review queue with the keyboard; every decision is saved as it is taken.

    Parameters
    ----------
    queue : DataFrame
        The answers to review (``review.xlsx``, or :func:`~rtc_nlp.coding.review.review_queue`).
    codebook : Codebook
    path : path
        The overrides file (CSV) the decisions go to; opened again, the review resumes there.
    confidences : dict, optional
        ``id`` -> the confidences of the proposed codes (``answers_with_codes``' column).

    Examples
    --------
    >>> ReviewWidget.from_folder("risultati/ondata2")  # doctest: +SKIP
    """

    _esm = view_module("review.js")
    _css = STATIC / "widgets.css"

    item = traitlets.Dict().tag(sync=True)
    codes = traitlets.List().tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        queue: pd.DataFrame,
        codebook: Codebook,
        *,
        path: str | Path,
        confidences: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.session = ReviewSession(queue, codebook, path, confidences=confidences)
        self.codes = self.session.codes()
        self.on_msg(self._on_message)
        done = self.session.progress()["decided"]
        self._refresh(f"riprese {done} decisioni da {self.session.path.name}" if done else "")

    @classmethod
    def from_folder(cls, folder: str | Path, *, path: str | Path | None = None) -> ReviewWidget:
        """Open the review queue of ``rtc-nlp code`` (``review.xlsx``); the decisions go to
        ``corrections.csv`` in the folder, for ``--overrides``."""
        folder = Path(folder)
        if not (folder / REVIEW_SHEET).exists():
            raise InputError(f"holds no {REVIEW_SHEET}: give a folder written by 'rtc-nlp code'", path=str(folder))
        results = open_results(folder)
        queue = read_table(str(folder / REVIEW_SHEET), None, None, None)
        confidences = dict(zip(results.answers[ID], results.answers["confidences"].fillna("").astype(str)))
        return cls(queue, results.codebook, path=path or folder / CORRECTIONS_SHEET, confidences=confidences)

    @classmethod
    def from_coded(
        cls,
        coded: pd.DataFrame,
        codebook: Codebook,
        *,
        path: str | Path,
        n: int = 30,
        rows: Sequence[int] | None = None,
    ) -> ReviewWidget:
        """Open the review queue of answers coded in the notebook (``CodebookCoder.code``): the
        ``n`` least certain, or ``rows`` (the active queue,
        :func:`~rtc_nlp.coding.learner.active_queue`)."""
        queue = review_queue(coded, codebook, n, rows=rows)
        confidences = dict(zip(coded[ID].astype(str), coded["confidences"].fillna("").astype(str)))
        return cls(queue, codebook, path=path, confidences=confidences)

    @property
    def path(self) -> Path:
        return self.session.path

    def corrections(self) -> pd.DataFrame:
        """The decisions so far as ``id``, ``text``, ``codes``, read back from the overrides file:
        ``CodebookCoder(codebook, manual=widget.corrections())`` learns from them."""
        return self.session.corrections()

    # --------------------------------------------------------------- deciding
    def _check_open(self) -> None:
        if not self.item:
            raise ValueError("la coda è finita: ← torna alle risposte già decise")

    def accept(self) -> None:
        """Confirm the proposed codes of the current answer."""
        self._check_open()
        self.session.decide(None)
        self._refresh("proposta accettata")

    def decide(self, codes: list[int]) -> None:
        """Give the current answer these codes (``[]``: no theme)."""
        self._check_open()
        self.session.decide(codes)
        self._refresh("nessun tema" if not codes else "codici scelti")

    def skip(self) -> None:
        self.session.skip()
        self._refresh("saltata")

    def back(self) -> None:
        self.session.back()
        self._refresh("")

    def _refresh(self, status: str) -> None:
        self.item = self.session.item()
        self.progress = {**self.session.progress(), "path": str(self.session.path)}
        self.status, self.error = status, ""

    def _on_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        action = content.get("action")
        if action not in _ACTIONS:
            log.warning("review widget: unknown action %r", action)
            return
        try:
            if action == "accept":
                self.accept()
            elif action == "decide":
                self.decide([int(c) for c in content.get("codes", [])])
            elif action == "skip":
                self.skip()
            elif action == "back":
                self.back()
            elif action == "goto":
                self.session.position = min(max(int(content["position"]), 0), len(self.session.queue))
                self._refresh("")
        except (ValueError, KeyError, InputError) as exc:
            self.error = str(exc).strip("'\"")

    def __repr__(self) -> str:
        if not hasattr(self, "session"):  # traitlets may ask while __init__ runs
            return super().__repr__()
        done = self.session.progress()
        return f"Revisione: {done['decided']} risposte decise su {done['total']}"

    def static_table(self) -> str:
        """The queue and the decisions so far as a static HTML table (what an HTML export shows)."""
        session = self.session
        items = [session.item(k) for k in range(len(session.queue))]
        labels = {t.id: t.label for t in session.codebook.themes}
        return review_table(items, labels, len(session.decisions), len(session.queue))

    def _ipython_display_(self) -> None:
        show_with_fallback(self, self.static_table())
