"""Time of ``compare_with_manual`` with its defaults (1000 resamples, 999 permutations).

Synthetic codings of 33, 300, 3,000 and 30,000 answers (20 manual codes, themes that agree
60% of the time), three runs each; prints the median seconds.

Usage::

    python benchmarks/bench_validate.py [--sizes 33,300,3000,30000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from rtc_nlp import compare_with_manual


def synthetic(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, min(20, max(2, n // 5)), n)
    themes = np.where(rng.random(n) < 0.6, truth, rng.integers(0, 25, n)) + 1
    ids = [f"A{i}" for i in range(n)]
    pred = pd.DataFrame({"id": ids, "theme_id": themes, "theme_label": [f"tema {t}" for t in themes]})
    manual = pd.DataFrame({"id": ids, "code": [f"codice {t}" for t in truth]})
    return pred, manual


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="33,300,3000,30000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| answers | median seconds | runs |\n|---|---|---|")
    for n in map(int, args.sizes.split(",")):
        pred, manual = synthetic(n)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            compare_with_manual(pred, manual, progress=False)
            times.append(time.perf_counter() - start)
        print(f"| {n} | {statistics.median(times):.2f} | {args.runs} |", flush=True)


if __name__ == "__main__":
    main()
