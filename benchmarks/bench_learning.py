"""The coder that learns from the analyst, simulated with the dev sets' human codes.

For each ``text,label`` CSV of the evaluation folder (at most ``--rows`` rows, a seeded sample),
a codebook that holds only the class names (one theme per class, its name as description), then
rounds of 50 corrections up to 800, the analyst's answer being the human code:

* **today's rule**: the corrected answers join their themes' prototypes (``learn=False``: the
  mean-vector rule, as ``--manual`` did), corrections drawn at random;
* **the new coder, random**: the same corrections teach a :class:`~rtc_nlp.coding.learner.ThemeLearner`;
* **the new coder, active**: each round's 50 answers are the ones the coder is least sure of,
  with no near-copies in a batch (:func:`~rtc_nlp.coding.learner.active_queue`).

Cohen's kappa of the main code against the human code on the answers never reviewed (an answer
left "non classificato" counts as a disagreement), mean of ``--draws`` draws for the random
curves. The audit: at every round of the active curve, ``--audits`` random samples of
``--audit-size`` never-reviewed answers, their accuracy with a Wilson 95% interval, and how
often the interval holds the true accuracy over all the never-reviewed answers.

    python benchmarks/bench_learning.py [--rows 4000] [--draws 3] [--embedder use]
    python benchmarks/bench_learning.py --speed 10000   # retrain and re-code, vectors cached
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

from rtc_nlp import Codebook, CodebookCoder
from rtc_nlp.coding.learner import active_queue
from rtc_nlp.coding.waves import wilson_interval
from rtc_nlp.validation.agreement import cohen_kappa

HERE = Path(__file__).resolve().parent
DEFAULT_FOLDER = HERE.parent.parent / "shared" / "evaldata"
BATCH, MOST = 50, 800


def _codebook(labels: list[str]) -> tuple[Codebook, dict[str, int]]:
    names = sorted(set(labels))
    book = Codebook.from_records([{"label": n, "description": n.replace("_", " ")} for n in names])
    return book, {n: t.id for n, t in zip(names, book.codes)}


def _coder(book: Codebook, answers: pd.DataFrame, labelled: np.ndarray, gold: np.ndarray, learn: bool, cache: Path):
    manual = None
    if len(labelled):
        manual = pd.DataFrame({"text": answers["text"].to_numpy()[labelled], "codes": gold[labelled].astype(str)})
    coder = CodebookCoder(book, EMBEDDER, manual=manual, learn=learn, cache_dir=cache, student_above=None)
    coded = coder.fit(answers).code(answers)
    return coder, coded["theme_id"].to_numpy()


def _kappa(gold: np.ndarray, predicted: np.ndarray, unseen: np.ndarray) -> float:
    return float(cohen_kappa(gold[unseen].astype(str), predicted[unseen].astype(str)))


def run_set(path: Path, rows: int, draws: int, audits: int, audit_size: int, cache: Path) -> tuple[list[dict], dict]:
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    if len(data) > rows:
        data = data.iloc[np.sort(np.random.default_rng(0).choice(len(data), rows, replace=False))]
    data = data.reset_index(drop=True)
    answers = pd.DataFrame({"id": [f"r{i}" for i in range(len(data))], "text": data["text"]})
    book, id_of = _codebook(data["label"].tolist())
    gold = data["label"].map(id_of).to_numpy()
    rounds = list(range(0, MOST + 1, BATCH))
    curves: dict[str, list[list[float]]] = {"today, random": [], "new, random": []}
    for draw in range(draws):
        order = np.random.default_rng(draw).permutation(len(answers))
        for name, learn in (("today, random", False), ("new, random", True)):
            curve = []
            for n in rounds:
                labelled = np.sort(order[:n])
                _, predicted = _coder(book, answers, labelled, gold, learn, cache)
                unseen = np.setdiff1d(np.arange(len(answers)), labelled)
                curve.append(_kappa(gold, predicted, unseen))
            curves[name].append(curve)
    # Active: each round asks about the answers the current coder is least sure of.
    active, labelled, covered, audited = [], np.zeros(0, dtype=np.int64), 0, 0
    rng = np.random.default_rng(99)
    for n in rounds:
        coder, predicted = _coder(book, answers, labelled, gold, True, cache)
        unseen = np.setdiff1d(np.arange(len(answers)), labelled)
        active.append(_kappa(gold, predicted, unseen))
        truth = float(np.mean(predicted[unseen] == gold[unseen]))
        for _ in range(audits):
            sample = rng.choice(unseen, size=min(audit_size, len(unseen)), replace=False)
            low, high = wilson_interval(np.array([np.sum(predicted[sample] == gold[sample])]), np.array([len(sample)]))
            covered += bool(low[0] <= truth <= high[0])
            audited += 1
        picked = active_queue(coder.scores_, coder.vectors_, unseen, BATCH)
        labelled = np.sort(np.concatenate([labelled, picked]))
    rows_out = []
    for i, n in enumerate(rounds):
        rows_out.append(
            {
                "set": path.stem,
                "corrections": n,
                "today, random": round(float(np.mean([c[i] for c in curves["today, random"]])), 3),
                "new, random": round(float(np.mean([c[i] for c in curves["new, random"]])), 3),
                "new, active": round(active[i], 3),
            }
        )
    return rows_out, {"set": path.stem, "audits": audited, "covered": covered, "coverage": round(covered / audited, 3)}


def speed(rows: int, labels: int, cache: Path, folder: Path) -> None:
    """Seconds to retrain and re-code ``rows`` answers whose vectors are cached, with ``labels``
    corrections: the time an analyst waits between two review rounds (median of 3)."""
    sys.path.insert(0, str(HERE))
    from make_large import make_large

    data = make_large(rows, folder, seed=0)
    answers = data[["id", "text"]]
    book, id_of = _codebook(data["label"].tolist())
    gold = data["label"].map(id_of).to_numpy()
    labelled = np.sort(np.random.default_rng(0).choice(len(answers), labels, replace=False))
    _coder(book, answers, labelled, gold, True, cache)  # fills the cache
    times = []
    for _ in range(3):
        start = time.perf_counter()
        _coder(book, answers, labelled, gold, True, cache)
        times.append(time.perf_counter() - start)
    print(f"retrain on {labels} labels and re-code {rows} answers (vectors cached): median {np.median(times):.1f} s "
          f"({', '.join(f'{t:.1f}' for t in times)})")  # fmt: skip


def main() -> None:
    global EMBEDDER
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help="folder of text,label CSVs")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: every CSV)")
    parser.add_argument("--rows", type=int, default=4000, help="rows per set at most (default: %(default)s)")
    parser.add_argument("--draws", type=int, default=3, help="draws of the random curves (default: %(default)s)")
    parser.add_argument("--audits", type=int, default=5, help="audit samples per round (default: %(default)s)")
    parser.add_argument("--audit-size", type=int, default=100, help="answers per audit (default: %(default)s)")
    parser.add_argument("--embedder", default="use", help="rtc_nlp's embedder (default: %(default)s)")
    parser.add_argument("--cache", help="embedding cache folder (default: a scratch folder)")
    parser.add_argument("--speed", type=int, default=0, help="only time a retrain and re-code of this many answers")
    args = parser.parse_args()
    EMBEDDER = args.embedder
    if args.speed:
        with tempfile.TemporaryDirectory(prefix="rtc_nlp_learning_") as scratch:
            speed(args.speed, 400, Path(args.cache) if args.cache else Path(scratch) / "cache", Path(args.folder))
        return
    paths = sorted(Path(args.folder).glob("*.csv"))
    if args.sets:
        paths = [p for p in paths if p.stem in args.sets.split(",")]
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores; embedder {args.embedder}, {args.draws} draws")
    curves, coverage = [], []
    with tempfile.TemporaryDirectory(prefix="rtc_nlp_learning_") as scratch:
        cache = Path(args.cache) if args.cache else Path(scratch) / "cache"
        for path in paths:
            start = time.perf_counter()
            found, audit = run_set(path, args.rows, args.draws, args.audits, args.audit_size, cache)
            curves += found
            coverage.append(audit)
            print(pd.DataFrame(found).to_string(index=False), flush=True)
            print(audit, f"{time.perf_counter() - start:.0f} s", flush=True)
    table = pd.DataFrame(curves)
    table["gain, active"] = (table["new, active"] - table["today, random"]).round(3)
    at400 = table[table["corrections"] == 400].set_index("set")
    wins = int((at400["gain, active"] >= 0.05).sum())
    late = table[table["corrections"] >= 100]
    worst = late.assign(loss=late["today, random"] - late[["new, random", "new, active"]].min(axis=1))
    print(at400[["today, random", "new, random", "new, active", "gain, active"]].to_string())
    print(f"at 400 corrections the active loop beats today's rule by >= 0.05 on {wins} of {len(at400)} sets")
    print(f"largest loss of the new coder against today's rule from 100 on: {worst['loss'].max():.3f}")
    kappa = table.set_index(["set", "corrections"])
    for name, n, target in (("xsid_ita", 200, 0.95), ("banking77_test", 800, 0.83)):
        if (name, n) in kappa.index:
            print(f"{name} at {n}: {kappa.loc[(name, n), 'new, active']:.3f} (target {target})")
    audits = pd.DataFrame(coverage)
    print(f"audit intervals covering the true accuracy: {audits['covered'].sum()} of {audits['audits'].sum()} "
          f"({audits['covered'].sum() / audits['audits'].sum():.3f}; target 0.90)")  # fmt: skip


EMBEDDER = "use"

if __name__ == "__main__":
    main()
