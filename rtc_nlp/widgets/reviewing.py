"""Working a review queue one answer at a time: what the review widget shows and writes.

:class:`ReviewSession` holds the queue (``review.xlsx`` of ``rtc-nlp code``, or
:func:`~rtc_nlp.coding.review.review_queue` in a notebook), the codes the coder proposed with
their confidence, and the analyst's decisions. Every decision is written at once to an overrides
file in the format ``rtc-nlp code --overrides`` reads (the review sheet's columns, with
``codici corretti`` filled in), so a closed browser loses nothing and the command line and the
widget share one file format. Opened again on the same file, the session resumes where it
stopped. It knows nothing of the browser: the widget in :mod:`rtc_nlp.widgets.review` sends it
the keys, and the tests drive it directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..coding.codebook import Codebook
from ..coding.review import read_overrides
from ..errors import InputError
from ..io.reading import read_table
from ..io.sheets import write_csv
from ..italian import english_columns, italian_table
from ..schema import ID, TEXT, UNCLASSIFIED, id_to_str

__all__ = ["QUEUE_COLUMNS", "ReviewSession"]

#: What a queue needs: the answer, and the codes proposed for it.
QUEUE_COLUMNS = [ID, TEXT, "proposed_codes"]


class ReviewSession:
    """A review queue being worked through.

    Parameters
    ----------
    queue : DataFrame
        ``id``, ``text``, ``proposed_codes`` (ids ``;``-joined) and optionally
        ``second_theme`` and ``margin``, as :func:`~rtc_nlp.coding.review.review_queue` gives
        them (Italian headers of ``review.xlsx`` are read too).
    codebook : Codebook
    path : path
        The overrides file the decisions go to (CSV). If it exists, its decisions are read back
        and the session starts at the first answer without one; its rows about answers outside
        the queue (an earlier round's) are kept as they are.
    confidences : dict, optional
        ``id`` -> the confidence of each proposed code (``;``-joined, as ``confidences`` in
        ``answers_with_codes``).
    """

    def __init__(
        self,
        queue: pd.DataFrame,
        codebook: Codebook,
        path: str | Path,
        *,
        confidences: dict[str, str] | None = None,
    ) -> None:
        queue = english_columns(queue, [ID, TEXT, "proposed_codes", "second_theme", "margin"])
        missing = [c for c in QUEUE_COLUMNS if c not in queue.columns]
        if missing:
            raise InputError(f"the review queue lacks the columns {missing}: expected {QUEUE_COLUMNS}")
        self.queue = queue.reset_index(drop=True).copy()
        self.queue[ID] = [id_to_str(v) for v in self.queue[ID]]
        self.codebook = codebook
        self.path = Path(path)
        if self.path.suffix.lower() != ".csv":
            raise InputError("the overrides file the review writes must be a .csv", path=str(self.path))
        self.confidences = confidences or {}
        self.decisions: dict[str, list[int]] = {}
        # Rows of the file about answers outside this queue (an earlier round's): kept as they are.
        self.kept = pd.DataFrame()
        if self.path.exists():
            done = read_overrides(self.path, codebook)
            queued = set(self.queue[ID])
            self.decisions = {
                i: [int(c) for c in codes.split(";") if c] for i, codes in zip(done[ID], done["codes"]) if i in queued
            }
            rows = english_columns(read_table(str(self.path), None, None, None), [ID])
            self.kept = rows[~rows[ID].map(id_to_str).isin(queued)]
        undecided = [k for k, i in enumerate(self.queue[ID]) if i not in self.decisions]
        self.position = undecided[0] if undecided else len(self.queue)

    # ------------------------------------------------------------------ reading
    def codes(self) -> list[dict[str, Any]]:
        """Every code an answer can carry (nets excluded): id, label, colour, net label."""
        book = self.codebook
        return [
            {
                "id": t.id,
                "label": t.label,
                "colour": t.colour,
                "net": book[t.parent].label if t.parent is not None else "",
            }
            for t in book.codes
        ]

    def item(self, position: int | None = None) -> dict[str, Any]:
        """The answer at ``position`` (default: the current one) with its proposed codes and
        their confidence, the second theme, and the decision taken so far (``None``: none)."""
        k = self.position if position is None else position
        if not 0 <= k < len(self.queue):
            return {}
        row = self.queue.iloc[k]
        labels = {t.id: t.label for t in self.codebook.themes}
        proposed = [int(float(c)) for c in str(row["proposed_codes"]).split(";") if c.strip() not in ("", "nan")]
        confidence = [c for c in str(self.confidences.get(row[ID], "")).split(";") if c]
        second = str(row.get("second_theme", "") or "")
        second_id = int(second.split(":")[0]) if second.split(":")[0].strip().isdigit() else None
        margin = pd.to_numeric(pd.Series([row.get("margin")]), errors="coerce").iloc[0]
        return {
            "position": k,
            "id": row[ID],
            "text": str(row[TEXT]),
            "proposed": [
                {
                    "id": c,
                    "label": labels.get(c, str(c)),
                    "confidence": float(confidence[j]) if j < len(confidence) else None,
                }
                for j, c in enumerate(proposed)
                if c in labels
            ],
            # The runner-up, unless it is among the codes proposed already.
            "second": (
                {"id": second_id, "label": labels[second_id]}
                if second_id in labels and second_id not in proposed
                else None
            ),
            "margin": None if pd.isna(margin) else float(margin),
            "decision": self.decisions.get(row[ID]),
        }

    def progress(self) -> dict[str, int]:
        return {"position": self.position, "total": len(self.queue), "decided": len(self.decisions)}

    # ----------------------------------------------------------------- deciding
    def decide(self, codes: list[int] | None) -> None:
        """Record the codes of the current answer (``[]``: no theme; ``None``: accept the
        proposal), write the overrides file and move to the next answer."""
        item = self.item()
        if not item:
            raise ValueError("the queue is finished: nothing to decide")
        if codes is None:
            codes = [p["id"] for p in item["proposed"]]
        codes = list(dict.fromkeys(int(c) for c in codes))
        valid = {t.id for t in self.codebook.codes}
        unknown = [c for c in codes if c not in valid]
        if unknown:
            raise ValueError(f"codes {unknown} are not codes of the codebook (nets are not coded to directly)")
        self.decisions[item["id"]] = codes
        self.write()
        self.position = min(self.position + 1, len(self.queue))

    def skip(self) -> None:
        """Leave the current answer without a decision and move on."""
        self.position = min(self.position + 1, len(self.queue))

    def back(self) -> None:
        self.position = max(self.position - 1, 0)

    def write(self) -> None:
        """Write every decision to :attr:`path` (atomically), one row per answer of the queue;
        answers without a decision have an empty ``codici corretti`` and are no correction."""
        labels = {t.id: t.label for t in self.codebook.themes}
        decided = [self.decisions.get(i) for i in self.queue[ID]]
        sheet = pd.DataFrame(
            {
                ID: self.queue[ID],
                TEXT: self.queue[TEXT],
                "proposed_codes": self.queue["proposed_codes"].fillna("").astype(str),
                "corrected_codes": ["" if d is None else (";".join(map(str, d)) or "0") for d in decided],
                "corrected_labels": [
                    "" if d is None else ("; ".join(labels[c] for c in d) or UNCLASSIFIED) for d in decided
                ],
            }
        )
        sheet = italian_table(sheet, digits=None, yes_no=False)
        if len(self.kept):
            sheet = pd.concat([sheet, self.kept.astype(str)], ignore_index=True).fillna("")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(sheet, self.path)

    def corrections(self) -> pd.DataFrame:
        """The decisions as ``id``, ``text``, ``codes`` (``""``: no theme), read back from the file
        as :func:`~rtc_nlp.coding.review.read_overrides` reads it: what ``CodebookCoder(manual=...)``
        learns from."""
        if not self.path.exists():
            return pd.DataFrame(columns=[ID, TEXT, "codes"])
        done = read_overrides(self.path, self.codebook)
        rows = english_columns(read_table(str(self.path), None, None, None), [ID, TEXT])
        texts = dict(zip(rows[ID].map(id_to_str), rows[TEXT].astype(str)))
        return done.assign(**{TEXT: done[ID].map(texts)})[[ID, TEXT, "codes"]]
