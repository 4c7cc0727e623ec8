"""Clustering steps on the same vectors: rtc_nlp's default against UMAP + HDBSCAN.

For every ``text,label`` CSV of a folder (default ``../shared/evaldata``), embeds the texts once
(``--embedder``, default the Universal Sentence Encoder; ``--cache`` reuses vectors across
runs) and fits ThemeModel with each clustering step, everything else equal (the same size
floor, merge of near-duplicate themes and nearest-centre assignment, so no answer is left
out):

* ``default``: the shared-neighbour Leiden clusterer (agglomerative up to 300 answers);
* ``umap+hdbscan``: UMAP to 5 dimensions (15 neighbours, cosine, seeded) then HDBSCAN, the
  steps BERTopic uses (``pip install "rtc_nlp[umap]"``);
* ``leiden@R``: one level of the community clusterer, at resolution ``R``, without the merge:
  how good each level is, to compare with the level the default keeps;
* ``merge@S``: the default with another threshold of the theme merge (``merge_similarity``);
* ``kmeans@k``: k-means told the true number of classes (the oracle), in the same pipeline.

Prints ARI and AMI against the labels, the number of themes and the seconds of each fit, and
with two or more ``leiden@`` steps, each set's best level against the oracle.

    python benchmarks/bench_steps.py [--embedder use] [--sets xsid_ita,tweet] [--cache DIR]
    python benchmarks/bench_steps.py --embedder use:center --steps default   # USE centred on the answers' mean
    python benchmarks/bench_steps.py --embedder e5:raw --steps default       # e5 not centred
    python benchmarks/bench_steps.py --steps default,leiden@2,leiden@1,leiden@0.5,leiden@0.25,leiden@0.12,kmeans@k
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

from rtc_nlp import ThemeModel
from rtc_nlp.embedders.registry import embedder_class

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"


def steps(name: str, n: int, seed: int, k: int) -> dict:
    if name == "default":
        return {}
    if name.startswith("leiden@"):
        from rtc_nlp import CommunityClusterer

        return {
            "clusterer": CommunityClusterer(resolutions=(float(name[7:]),), n_runs=1, random_state=seed),
            "merge_similarity": None,
        }
    if name.startswith("merge@"):
        return {"merge_similarity": float(name[6:])}
    if name == "kmeans@k":
        return {"n_themes": k}
    import hdbscan
    import umap

    return {
        "reducer": umap.UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed),
        "clusterer": hdbscan.HDBSCAN(min_cluster_size=max(5, n // 200)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument(
        "--embedder", default="use", help="an embedder name; NAME:center or NAME:raw for an encoder centred or not"
    )
    parser.add_argument("--sets", help="comma-separated file stems (default: every CSV)")
    parser.add_argument("--steps", default="default,umap+hdbscan")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default="", help="embedding cache folder (default: none)")
    args = parser.parse_args()
    files = sorted(Path(args.folder).glob("*.csv"))
    if args.sets:
        files = [f for f in files if f.stem in args.sets.split(",")]
    rows = []
    for path in files:
        data = pd.read_csv(path, dtype=str, keep_default_na=False)
        texts, truth = data["text"].tolist(), data["label"].to_numpy()
        embedder = args.embedder
        if ":" in embedder:  # an encoder with centring set explicitly
            name, mode = embedder.split(":")
            embedder = embedder_class(name)(center=mode == "center")
        for name in args.steps.split(","):
            start = time.perf_counter()
            model = ThemeModel(
                embedder=embedder,
                random_state=args.seed,
                cache_dir=args.cache or False,
                verbose=False,
                **steps(name, len(texts), args.seed, len(np.unique(truth))),
            ).fit(texts)
            seconds = time.perf_counter() - start
            embedder = model.embedder_  # fitted once, reused (vectors from the cache)
            labels = model.assignments_["theme_id"].to_numpy()
            rows.append(
                {
                    "set": path.stem,
                    "steps": name,
                    "themes": int(len(np.unique(labels[labels > 0]))),
                    "true k": int(len(np.unique(truth))),
                    "ARI": adjusted_rand_score(truth, labels),
                    "AMI": adjusted_mutual_info_score(truth, labels),
                    "seconds": seconds,
                }
            )
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    wide = table.pivot(index="set", columns="steps", values="ARI")
    if wide.shape[1] == 2:
        first, second = wide.columns
        print(
            f"ARI: {first} higher on {int((wide[first] > wide[second]).sum())} of {len(wide)} sets; "
            f"mean {wide[first].mean():.3f} vs {wide[second].mean():.3f}"
        )
    levels = [c for c in wide.columns if c.startswith("leiden@")]
    if len(levels) > 1 and "kmeans@k" in wide.columns:
        best = wide[levels].max(axis=1)
        summary = pd.DataFrame(
            {
                "best level": wide[levels].idxmax(axis=1),
                "its ARI": best,
                "oracle ARI": wide["kmeans@k"],
                "best / oracle": best / wide["kmeans@k"],
            }
        )
        if "default" in wide.columns:
            summary["default / oracle"] = wide["default"] / wide["kmeans@k"]
        print(summary.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
