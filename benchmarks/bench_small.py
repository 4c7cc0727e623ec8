"""Small inputs: the report's groupings and random samples of 30, 100 and 300 answers.

For each ``text,label`` CSV of a folder (default ``../shared/evaldata``) and each size, draws
``--samples`` random samples (seeded), and runs on each, with the same vectors (``--embedder``,
default the Universal Sentence Encoder): rtc_nlp's default ``ThemeModel`` (number of themes
not given) and BERTopic's defaults. The
report's thematic groupings (``data/report/report_groupings.csv``, 13 to 18 items, coded
by the report's ``theme``) are run the same way. Reports the mean ACC (Hungarian), ARI and AMI
per set, size and method with 95% bootstrap intervals over the samples, and the mean paired
difference rtc_nlp - BERTopic with its interval. A BERTopic run that raises (too few answers
for its UMAP and HDBSCAN defaults) counts as putting every answer in one group, and is counted.

    python benchmarks/bench_small.py [--sizes 30,100,300] [--samples 10] [--embedder use] [--out table.md]
    python benchmarks/bench_small.py --k-rules   # ways to choose the number of groups, rtc_nlp only

Unassigned answers (BERTopic's outliers, rtc_nlp's "non classificato" and non-answers)
count as one extra cluster, as in ``bench_themes.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_themes import DEFAULT_FOLDER, scores  # noqa: E402

import rtc_nlp.themes.grouping as grouping_module  # noqa: E402
from rtc_nlp import ThemeModel  # noqa: E402

REPORT = HERE.parent / "data" / "report" / "report_groupings.csv"


EMBEDDER = "use"  # set by --embedder
CACHE: str | bool = False  # set by --cache


def run_sample(texts: list[str], truth: np.ndarray, seed: int, bertopic: bool) -> list[dict]:
    model = ThemeModel(embedder=EMBEDDER, random_state=seed, cache_dir=CACHE, verbose=False).fit(texts)
    labels = model.assignments_["theme_id"].to_numpy()
    rows = [{"method": "rtc_nlp", **scores(truth, labels, labels <= 0), "failed": 0}]
    if "net_id" in model.assignments_.columns:  # the second level, scored the same way
        nets = model.assignments_["net_id"].to_numpy()
        rows.append({"method": "rtc_nlp nets", **scores(truth, nets, nets <= 0), "failed": 0})
    if bertopic:
        from bertopic import BERTopic

        vectors = model.embedder_.transform(texts)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                topics, _ = BERTopic(calculate_probabilities=False).fit_transform(texts, embeddings=vectors)
            topics, failed = np.asarray(topics), 0
        except Exception:  # its defaults need more answers than some samples have
            topics, failed = np.zeros(len(texts), dtype=int), 1
        rows.append({"method": "BERTopic", **scores(truth, topics, topics == -1), "failed": failed})
    return rows


class _Recorder:
    """A clusterer that keeps the vectors it is given (one group; the rules cut them later)."""

    def fit_predict(self, X: np.ndarray) -> np.ndarray:
        self.X = np.asarray(X, dtype=np.float64)
        return np.zeros(len(self.X), dtype=np.int64)


def k_rules(texts: list[str], truth: np.ndarray, seed: int) -> list[dict]:
    """Other ways to choose the number of groups on the default's average-linkage tree.

    Each rule cuts the tree of the sample's distinct answers; every answer then goes to its
    nearest group centre, and is scored against the gold labels.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    recorder = _Recorder()
    model = ThemeModel(embedder=EMBEDDER, clusterer=recorder, random_state=seed, cache_dir=CACHE, verbose=False).fit(
        texts
    )
    X, vectors = recorder.X, model.embedder_.transform(texts)
    n = len(X)
    tree = linkage(X, method="average", metric="cosine")
    cuts = {k: fcluster(tree, t=k, criterion="maxclust") - 1 for k in range(2, min(max(3, int(2 * n**0.5)), n - 1) + 1)}
    cuts = {k: c for k, c in cuts.items() if len(np.unique(c)) > 1}
    silhouette = {k: silhouette_score(X, c, metric="cosine") for k, c in cuts.items()}

    def best(scores: dict[int, float], cap: float = np.inf, low: bool = False) -> int:
        allowed = {k: v for k, v in scores.items() if k <= cap} or scores
        return min(allowed, key=lambda k: (allowed[k] if low else -allowed[k], k))

    heights = tree[:, 2]
    chosen = {
        "best silhouette up to 2 sqrt(n) (default)": best(silhouette),
        "best silhouette up to 1.5 sqrt(n)": best(silhouette, 1.5 * n**0.5),
        "best silhouette up to sqrt(n)": best(silhouette, n**0.5),
        "largest gap between merge heights": best({k: heights[n - k] - heights[n - k - 1] for k in cuts}),
        "best Calinski-Harabasz": best({k: calinski_harabasz_score(X, c) for k, c in cuts.items()}),
        "best Davies-Bouldin": best({k: davies_bouldin_score(X, c) for k, c in cuts.items()}, low=True),
    }
    rows = []
    true_k = fcluster(tree, t=min(len(np.unique(truth)), n - 1), criterion="maxclust") - 1
    for rule, labels in [*((r, cuts[k]) for r, k in chosen.items()), ("true number of classes (reference)", true_k)]:
        centres = np.vstack([X[labels == c].mean(axis=0) for c in np.unique(labels)])
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        pred = np.argmax(vectors @ centres.T, axis=1)
        rows.append({"method": rule, **scores(truth, pred, np.zeros(len(pred), dtype=bool)), "failed": 0})
    return rows


def bootstrap(values: np.ndarray, rng: np.random.Generator, n: int = 1000) -> tuple[float, float]:
    """95% percentile interval of the mean."""
    if len(values) < 2:
        return float("nan"), float("nan")
    means = values[rng.integers(0, len(values), (n, len(values)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--sizes", default="30,100,300")
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="also write the table as Markdown to this file")
    parser.add_argument("--no-bertopic", action="store_true", help="run rtc_nlp only")
    parser.add_argument(
        "--embedder", default="use", help="rtc_nlp's embedder, whose vectors BERTopic gets too (default: %(default)s)"
    )
    parser.add_argument("--cache", default="", help="embedding cache folder (default: none)")
    parser.add_argument(
        "--k-rules",
        action="store_true",
        help="instead of BERTopic, compare ways to choose the number of groups on the samples",
    )
    parser.add_argument(
        "--small-input",
        type=int,
        help="measure another threshold between the agglomerative and the community clusterer "
        f"(default: rtc_nlp's, {grouping_module.SMALL_INPUT} distinct answers)",
    )
    args = parser.parse_args()
    global EMBEDDER, CACHE
    EMBEDDER, CACHE = args.embedder, args.cache or False
    if args.small_input is not None:
        grouping_module.SMALL_INPUT = args.small_input
    logging.disable(logging.WARNING)  # BERTopic and the clusterer log every small sample
    bertopic = importlib.util.find_spec("bertopic") is not None and not (args.no_bertopic or args.k_rules)
    if not bertopic and not (args.no_bertopic or args.k_rules):
        print("bertopic is not installed: pip install -e '.[bench]'; running rtc_nlp only")
    rng = np.random.default_rng(args.seed)
    results = []
    report = pd.read_csv(REPORT, dtype=str, keep_default_na=False)
    thematic = report[report["kind"] == "theme"]
    sizes = thematic.groupby("grouping").size()
    groupings = [] if args.k_rules else thematic.groupby("grouping")  # the rules need samples with many items
    for grouping, rows in groupings:
        for row in run_sample(rows["text"].tolist(), rows["theme"].to_numpy(), args.seed, bertopic):
            results.append(
                {"set": "report groupings", "size": f"{sizes.min()}-{sizes.max()}", "sample": grouping, **row}
            )
    for path in sorted(Path(args.folder).glob("*.csv")):
        data = pd.read_csv(path, dtype=str, keep_default_na=False)
        for size in (int(s) for s in args.sizes.split(",")):
            for sample in range(args.samples):
                pick = rng.choice(len(data), size=min(size, len(data)), replace=False)
                texts, truth = data["text"].iloc[pick].tolist(), data["label"].to_numpy()[pick]
                rows = (
                    k_rules(texts, truth, args.seed) if args.k_rules else run_sample(texts, truth, args.seed, bertopic)
                )
                for row in rows:
                    results.append({"set": path.stem, "size": str(size), "sample": sample, **row})
            print(f"{path.stem}: size {size} done", flush=True)
    frame = pd.DataFrame(results)
    if args.k_rules:
        overall = frame.groupby("method", sort=False)[["ARI", "ACC", "themes"]].mean().round(3)
        print(overall.to_string())
        print(frame.groupby(["set", "size", "method"], sort=False)["ACC"].mean().unstack("method").round(3).to_string())
        return
    table = []
    for (name, size), group in frame.groupby(["set", "size"], sort=False):
        line: dict[str, object] = {"set": name, "size": size, "samples": int(group["sample"].nunique())}
        for method, part in group.groupby("method", sort=False):
            for metric in ("ACC", "ARI", "AMI"):
                values = part[metric].to_numpy()
                low, high = bootstrap(values, rng)
                line[f"{method} {metric}"] = f"{values.mean():.3f} [{low:.3f}, {high:.3f}]"
            line[f"{method} themes"] = f"{part['themes'].mean():.1f} ({part['themes'].min()}-{part['themes'].max()})"
            if method == "BERTopic":
                line["BERTopic failed"] = int(part["failed"].sum())
        if bertopic:
            ours = group[group["method"] == "rtc_nlp"].set_index("sample")  # the themes, not the nets
            theirs = group[group["method"] == "BERTopic"].set_index("sample")
            for metric in ("ACC", "ARI"):
                diff = (ours[metric] - theirs[metric]).to_numpy()
                low, high = bootstrap(diff, rng)
                line[f"{metric} difference"] = f"{diff.mean():+.3f} [{low:+.3f}, {high:+.3f}]"
        table.append(line)
    out = pd.DataFrame(table)
    text = out.to_markdown(index=False) if importlib.util.find_spec("tabulate") else out.to_string(index=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
