"""The code-frame editor: nets and themes as a tree, edited by pointing and typing in JupyterLab.

:class:`CodeFrameEditor` shows the nets and their themes with size and share; a theme opens with
its label, keywords, typical answers and every answer, a page at a time. Rename, merge (several
ticked), split, move to another net, delete, add and undo go through :class:`FrameEdits`, hence
through the :class:`~rtc_nlp.Codebook` operations. *Salva* writes ``codebook.json`` (the file
``rtc-nlp code --codebook`` reads) and the answers' themes after the edits, and shows what changed
since the start. Where widgets cannot run (an HTML export), a static table of the frame appears.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anywidget
import pandas as pd
import traitlets

from ..coding.codebook import Codebook
from ..embedders.base import Embedder
from ..errors import InputError
from ..io.sheets import safe_cell, write_csv
from ..results.folder import CODEBOOK, EDITED_ANSWERS, EDITED_CODEBOOK, open_results
from ..schema import ID, UNCLASSIFIED
from .editing import FrameEdits
from .fallback import STATIC, frame_table, keep_previous, show_with_fallback, view_module

__all__ = ["CodeFrameEditor"]

log = logging.getLogger(__name__)
_ACTIONS = {"select", "page", "rename", "merge", "split", "move", "delete", "add", "undo", "save"}


class CodeFrameEditor(anywidget.AnyWidget):
    """Edit a code frame with its answers in view.

    Parameters
    ----------
    codebook : Codebook
    answers : DataFrame
        ``id``, ``text``, ``theme_id`` of every answer (``ThemeModel.assignments_``).
    path : path
        Where *Salva* writes the codebook (``codebook.json``); the answers' themes go beside it
        (``answers_with_edited_themes.csv``). A file there that this editor did not write is
        kept as ``codebook.rev<N>.json`` first: nothing is overwritten.
    embedder : str or Embedder, default "auto"
        What *Dividi* embeds a theme's answers with.
    random_state : int, default 0

    Attributes
    ----------
    codebook : Codebook
        The edited codebook.
    edits : FrameEdits
        The edits, with the theme of each answer (:attr:`FrameEdits.theme_of`).

    Examples
    --------
    >>> CodeFrameEditor.from_folder("risultati/temi")  # doctest: +SKIP
    """

    _esm = view_module("frame.js")
    _css = STATIC / "widgets.css"

    tree = traitlets.List().tag(sync=True)
    nets = traitlets.List().tag(sync=True)
    detail = traitlets.Dict().tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    changes = traitlets.List().tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)
    n_answers = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        codebook: Codebook,
        answers: pd.DataFrame,
        *,
        path: str | Path,
        embedder: str | Embedder = "auto",
        random_state: int = 0,
    ) -> None:
        super().__init__()
        self.edits = FrameEdits(codebook, answers, embedder=embedder, random_state=random_state)
        self.path = Path(path)
        self._written: set[Path] = set()
        self.n_answers = len(self.edits.answers)
        self.on_msg(self._on_message)
        first = self.edits.tree()
        self._refresh(first[0]["id"] if first else None)

    # ----------------------------------------------------------------- opening
    @classmethod
    def from_folder(cls, folder: str | Path, *, path: str | Path | None = None, **kwargs: Any) -> CodeFrameEditor:
        """Open the results of ``rtc-nlp themes`` (or ``code``).

        *Salva* writes ``codebook.json`` into a themes folder; into a coded folder, whose
        ``codebook.json`` is the one its answers were coded with, ``codebook_edited.json``.
        An earlier save there (the codebook and the answers' themes beside it) is where editing
        resumes.
        """
        folder = Path(folder)
        results = open_results(folder)
        target = (
            Path(path) if path is not None else folder / (CODEBOOK if results.model is not None else EDITED_CODEBOOK)
        )
        edited = target.with_name(EDITED_ANSWERS)
        book, answers = results.codebook, results.answers
        if target.exists() and edited.exists():
            book = Codebook.load(target)
            themes = pd.read_csv(edited, dtype={ID: str}, keep_default_na=False)
            # The CSV is spreadsheet-safe: an id like "=1" was written "'=1".
            key = answers[ID].astype(str).map(safe_cell)
            if set(themes[ID]) != set(key):
                raise InputError(f"its answers are not those of {folder}: delete it to start again", path=str(edited))
            answers = answers.assign(theme_id=key.map(dict(zip(themes[ID], themes["theme_id"]))).to_numpy())
        if results.model is not None:
            kwargs.setdefault("embedder", results.model.embedder_)
        return cls(book, answers, path=target, **kwargs)

    @classmethod
    def from_model(cls, model: Any, *, path: str | Path, **kwargs: Any) -> CodeFrameEditor:
        """Open a fitted :class:`~rtc_nlp.ThemeModel`: its themes and nets, its answers."""
        kwargs.setdefault("embedder", model.embedder_)
        return cls(Codebook.from_model(model), model.assignments_, path=path, **kwargs)

    @property
    def codebook(self) -> Codebook:
        """The edited codebook."""
        return self.edits.codebook

    # ----------------------------------------------------------------- editing
    def select(self, theme_id: int) -> None:
        """Open a theme: its label, keywords, typical answers and the first page of answers."""
        self._refresh(int(theme_id))

    def show_page(self, page: int) -> None:
        self.answers = self.edits.page(self.detail["id"], page)

    # The checks below say in Italian, in the widget, what the codebook would refuse in English.
    def rename(self, theme_id: int, label: str) -> None:
        if not str(label).strip():
            raise ValueError("scrivi il nuovo nome del tema")
        self.edits.rename(int(theme_id), label)
        self._refresh(int(theme_id), f"«{label.strip()}»: nome cambiato")

    def merge(self, theme_ids: list[int]) -> None:
        """Merge the themes into the first one listed."""
        if len(set(theme_ids)) < 2:
            raise ValueError("spunta almeno due temi da unire")
        nets = set(self.codebook.net_ids)
        if 0 < len(nets & set(theme_ids)) < len(set(theme_ids)):
            raise ValueError("si uniscono net con net e temi con temi: togli la spunta alle une o agli altri")
        self.edits.merge(theme_ids)
        self._refresh(
            int(theme_ids[0]), f"{len(set(theme_ids))} temi uniti in «{self.codebook[int(theme_ids[0])].label}»"
        )

    def split(self, theme_id: int, n_parts: int = 2) -> None:
        if int(theme_id) in self.codebook.net_ids:
            raise ValueError("una net non si divide: dividi uno dei suoi temi, o sposta i temi in un'altra net")
        distinct = self.edits.n_distinct(int(theme_id))
        if int(n_parts) < 2 or distinct < 2 * int(n_parts):
            raise ValueError(f"il tema ha {distinct} risposte diverse: troppo poche per dividerlo in {n_parts} parti")
        new = self.edits.split(int(theme_id), int(n_parts))
        self._refresh(new[0], f"tema diviso in {len(new)}: " + ", ".join(f"«{self.codebook[i].label}»" for i in new))

    def move(self, theme_id: int, net_id: int | None) -> None:
        if int(theme_id) in self.codebook.net_ids:
            raise ValueError("una net non si sposta: sposta i temi che raccoglie")
        self.edits.move(int(theme_id), None if net_id in (None, 0) else int(net_id))
        where = "fuori dalle net" if net_id in (None, 0) else f"nella net «{self.codebook[int(net_id)].label}»"
        self._refresh(int(theme_id), f"«{self.codebook[int(theme_id)].label}» spostato {where}")

    def delete(self, theme_id: int) -> None:
        label = self.codebook[int(theme_id)].label
        self.edits.delete(int(theme_id))
        self._refresh(None, f"«{label}» eliminato: le sue risposte sono ora «{UNCLASSIFIED}»")

    def add(self, label: str, description: str, *, parent: int | None = None) -> int:
        if not str(label).strip() or not str(description).strip():
            raise ValueError("un tema nuovo ha bisogno di un nome e di una descrizione")
        theme_id = self.edits.add(label, description, parent=parent)
        self._refresh(theme_id, f"«{label.strip()}» aggiunto (id {theme_id})")
        return theme_id

    def undo(self) -> None:
        if not self.edits.can_undo:
            raise ValueError("non c'è nulla da annullare")
        self.edits.undo()
        keep = self.detail.get("id")
        self._refresh(keep if keep in self.codebook.ids else None, "ultima modifica annullata")

    def save(self) -> Path:
        """Write the codebook and the answers' themes; returns the codebook's path."""
        for target in (self.path, self.path.with_name(EDITED_ANSWERS)):
            if target.exists() and target not in self._written:
                kept = keep_previous(target, self.edits.start.revision)
                log.info("kept the earlier %s as %s", target.name, kept.name)
            self._written.add(target)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.codebook.save(self.path)
        labels = {t.id: t.label for t in self.codebook.themes}
        theme_of = self.edits.theme_of
        themes = pd.DataFrame(
            {
                ID: self.edits.answers[ID],
                "theme_id": theme_of,
                "theme_label": [labels.get(int(t), UNCLASSIFIED) for t in theme_of],
            }
        )
        write_csv(themes, self.path.with_name(EDITED_ANSWERS))
        self.changes = _records(self.edits.diff())
        self.status = f"salvato in {self.path} (revisione {self.codebook.revision})"
        self.error = ""
        return self.path

    # --------------------------------------------------------------- plumbing
    def _refresh(self, theme_id: int | None, status: str | None = None) -> None:
        self.tree = self.edits.tree()
        self.nets = self.edits.nets()
        if theme_id is None or theme_id not in self.codebook.ids:
            theme_id = self.tree[0]["id"] if self.tree else None
        if theme_id is not None:
            self.detail = self.edits.detail(theme_id)
            self.answers = self.edits.page(theme_id, 0)
        self.can_undo = self.edits.can_undo
        if status is not None:
            self.status, self.error = status, ""

    def _on_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        action = content.get("action")
        if action not in _ACTIONS:
            log.warning("code-frame editor: unknown action %r", action)
            return
        try:
            if action == "select":
                self.select(content["id"])
            elif action == "page":
                self.show_page(int(content["page"]))
            elif action == "rename":
                self.rename(content["id"], str(content.get("label", "")))
            elif action == "merge":
                self.merge([int(i) for i in content.get("ids", [])])
            elif action == "split":
                self.split(content["id"], int(content.get("parts", 2)))
            elif action == "move":
                self.move(content["id"], content.get("net"))
            elif action == "delete":
                self.delete(content["id"])
            elif action == "add":
                self.add(str(content.get("label", "")), str(content.get("description", "")))
            elif action == "undo":
                self.undo()
            elif action == "save":
                self.save()
        except (ValueError, KeyError, InputError) as exc:
            # The analyst reads it in the widget; the kernel keeps running.
            self.error = str(exc).strip("'\"")

    def __repr__(self) -> str:
        if not hasattr(self, "edits"):  # traitlets may ask while __init__ runs
            return super().__repr__()
        return f"Editor del codebook: {len(self.codebook.codes)} temi, {self.n_answers} risposte"

    def static_table(self) -> str:
        """The code frame as a static HTML table (what an HTML export shows)."""
        return frame_table(self.edits.tree(), self.codebook)

    def _ipython_display_(self) -> None:
        show_with_fallback(self, self.static_table())


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v if isinstance(v, str) else int(v)) for k, v in row.items()} for row in frame.to_dict("records")]
