"""Theme discovery without the number of themes: rtc_nlp's default vs BERTopic's defaults.

For every ``text,label`` CSV in a folder (default ``../shared/evaldata``), side by side in one
run: rtc_nlp's default ThemeModel with each embedder of ``--embedders`` (lexical, the
Universal Sentence Encoder, e5), and BERTopic with its default UMAP + HDBSCAN on the very same
vectors as one of them (``--bertopic-on``, default the USE encoder's). Prints accuracy after
Hungarian matching, AMI, ARI, themes found against the true number, share left unassigned, time, peak memory (growth of
the resident set during the run; each method runs in its own fresh process) and, for
rtc_nlp, how far its themes agree across seeds.

Each set and embedder also gets the oracle: k-means told the true number of classes, on the
same vectors, and rtc_nlp's ARI as a share of that oracle's. ``--stability-seeds 5`` refits rtc_nlp with five
seeds and reports the median pairwise ARI of their themes.

Two figures separate a wrong *number* of themes from wrong *contents*: **ARI bound**, the
highest ARI any labelling with rtc_nlp's theme sizes could reach, however pure its themes; and
**themes for 90%**, the range of theme counts (themes of equal size) whose bound still reaches
90% of the oracle's ARI. A count outside that range misses the target whatever goes into the
themes.

An embedder may carry a mode: ``use:fast`` forces the fast path for large files at the size of
a dev set (themes fitted on half of the distinct answers, a lexical student of the encoder for
the rest; ``rtc_nlp.student``), ``use:sample`` the same half-sample with the encoder on every
answer.

Usage::

    python benchmarks/bench_themes.py [FOLDER] [--sets xsid_ita,tweet] [--out docs/bench.md]
        [--bertopic-runs 3] [--stability-seeds 5] [--embedders lexical,use,e5] [--cache DIR]

Unassigned answers (BERTopic's outliers, rtc_nlp's "non classificato" and non-answers)
count as one extra cluster in every metric. rtc_nlp's time includes embedding unless
``--cache`` is warm; BERTopic's never does (it is given the vectors).
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

from rtc_nlp import ThemeModel
from rtc_nlp.embedders.batches import embed_in_batches
from rtc_nlp.embedders.cache import EmbeddingCache

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
        "themes": len(np.unique(pred[~unassigned])),
        "unassigned": float(unassigned.mean()),
    }


def _pair_counts(labels: np.ndarray) -> float:
    """Pairs of rows that share a label."""
    sizes = np.unique(labels, return_counts=True)[1].astype(np.float64)
    return float((sizes * (sizes - 1) / 2).sum())


def _ari_from_pairs(together: float, truth_pairs: float, pred_pairs: float, n: int) -> float:
    """ARI from its pair counts: pairs together in both, within a class, within a cluster."""
    all_pairs = n * (n - 1) / 2
    expected = truth_pairs * pred_pairs / all_pairs
    top = (truth_pairs + pred_pairs) / 2 - expected
    return float((together - expected) / top) if top > 0 else 1.0


def ari_bound(truth: np.ndarray, pred: np.ndarray) -> float:
    """Highest ARI any labelling with the cluster sizes of ``pred`` could reach against ``truth``.

    Pairs together in both labellings can be no more than the pairs within a class or within
    a cluster, whichever is fewer; the ARI grows with them.
    """
    a, b = _pair_counts(truth), _pair_counts(pred)
    return _ari_from_pairs(min(a, b), a, b, len(truth))


def themes_within_reach(truth: np.ndarray, target: float, largest: int = 2000) -> tuple[int, int] | None:
    """Fewest and most themes of equal size whose ARI bound reaches ``target`` (None: no count does)."""
    n, a = len(truth), _pair_counts(truth)
    counts = np.arange(1, min(largest, n) + 1)
    size = n / counts
    within = counts * size * (size - 1) / 2
    bounds = np.array([_ari_from_pairs(min(a, b), a, b, n) for b in within])
    reach = counts[bounds >= target]
    return (int(reach.min()), int(reach.max())) if len(reach) else None


def dendrogram_purity(truth: np.ndarray, themes: np.ndarray, nets: np.ndarray) -> float:
    """Dendrogram purity of the tree root -> nets -> themes -> answers (Heller & Ghahramani,
    2005): over every pair of answers of one true class, the share of that class among the
    answers under the pair's lowest common node, averaged. A level-free figure of the tree:
    1.0 when every class sits in its own theme or its own net."""
    truth = pd.factorize(truth)[0]
    themes = pd.factorize(pd.Series(list(zip(nets, themes))))[0]  # a theme is unique within its net
    nets = pd.factorize(nets)[0]
    total, score = 0.0, 0.0
    n = len(truth)
    theme_size = np.bincount(themes)
    net_size = np.bincount(nets)
    for c in np.unique(truth):
        members = truth == c
        n_c = int(members.sum())
        pairs_c = n_c * (n_c - 1) / 2
        if pairs_c == 0:
            continue
        in_theme = np.bincount(themes[members], minlength=len(theme_size)).astype(float)
        in_net = np.bincount(nets[members], minlength=len(net_size)).astype(float)
        theme_pairs = in_theme * (in_theme - 1) / 2
        net_pairs = in_net * (in_net - 1) / 2
        # pairs whose lowest common node is their net: same net, different themes
        theme_pairs_by_net = np.zeros(len(net_size))
        net_of_theme = np.zeros(len(theme_size), dtype=np.int64)
        net_of_theme[themes] = nets
        np.add.at(theme_pairs_by_net, net_of_theme, theme_pairs)
        net_only = net_pairs - theme_pairs_by_net
        root_pairs = pairs_c - net_pairs.sum()
        score += float((theme_pairs * in_theme / theme_size).sum())
        score += float((net_only * in_net / net_size).sum())
        score += root_pairs * n_c / n
        total += pairs_c
    return score / total if total else float("nan")


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def path_options(mode: str, texts: list[str]) -> dict[str, object]:
    """ThemeModel options of an embedder's ``:mode`` (``use:fast``): the fast path for large files
    forced at the size of a dev set (themes fitted on half of the distinct answers, a lexical
    student of the encoder for the rest), or ``:sample`` the same half-sample with the encoder
    on every answer, which isolates what the student changes."""
    half = max(2, len(set(texts)) // 2)
    if mode == "fast":
        return {"max_fit_answers": half, "student_above": 1}
    if mode == "sample":
        return {"max_fit_answers": half, "student_above": None}
    if mode:
        raise ValueError(f"unknown embedder mode {mode!r}: use ':fast' or ':sample'")
    return {}


def _child(method: str, path: str, seed: int, vectors_file: str, cache: str, queue: multiprocessing.Queue) -> None:
    """Run one method on one set in a fresh process; report labels, seconds and peak memory.

    Memory is the growth of the process's peak resident set during the run (after the
    imports and the data are loaded), so C and Python allocations both count.
    """
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    texts = data["text"].tolist()
    if method.startswith("rtc_nlp"):
        embedder, _, mode = method.split()[1].partition(":")
        before = _rss_mb()
        start = time.perf_counter()
        model = ThemeModel(
            embedder=embedder, random_state=seed, cache_dir=cache or False, verbose=False, **path_options(mode, texts)
        ).fit(texts)
        seconds = time.perf_counter() - start
        labels = model.assignments_["theme_id"].to_numpy()
        unassigned = labels <= 0
        # The same vectors the model saw (from the cache when there is one), for BERTopic.
        store = EmbeddingCache(cache) if cache else None
        vectors = embed_in_batches(model.embedder_, [str(t) for t in texts], cache=store)
        extra = {"stability": model.summary_["clustering"].get("stability", float("nan"))}
        if "net_id" in model.assignments_.columns:
            extra["_nets"] = model.assignments_["net_id"].to_numpy()
        queue.put((labels, unassigned, seconds, _rss_mb() - before, extra, vectors))
        return
    from bertopic import BERTopic

    vectors = np.load(vectors_file)
    before = _rss_mb()
    start = time.perf_counter()
    topics, _ = BERTopic(calculate_probabilities=False).fit_transform(texts, embeddings=vectors)
    seconds = time.perf_counter() - start
    topics = np.asarray(topics)
    queue.put((topics, topics == -1, seconds, _rss_mb() - before, {}, None))


def measured(method: str, path: Path, seed: int, vectors_file: Path, cache: str = ""):
    """``_child`` in a fresh interpreter, so one method's memory never counts for the other."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(method, str(path), seed, str(vectors_file), cache, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def run_set(
    path: Path,
    seed: int,
    scratch: Path,
    bertopic_runs: int = 3,
    stability_seeds: int = 1,
    embedders: tuple[str, ...] = ("lexical", "use", "e5"),
    bertopic_on: str = "use",
    cache: str = "",
) -> list[dict[str, object]]:
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    truth = data["label"].to_numpy()
    k = len(np.unique(truth))
    head = {"set": path.stem, "n": len(truth), "true k": k}
    rows, bertopic_vectors = [], None
    for embedder in embedders:
        method = f"rtc_nlp {embedder}"
        vectors_file = scratch / f"{path.stem}.{embedder}.npy"
        labels, unassigned, seconds, memory, extra, vectors = measured(method, path, seed, vectors_file, cache)
        nets = extra.pop("_nets", None)
        ours = {
            **head,
            "method": method,
            **scores(truth, labels, unassigned),
            "seconds": seconds,
            "peak MB": memory,
            **extra,
        }
        if nets is not None:
            # The second level: the nets that group the themes, and the tree as a whole.
            net_scores = scores(truth, nets, unassigned)
            ours.update({"net ARI": net_scores["ARI"], "net AMI": net_scores["AMI"], "nets": net_scores["themes"]})
            ours["tree purity"] = dendrogram_purity(truth, labels, nets)
        # The oracle: k-means told the true number of classes, on the very same vectors.
        oracle_labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors)
        oracle = {
            **head,
            "method": f"KMeans, true k, {embedder} vectors (oracle)",
            **scores(truth, oracle_labels, np.zeros(len(truth), dtype=bool)),
        }
        oracle["tree purity"] = dendrogram_purity(truth, oracle_labels, oracle_labels)
        ours["ARI / oracle"] = ours["ARI"] / oracle["ARI"] if oracle["ARI"] > 0 else float("nan")
        if nets is not None:
            best = max(ours["ARI"], ours["net ARI"])
            ours["better level / oracle"] = best / oracle["ARI"] if oracle["ARI"] > 0 else float("nan")
        ours["ACC - oracle"] = ours["ACC"] - oracle["ACC"]
        ours["ARI bound"] = ari_bound(truth, labels)
        reach = themes_within_reach(truth, 0.9 * oracle["ARI"])
        ours["themes for 90%"] = f"{reach[0]}-{reach[1]}" if reach else "none"
        if stability_seeds > 1:
            # Themes with other seeds, each in a fresh process: their pairwise agreement.
            others = [measured(method, path, seed + i, vectors_file, cache) for i in range(1, stability_seeds)]
            runs = [labels] + [other[0] for other in others]
            pairs = [adjusted_rand_score(a, b) for i, a in enumerate(runs) for b in runs[i + 1 :]]
            ours[f"seed ARI (median of {len(pairs)} pairs)"] = float(np.median(pairs))
            if nets is not None:
                net_runs = [nets] + [other[4]["_nets"] for other in others]
                pairs = [adjusted_rand_score(a, b) for i, a in enumerate(net_runs) for b in net_runs[i + 1 :]]
                ours["net seed ARI"] = float(np.median(pairs))
                counts = [len(np.unique(r[r > 0])) for r in net_runs]
                ours["nets across seeds"] = f"{min(counts)}-{max(counts)}"
        rows += [ours, oracle]
        if embedder == bertopic_on:
            np.save(vectors_file, vectors)
            bertopic_vectors = vectors_file
    if bertopic_runs < 1 or bertopic_vectors is None:
        return rows
    if importlib.util.find_spec("bertopic") is None:
        print("bertopic is not installed: pip install -e '.[bench]'")
        return rows
    # BERTopic gets rtc_nlp's vectors, so both cluster the very same points.
    # BERTopic's default UMAP is not seeded: each run differs, so report the median of a few.
    runs = []
    for _ in range(bertopic_runs):
        labels, unassigned, seconds, memory, _, _ = measured("BERTopic defaults", path, seed, bertopic_vectors)
        runs.append({**scores(truth, labels, unassigned), "seconds": seconds, "peak MB": memory})
    runs_table = pd.DataFrame(runs)
    rows.append(
        {
            **head,
            "method": f"BERTopic defaults, {bertopic_on} vectors (median of {bertopic_runs})",
            **{
                key: (int(runs_table[key].median()) if key == "themes" else float(runs_table[key].median()))
                for key in runs_table.columns
            },
            "ACC range": f"{runs_table['ACC'].min():.3f}-{runs_table['ACC'].max():.3f}",
            "ARI range": f"{runs_table['ARI'].min():.3f}-{runs_table['ARI'].max():.3f}",
        }
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--sets", help="comma-separated file stems (default: every CSV)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="also write the table as Markdown to this file")
    parser.add_argument("--bertopic-runs", type=int, default=3, help="BERTopic runs per set (median reported; 0: none)")
    parser.add_argument(
        "--stability-seeds",
        type=int,
        default=1,
        help="also fit rtc_nlp with this many seeds and report their median pairwise ARI",
    )
    parser.add_argument(
        "--embedders",
        default="lexical,use,e5",
        help="rtc_nlp embedders to compare, side by side (default: %(default)s)",
    )
    parser.add_argument("--bertopic-on", default="use", help="whose vectors BERTopic clusters (default: %(default)s)")
    parser.add_argument(
        "--cache",
        default="",
        help="embedding cache folder shared by the runs (default: none, every run embeds; "
        "with a cache, 'seconds' is the clustering and naming time once warm)",
    )
    args = parser.parse_args()
    files = sorted(Path(args.folder).glob("*.csv"))
    if args.sets:
        wanted = args.sets.split(",")
        files = sorted((f for f in files if f.stem in wanted), key=lambda f: wanted.index(f.stem))
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for file in files:
            for row in run_set(
                file,
                args.seed,
                Path(scratch),
                args.bertopic_runs,
                args.stability_seeds,
                tuple(args.embedders.split(",")),
                args.bertopic_on,
                args.cache,
            ):
                rows.append(row)
                print(" | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values()), flush=True)
    table = pd.DataFrame(rows)
    text = table.to_markdown(index=False, floatfmt=".3f") if _has_tabulate() else table.to_string(index=False)
    print(text)
    if args.out:
        Path(args.out).write_text(
            f"Machine: {platform.platform()}, {platform.processor() or 'cpu'}; seed {args.seed}\n\n{text}\n",
            encoding="utf-8",
        )


def _has_tabulate() -> bool:
    return importlib.util.find_spec("tabulate") is not None


if __name__ == "__main__":
    main()
