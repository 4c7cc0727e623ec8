"""Validation of themes against manual coding: agreement figures with intervals and a test.

Manual codes are read by :mod:`rtc_nlp.coding.manual_codes`; :func:`compare_with_manual` matches themes
to manual codes and reports partition and coder agreement with intervals from resampling respondents and a permutation
test against chance, as a :class:`~rtc_nlp.validation_report.ValidationReport`
(:mod:`rtc_nlp.validation.report_groupings` runs it on the report's own groupings).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from tqdm.auto import tqdm

from ..coding.manual_codes import PROBLEM_COLUMNS, ManualCodes, problem, read_manual_codes, read_predictions
from ..errors import InputError
from ..schema import NON_ANSWER, NON_ANSWER_ID, UNCLASSIFIED, UNCLASSIFIED_ID
from .agreement import hungarian_matching, kappa_from_matrix, table_scores
from .summary import ValidationReport

logger = logging.getLogger(__name__)

__all__ = ["ValidationReport", "compare_with_manual"]

#: Figures given a permutation p-value (cheap enough to recompute a thousand times).
TESTED = ("accuracy", "cohen_kappa", "krippendorff_alpha", "ari")


def _theme_name(theme_id: int, label: str) -> str:
    if theme_id == NON_ANSWER_ID:
        return NON_ANSWER
    if theme_id == UNCLASSIFIED_ID:
        return UNCLASSIFIED
    return f"{theme_id}: {label}" if label else str(theme_id)


@dataclass
class _Coded:
    """The compared answers as integers: theme index, main-code index, and all codes (0/1)."""

    theme: np.ndarray  # (n,) index into theme names
    code: np.ndarray  # (n,) index into main-code names
    member: np.ndarray  # (n, n_all_codes) bool: answer carries that code (any position)
    n_themes: int
    n_codes: int
    main_to_all: np.ndarray  # main-code index -> column of ``member``

    def take(self, idx: np.ndarray) -> _Coded:
        return _Coded(self.theme[idx], self.code[idx], self.member[idx], self.n_themes, self.n_codes, self.main_to_all)

    def table(self, theme: np.ndarray | None = None) -> np.ndarray:
        theme = self.theme if theme is None else theme
        flat = np.bincount(theme * self.n_codes + self.code, minlength=self.n_themes * self.n_codes)
        return flat.reshape(self.n_themes, self.n_codes)

    def code_counts(self, theme: np.ndarray | None = None) -> np.ndarray:
        """Answers per (theme, code), counting every code an answer carries."""
        theme = self.theme if theme is None else theme
        onehot = sp.csr_matrix(
            (np.ones(len(theme), dtype=np.int64), (theme, np.arange(len(theme)))), shape=(self.n_themes, len(theme))
        )
        return np.asarray(onehot @ self.member.astype(np.int64))


def _binary(
    counts: np.ndarray, sizes: np.ndarray, support: np.ndarray, n: int, pairs: list[tuple[int, int]]
) -> dict[tuple[int, str], float]:
    """Per (theme, code) pair: binary kappa, precision, recall, F1 from counts."""
    out: dict[tuple[int, str], float] = {}
    for theme, column in pairs:
        tp = int(counts[theme, column])
        fp, fn = int(sizes[theme]) - tp, int(support[column]) - tp
        tn = n - tp - fp - fn
        out[column, "precision"] = tp / (tp + fp) if tp + fp else 0.0
        out[column, "recall"] = tp / (tp + fn) if tp + fn else 0.0
        out[column, "f1"] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        out[column, "kappa"] = kappa_from_matrix(np.array([[tp, fn], [fp, tn]], dtype=float))
        out[column, "tp"], out[column, "fp"], out[column, "fn"] = tp, fp, fn
    return out


def _multi_label(data: _Coded, table: np.ndarray) -> dict[str, float]:
    """Micro and macro F1 over the manual codes matched (Hungarian) to a theme."""
    rows, cols = hungarian_matching(table)
    pairs = [(r, int(data.main_to_all[c])) for r, c in zip(rows, cols) if table[r, c] > 0]
    binary = _binary(
        data.code_counts(),
        np.bincount(data.theme, minlength=data.n_themes),
        data.member.sum(axis=0),
        len(data.theme),
        pairs,
    )
    tp = sum(binary[c, "tp"] for _, c in pairs)
    wrong = sum(binary[c, "fp"] + binary[c, "fn"] for _, c in pairs)
    unmatched = data.member.sum(axis=0).sum() - sum(data.member[:, c].sum() for _, c in pairs)
    f1s = [binary[c, "f1"] for _, c in pairs] + [0.0] * int(data.member.shape[1] - len(pairs))
    denominator = 2 * tp + wrong + unmatched
    return {
        "micro_f1": 2 * tp / denominator if denominator else 0.0,
        "macro_f1": float(np.mean(f1s)) if f1s else float("nan"),
    }


def _figures(data: _Coded) -> dict[str, float]:
    if len(data.theme) == 0:
        return {}
    table = data.table()
    return {**table_scores(table), **_multi_label(data, table)}


def compare_with_manual(
    pred: str | Path | pd.DataFrame,
    manual: str | Path | pd.DataFrame | ManualCodes,
    id_column: str = "id",
    *,
    pred_id_column: str = "id",
    code_column: str | None = None,
    sheet: str | int | None = None,
    known_codes: Sequence[str] | None = None,
    n_boot: int = 1000,
    n_perm: int = 999,
    random_state: int = 0,
    progress: bool | None = None,
) -> ValidationReport:
    """Compare themes with manual coding.

    Parameters
    ----------
    pred : DataFrame or path
        ``ThemeModel.assignments_`` or the ``answers_with_themes.csv`` the CLI writes: an id
        column, ``theme_id`` (``-1`` non-answer, ``0`` "non classificato") and optionally
        ``theme_label``.
    manual : DataFrame, path or ManualCodes
        Manual codes, long or wide form (see :func:`read_manual_codes`).
    id_column : str, default "id"
        Id column of the manual file.
    pred_id_column : str, default "id"
        Id column of the predictions.
    code_column, sheet, known_codes
        Passed to :func:`read_manual_codes`.
    n_boot : int, default 1000
        Resamples of respondents for the 95% intervals (0 = none). Each is half of the
        respondents drawn without replacement: a classic bootstrap's repeated respondents
        agree with themselves and push every figure up.
    n_perm : int, default 999
        Label shuffles for the permutation test (0 = none).
    random_state : int, default 0
    progress : bool or None
        Progress bar; ``None`` shows it on large inputs only.

    Returns
    -------
    ValidationReport

    Raises
    ------
    InputError
        No id in common, fewer than two answers in common, or a single manual code.
    """
    if not (isinstance(n_boot, int) and n_boot >= 0 and isinstance(n_perm, int) and n_perm >= 0):
        raise ValueError(f"n_boot and n_perm must be whole numbers >= 0, got {n_boot!r} and {n_perm!r}")
    codes = (
        manual
        if isinstance(manual, ManualCodes)
        else read_manual_codes(manual, id_column, code_column=code_column, sheet=sheet, known_codes=known_codes)
    )
    predictions, pred_where = read_predictions(pred, pred_id_column)
    problems = [codes.problems] if len(codes.problems) else []
    notes = list(codes.notes)

    manual_ids = list(dict.fromkeys(codes.codes["id"]))
    pred_ids = set(predictions["id"])
    missing = [i for i in manual_ids if i not in pred_ids]
    manual_set = set(manual_ids)
    uncoded = [i for i in predictions["id"] if i not in manual_set]
    shared = [i for i in manual_ids if i in pred_ids]
    if not shared:
        raise InputError(
            f"no id in common between the predictions ({pred_where}, e.g. "
            f"{', '.join(map(repr, list(predictions['id'])[:3]))}) and the manual codes "
            f"({codes.source}, e.g. {', '.join(map(repr, manual_ids[:3]))}): check the id columns"
        )
    if len(shared) < 2:
        raise InputError(
            f"only {len(shared)} answer is both predicted and manually coded: agreement needs at least two"
        )
    extra: list[dict[str, Any]] = []
    problem(extra, "not in predictions", missing, "manual code left out of the comparison")
    problem(extra, "no manual code", uncoded, "predicted answer left out of the comparison")
    if extra:
        problems.append(pd.DataFrame(extra, columns=PROBLEM_COLUMNS))
    problem_table = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=PROBLEM_COLUMNS)

    grouped = codes.codes.groupby("id", sort=False)["code"]
    main_code = grouped.first()
    n_multi = int((grouped.size() > 1).loc[shared].sum())
    if n_multi:
        notes.append(
            f"{n_multi} answers have several manual codes: partition figures use the first, per-code figures use all"
        )
    distinct = main_code.loc[shared].unique()
    if len(distinct) < 2:
        raise InputError(
            f"the manual coding gives every compared answer the same code ({distinct[0]!r}): "
            "agreement needs at least two codes",
            path=codes.source,
        )

    pred_by_id = predictions.set_index("id")
    theme_ids = pred_by_id.loc[shared, "theme_id"].to_numpy()
    names = np.array(
        [_theme_name(t, lab) for t, lab in zip(theme_ids, pred_by_id.loc[shared, "theme_label"])], dtype=object
    )
    truth = main_code.loc[shared].to_numpy(dtype=object)
    answered = theme_ids > 0
    counts = {
        "n_predictions": len(predictions),
        "n_manual": len(manual_ids),
        "n_shared": len(shared),
        "n_answered": int(answered.sum()),
        "n_non_answers": int((theme_ids == NON_ANSWER_ID).sum()),
        "n_unclassified": int((theme_ids == UNCLASSIFIED_ID).sum()),
        "n_manual_codes": len(distinct),
        "n_themes": len(np.unique(theme_ids[answered])),
        "n_boot": n_boot,
        "n_perm": n_perm,
        "random_state": random_state,
    }
    if not answered.any():
        notes.append(
            "every compared answer is a non-answer or non classificato: "
            "there is nothing to compare once they are left out"
        )

    theme_names, theme_index = np.unique(names, return_inverse=True)
    code_names, code_index = np.unique(truth, return_inverse=True)
    position = pd.Series(np.arange(len(shared)), index=pd.Index(shared))
    pairs = codes.codes[codes.codes["id"].isin(position.index)]
    all_codes = sorted(pairs["code"].unique())
    column = {c: i for i, c in enumerate(all_codes)}
    member = np.zeros((len(shared), len(all_codes)), dtype=bool)
    member[position.loc[pairs["id"]].to_numpy(), pairs["code"].map(column).to_numpy()] = True
    data = _Coded(
        theme_index, code_index, member, len(theme_names), len(code_names), np.array([column[c] for c in code_names])
    )

    rng = np.random.default_rng(random_state)
    show = progress if progress is not None else len(shared) * (n_boot + n_perm) > 5_000_000
    summary = []
    for scope, mask in (("answered", answered), ("all", np.ones(len(shared), dtype=bool))):
        subset = data.take(np.flatnonzero(mask))
        observed = _figures(subset) or {k: float("nan") for k in _figures(data)}
        boots = _resample(subset, n_boot, rng, show, scope)
        chance = _permute(subset, n_perm, rng, show, scope)
        for metric, value in observed.items():
            low, high = _interval(value, boots.get(metric), metric)
            row = {
                "scope": scope,
                "metric": metric,
                "value": value,
                "ci_low": low,
                "ci_high": high,
                "chance": float("nan"),
                "p_value": float("nan"),
                "n": int(mask.sum()),
            }
            if chance.get(metric):
                null = np.asarray(chance[metric])
                row["chance"] = float(np.nanmean(null))
                row["p_value"] = float((1 + np.sum(null >= value - 1e-12)) / (1 + len(null)))
            summary.append(row)

    confusion = _order_confusion(pd.DataFrame(data.table(), index=theme_names, columns=code_names))
    matching = _matching_table(confusion)
    per_code = _per_code_table(data, theme_names, all_codes, n_boot, rng)
    return ValidationReport(pd.DataFrame(summary), matching, confusion, per_code, problem_table, notes, counts)


def _half_sample(n: int, rng: np.random.Generator) -> np.ndarray:
    """Half of the respondents, drawn without replacement.

    A classic bootstrap draws respondents with replacement, and a respondent drawn twice
    agrees with itself under both labelings: every agreement figure is pushed up, so far
    that the interval can miss the estimate (seen on the report's groupings). A half-sample
    without replacement has no copies, and its spread matches that of the full-sample
    estimate (finite-population correction: sigma^2/m * (n-m)/(n-1) ~ sigma^2/n at m = n/2).
    """
    return rng.choice(n, n // 2, replace=False)


#: Figures that cannot be negative; the others (ARI, AMI, kappa, alpha) range down to -1.
_NON_NEGATIVE = {
    "accuracy",
    "nmi",
    "homogeneity",
    "completeness",
    "v_measure",
    "purity",
    "inverse_purity",
    "micro_f1",
    "macro_f1",
    "f1",
}


def _interval(value: float, replicates: list[float] | None, metric: str) -> tuple[float, float]:
    """95% interval: the estimate plus the 2.5%..97.5% spread of the half-samples around their
    median (centring removes the small-sample bias of figures such as matched accuracy)."""
    if not replicates or value != value:
        return float("nan"), float("nan")
    values = np.asarray(replicates, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    centre = np.median(values)
    low, high = value + np.percentile(values, [2.5, 97.5]) - centre
    floor = 0.0 if metric in _NON_NEGATIVE else -1.0
    return float(np.clip(low, floor, 1.0)), float(np.clip(high, floor, 1.0))


def _resample(data: _Coded, n_boot: int, rng: np.random.Generator, show: bool, scope: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    if len(data.theme) < 4:  # a half-sample of one answer says nothing
        return out
    for _ in tqdm(range(n_boot), desc=f"resampling ({scope})", disable=not show, leave=False):
        for metric, value in _figures(data.take(_half_sample(len(data.theme), rng))).items():
            out.setdefault(metric, []).append(value)
    return out


def _permute(data: _Coded, n_perm: int, rng: np.random.Generator, show: bool, scope: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {m: [] for m in TESTED}
    if len(data.theme) < 2:
        return out
    for _ in tqdm(range(n_perm), desc=f"permutation test ({scope})", disable=not show, leave=False):
        figures = table_scores(data.table(rng.permutation(data.theme)), with_ami=False)
        for metric in TESTED:
            out[metric].append(figures[metric])
    return out


def _order_confusion(confusion: pd.DataFrame) -> pd.DataFrame:
    """Rows and columns in matching order, so the matched pairs lie on the diagonal."""
    rows, cols = hungarian_matching(confusion.to_numpy())
    pairs = sorted(zip(rows, cols), key=lambda rc: -confusion.iat[rc[0], rc[1]])
    row_order = [r for r, _ in pairs] + [r for r in range(confusion.shape[0]) if r not in set(rows)]
    col_order = [c for _, c in pairs] + [c for c in range(confusion.shape[1]) if c not in set(cols)]
    return confusion.iloc[row_order, col_order]


def _matching_table(confusion: pd.DataFrame) -> pd.DataFrame:
    rows, cols = hungarian_matching(confusion.to_numpy())
    theme_sizes, code_sizes = confusion.sum(axis=1), confusion.sum(axis=0)
    records = []
    for r, c in zip(rows, cols):
        shared = int(confusion.iat[r, c])
        theme, code = confusion.index[r], confusion.columns[c]
        records.append(
            {
                "theme": theme,
                "manual_code": code if shared else "",
                "shared": shared,
                "theme_size": int(theme_sizes.iloc[r]),
                "code_size": int(code_sizes.iloc[c]),
                "share_of_theme": shared / theme_sizes.iloc[r],
                "share_of_code": shared / code_sizes.iloc[c],
            }
        )
    for r in sorted(set(range(confusion.shape[0])) - set(rows)):
        records.append(
            {
                "theme": confusion.index[r],
                "manual_code": "",
                "shared": 0,
                "theme_size": int(theme_sizes.iloc[r]),
                "code_size": 0,
                "share_of_theme": 0.0,
                "share_of_code": float("nan"),
            }
        )
    for c in sorted(set(range(confusion.shape[1])) - set(cols)):
        records.append(
            {
                "theme": "",
                "manual_code": confusion.columns[c],
                "shared": 0,
                "theme_size": 0,
                "code_size": int(code_sizes.iloc[c]),
                "share_of_theme": float("nan"),
                "share_of_code": 0.0,
            }
        )
    return pd.DataFrame(records)


def _per_code_table(
    data: _Coded, theme_names: np.ndarray, all_codes: list[str], n_boot: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Each manual code against the theme matched to it, counting every code of an answer."""
    table = data.table()
    rows, cols = hungarian_matching(table)
    pairs = [(r, int(data.main_to_all[c])) for r, c in zip(rows, cols) if table[r, c] > 0]
    theme_of = {column: theme for theme, column in pairs}

    def scores(d: _Coded) -> dict[tuple[int, str], float]:
        return _binary(
            d.code_counts(), np.bincount(d.theme, minlength=d.n_themes), d.member.sum(axis=0), len(d.theme), pairs
        )

    observed = scores(data)
    boots: dict[tuple[int, str], list[float]] = {}
    for _ in range(n_boot if len(data.theme) >= 4 else 0):
        for key, value in scores(data.take(_half_sample(len(data.theme), rng))).items():
            boots.setdefault(key, []).append(value)
    support = data.member.sum(axis=0)
    records = []
    for column, code in enumerate(all_codes):
        record: dict[str, Any] = {"code": code, "theme": "", "support": int(support[column])}
        if column not in theme_of:
            records.append(
                {
                    **record,
                    "kappa": float("nan"),
                    "precision": 0.0,
                    "recall": 0.0,
                    "f1": 0.0,
                    "kappa_low": float("nan"),
                    "kappa_high": float("nan"),
                    "f1_low": float("nan"),
                    "f1_high": float("nan"),
                }
            )
            continue
        record["theme"] = theme_names[theme_of[column]]
        for name in ("kappa", "precision", "recall", "f1"):
            record[name] = observed[column, name]
        record["kappa_low"], record["kappa_high"] = _interval(record["kappa"], boots.get((column, "kappa")), "kappa")
        record["f1_low"], record["f1_high"] = _interval(record["f1"], boots.get((column, "f1")), "f1")
        records.append(record)
    return pd.DataFrame(records)
