"""Coding with a codebook built from a few labelled examples per theme (few-shot).

For each ``text,label`` set: draw ``--shots`` answers per class as the codebook's examples
(label = the class name), code every other answer with rtc_nlp's lexical embedder, and print
agreement with the gold labels (accuracy, kappa, with 95% intervals, on the coded answers)
and coverage (share coded) at several similarity thresholds, side by side in one run. A
first row per set codes with the class names alone (0 shots): the difference is the
few-shot gain.

Usage::

    python benchmarks/bench_coding.py [FOLDER] [--sets xsid_ita,banking77_test] [--shots 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from rtc_nlp import compare_with_manual
from rtc_nlp.coding.codebook import Codebook
from rtc_nlp.coding.coder import CodebookCoder

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"


def run(path: Path, shots: int, seed: int) -> list[dict[str, object]]:
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    data["id"] = [f"r{i}" for i in range(len(data))]
    rng = np.random.default_rng(seed)
    picked = data.groupby("label", group_keys=False).apply(
        lambda g: g.iloc[rng.permutation(len(g))[:shots]], include_groups=False
    )
    picked["label"] = data.loc[picked.index, "label"]
    book = Codebook.from_records(
        [{"label": label, "examples": group["text"].tolist()} for label, group in picked.groupby("label", sort=True)]
    )
    rest = data.drop(index=picked.index)
    manual = rest[["id", "label"]].rename(columns={"label": "code"})
    # The few-shot gain: the same codes described by their class names only.
    names_only = Codebook.from_records(
        [{"label": label, "description": label.replace("_", " ")} for label in sorted(picked["label"].unique())]
    )
    rows = []
    for book_used, shots_used, threshold in [(names_only, 0, None)] + [(book, shots, t) for t in (None, 0.0, 0.1, 0.2)]:
        coder = CodebookCoder(book_used, "lexical", min_similarity=threshold).fit(rest[["id", "text"]])
        coded = coder.code(rest[["id", "text"]])
        report = compare_with_manual(coded, manual, code_column="code", n_boot=200, n_perm=99)
        figures = report.summary[report.summary["scope"] == "answered"].set_index("metric")
        rows.append(
            {
                "set": path.stem,
                "classes": len(book),
                "shots": shots_used,
                "coded answers": len(rest),
                "threshold": "auto" if threshold is None else threshold,
                "threshold used": round(coder.min_similarity_, 3),
                "coverage": float((coded["status"] == "theme").mean()),
                "accuracy": figures.loc["accuracy", "value"],
                "accuracy 95%": f"[{figures.loc['accuracy', 'ci_low']:.3f}, {figures.loc['accuracy', 'ci_high']:.3f}]",
                "kappa": figures.loc["cohen_kappa", "value"],
                "kappa p": figures.loc["cohen_kappa", "p_value"],
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--sets", default="xsid_ita,sib200_ita,banking77_test")
    parser.add_argument("--shots", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for stem in args.sets.split(","):
        rows += run(Path(args.folder) / f"{stem}.csv", args.shots, args.seed)
        print(pd.DataFrame(rows).tail(5).to_string(index=False, float_format=lambda v: f"{v:.3f}"), flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
