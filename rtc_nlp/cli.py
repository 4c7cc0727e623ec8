"""The ``rtc-nlp`` command.

Every error caused by the input ends the command with exit status 2 and one line that
names the file, column or rows and what was expected; no traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import InputError, RtcNlpError
from .formats import FORMATS
from .results import check_output
from .sheets import write_csv, xlsx_bytes

logger = logging.getLogger(__name__)

EPILOG = """\
examples:
  rtc-nlp themes answers.xlsx --text-column "Risposta" --id-column "ID" --out results/
  rtc-nlp themes wave1.csv --text-column risposta --n-themes 6 --out results/
  rtc-nlp themes interviews/ --split paragraph --out results/   (a folder of .txt files)
  rtc-nlp validate --pred results/answers_with_themes.csv --manual manual_codes.xlsx --out validation/
  rtc-nlp codebook results/ --out codebook.json
  rtc-nlp code wave2.csv --codebook codebook.json --text-column risposta --out wave2/
  rtc-nlp compare wave1/ wave2/ --by dimensione --out comparison/
  rtc-nlp export wave2/ --format xlsx,sav,qdpx --out export/
  rtc-nlp report results/ --out report.html
  rtc-nlp cache --clear   (wipe the embedding cache)
"""


def _add_answer_options(parser: argparse.ArgumentParser) -> None:
    """The options that say how to read a file of answers (themes, code)."""
    parser.add_argument("--text-column", default="text", help="column holding the answers (default: %(default)s)")
    parser.add_argument("--id-column", help="respondent id column (default: the row number)")
    parser.add_argument("--sheet", help="XLSX sheet name or 0-based number (default: the first)")


def _add_redact_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redact", action="store_true",
                        help="replace e-mails, phone numbers, codici fiscali, partite IVA, IBANs and URLs by "
                             "placeholders before anything is embedded, cached or written")


def _sheet(value: str | None) -> str | int | None:
    """An XLSX sheet given on the command line: a name, or a 0-based number."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rtc-nlp",
        description="Themes from open survey answers and interview snippets.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    themes = sub.add_parser(
        "themes",
        help="discover the themes in a file of open answers",
        description=(
            "Discover the themes in a file of open answers and write "
            "answers_with_themes.csv, themes.csv and the model folder to --out."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    themes.add_argument("input", help="CSV, XLSX or Parquet file of answers; or .txt interview file(s) or a folder of them")
    _add_answer_options(themes)
    themes.add_argument("--out", required=True, help="output folder")
    themes.add_argument("--overwrite", action="store_true", help="allow writing into an output folder that is not empty")
    themes.add_argument("--n-themes", type=int, help="number of themes (default: found automatically)")
    themes.add_argument("--min-theme-size", type=int, help="smallest theme, in answers (default: 0.5%% of the answers, 2 to 50)")
    themes.add_argument("--min-similarity", type=float, help="answers less similar than this to every theme are 'non classificato'")
    themes.add_argument("--merge-similarity", type=float, default=0.7,
                        help="merge themes whose centres are at least this cosine-similar; 1 merges only identical ones "
                             "(default: %(default)s)")
    themes.add_argument("--examples", type=int, default=5, help="typical answers per theme (default: %(default)s)")
    themes.add_argument("--embedder", default="auto",
                        help="auto (default: the Universal Sentence Encoder when installed), use, e5, lexical, "
                             "sentence-transformers, or a sentence-transformers model name or folder")
    themes.add_argument("--split", choices=["paragraph", "sentence"],
                        help="cut long texts (interviews) into snippets before finding themes")
    themes.add_argument("--max-chars", type=int, default=500, help="longest snippet with --split sentence (default: %(default)s)")
    themes.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    themes.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    themes.add_argument("--jobs", type=int, default=-1,
                        help="threads that embed large inputs in parallel (default: all cores; same result)")
    themes.add_argument("--max-fit-answers", type=int, default=20_000,
                        help="above this many distinct answers, fit the themes on a seeded sample of this "
                             "size and assign the rest (default: %(default)s)")
    _add_redact_option(themes)
    themes.add_argument("--quiet", action="store_true", help="print only errors")

    validate = sub.add_parser(
        "validate",
        help="compare themes with manual coding (agreement with 95%% intervals and a test against chance)",
        description=(
            "Compare the themes of answers_with_themes.csv with a human coder's codes and write "
            "summary.csv/.md, matching.csv, confusion.csv, per_code.csv, problems.csv and heatmap.png "
            "to --out. With --report, run the default pipeline on the report's own groupings instead."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=VALIDATE_EPILOG,
    )
    validate.add_argument("--pred", help="answers_with_themes.csv (or XLSX/Parquet) from 'rtc-nlp themes'")
    validate.add_argument("--manual", help="manual codes: CSV/XLSX, long form (id, code) or wide form (0/1 per code)")
    validate.add_argument("--out", help="output folder")
    validate.add_argument("--id-column", default="id", help="id column of the manual file (default: %(default)s)")
    validate.add_argument("--pred-id-column", default="id", help="id column of the predictions (default: %(default)s)")
    validate.add_argument("--code-column", help="code column of a long-form manual file (default: detected)")
    validate.add_argument("--sheet", help="XLSX sheet of the manual file, name or 0-based number")
    validate.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default: %(default)s)")
    validate.add_argument("--n-perm", type=int, default=999, help="permutations for the test (default: %(default)s)")
    validate.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    validate.add_argument("--report", action="store_true",
                          help="validate the default pipeline on the report's groupings (data/report/)")
    validate.add_argument("--groupings", help="with --report: the report_groupings.csv to use "
                                              "(default: data/report/ of the source checkout)")
    validate.add_argument("--overwrite", action="store_true", help="allow writing into an output folder that is not empty")

    codebook = sub.add_parser("codebook", help="write the codebook of a fitted model (results folder) as editable JSON",
                              description="Write the themes of a 'rtc-nlp themes' results folder as a codebook "
                                          "JSON file to edit by hand (labels, descriptions, keywords, examples).")
    codebook.add_argument("results", help="results folder of 'rtc-nlp themes' (or its model/ folder)")
    codebook.add_argument("--out", required=True, help="codebook JSON file to write")
    codebook.add_argument("--name", default="", help="a name for the codebook")
    codebook.add_argument("--overwrite", action="store_true", help="replace an existing file")

    code = sub.add_parser("code", help="code a file of answers with a codebook (new wave, several codes per answer)",
                          description="Code answers with a codebook, without refitting it: writes "
                                      "answers_with_codes.csv, review.xlsx (the least certain answers, to correct "
                                      "by hand) and new_themes.csv (candidate themes the codebook lacks).")
    code.add_argument("input", help="CSV, XLSX or Parquet file of answers")
    code.add_argument("--codebook", required=True, help="codebook JSON")
    _add_answer_options(code)
    code.add_argument("--out", required=True, help="output folder")
    code.add_argument("--embedder", default="auto",
                      help="auto (default), use, e5, lexical, sentence-transformers, or a model name or folder")
    code.add_argument("--min-similarity", type=float, help="below this, 'non classificato' (default: automatic)")
    code.add_argument("--max-codes", type=int, default=2, help="most codes per answer (default: %(default)s)")
    code.add_argument("--manual", help="manually coded answers (CSV/XLSX: id, code) that sharpen the themes")
    code.add_argument("--manual-code-column", help="code column of --manual (default: detected)")
    code.add_argument("--overrides", help="a filled-in review sheet (review.xlsx): its corrections win")
    code.add_argument("--review", type=int, default=30, help="answers in the review queue (default: %(default)s)")
    code.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    _add_redact_option(code)
    code.add_argument("--overwrite", action="store_true", help="allow writing into an output folder that is not empty")

    compare = sub.add_parser("compare", help="theme prevalence per wave (and group) with 95%% intervals",
                             description="Compare the coded waves written by 'rtc-nlp code': prevalence of each "
                                         "theme per wave and group with Wilson intervals and a test of change.")
    compare.add_argument("waves", nargs="+", help="output folders of 'rtc-nlp code', first = reference wave")
    compare.add_argument("--codebook", help="codebook JSON (default: the one recorded in the first folder)")
    compare.add_argument("--by", help="metadata column to split by (e.g. dimensione)")
    compare.add_argument("--out", help="folder for prevalence.csv and prevalence.png")
    compare.add_argument("--overwrite", action="store_true", help="allow writing into an output folder that is not empty")

    export = sub.add_parser("export", help="export coded answers and the codebook (Excel, CSV, Parquet, JSON, SPSS, REFI-QDA)",
                            description="Export the answers of a 'rtc-nlp code' or 'rtc-nlp themes' results folder, "
                                        "keyed by respondent id and carrying the codebook.")
    export.add_argument("results", help="output folder of 'rtc-nlp code' or 'rtc-nlp themes'")
    export.add_argument("--format", default=",".join(FORMATS),
                        help=f"comma-separated: {', '.join(FORMATS)} (default: all)")
    export.add_argument("--out", required=True, help="output folder")
    export.add_argument("--name", default="", help="project name shown by QDA tools")
    export.add_argument("--redact", action="store_true",
                        help="replace personal data in the answers by placeholders in every exported file")
    export.add_argument("--overwrite", action="store_true", help="allow writing into an output folder that is not empty")

    report = sub.add_parser("report", help="one self-contained HTML page of a run, to share (works offline)",
                            description="Write one HTML page (no external scripts or fonts) with the theme table, "
                                        "typical answers, the theme map, sizes and, where present, the wave "
                                        "comparison and the validation figures.")
    report.add_argument("results", help="output folder of 'rtc-nlp themes' or 'rtc-nlp code'")
    report.add_argument("--out", required=True, help="the HTML file to write")
    report.add_argument("--comparison", help="output folder of 'rtc-nlp compare' (default: results/comparison)")
    report.add_argument("--validation", help="output folder of 'rtc-nlp validate' (default: results/validation)")
    report.add_argument("--title", default="", help="page title")
    report.add_argument("--overwrite", action="store_true", help="replace an existing file")

    cache = sub.add_parser("cache", help="where the embedding cache is and how big; --clear wipes it",
                           description="Show the embedding cache folder ($RTC_NLP_CACHE, else the user cache "
                                       "folder), its files and size. It holds vectors keyed by a SHA-256 of each "
                                       "text, never the texts themselves.")
    cache.add_argument("--clear", action="store_true", help="delete every cached embedding")
    return parser


VALIDATE_EPILOG = """examples:
  rtc-nlp validate --pred results/answers_with_themes.csv --manual manual_codes.xlsx --out validation/
  rtc-nlp validate --pred results/answers_with_themes.csv --manual codes.csv --id-column ID --code-column Codice --out v/
  rtc-nlp validate --report
"""


def _validate(args: argparse.Namespace) -> int:
    from .report_groupings import validate_report_groupings
    from .validate import compare_with_manual

    if args.report:
        table = validate_report_groupings(args.groupings, random_state=args.seed, n_boot=args.n_boot, n_perm=args.n_perm)
        if args.out:
            out = Path(args.out)
            check_output(out, [], args.overwrite)
            write_csv(table, out / "report_validation.csv")
        print(f"embedder: {table['embedder'].iloc[0]}")
        print(table.drop(columns=["embedder"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if table.attrs.get("not_validated"):
            print(f"not validated: {', '.join(table.attrs['not_validated'])}: they group answers by who gave "
                  "them (respondent groups), not by what they say")
        return 0
    missing = [flag for flag, value in (("--pred", args.pred), ("--manual", args.manual), ("--out", args.out)) if not value]
    if missing:
        raise InputError(f"validate needs {', '.join(missing)} (or --report)")
    out = Path(args.out)
    check_output(out, [Path(args.pred), Path(args.manual)], args.overwrite)
    report = compare_with_manual(
        args.pred, args.manual, args.id_column, pred_id_column=args.pred_id_column, code_column=args.code_column,
        sheet=_sheet(args.sheet), n_boot=args.n_boot, n_perm=args.n_perm, random_state=args.seed,
    )
    report.save(out, overwrite=True)
    print(report.headline())
    print(f"wrote summary.csv, summary.md, matching.csv, confusion.csv, per_code.csv, problems.csv, "
          f"heatmap.png to {out}{os.sep}")
    return 0


def _codebook(args: argparse.Namespace) -> int:
    from .codebook import Codebook
    from .results import model_folder
    from .themes import ThemeModel

    folder = model_folder(args.results)
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise InputError("exists; choose another --out or pass --overwrite", path=str(out))
    book = Codebook.from_model(ThemeModel.load(folder), name=args.name)
    book.save(out)
    print(f"wrote {out}: {len(book)} themes; edit labels and descriptions, then 'rtc-nlp code ... --codebook {out}'")
    return 0


def _code(args: argparse.Namespace) -> int:
    from .codebook import Codebook
    from .coding import CodebookCoder, apply_overrides, read_overrides, review_queue
    from .manual_codes import manual_examples
    from .results import NEW_THEMES, write_coded
    from .schema import versions

    out = Path(args.out)
    inputs = [Path(p) for p in (args.input, args.codebook, args.manual, args.overrides) if p]
    check_output(out, inputs, args.overwrite)
    book = Codebook.load(args.codebook)
    args.split, args.max_chars = None, 500
    answers = _read(args)
    manual = manual_examples(args.manual, answers, book, code_column=args.manual_code_column) if args.manual else None
    coder = CodebookCoder(book, args.embedder, min_similarity=args.min_similarity, max_codes=args.max_codes,
                          manual=manual, random_state=args.seed, verbose=True).fit(answers)
    coded = coder.code(answers)
    candidates = coder.new_themes(coded)
    if args.overrides:
        coded = apply_overrides(coded, read_overrides(args.overrides, book, known_ids=coded["id"]), book)
    run = {
        "command": "code", "input": str(args.input), "input_sha256": answers.attrs.get("sha256", ""),
        "text_column": args.text_column, "id_column": args.id_column, "embedder": coder.embedder_.description,
        "parameters": {"min_similarity": args.min_similarity, "min_similarity_used": coder.min_similarity_,
                       "max_codes": args.max_codes, "manual": args.manual, "overrides": args.overrides,
                       "seed": args.seed},
        "codebook": {"name": book.name, "revision": book.revision}, "versions": versions(),
        "redaction": answers.attrs.get("redaction"),
    }
    sheet = xlsx_bytes({"review": review_queue(coded, book, args.review)})  # before anything is written
    written = write_coded(out, coded, book, new_themes=candidates, review_sheet=sheet, run=run)
    status = coded["status"].value_counts()
    usable = int(len(coded) - status.get("non_answer", 0))
    print(f"{len(coded)} answers: {status.get('theme', 0) + status.get('reviewed', 0)} coded "
          f"({(status.get('theme', 0) + status.get('reviewed', 0)) / max(usable, 1):.0%} of the usable ones), "
          f"{status.get('unclassified', 0)} non classificato, {status.get('non_answer', 0)} non-answers, "
          f"{int(coded['codes'].str.contains(';').sum())} with two or more codes"
          + (f", {coded.attrs.get('n_overrides', 0)} corrected by review" if args.overrides else "")
          + f"; threshold {coder.min_similarity_:.3f}")
    prevalence = coded[coded["theme_id"] > 0].groupby(["theme_id", "theme_label"]).size()
    for (theme_id, label), count in prevalence.items():
        print(f"  [{theme_id}] {label}: {count}")
    likely = candidates[candidates["likely_new"]] if len(candidates) else candidates
    print(f"{len(candidates)} candidate new themes ({len(likely)} far from every existing theme); "
          f"see {out / NEW_THEMES}")
    for row in likely.head(5).itertuples():
        print(f"  + {row.label} ({row.size} answers; nearest: {row.nearest_theme_label}, {row.nearest_similarity:.2f})")
    print(f"wrote {', '.join(path.name for path in written)} to {out}{os.sep}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from .codebook import Codebook
    from .coding import compare_waves, prevalence_figure
    from .persist import atomic_write
    from .results import CODEBOOK, PREVALENCE, PREVALENCE_FIGURE, read_waves

    folders = [Path(w) for w in args.waves]
    waves = read_waves(folders)
    book = Codebook.load(args.codebook or folders[0] / CODEBOOK)
    table = compare_waves(waves, book, by=args.by)
    shown = table.assign(prevalence=table["prevalence"].map("{:.1%}".format),
                         interval=[f"[{a:.1%}, {b:.1%}]" for a, b in zip(table["ci_low"], table["ci_high"])])
    print(shown.drop(columns=["ci_low", "ci_high"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.out:
        out = Path(args.out)
        check_output(out, folders, args.overwrite)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(table, out / PREVALENCE)
        fig = prevalence_figure(table)
        atomic_write(out / PREVALENCE_FIGURE, lambda tmp: fig.savefig(tmp, format="png", dpi=120))
        print(f"wrote {PREVALENCE} and {PREVALENCE_FIGURE} to {out}{os.sep}")
    return 0


def _version() -> str:
    from . import __version__

    return __version__


def _read(args: argparse.Namespace) -> pd.DataFrame:
    from .io import read_answers, read_interviews, split_snippets

    source = Path(args.input)
    if source.is_dir() or source.suffix.lower() == ".txt":
        return _maybe_redact(read_interviews(source, by=args.split or "paragraph", max_chars=args.max_chars), args)
    answers = read_answers(source, args.text_column, args.id_column, sheet=_sheet(args.sheet))
    if args.split:
        answers = split_snippets(answers, by=args.split, max_chars=args.max_chars)
    return _maybe_redact(answers, args)


def _maybe_redact(answers: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """With --redact, personal data leave the texts right after reading: nothing downstream
    (embedder vocabulary, cache, outputs) ever sees them."""
    if not getattr(args, "redact", False):
        return answers
    from .redact import redact_answers

    redacted = redact_answers(answers)
    found = {k: v for k, v in redacted.attrs["redaction"].items() if v}
    if not getattr(args, "quiet", False):
        print("rtc-nlp: redacted " + (", ".join(f"{v} {k}" for k, v in found.items()) if found else "nothing (none found)"))
    return redacted


def _themes(args: argparse.Namespace) -> int:
    from .results import write_themes
    from .themes import ThemeModel

    out = Path(args.out)
    check_output(out, [Path(args.input)], args.overwrite)
    answers = _read(args)
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a))
    say(f"rtc-nlp: {len(answers)} answers from {args.input}")
    model = ThemeModel(
        embedder=args.embedder, n_themes=args.n_themes, min_theme_size=args.min_theme_size,
        min_similarity=args.min_similarity, merge_similarity=args.merge_similarity, n_examples=args.examples,
        cache_dir=False if args.no_cache else None, random_state=args.seed, verbose=not args.quiet,
        n_jobs=args.jobs, max_fit_answers=args.max_fit_answers,
    )
    try:
        model.fit(answers)
    except InputError as exc:
        if exc.path is None:  # say which file the unusable answers came from
            raise InputError(str(exc), path=args.input, column=exc.column, rows=exc.rows) from None
        raise
    model.summary_["input"] = {"path": str(args.input), "sha256": answers.attrs.get("sha256", ""),
                               "text_column": args.text_column, "id_column": args.id_column}
    model.summary_["redaction"] = answers.attrs.get("redaction")
    answers_file, table_file, model_dir = write_themes(out, model)
    if not args.quiet:
        print(format_summary(model))
        print(f"wrote {answers_file}, {table_file} and {model_dir}{os.sep}")
    return 0


def format_summary(model: object, width: int = 100) -> str:
    """A readable text summary of a fitted ThemeModel: counts, then one block per theme."""
    summary = model.summary_  # type: ignore[attr-defined]
    lines = [
        f"embedder: {summary['embedder']}",
        f"{summary['n_themes']} themes; {summary['n_coded']} answers coded, "
        f"{summary['n_non_answers']} non-answers set aside"
        + (f" ({', '.join(f'{k}: {v}' for k, v in summary['non_answers_by_reason'].items())})"
           if summary["non_answers_by_reason"] else "")
        + f", {summary['n_unclassified']} non classificato ({summary['share_unclassified']:.1%})",
    ]
    if summary.get("n_truncated"):
        lines.append(f"{summary['n_truncated']} answers longer than the embedder's limit "
                     f"({summary['max_chars']} characters) were embedded from their start only")
    clustering = summary.get("clustering", {})
    if "stability" in clustering:
        lines.append(
            f"themes agree {clustering['stability']:.2f} (ARI) across seeds at the level kept"
            + ("" if clustering.get("reproducible", True)
               else ": NOT reproducible, the answers hold little structure; read the themes as rough groups")
            + (f"; the level was chosen by a narrow margin ({clustering['margin']:.3f}): another seed "
               "(--seed) may give finer or coarser themes, compare two seeds before trusting their number"
               if clustering.get("narrow_margin") else "")
        )
    lines.append("")
    for row in model.themes_.itertuples():  # type: ignore[attr-defined]
        lines.append(f"[{row.theme_id}] {row.label}  —  {row.size} answers ({row.share:.1%})")
        lines.append("    keywords: " + textwrap.shorten(", ".join(row.keywords), width - 14))
        for example in row.typical_answers[:3]:
            lines.append("    · " + textwrap.shorten(f'"{example}"', width - 6, placeholder=' …"'))
    return "\n".join(lines)


def _export(args: argparse.Namespace) -> int:
    from .export import export

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    files = export(args.results, args.out, formats, overwrite=args.overwrite, name=args.name, redact=args.redact)
    print(f"wrote {len(files)} files to {args.out}{os.sep}: " + ", ".join(f.name for f in files))
    return 0


def _report(args: argparse.Namespace) -> int:
    from .report import write_report

    out = write_report(args.results, args.out, comparison=args.comparison, validation=args.validation,
                       title=args.title, overwrite=args.overwrite)
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MB, opens offline in any browser)")
    return 0


def _cache(args: argparse.Namespace) -> int:
    from .cache import EmbeddingCache

    cache = EmbeddingCache()
    n_files, size = cache.usage()
    if args.clear:
        cache.clear()
        print(f"cleared {cache.folder}: {n_files} files, {size / 2**20:.1f} MB deleted")
    else:
        print(f"embedding cache: {cache.folder} ({n_files} files, {size / 2**20:.1f} MB); "
              "'rtc-nlp cache --clear' deletes it")
    return 0


COMMANDS = {"cache": _cache, "report": _report, "export": _export, "themes": _themes, "validate": _validate, "codebook": _codebook, "code": _code, "compare": _compare}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return COMMANDS[args.command](args)
    except RtcNlpError as exc:
        print(f"rtc-nlp: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ImportError, ValueError) as exc:
        print(f"rtc-nlp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rtc-nlp: interrupted; no partial output was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
