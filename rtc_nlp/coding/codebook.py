"""The codebook: the themes an analyst keeps, edits and reuses on the next survey wave.

A :class:`Codebook` is a list of :class:`Theme` (stable integer id, label, description,
keywords, example answers, optional parent, colour) with a revision number. It is stored as
one JSON file a person can edit in a text editor and is validated on load. Built from a
fitted :class:`~rtc_nlp.ThemeModel` or written by hand; every edit (rename, merge, split,
delete, add) returns a new codebook, keeps the ids of untouched themes and bumps the
revision, and :meth:`Codebook.diff` says what changed between two revisions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ModelFileError
from ..estimator import check_fitted
from ..palette import theme_colour
from ..persist import read_json, write_json

__all__ = ["Codebook", "Theme"]

FORMAT = "rtc_nlp.codebook"
FORMAT_VERSION = 1
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Theme:
    """One theme of a codebook.

    Parameters
    ----------
    id : int
        Stable id (positive); never reused for another theme.
    label : str
        Short name, in the analysts' language.
    description : str
        What belongs to the theme, in a sentence or two.
    keywords : tuple of str
    examples : tuple of str
        Answers that belong to the theme (the coder learns from them).
    parent : int or None
        Id of the parent theme (two levels at most). A theme that is another's parent is a
        *net*: answers are coded to the themes under it and counted in it, never coded to it
        directly.
    colour : str
        ``#rrggbb``.
    """

    id: int
    label: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    parent: int | None = None
    colour: str = ""

    def texts(self) -> list[str]:
        """What the theme can be recognised by: its description, keywords and examples."""
        out = [self.description] if self.description.strip() else []
        if self.keywords:
            out.append(", ".join(self.keywords))
        return out + [e for e in self.examples if e.strip()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "description": self.description,
            "keywords": list(self.keywords),
            "examples": list(self.examples),
            "parent": self.parent,
            "colour": self.colour,
        }


@dataclass(frozen=True)
class Codebook:
    """A versioned list of themes.

    Parameters
    ----------
    themes : tuple of Theme
    revision : int
        Bumped by every edit.
    name : str
    source : dict
        Where it came from (model, embedder, file), kept for the record.
    """

    themes: tuple[Theme, ...]
    revision: int = 1
    name: str = ""
    source: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = _problems([t.to_dict() for t in self.themes])
        if problems:
            raise ValueError("invalid codebook: " + "; ".join(problems))

    # ------------------------------------------------------------------ access
    @property
    def ids(self) -> list[int]:
        return [t.id for t in self.themes]

    @property
    def net_ids(self) -> list[int]:
        """Ids of the nets: the themes that are another theme's parent."""
        parents = {t.parent for t in self.themes if t.parent is not None}
        return [t.id for t in self.themes if t.id in parents]

    @property
    def codes(self) -> list[Theme]:
        """The themes answers are coded to: every theme that is not a net."""
        nets = set(self.net_ids)
        return [t for t in self.themes if t.id not in nets]

    def members(self, net_id: int) -> list[int]:
        """The codes an answer can carry to count in net ``net_id`` (a code under no net is
        its own net)."""
        return [t.id for t in self.codes if self.net_of(t.id) == net_id]

    def net_of(self, theme_id: int) -> int:
        """The net a code counts in: its parent, or itself when it has none."""
        parent = self[theme_id].parent
        return theme_id if parent is None else parent

    def __len__(self) -> int:
        return len(self.themes)

    def __getitem__(self, theme_id: int) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(f"no theme with id {theme_id} in the codebook (ids: {self.ids})")

    def resolve(self, cell: Any, *, labels: bool = True) -> tuple[list[int], list[str]]:
        """Theme ids written in a cell by a person: ids (``3``, ``3.0``) or, with ``labels``,
        theme labels in any case, separated by ``;``.

        Returns
        -------
        ids, unknown
            The ids found, in order, and the parts that name no theme of the codebook.
        """
        text = "" if cell is None or (isinstance(cell, float) and cell != cell) else str(cell).strip()
        by_label = {t.label.casefold(): t.id for t in self.themes} if labels else {}
        valid = set(self.ids)
        ids, unknown = [], []
        for part in (p.strip() for p in text.split(";") if p.strip()):
            number = int(float(part)) if re.fullmatch(r"\d+(\.0)?", part) else by_label.get(part.casefold())
            if number is None or number not in valid:
                unknown.append(part)
            else:
                ids.append(number)
        return ids, unknown

    def to_frame(self) -> pd.DataFrame:
        """One row per theme; keywords and examples joined with ``"; "``."""
        rows = [
            {**t.to_dict(), "keywords": "; ".join(t.keywords), "examples": "; ".join(t.examples)} for t in self.themes
        ]
        return pd.DataFrame(rows, columns=["id", "label", "description", "keywords", "examples", "parent", "colour"])

    # ---------------------------------------------------------------- building
    @classmethod
    def from_model(cls, model: Any, *, name: str = "", n_examples: int | None = None) -> Codebook:
        """A codebook from a fitted ThemeModel: its themes' labels, keywords and typical answers.

        Descriptions are left empty for the analyst to write; the keywords and examples are
        enough to code with. A model with nets gives them as parent themes, numbered after the
        themes (net ``j`` has id ``k + j`` with ``k`` themes), so theme ids stay the model's; a
        net of a single theme is left out (its theme stays under no net).
        """
        check_fitted(model, "themes_")
        # Nets follow the themes: net j gets id k + j, so theme ids stay the model's.
        k = len(model.themes_)
        nets = getattr(model, "nets_", None)
        # A net of one theme adds nothing to the code frame: that theme stays under no net.
        grouping = (
            set()
            if nets is None or "net_id" not in model.themes_.columns
            else {int(r.net_id) for r in nets.itertuples() if len(r.theme_ids) > 1}
        )
        themes = []
        for row in model.themes_.itertuples():
            examples = list(row.typical_answers)[: n_examples or None]
            themes.append(
                Theme(
                    id=int(row.theme_id),
                    label=str(row.label),
                    keywords=tuple(row.keywords),
                    examples=tuple(examples),
                    parent=k + int(row.net_id) if getattr(row, "net_id", None) in grouping else None,
                    colour=theme_colour(int(row.theme_id)),
                )
            )
        for row in nets.itertuples() if grouping else ():
            if int(row.net_id) in grouping:
                themes.append(
                    Theme(
                        id=k + int(row.net_id),
                        label=str(row.label),
                        keywords=tuple(row.keywords),
                        examples=tuple(list(row.typical_answers)[: n_examples or None]),
                        colour=theme_colour(k + int(row.net_id)),
                    )
                )
        source = {
            "from": "ThemeModel",
            "embedder": model.summary_.get("embedder", ""),
            "n_answers": model.summary_.get("n_answers"),
        }
        return cls(tuple(themes), 1, name, source)

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]], *, name: str = "") -> Codebook:
        """A hand-written codebook from dicts with ``label`` and any of ``id``, ``description``,
        ``keywords``, ``examples``, ``parent``, ``colour`` (ids numbered 1.. when missing)."""
        records = list(records)
        next_id = max([int(r["id"]) for r in records if r.get("id") is not None], default=0) + 1
        themes = []
        for r in records:
            theme_id = r.get("id")
            if theme_id is None:
                theme_id, next_id = next_id, next_id + 1
            themes.append(_theme_from_dict({**r, "id": theme_id}))
        return cls(tuple(themes), 1, name, {"from": "records"})

    # ----------------------------------------------------------------- editing
    def _edited(self, themes: Sequence[Theme]) -> Codebook:
        return Codebook(tuple(themes), self.revision + 1, self.name, self.source)

    def _next_id(self) -> int:
        # Ids are never reused, not even those of deleted themes still on record.
        return max([*self.ids, int(self.source.get("max_id", 0))], default=0) + 1

    def rename(self, theme_id: int, label: str, *, description: str | None = None) -> Codebook:
        """Give theme ``theme_id`` a new label (and optionally a new description)."""
        old = self[theme_id]
        new = replace(old, label=label, description=old.description if description is None else description)
        return self._edited([new if t.id == theme_id else t for t in self.themes])

    def move(self, theme_id: int, net_id: int | None) -> Codebook:
        """Put theme ``theme_id`` under net ``net_id`` (``None``: under no net); ids are kept."""
        if net_id is not None:
            self[net_id]  # noqa: B018 - raises KeyError naming the ids
            if self[net_id].parent is not None:
                raise ValueError(f"theme {net_id} is under a net itself: a net cannot be nested")
        if theme_id in self.net_ids:
            raise ValueError(f"theme {theme_id} is a net: move the themes under it instead")
        return self._edited([replace(t, parent=net_id) if t.id == theme_id else t for t in self.themes])

    def merge(self, theme_ids: Sequence[int], *, label: str | None = None) -> Codebook:
        """Merge themes into the first one listed, which keeps its id; the others' keywords
        and examples join it, and their children move under it."""
        theme_ids = list(dict.fromkeys(int(i) for i in theme_ids))
        if len(theme_ids) < 2:
            raise ValueError("merge needs at least two theme ids")
        parts = [self[i] for i in theme_ids]
        keep = parts[0]
        merged = replace(
            keep,
            label=label or keep.label,
            description=" ".join(p.description for p in parts if p.description).strip(),
            keywords=tuple(dict.fromkeys(k for p in parts for k in p.keywords)),
            examples=tuple(dict.fromkeys(e for p in parts for e in p.examples)),
        )
        gone = set(theme_ids[1:])
        themes = []
        for t in self.themes:
            if t.id == keep.id:
                themes.append(merged)
            elif t.id not in gone:
                themes.append(replace(t, parent=keep.id) if t.parent in gone else t)
        return self._remember_ids()._edited(themes)

    def split(self, theme_id: int, groups: Sequence[dict[str, Any]]) -> Codebook:
        """Replace theme ``theme_id`` by new themes, each a dict like :meth:`add` takes.

        The new themes get new ids. To split by re-clustering the theme's answers, use
        :func:`rtc_nlp.coding.new_themes.split_theme`, which builds ``groups`` for you.
        """
        if len(groups) < 2:
            raise ValueError("split needs at least two groups")
        old = self[theme_id]
        book = self._remember_ids()
        next_id = book._next_id()
        new = []
        for offset, group in enumerate(groups):
            new.append(
                _theme_from_dict(
                    {
                        "parent": old.parent,
                        **group,
                        "id": next_id + offset,
                        "colour": group.get("colour") or theme_colour(next_id + offset),
                    }
                )
            )
        themes = []
        for t in self.themes:
            if t.id == theme_id:
                themes.extend(new)
            else:
                themes.append(replace(t, parent=None) if t.parent == theme_id else t)
        return book._edited(themes)

    def delete(self, theme_id: int) -> Codebook:
        """Remove a theme (its id is not reused); its children lose their parent."""
        self[theme_id]
        themes = [replace(t, parent=None) if t.parent == theme_id else t for t in self.themes if t.id != theme_id]
        return self._remember_ids()._edited(themes)

    def add(
        self,
        label: str,
        *,
        description: str = "",
        keywords: Sequence[str] = (),
        examples: Sequence[str] = (),
        parent: int | None = None,
        colour: str = "",
    ) -> Codebook:
        """Add a theme with a new id."""
        theme_id = self._next_id()
        theme = _theme_from_dict(
            {
                "id": theme_id,
                "label": label,
                "description": description,
                "keywords": keywords,
                "examples": examples,
                "parent": parent,
                "colour": colour or theme_colour(theme_id),
            }
        )
        return self._remember_ids()._edited([*self.themes, theme])

    def _remember_ids(self) -> Codebook:
        source = {**self.source, "max_id": max([*self.ids, int(self.source.get("max_id", 0))], default=0)}
        return Codebook(self.themes, self.revision, self.name, source)

    def diff(self, other: Codebook) -> pd.DataFrame:
        """What changed from this codebook to ``other``: one row per theme added, removed or
        changed (with the fields that changed)."""
        rows = []
        mine, theirs = {t.id: t for t in self.themes}, {t.id: t for t in other.themes}
        for theme_id in sorted(set(mine) | set(theirs)):
            a, b = mine.get(theme_id), theirs.get(theme_id)
            if a is None:
                rows.append({"id": theme_id, "change": "added", "fields": "", "before": "", "after": b.label})
            elif b is None:
                rows.append({"id": theme_id, "change": "removed", "fields": "", "before": a.label, "after": ""})
            else:
                fields = [
                    f
                    for f in ("label", "description", "keywords", "examples", "parent", "colour")
                    if getattr(a, f) != getattr(b, f)
                ]
                if fields:
                    rows.append(
                        {
                            "id": theme_id,
                            "change": "changed",
                            "fields": ", ".join(fields),
                            "before": a.label,
                            "after": b.label,
                        }
                    )
        return pd.DataFrame(rows, columns=["id", "change", "fields", "before", "after"])

    # --------------------------------------------------------------------- files
    def save(self, path: str | Path) -> None:
        """Write the codebook as indented UTF-8 JSON (atomically)."""
        write_json(
            path,
            {
                "name": self.name,
                "revision": self.revision,
                "source": self.source,
                "themes": [t.to_dict() for t in self.themes],
            },
            kind=FORMAT,
            version=FORMAT_VERSION,
        )

    @classmethod
    def load(cls, path: str | Path) -> Codebook:
        """Read and validate a codebook JSON; every problem is named in one error.

        Raises
        ------
        ModelFileError
            Not JSON, another format, a newer format version, duplicate ids, a theme without a
            label, a parent that does not exist, or a theme with nothing to code from.
        """
        path = Path(path)
        document = read_json(path, kind=FORMAT, max_version=FORMAT_VERSION)
        records = document.get("themes")
        if not isinstance(records, list) or not records:
            raise ModelFileError(f'{path}: "themes" must be a non-empty list')
        problems = _problems(records)
        if problems:
            raise ModelFileError(f"{path}: " + "; ".join(problems))
        themes = tuple(_theme_from_dict(r) for r in records)
        revision = document.get("revision", 1)
        return cls(
            themes,
            int(revision) if isinstance(revision, int) else 1,
            str(document.get("name", "")),
            dict(document.get("source") or {}),
        )


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(";") if v.strip())
    return tuple(str(v).strip() for v in value if str(v).strip())


def _theme_from_dict(record: dict[str, Any]) -> Theme:
    parent = record.get("parent")
    return Theme(
        id=int(record["id"]),
        label=str(record.get("label", "")).strip(),
        description=str(record.get("description") or "").strip(),
        keywords=_strings(record.get("keywords")),
        examples=_strings(record.get("examples")),
        parent=None if parent in (None, "") else int(parent),
        colour=str(record.get("colour") or theme_colour(int(record["id"]))),
    )


def _problems(records: list[Any]) -> list[str]:
    """Everything wrong with a list of theme records, each named by its position and id."""
    problems: list[str] = []
    seen: dict[int, int] = {}
    ids = set()
    for position, r in enumerate(records, start=1):
        where = f"theme {position}"
        if not isinstance(r, dict):
            problems.append(f"{where} is not an object")
            continue
        theme_id = r.get("id")
        if isinstance(theme_id, bool) or not isinstance(theme_id, int) or theme_id < 1:
            problems.append(f"{where} has id {theme_id!r}: ids must be whole numbers from 1")
            continue
        where = f"theme {position} (id {theme_id})"
        if theme_id in seen:
            problems.append(f"{where} repeats the id of theme {seen[theme_id]}")
        seen.setdefault(theme_id, position)
        ids.add(theme_id)
        if not str(r.get("label") or "").strip():
            problems.append(f"{where} has no label")
        is_net = any(isinstance(x, dict) and x.get("parent") == theme_id for x in records)
        if not is_net and not (
            str(r.get("description") or "").strip() or _strings(r.get("keywords")) or _strings(r.get("examples"))
        ):
            problems.append(f"{where} has no description, keywords or examples: it cannot be coded")
        colour = r.get("colour")
        if colour not in (None, "") and not _COLOUR.match(str(colour)):
            problems.append(f"{where} has colour {colour!r}: expected #rrggbb")
    for position, r in enumerate(records, start=1):
        if isinstance(r, dict) and r.get("parent") not in (None, ""):
            parent = r.get("parent")
            if parent not in ids or parent == r.get("id"):
                problems.append(
                    f"theme {position} (id {r.get('id')}) has parent {parent!r}, which is not another theme"
                )
            else:
                grand = next((x.get("parent") for x in records if isinstance(x, dict) and x.get("id") == parent), None)
                if grand not in (None, ""):
                    problems.append(f"theme {position} (id {r.get('id')}) is nested three levels deep: two at most")
    return problems
