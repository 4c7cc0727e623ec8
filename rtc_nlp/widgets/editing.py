"""Editing a code frame with its answers in view: what the code-frame editor widget shows and does.

:class:`FrameEdits` holds a :class:`~rtc_nlp.Codebook` and the theme of every answer, and
applies the analyst's edits through the codebook's own operations (so ids and revisions are
exactly those of ``Codebook.rename``, ``merge``, ``split``, ``move``, ``delete``, ``add``),
moving the answers along: a merged theme's answers join the theme kept, a split theme's answers
go to the sub-group they fall in, a deleted theme's answers become "non classificato". Every edit
can be undone. It knows nothing of the browser: the widget in :mod:`rtc_nlp.widgets.frame` sends
it the clicks, and the tests drive it directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..coding.codebook import Codebook
from ..coding.new_themes import split_groups
from ..embedders.base import Embedder
from ..errors import InputError
from ..schema import ID, TEXT, UNCLASSIFIED_ID

__all__ = ["PAGE_SIZE", "FrameEdits"]

#: Answers sent to the browser at a time: a theme of thousands pages instead of freezing it.
PAGE_SIZE = 25


@dataclass(frozen=True)
class _State:
    codebook: Codebook
    theme_of: np.ndarray  # one theme id per answer (0 "non classificato", -1 non-answer)
    edit: str


class FrameEdits:
    """A code frame being edited, with the theme of each answer.

    Parameters
    ----------
    codebook : Codebook
    answers : DataFrame
        One row per answer with ``id``, ``text`` and ``theme_id`` (the main code, as
        ``ThemeModel.assignments_`` or ``CodebookCoder.code`` give it).
    embedder : str or Embedder, default "lexical"
        What :meth:`split` embeds a theme's answers with (the model's own, when there is one).
    random_state : int, default 0
    """

    def __init__(
        self,
        codebook: Codebook,
        answers: pd.DataFrame,
        *,
        embedder: str | Embedder = "lexical",
        random_state: int = 0,
    ) -> None:
        missing = [c for c in (ID, TEXT, "theme_id") if c not in answers.columns]
        if missing:
            raise InputError(f"the answers lack the columns {missing}: expected id, text and theme_id")
        self.answers = answers[[ID, TEXT]].reset_index(drop=True).astype({ID: str, TEXT: str})
        theme_of = pd.to_numeric(answers["theme_id"], errors="coerce").fillna(UNCLASSIFIED_ID).astype(np.int64)
        unknown = sorted(set(theme_of[theme_of > 0].tolist()) - {t.id for t in codebook.codes})
        if unknown:
            raise InputError(f"answers carry theme ids {unknown[:10]} that are not codes of the codebook")
        self.embedder = embedder
        self.random_state = random_state
        self.start = codebook
        self._state = _State(codebook, theme_of.to_numpy(), "")
        self._undo: list[_State] = []

    # ------------------------------------------------------------------ reading
    @property
    def codebook(self) -> Codebook:
        """The edited codebook."""
        return self._state.codebook

    @property
    def theme_of(self) -> np.ndarray:
        """The theme id of each answer, after the edits (a copy)."""
        return self._state.theme_of.copy()

    @property
    def history(self) -> list[str]:
        """The edits made so far, oldest first (undone ones are gone)."""
        return [s.edit for s in [*self._undo, self._state] if s.edit]

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def sizes(self) -> dict[int, int]:
        """Answers per theme id; a net counts the answers of the themes under it."""
        book, theme_of = self.codebook, self._state.theme_of
        ids, counts = np.unique(theme_of[theme_of > 0], return_counts=True)
        size = {int(i): int(c) for i, c in zip(ids, counts)}
        out = {t.id: size.get(t.id, 0) for t in book.codes}
        for net in book.net_ids:
            out[net] = sum(out[m] for m in book.members(net) if m != net)
        return out

    def tree(self) -> list[dict[str, Any]]:
        """The rows of the tree: nets and themes under no net, biggest first, each net followed by
        its themes (biggest first): id, label, parent, size, share (of every answer, non-answers
        included), colour, is_net."""
        book, sizes, total = self.codebook, self.sizes(), max(len(self.answers), 1)
        nets = set(book.net_ids)

        def row(t: Any) -> dict[str, Any]:
            return {
                "id": t.id,
                "label": t.label,
                "parent": t.parent,
                "size": sizes[t.id],
                "share": sizes[t.id] / total,
                "colour": t.colour,
                "is_net": t.id in nets,
            }

        top = sorted((t for t in book.themes if t.parent is None), key=lambda t: (-sizes[t.id], t.id))
        out = []
        for t in top:
            out.append(row(t))
            children = sorted((c for c in book.themes if c.parent == t.id), key=lambda c: (-sizes[c.id], c.id))
            out.extend(row(c) for c in children)
        return out

    def detail(self, theme_id: int) -> dict[str, Any]:
        """What the editor shows of one theme: label, description, keywords, typical answers,
        its net and size."""
        theme = self.codebook[theme_id]
        return {
            "id": theme.id,
            "label": theme.label,
            "description": theme.description,
            "keywords": list(theme.keywords),
            "examples": list(theme.examples),
            "parent": theme.parent,
            "is_net": theme.id in self.codebook.net_ids,
            "size": self.sizes()[theme.id],
        }

    def page(self, theme_id: int, page: int = 0, size: int = PAGE_SIZE) -> dict[str, Any]:
        """One page of a theme's answers (a net's: those of its themes), in input order."""
        book = self.codebook
        book[theme_id]
        members = book.members(theme_id) if theme_id in book.net_ids else [theme_id]
        rows = np.flatnonzero(np.isin(self._state.theme_of, members))
        n_pages = max(math.ceil(len(rows) / size), 1)
        page = min(max(int(page), 0), n_pages - 1)
        shown = rows[page * size : (page + 1) * size]
        ids, texts = self.answers[ID].to_numpy(), self.answers[TEXT].to_numpy()
        return {
            "id": theme_id,
            "page": page,
            "n_pages": n_pages,
            "total": int(len(rows)),
            "rows": [{"id": str(ids[r]), "text": str(texts[r])} for r in shown],
        }

    def n_distinct(self, theme_id: int) -> int:
        """How many different answers a theme holds (what a split can divide)."""
        return int(self.answers[TEXT][self._state.theme_of == theme_id].nunique())

    def nets(self) -> list[dict[str, Any]]:
        """The nets a theme can move to."""
        nets = set(self.codebook.net_ids)
        return [{"id": t.id, "label": t.label} for t in self.codebook.themes if t.id in nets]

    # ------------------------------------------------------------------ editing
    def _push(self, codebook: Codebook, theme_of: np.ndarray, edit: str) -> None:
        self._undo.append(self._state)
        self._state = _State(codebook, theme_of, edit)

    def rename(self, theme_id: int, label: str) -> None:
        label = str(label).strip()
        if not label:
            raise ValueError("a theme needs a name")
        old = self.codebook[theme_id].label
        self._push(self.codebook.rename(theme_id, label), self._state.theme_of, f"rename {theme_id}: {old} -> {label}")

    def merge(self, theme_ids: Sequence[int]) -> None:
        """Merge into the first id listed; the others' answers join it."""
        ids = list(dict.fromkeys(int(i) for i in theme_ids))
        nets = set(self.codebook.net_ids)
        if 0 < len(nets & set(ids)) < len(ids):
            raise ValueError("nets merge with nets and themes with themes, not one with the other")
        book = self.codebook.merge(ids)
        theme_of = self._state.theme_of.copy()
        theme_of[np.isin(theme_of, ids[1:])] = ids[0]
        self._push(book, theme_of, f"merge {ids} into {ids[0]}")

    def move(self, theme_id: int, net_id: int | None) -> None:
        self._push(self.codebook.move(theme_id, net_id), self._state.theme_of, f"move {theme_id} to {net_id}")

    def delete(self, theme_id: int) -> None:
        """Remove a theme; its answers become "non classificato" (a net's themes stay)."""
        theme_of = self._state.theme_of.copy()
        theme_of[theme_of == theme_id] = UNCLASSIFIED_ID
        self._push(self.codebook.delete(theme_id), theme_of, f"delete {theme_id}")

    def add(self, label: str, description: str = "", *, parent: int | None = None) -> int:
        """Add a theme with no answers yet; returns its id."""
        label, description = str(label).strip(), str(description).strip()
        if not label or not description:
            raise ValueError("a new theme needs a name and a description (what belongs to it)")
        book = self.codebook.add(label, description=description, parent=parent)
        self._push(book, self._state.theme_of, f"add {book.themes[-1].id}: {label}")
        return book.themes[-1].id

    def split(self, theme_id: int, n_parts: int = 2) -> list[int]:
        """Split a theme into the sub-groups its answers form; returns the new ids."""
        book = self.codebook
        if theme_id in book.net_ids:
            raise ValueError("a net is split by moving its themes: split one of its themes instead")
        if self.n_distinct(theme_id) < 2 * n_parts:
            raise ValueError(
                f"the theme has {self.n_distinct(theme_id)} different answers: too few to split in {n_parts}"
            )
        rows = np.flatnonzero(self._state.theme_of == theme_id)
        texts = list(dict.fromkeys(self.answers[TEXT].to_numpy()[rows].tolist()))
        groups, parts = split_groups(texts, int(n_parts), embedder=self.embedder, random_state=self.random_state)
        new_book = book.split(theme_id, groups)
        new_ids = [t.id for t in new_book.themes if t.id not in set(book.ids)]
        part_of = dict(zip(texts, parts.tolist()))
        theme_of = self._state.theme_of.copy()
        theme_of[rows] = [new_ids[part_of[t]] for t in self.answers[TEXT].to_numpy()[rows]]
        self._push(new_book, theme_of, f"split {theme_id} into {new_ids}")
        return new_ids

    def undo(self) -> None:
        if not self._undo:
            raise ValueError("nothing to undo")
        self._state = self._undo.pop()

    def diff(self) -> pd.DataFrame:
        """What changed from the start (see :meth:`Codebook.diff`)."""
        return self.start.diff(self.codebook)
