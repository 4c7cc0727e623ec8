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

logger = logging.getLogger(__name__)

EPILOG = """\
examples:
  rtc-nlp themes answers.xlsx --text-column "Risposta" --id-column "ID" --out results/
  rtc-nlp themes wave1.csv --text-column risposta --n-themes 6 --out results/
  rtc-nlp themes interviews/ --split paragraph --out results/   (a folder of .txt files)
  rtc-nlp validate --pred results/answers_with_themes.csv --manual manual_codes.xlsx --out validation/
"""


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
    themes.add_argument("--text-column", default="text", help="column holding the answers (default: %(default)s)")
    themes.add_argument("--id-column", help="respondent id column (default: the row number)")
    themes.add_argument("--sheet", help="XLSX sheet name or 0-based number (default: the first)")
    themes.add_argument("--out", required=True, help="output folder")
    themes.add_argument("--overwrite", action="store_true", help="allow writing into an output folder that is not empty")
    themes.add_argument("--n-themes", type=int, help="number of themes (default: found automatically)")
    themes.add_argument("--min-theme-size", type=int, help="smallest theme, in answers (default: 0.5%% of the answers, 2 to 50)")
    themes.add_argument("--min-similarity", type=float, help="answers less similar than this to every theme are 'non classificato'")
    themes.add_argument("--examples", type=int, default=5, help="typical answers per theme (default: %(default)s)")
    themes.add_argument("--embedder", default="auto",
                        help="auto (default), lexical, sentence-transformers, or a model name or folder")
    themes.add_argument("--split", choices=["paragraph", "sentence"],
                        help="cut long texts (interviews) into snippets before finding themes")
    themes.add_argument("--max-chars", type=int, default=500, help="longest snippet with --split sentence (default: %(default)s)")
    themes.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    themes.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
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
    validate.add_argument("--overwrite", action="store_true", help="allow writing into an output folder that is not empty")
    return parser


VALIDATE_EPILOG = """examples:
  rtc-nlp validate --pred results/answers_with_themes.csv --manual manual_codes.xlsx --out validation/
  rtc-nlp validate --pred results/answers_with_themes.csv --manual codes.csv --id-column ID --code-column Codice --out v/
  rtc-nlp validate --report
"""


def _validate(args: argparse.Namespace) -> int:
    from .persist import atomic_write
    from .validate import compare_with_manual, validate_report_groupings

    if args.report:
        table = validate_report_groupings(random_state=args.seed, n_boot=args.n_boot, n_perm=args.n_perm)
        if args.out:
            out = Path(args.out)
            _check_output(out, [], args.overwrite)
            atomic_write(out / "report_validation.csv", lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8"))
        print(f"embedder: {table['embedder'].iloc[0]}")
        print(table.drop(columns=["embedder"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        return 0
    missing = [flag for flag, value in (("--pred", args.pred), ("--manual", args.manual), ("--out", args.out)) if not value]
    if missing:
        raise InputError(f"validate needs {', '.join(missing)} (or --report)")
    out = Path(args.out)
    _check_output(out, [Path(args.pred), Path(args.manual)], args.overwrite)
    sheet: str | int | None = args.sheet
    if isinstance(sheet, str) and sheet.isdigit():
        sheet = int(sheet)
    report = compare_with_manual(
        args.pred, args.manual, args.id_column, pred_id_column=args.pred_id_column, code_column=args.code_column,
        sheet=sheet, n_boot=args.n_boot, n_perm=args.n_perm, random_state=args.seed,
    )
    report.save(out, overwrite=True)
    print(report.headline())
    print(f"wrote summary.csv, summary.md, matching.csv, confusion.csv, per_code.csv, problems.csv, "
          f"heatmap.png to {out}{os.sep}")
    return 0


def _version() -> str:
    from . import __version__

    return __version__


def _check_output(out: Path, inputs: Sequence[Path], overwrite: bool) -> None:
    for source in inputs:
        if source.exists() and out.exists() and out.resolve() == source.resolve():
            raise InputError("the output folder is the input file; choose another --out", path=str(out))
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder; choose another --out", path=str(out))
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise InputError("output folder exists and is not empty; choose another --out or pass --overwrite",
                         path=str(out))


def _read(args: argparse.Namespace) -> pd.DataFrame:
    from .io import read_answers, read_interviews, split_snippets

    source = Path(args.input)
    if source.is_dir() or source.suffix.lower() == ".txt":
        return read_interviews(source, by=args.split or "paragraph", max_chars=args.max_chars)
    sheet: str | int | None = args.sheet
    if isinstance(sheet, str) and sheet.isdigit():
        sheet = int(sheet)
    answers = read_answers(source, args.text_column, args.id_column, sheet=sheet)
    if args.split:
        answers = split_snippets(answers, by=args.split, max_chars=args.max_chars)
    return answers


def _themes(args: argparse.Namespace) -> int:
    from .persist import atomic_write
    from .themes import ThemeModel

    out = Path(args.out)
    _check_output(out, [Path(args.input)], args.overwrite)
    answers = _read(args)
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a))
    say(f"rtc-nlp: {len(answers)} answers from {args.input}")
    model = ThemeModel(
        embedder=args.embedder, n_themes=args.n_themes, min_theme_size=args.min_theme_size,
        min_similarity=args.min_similarity, n_examples=args.examples,
        cache_dir=False if args.no_cache else None, random_state=args.seed, verbose=not args.quiet,
    )
    try:
        model.fit(answers)
    except InputError as exc:
        if exc.path is None:  # say which file the unusable answers came from
            raise InputError(str(exc), path=args.input, column=exc.column, rows=exc.rows) from None
        raise
    out.mkdir(parents=True, exist_ok=True)
    assignments = model.assignments_
    atomic_write(out / "answers_with_themes.csv",
                 lambda tmp: assignments.to_csv(tmp, index=False, encoding="utf-8"))
    atomic_write(out / "themes.csv", lambda tmp: themes_table(model.themes_).to_csv(tmp, index=False, encoding="utf-8"))
    model.save(out / "model")
    if not args.quiet:
        print(format_summary(model))
        print(f"wrote {out / 'answers_with_themes.csv'}, {out / 'themes.csv'} and {out / 'model'}{os.sep}")
    return 0


def themes_table(themes: pd.DataFrame) -> pd.DataFrame:
    """The themes as a flat table for CSV/Excel: keywords joined, one column per typical answer."""
    flat = themes.drop(columns=["keywords", "typical_answers"]).copy()
    flat["keywords"] = themes["keywords"].map("; ".join)
    n = max((len(t) for t in themes["typical_answers"]), default=0)
    for i in range(n):
        flat[f"typical_{i + 1}"] = themes["typical_answers"].map(lambda t, i=i: t[i] if i < len(t) else "")
    return flat


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
    clustering = summary.get("clustering", {})
    if "stability" in clustering:
        lines.append(
            f"themes agree {clustering['stability']:.2f} (ARI) across seeds"
            + ("" if clustering.get("reproducible", True)
               else ": NOT reproducible, the answers hold little structure; read the themes as rough groups")
        )
    lines.append("")
    for row in model.themes_.itertuples():  # type: ignore[attr-defined]
        lines.append(f"[{row.theme_id}] {row.label}  —  {row.size} answers ({row.share:.1%})")
        lines.append("    keywords: " + textwrap.shorten(", ".join(row.keywords), width - 14))
        for example in row.typical_answers[:3]:
            lines.append("    · " + textwrap.shorten(f'"{example}"', width - 6, placeholder=' …"'))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _validate(args) if args.command == "validate" else _themes(args)
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
