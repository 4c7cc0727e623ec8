"""Comparisons that do not invent changes: A/A splits and planted changes on every dev set.

For each ``text,label`` CSV of the evaluation folder (at most ``--rows`` rows, a seeded sample),
``--splits`` random splits into two halves, each row given a random segment of three, then the
whole path of a new wave as the CLI runs it:

1. themes found on half 1 (``ThemeModel``, as ``rtc-nlp themes``), their codebook
   (``Codebook.from_model``, as ``rtc-nlp codebook``);
2. half 2 coded with it (``CodebookCoder``, as ``rtc-nlp code``);
3. half 1 counted by the same rule (``count_like_coded``, as ``rtc-nlp compare`` does with a
   themes run), then ``compare_waves(..., by="segment")`` with each correction.

A/A: the halves come from one population, so every flagged cell is false: the share of splits
with any flagged cell (target <= 10%) and the mean flagged cells per split (target <= 0.15).

Power: in half 2, answers of one theme (a code with at least 5% of half 2) are copied in place of
answers that do not carry it, raising its share by +3, +5 and +8 points; detected when the
theme's whole-wave row is flagged up (target >= 0.8 at +5 points, waves of 1,500 answers).

    python benchmarks/bench_compare.py [--splits 20] [--rows 3000] [--embedder use]

Vectors are cached in a scratch folder, so each text is embedded once per set.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rtc_nlp import Codebook, CodebookCoder, ThemeModel
from rtc_nlp.coding.waves import compare_waves, count_like_coded

HERE = Path(__file__).resolve().parent
DEFAULT_FOLDER = HERE.parent.parent / "shared" / "evaldata"
CORRECTIONS = ("fdr", "none")
PLANTED = (0.03, 0.05, 0.08)
MIN_SHARE = 0.05


def _split(data: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    frame = data.assign(segment=rng.choice(["A", "B", "C"], size=len(data)))
    order = rng.permutation(len(frame))
    half = len(frame) // 2
    return frame.iloc[order[:half]].reset_index(drop=True), frame.iloc[order[half:]].reset_index(drop=True)


def _plant(coded: pd.DataFrame, theme: int, delta: float, rng: np.random.Generator) -> pd.DataFrame:
    """``coded`` with ``delta`` of its base moved to ``theme``: answers carrying it copied over
    answers that do not (their id and segment kept)."""
    codes = coded["codes"].fillna("").astype(str).str.split(";")
    carries = codes.map(lambda c: str(theme) in c).to_numpy()
    usable = (coded["status"] != "non_answer").to_numpy()
    donors, targets = np.flatnonzero(carries & usable), np.flatnonzero(~carries & usable)
    k = min(round(delta * usable.sum()), len(targets))
    into = rng.choice(targets, size=k, replace=False)
    out = coded.copy()
    columns = [c for c in coded.columns if c not in ("id", "segment")]
    out.loc[into, columns] = coded.loc[rng.choice(donors, size=k), columns].to_numpy()
    return out


def run_set(path: Path, rows: int, splits: int, embedder: str, cache: Path) -> dict:
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    if len(data) > rows:
        data = data.iloc[np.sort(np.random.default_rng(0).choice(len(data), rows, replace=False))]
    data = data.reset_index(drop=True)
    data.insert(0, "id", [f"r{i}" for i in range(len(data))])
    flagged = {c: [] for c in CORRECTIONS}
    detected = {(c, d): [] for c in CORRECTIONS for d in PLANTED}
    start = time.perf_counter()
    for split in range(splits):
        half1, half2 = _split(data, seed=split)
        model = ThemeModel(embedder=embedder, random_state=0, cache_dir=cache, verbose=False).fit(half1)
        book = Codebook.from_model(model)
        coder = CodebookCoder(book, model.embedder_, cache_dir=cache).fit(half2)
        wave2 = coder.code(half2)
        wave1 = count_like_coded(
            model.assignments_, book, model.embedder_, min_similarity=coder.min_similarity_, cache_dir=cache
        )
        for correction in CORRECTIONS:
            table = compare_waves({"w1": wave1, "w2": wave2}, book, by="segment", correction=correction)
            flagged[correction].append(int((table["flag"] != "").sum()))
        # A theme with at least 5% of half 2, chosen by the split's seed.
        rng = np.random.default_rng(1000 + split)
        base = int((wave2["status"] != "non_answer").sum())
        shares = {
            t.id: wave2["codes"].fillna("").astype(str).str.split(";").map(lambda c, i=t.id: str(i) in c).sum() / base
            for t in book.codes
        }
        eligible = sorted(t for t, share in shares.items() if share >= MIN_SHARE)
        if not eligible:
            continue
        theme = int(rng.choice(eligible))
        for delta in PLANTED:
            planted = _plant(wave2, theme, delta, rng)
            for correction in CORRECTIONS:
                table = compare_waves({"w1": wave1, "w2": planted}, book, by="segment", correction=correction)
                row = table[(table["wave"] == "w2") & (table["group"] == "") & (table["theme_id"] == theme)]
                detected[(correction, delta)].append(bool((row["flag"] == "up").any()))
    result = {"set": path.stem, "wave": len(data) // 2, "seconds": round(time.perf_counter() - start)}
    for correction in CORRECTIONS:
        counts = np.array(flagged[correction])
        result[f"A/A any flag ({correction})"] = round(float(np.mean(counts > 0)), 2)
        result[f"A/A flags per split ({correction})"] = round(float(np.mean(counts)), 2)
        for delta in PLANTED:
            hits = detected[(correction, delta)]
            result[f"+{round(delta * 100)} detected ({correction})"] = round(float(np.mean(hits)), 2) if hits else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help="folder of text,label CSVs")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: every CSV)")
    parser.add_argument("--splits", type=int, default=20, help="random splits per set (default: %(default)s)")
    parser.add_argument("--rows", type=int, default=3000, help="rows per set at most (default: %(default)s)")
    parser.add_argument("--embedder", default="use", help="rtc_nlp's embedder (default: %(default)s)")
    args = parser.parse_args()
    paths = sorted(Path(args.folder).glob("*.csv"))
    if args.sets:
        paths = [p for p in paths if p.stem in args.sets.split(",")]
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{args.splits} splits per set, at most {args.rows} rows (waves of half), embedder {args.embedder}")
    results = []
    with tempfile.TemporaryDirectory(prefix="rtc_nlp_compare_") as scratch:
        for path in paths:
            results.append(run_set(path, args.rows, args.splits, args.embedder, Path(scratch) / "cache"))
            print(results[-1], flush=True)
    table = pd.DataFrame(results)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False))
    fdr = table.set_index("set")
    met = {
        "A/A any flag <= 10% (fdr)": bool((fdr["A/A any flag (fdr)"] <= 0.10).all()),
        "A/A flags per split <= 0.15 (fdr)": bool((fdr["A/A flags per split (fdr)"] <= 0.15).all()),
        "+5 detected >= 0.8 (fdr, waves of 1,500)": bool(
            (fdr.loc[fdr["wave"] >= 1500, "+5 detected (fdr)"].dropna() >= 0.8).all()
        ),
    }
    for target, ok in met.items():
        print(f"{target}: {'met' if ok else 'NOT met'}")
    sys.exit(0)


if __name__ == "__main__":
    main()
