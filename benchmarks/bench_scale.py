"""Scale: from a file of answers to themes, at 100,000 and 1,000,000 answers, on this machine.

For each size, a file is built with ``make_large.py`` (rows drawn from every ``text,label`` CSV of
the evaluation folder, a word dropped from repeated texts) in a scratch folder, then:

* ``rtc-nlp themes FILE --embedder EMBEDDER`` (``--embedder``, default ``use``) runs in a fresh
  process: wall time and peak memory (the process's peak resident set, as the OS reports it;
  embedding runs in its threads), themes found, and ARI against the labels per source set;
* coding a new wave (another draw of the same size, other seed) against the frozen model
  (``ThemeModel.load(...).transform``, timed from the loaded model to the coded frame):
  answers per second;
* each step runs ``--repeats`` times (fresh processes, same input): the median and the range;
* with ``--compare-encoder``, the same file with the encoder on every answer
  (``--student-above 0``): its time, and the ARI between its themes and the fast path's on a
  seeded subsample of 10,000 answers;
* with ``--warm``, a run that fills an embedding cache of its own, then the same run again.
* with ``--code``, ``rtc-nlp code`` of the new wave with the codebook of the fitted model, on
  its fast path (the default) and with the encoder on every answer (``--student-above 0``),
  each in a fresh process: answers per second from the command's start to its files, and the
  agreement (ARI, share of equal main codes) of the two runs' codes.
* with ``--bertopic``, BERTopic's defaults on the same vectors at the smallest size, for the
  ratio of times.

    python benchmarks/bench_scale.py --rows 100000,1000000 --bertopic [--embedder lexical]

Nothing large is written to the repository: the scratch folder is a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_large import make_large  # noqa: E402

DEFAULT_FOLDER = HERE.parent.parent / "shared" / "evaldata"

# Runs a command and prints its wall time and the peak resident memory of the largest process
# among it and its children (Linux's RUSAGE_CHILDREN), in MB.
_TIMED = (
    "import resource, subprocess, sys, time, json\n"
    "start = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(json.dumps({'seconds': time.perf_counter() - start, 'code': code,\n"
    "                  'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
)

_CODE_WAVE = (
    "import json, resource, sys, time\n"
    "import pandas as pd\n"
    "from rtc_nlp import ThemeModel\n"
    "wave = pd.read_parquet(sys.argv[2])\n"
    "model = ThemeModel.load(sys.argv[1], cache_dir=False)\n"
    "model.n_jobs, model.verbose = -1, False\n"
    "start = time.perf_counter()\n"
    "coded = model.transform(wave[['id', 'text']])\n"
    "seconds = time.perf_counter() - start\n"
    "print(json.dumps({'seconds': seconds, 'rows': len(coded), 'per_second': len(coded) / seconds,\n"
    "                  'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
)

_BERTOPIC = (
    "import json, resource, sys, time\n"
    "import numpy as np, pandas as pd\n"
    "from rtc_nlp import ThemeModel\n"
    "from bertopic import BERTopic\n"
    "texts = pd.read_parquet(sys.argv[2])['text'].tolist()\n"
    "model = ThemeModel.load(sys.argv[1], cache_dir=False)\n"
    "vectors = model.embedder_.transform(texts)\n"
    "start = time.perf_counter()\n"
    "topics, _ = BERTopic(calculate_probabilities=False).fit_transform(texts, embeddings=vectors)\n"
    "seconds = time.perf_counter() - start\n"
    "np.save(sys.argv[3], np.asarray(topics))\n"
    "print(json.dumps({'seconds': seconds, 'themes': int(len(set(topics)) - (-1 in topics)),\n"
    "                  'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
)


def _run_json(args: list[str], env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{args[:4]} failed:\n{result.stderr[-2000:]}")
    return json.loads(lines[-1])


def ari_by_source(frame: pd.DataFrame, themes: np.ndarray) -> dict[str, float]:
    """ARI of the themes against the labels within each source set (the demo has one label)."""
    out = {}
    for source, rows in frame.groupby("source").indices.items():
        if frame["label"].iloc[rows].nunique() > 1:
            out[source] = round(float(adjusted_rand_score(frame["label"].iloc[rows], themes[rows])), 3)
    return out


def _median_run(args: list[str], repeats: int, env: dict[str, str] | None = None) -> tuple[dict, list[float]]:
    """Run ``args`` ``repeats`` times; the run of median time and all the times."""
    runs = sorted((_run_json(args, env) for _ in range(repeats)), key=lambda r: r["seconds"])
    return runs[len(runs) // 2], [r["seconds"] for r in runs]


def _seconds(times: list[float]) -> str:
    median = float(np.median(times))
    return f"{median:.1f}" if len(times) == 1 else f"{median:.1f} ({min(times):.1f}-{max(times):.1f})"


def _fit(source: Path, out: Path, embedder: str, repeats: int, extra: list[str], cache: Path | None) -> tuple:
    """``rtc-nlp themes`` in fresh processes: the run of median time, all the times, the
    assignments and ``model.json``."""
    command = [sys.executable, "-c", _TIMED, sys.executable, "-m", "rtc_nlp.cli", "themes", str(source)]
    command += ["--id-column", "id", "--embedder", embedder, "--quiet", "--overwrite", "--out", str(out), *extra]
    if cache is None:
        command.append("--no-cache")
    env = None if cache is None else {**os.environ, "RTC_NLP_CACHE": str(cache)}
    timed, times = _median_run(command, repeats, env)
    if timed["code"] != 0:
        raise RuntimeError(f"rtc-nlp themes failed on {source}")
    answers = pd.read_parquet(out / "model" / "assignments.parquet")
    model = json.loads((out / "model" / "model.json").read_text(encoding="utf-8"))
    return timed, times, answers, model


def _fit_row(rows: int, data: pd.DataFrame, method: str, timed: dict, times: list[float], answers, model) -> dict:
    assert answers["id"].tolist() == data["id"].tolist()
    clustering = model["summary"]["clustering"]
    fast = model["summary"].get("fast_path") or {}
    return {
        "rows": rows,
        "distinct": int(data["text"].nunique()),
        "method": method,
        "seconds": _seconds(times),
        "peak MB": round(timed["peak_mb"]),
        "themes": int(model["summary"]["n_themes"]),
        "fitted on": clustering.get("fitted_on"),
        "encoder answers": fast.get("encoder_answers", int(data["text"].nunique())),
        "routed": fast.get("routed"),
        "stability": round(clustering.get("stability", float("nan")), 3),
        "ARI by source": ari_by_source(data, answers["theme_id"].to_numpy()),
    }


def run_size(
    rows: int,
    folder: Path,
    scratch: Path,
    bertopic: bool,
    repeats: int = 1,
    embedder: str = "use",
    compare: bool = False,
    warm: bool = False,
    code: bool = False,
) -> list[dict]:
    data = make_large(rows, folder, seed=0)
    wave = make_large(rows, folder, seed=1)
    source = scratch / f"answers_{rows}.parquet"
    data.to_parquet(source, index=False)
    wave_file = scratch / f"wave_{rows}.parquet"
    wave[["id", "text"]].to_parquet(wave_file, index=False)
    out = scratch / f"out_{rows}"
    timed, fit_times, answers, model = _fit(source, out, embedder, repeats, [], None)
    row = _fit_row(rows, data, "rtc_nlp (CLI, file to themes)", timed, fit_times, answers, model)
    rows_out = [row]
    if compare:
        # The encoder on every answer, side by side: the reference the fast path must agree with.
        full_out = scratch / f"full_{rows}"
        f_timed, f_times, f_answers, f_model = _fit(source, full_out, embedder, repeats, ["--student-above", "0"], None)
        full = _fit_row(rows, data, "encoder on every answer (--student-above 0)", f_timed, f_times, f_answers, f_model)
        pick = np.sort(np.random.default_rng(0).choice(rows, min(rows, 10_000), replace=False))
        fast_themes, full_themes = answers["theme_id"].to_numpy(), f_answers["theme_id"].to_numpy()
        agreement = adjusted_rand_score(full_themes[pick], fast_themes[pick])
        row["ARI vs encoder (10,000 answers)"] = round(float(agreement), 3)
        row["x encoder's time"] = round(float(np.median(fit_times)) / float(np.median(f_times)), 2)
        rows_out.append(full)
    if warm:
        # A cache of its own: the first run fills it, the second finds every vector it needs.
        cache = scratch / f"cache_{rows}"
        cold_timed, cold_times, _, _ = _fit(source, scratch / f"cold_{rows}", embedder, 1, [], cache)
        warm_timed, warm_times, _, _ = _fit(source, scratch / f"warm_{rows}", embedder, repeats, [], cache)
        rows_out.append(
            {
                "rows": rows,
                "method": "second run, embedding cache warm",
                "seconds": _seconds(warm_times),
                "peak MB": round(warm_timed["peak_mb"]),
                "x first run (cache cold)": round(float(np.median(warm_times)) / float(np.median(cold_times)), 2),
            }
        )
    coded, code_times = _median_run([sys.executable, "-c", _CODE_WAVE, str(out / "model"), str(wave_file)], repeats)
    rates = sorted(rows / t for t in code_times)
    rows_out.append(
        {
            "rows": rows,
            "method": "coding a new wave (frozen model)",
            "seconds": _seconds(code_times),
            "peak MB": round(coded["peak_mb"]),
            "answers/s": f"{np.median(rates):,.0f}"
            + (f" ({rates[0]:,.0f}-{rates[-1]:,.0f})" if len(rates) > 1 else ""),
        }
    )
    if code:
        rows_out += _code_rows(rows, out, wave_file, scratch, embedder, repeats)
    if bertopic:
        topics_file = scratch / f"bertopic_{rows}.npy"
        result = _run_json([sys.executable, "-c", _BERTOPIC, str(out / "model"), str(source), str(topics_file)])
        topics = np.load(topics_file)
        rows_out.append(
            {
                "rows": rows,
                "method": "BERTopic defaults, same vectors (clustering only)",
                "seconds": round(result["seconds"], 1),
                "peak MB": round(result["peak_mb"]),
                "themes": result["themes"],
                "unassigned": round(float(np.mean(topics == -1)), 3),
                "x rtc_nlp's run": round(result["seconds"] / float(np.median(fit_times)), 1),
                "ARI by source": ari_by_source(data, topics),
            }
        )
    return rows_out


def _code_rows(rows: int, out: Path, wave_file: Path, scratch: Path, embedder: str, repeats: int) -> list[dict]:
    """``rtc-nlp code`` of the new wave with the fitted model's codebook: the fast path and the
    encoder on every answer, side by side."""
    book = scratch / f"codebook_{rows}.json"
    cli = [sys.executable, "-m", "rtc_nlp.cli"]
    subprocess.run([*cli, "codebook", str(out), "--out", str(book), "--overwrite"], check=True, capture_output=True)
    found, coded = [], {}
    for method, extra in (("fast path", []), ("encoder on every answer", ["--student-above", "0"])):
        target = scratch / f"coded_{rows}_{len(extra)}"
        command = [sys.executable, "-c", _TIMED, *cli, "code", str(wave_file), "--codebook", str(book)]
        command += ["--text-column", "text", "--id-column", "id", "--embedder", embedder, "--out", str(target)]
        timed, times = _median_run([*command, "--overwrite", *extra], repeats)
        if timed["code"] != 0:
            raise RuntimeError(f"rtc-nlp code failed on {wave_file}")
        coded[method] = pd.read_csv(target / "answers_with_codes.csv", usecols=["theme_id"])["theme_id"].to_numpy()
        run = json.loads((target / "run.json").read_text(encoding="utf-8"))
        rates = sorted(rows / t for t in times)
        found.append(
            {
                "rows": rows,
                "method": f"rtc-nlp code, {method}",
                "seconds": _seconds(times),
                "peak MB": round(timed["peak_mb"]),
                "answers/s": f"{np.median(rates):,.0f}",
                "fast path": run.get("fast_path", {}),
            }
        )
    fast, full = coded["fast path"], coded["encoder on every answer"]
    usable = full >= 0  # non-answers are the same rows in both
    found[0]["ARI vs encoder"] = round(float(adjusted_rand_score(full[usable], fast[usable])), 3)
    found[0]["same main code"] = round(float(np.mean(full[usable] == fast[usable])), 3)
    found[0]["x encoder's time"] = round(
        float(found[0]["seconds"].split()[0]) / float(found[1]["seconds"].split()[0]), 2
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help="folder of text,label CSVs")
    parser.add_argument("--bertopic", action="store_true", help="also run BERTopic at the smallest size")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each rtc_nlp step (median and range)")
    parser.add_argument("--embedder", default="use", help="rtc_nlp's embedder (default: %(default)s)")
    parser.add_argument(
        "--compare-encoder",
        action="store_true",
        help="also run with the encoder on every answer (--student-above 0): time and agreement",
    )
    parser.add_argument("--warm", action="store_true", help="also time a second run with the embedding cache warm")
    parser.add_argument(
        "--code", action="store_true", help="also time 'rtc-nlp code' of the new wave, fast path and encoder"
    )
    args = parser.parse_args()
    sizes = sorted(int(r) for r in args.rows.split(","))
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    results = []
    with tempfile.TemporaryDirectory(prefix="rtc_nlp_scale_") as scratch:
        for i, rows in enumerate(sizes):
            found = run_size(
                rows,
                Path(args.folder),
                Path(scratch),
                args.bertopic and i == 0,
                args.repeats,
                args.embedder,
                args.compare_encoder,
                args.warm,
                args.code,
            )
            results += found
            print(json.dumps(found, ensure_ascii=False), flush=True)
    table = pd.DataFrame(results)
    print(table.to_string(index=False))
    if args.bertopic:
        ratio = table[table["method"].str.startswith("BERTopic")]["x rtc_nlp's run"].iloc[0]
        print(f"at {sizes[0]} rows: BERTopic's clustering alone takes {ratio:.1f}x rtc_nlp's whole run (median)")


if __name__ == "__main__":
    main()
