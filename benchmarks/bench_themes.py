"""Theme discovery without the number of themes: rtc_nlp's default vs BERTopic's defaults.

For every ``text,label`` CSV in a folder (default ``../shared/evaldata``), side by side in one
run: rtc_nlp's default ThemeModel with the lexical embedder, and BERTopic with its default
UMAP + HDBSCAN on the very same vectors. Prints accuracy after Hungarian matching, AMI, ARI,
themes found against the true number, share left unassigned, time and peak traced memory.

Usage::

    python benchmarks/bench_themes.py [FOLDER] [--sets xsid_ita,tweet] [--out docs/bench.md]

Unassigned answers (BERTopic's outliers, rtc_nlp's "non classificato" and non-answers)
count as one extra cluster in every metric. rtc_nlp's time includes embedding; BERTopic's
does not (it is given the vectors).
"""

from __future__ import annotations

import argparse
import platform
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

from rtc_nlp import ThemeModel

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"


def hungarian_accuracy(truth: np.ndarray, pred: np.ndarray) -> float:
    """Share of answers whose cluster maps to their class under the best one-to-one matching."""
    _, t = np.unique(truth, return_inverse=True)
    _, p = np.unique(pred, return_inverse=True)
    table = np.zeros((p.max() + 1, t.max() + 1))
    np.add.at(table, (p, t), 1)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / len(truth))


def scores(truth: np.ndarray, pred: np.ndarray, unassigned: np.ndarray) -> dict[str, float]:
    return {
        "ACC": hungarian_accuracy(truth, pred),
        "AMI": adjusted_mutual_info_score(truth, pred),
        "ARI": adjusted_rand_score(truth, pred),
        "themes": int(len(np.unique(pred[~unassigned]))),
        "unassigned": float(unassigned.mean()),
    }


def measured(fn, trace_memory: bool):
    """Run ``fn``; return its result, wall seconds and traced peak MB (NaN when not traced:
    tracing slows pure-Python steps several times, so it is opt-in)."""
    if trace_memory:
        tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = float("nan")
    if trace_memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, seconds, peak


def run_set(path: Path, seed: int, trace_memory: bool = False) -> list[dict[str, object]]:
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    texts, truth = data["text"].tolist(), data["label"].to_numpy()
    model, seconds, peak = measured(
        lambda: ThemeModel(embedder="lexical", random_state=seed, cache_dir=False, verbose=False).fit(texts),
        trace_memory,
    )
    ids = model.assignments_["theme_id"].to_numpy()
    rows = [{"set": path.stem, "n": len(texts), "true k": len(np.unique(truth)), "method": "rtc_nlp default",
             **scores(truth, ids, ids <= 0), "seconds": seconds, "peak MB": peak}]
    vectors = model.embedder_.transform([str(t) for t in texts])
    try:
        from bertopic import BERTopic
    except ImportError:
        print("bertopic is not installed: pip install -e '.[bench]'")
        return rows

    def bertopic() -> np.ndarray:
        topics, _ = BERTopic(calculate_probabilities=False).fit_transform(texts, embeddings=vectors)
        return np.asarray(topics)

    topics, seconds, peak = measured(bertopic, trace_memory)
    rows.append({"set": path.stem, "n": len(texts), "true k": len(np.unique(truth)), "method": "BERTopic defaults",
                 **scores(truth, topics, topics == -1), "seconds": seconds, "peak MB": peak})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--sets", help="comma-separated file stems (default: every CSV)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="also write the table as Markdown to this file")
    parser.add_argument("--memory", action="store_true", help="trace peak memory (slower)")
    args = parser.parse_args()
    files = sorted(Path(args.folder).glob("*.csv"))
    if args.sets:
        wanted = args.sets.split(",")
        files = sorted((f for f in files if f.stem in wanted), key=lambda f: wanted.index(f.stem))
    rows = []
    for file in files:
        for row in run_set(file, args.seed, args.memory):
            rows.append(row)
            print(" | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values()), flush=True)
    table = pd.DataFrame(rows)
    text = table.to_markdown(index=False, floatfmt=".3f") if _has_tabulate() else table.to_string(index=False)
    print(text)
    if args.out:
        Path(args.out).write_text(
            f"Machine: {platform.platform()}, {platform.processor() or 'cpu'}; seed {args.seed}\n\n{text}\n",
            encoding="utf-8")


def _has_tabulate() -> bool:
    import importlib.util

    return importlib.util.find_spec("tabulate") is not None


if __name__ == "__main__":
    main()
