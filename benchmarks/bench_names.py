"""Theme names that say what the answers are about: how many are a lone adjective or evaluation.

For the demo survey's two waves and every ``text,label`` CSV of the evaluation folder (a seeded
sample of ``--rows`` rows), themes are found with the default settings and their names read:

* names of one word, and among them those that are an evaluation or a lone adjective
  ("Moderno", "Abbondante", "Peggior", "Great"), by :func:`rtc_nlp.themes.names.is_evaluation`;
* keywords that are elision fragments ("po" of "un po'").

Every one-word name is printed, so the count can be checked by reading them, not only by the
same word list the names are chosen with.

    python benchmarks/bench_names.py [--rows 2000] [--embedder use] [--cache FOLDER]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from rtc_nlp import ThemeModel, read_answers
from rtc_nlp.stopwords import is_evaluation

HERE = Path(__file__).resolve().parent
DEFAULT_FOLDER = HERE.parent.parent / "shared" / "evaldata"
DEMO = HERE.parent / "data" / "demo"
FRAGMENTS = {"po", "pò"}


def names_of(texts: list[str], embedder: str, cache: str | None) -> pd.DataFrame:
    model = ThemeModel(embedder=embedder, random_state=0, cache_dir=cache or None, verbose=False).fit(texts)
    return model.themes_[["label", "keywords", "size"]]


def measure(name: str, themes: pd.DataFrame) -> dict:
    labels = themes["label"].astype(str)
    one_word = [label for label in labels if len(label.split()) == 1]
    evaluations = [label for label in one_word if is_evaluation(label)]
    keywords = [k.strip().lower() for ks in themes["keywords"] for k in str(ks).split(";")]
    return {
        "set": name,
        "themes": len(themes),
        "one-word names": len(one_word),
        "lone evaluations": len(evaluations),
        "share of themes": round(len(evaluations) / max(len(themes), 1), 3),
        "fragment keywords": sum(k in FRAGMENTS for k in keywords),
        "one-word names, listed": ", ".join(one_word),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help="folder of text,label CSVs")
    parser.add_argument("--rows", type=int, default=2000, help="rows per set at most (default: %(default)s)")
    parser.add_argument("--embedder", default="use", help="rtc_nlp's embedder (default: %(default)s)")
    parser.add_argument("--cache", help="embedding cache folder (default: the user's cache)")
    args = parser.parse_args()
    rows = []
    for wave in ("wave1", "wave2"):
        answers = read_answers(DEMO / f"{wave}.csv", text_column="risposta", id_column="id")
        rows.append(measure(f"demo {wave}", names_of(answers["text"].tolist(), args.embedder, args.cache)))
        print(rows[-1], flush=True)
    for path in sorted(Path(args.folder).glob("*.csv")):
        data = pd.read_csv(path, dtype=str, keep_default_na=False)
        if len(data) > args.rows:
            data = data.iloc[np.sort(np.random.default_rng(0).choice(len(data), args.rows, replace=False))]
        rows.append(measure(path.stem, names_of(data["text"].tolist(), args.embedder, args.cache)))
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_colwidth", 120):
        print(table.drop(columns=["one-word names, listed"]).to_string(index=False))
        total = table[["themes", "one-word names", "lone evaluations", "fragment keywords"]].sum()
        print(
            f"all sets: {total['lone evaluations']} lone evaluations in {total['themes']} themes "
            f"({total['lone evaluations'] / total['themes']:.1%}); {total['one-word names']} one-word names; "
            f"{total['fragment keywords']} fragment keywords"
        )


if __name__ == "__main__":
    main()
