"""The fast path of ``rtc-nlp code``: how many answers the encoder must embed for the codes to
agree with the encoder's on every answer, by the size of the student's sample and the routing
agreement it is calibrated to.

A codebook from themes found on 20,000 rows of ``make_large.py`` (seed 0), then a new wave of
``--rows`` rows (seed 1) coded with the encoder on every answer (the reference; vectors cached
in ``--cache``), and, for each setting, a student trained on a weighted sample of the wave's
distinct answers, the routing threshold calibrated on the held-out part of the sample, and the
codes that result: answers the encoder embedded (the sample and the routed), ARI and share of
equal main codes against the reference. Time is the encoder's answers at its rate here (about
800 per second) plus the rest of a run.

    python benchmarks/bench_code_routing.py [--rows 100000] [--cache FOLDER]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_large import make_large  # noqa: E402

from rtc_nlp import Codebook, CodebookCoder, ThemeModel  # noqa: E402
from rtc_nlp.embedders.student import STUDENT_TRAIN, calibrate, fit_student, routed  # noqa: E402
from rtc_nlp.text import prepare_texts  # noqa: E402
from rtc_nlp.themes.assign import nearest_themes  # noqa: E402
from rtc_nlp.themes.sampling import weighted_sample  # noqa: E402

DEFAULT_FOLDER = HERE.parent.parent / "shared" / "evaldata"
SETTINGS = [(12000, 0.95), (16000, 0.95), (12000, 0.90), (16000, 0.90), (8000, 0.90), (12000, 0.85), (8000, 0.85)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--folder", default=str(DEFAULT_FOLDER))
    parser.add_argument("--cache", default=None, help="embedding cache folder (default: the user's)")
    args = parser.parse_args()
    themes = ThemeModel(embedder="use", random_state=0, cache_dir=args.cache, verbose=False)
    book = Codebook.from_model(themes.fit(make_large(20_000, Path(args.folder), seed=0)[["id", "text"]]))
    wave = make_large(args.rows, Path(args.folder), seed=1)[["id", "text"]]
    reference = CodebookCoder(book, "use", student_above=None, cache_dir=args.cache).fit(wave)
    full = reference.code(wave)
    prepared = prepare_texts(wave["text"])
    usable = prepared["non_answer"].isna().to_numpy()
    codes, unique = pd.factorize(pd.Series(prepared["clean_text"].astype(str).to_numpy()[usable], dtype=object))
    distinct = [str(t) for t in unique]
    encoder = reference._encode(distinct)  # from the cache: the reference embedded them
    prototypes, ids = reference.prototypes_, np.array([t.id for t in book.codes])
    truth = full["theme_id"].to_numpy()[usable]
    print(f"{len(distinct)} distinct answers, {len(book.codes)} codes, threshold {reference.min_similarity_:.3f}")
    for size, agreement in SETTINGS:
        sample = weighted_sample(np.bincount(codes), size, np.random.default_rng(0))
        _, _, _, student = fit_student(distinct, sample, encoder[sample], prototypes, random_state=0, n_jobs=-1)
        held = np.sort(np.random.default_rng(0).permutation(size)[min(STUDENT_TRAIN, size // 2) :])
        threshold, _ = calibrate(student[sample[held]], encoder[sample[held]], prototypes, agreement=agreement)
        vectors = student.copy()
        sent = np.union1d(routed(vectors, prototypes, threshold), sample)
        vectors[sent] = encoder[sent]
        found = nearest_themes(vectors[codes], prototypes, min_similarity=reference.min_similarity_, max_codes=2)
        coded = np.where(found.theme >= 0, ids[np.maximum(found.theme, 0)], 0)
        row = {"sample": size, "agreement": agreement, "encoder answers": int(len(sent))}
        row |= {
            "ARI": round(adjusted_rand_score(truth, coded), 3),
            "same main code": round(float(np.mean(truth == coded)), 3),
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
