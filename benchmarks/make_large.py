"""Build a large file of answers for the scale benchmarks (never committed: written to --out).

Rows are drawn from every ``text,label`` CSV of a folder (default ``../shared/evaldata``) and the
bundled demo survey; after the first copy of a text, one word is dropped at random, so the
file holds many distinct answers, as real feedback does, while keeping each row's label.

    python benchmarks/make_large.py --rows 1000000 --out /tmp/answers_1m.parquet
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def make_large(rows: int, folder: Path, seed: int = 0) -> pd.DataFrame:
    """``rows`` answers (``id``, ``text``, ``label``, ``source``), deterministic for ``seed``."""
    frames = []
    for path in sorted(glob.glob(str(folder / "*.csv"))):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)[["text", "label"]]
        frames.append(frame.assign(source=Path(path).stem))
    demo = pd.read_csv(REPO / "data" / "demo" / "wave1.csv", dtype=str, keep_default_na=False)
    frames.append(pd.DataFrame({"text": demo["risposta"], "label": "demo", "source": "demo"}))
    base = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), rows)
    texts = base["text"].to_numpy(dtype=object)[pick]
    first = ~pd.Series(pick).duplicated().to_numpy()
    drop = rng.random(rows)
    out = []
    for text, keep, r in zip(texts, first, drop):
        words = text.split()
        if not keep and len(words) > 3:
            del words[int(r * len(words))]
        out.append(" ".join(words))
    return pd.DataFrame(
        {
            "id": [f"A{i:07d}" for i in range(rows)],
            "text": out,
            "label": base["label"].to_numpy(dtype=object)[pick],
            "source": base["source"].to_numpy(dtype=object)[pick],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--folder", default=str(REPO.parent / "shared" / "evaldata"))
    parser.add_argument("--out", required=True, help=".parquet or .csv file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if os.path.exists(args.out):
        sys.exit(f"{args.out} exists; choose another --out")
    start = time.perf_counter()
    frame = make_large(args.rows, Path(args.folder), args.seed)
    if args.out.endswith(".parquet"):
        frame.to_parquet(args.out, index=False)
    else:
        frame.to_csv(args.out, index=False)
    print(f"{args.out}: {len(frame)} rows, {frame['text'].nunique()} distinct, {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
