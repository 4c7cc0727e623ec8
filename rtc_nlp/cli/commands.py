"""The ``rtc-nlp`` command.

Every error caused by the input ends the command with exit status 2 and one line that
names the file, column or rows and what was expected; no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import InputError, RtcNlpError
from ..io.sheets import write_csv
from ..results.folder import check_output
from .coding import code_command
from .input import input_record, read_questions_of, sheet_option
from .parser import build_parser
from .summary import format_summary

logger = logging.getLogger(__name__)


def _validate(args: argparse.Namespace) -> int:
    from ..validation.report_groupings import validate_report_groupings
    from ..validation.validate import compare_with_manual

    if args.report:
        table = validate_report_groupings(
            args.groupings, random_state=args.seed, n_boot=args.n_boot, n_perm=args.n_perm
        )
        if args.out:
            out = Path(args.out)
            check_output(out, [], args.overwrite)
            write_csv(table, out / "report_validation.csv")
        print(f"embedder: {table['embedder'].iloc[0]}")
        print(table.drop(columns=["embedder"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if table.attrs.get("not_validated"):
            print(
                f"not validated: {', '.join(table.attrs['not_validated'])}: they group answers by who gave "
                "them (respondent groups), not by what they say"
            )
        return 0
    missing = [
        flag for flag, value in (("--pred", args.pred), ("--manual", args.manual), ("--out", args.out)) if not value
    ]
    if missing:
        raise InputError(f"validate needs {', '.join(missing)} (or --report)")
    out = Path(args.out)
    check_output(out, [Path(args.pred), Path(args.manual)], args.overwrite)
    report = compare_with_manual(
        args.pred,
        args.manual,
        args.id_column,
        pred_id_column=args.pred_id_column,
        code_column=args.code_column,
        sheet=sheet_option(args.sheet),
        n_boot=args.n_boot,
        n_perm=args.n_perm,
        random_state=args.seed,
    )
    report.save(out, overwrite=True)
    print(report.headline())
    print(
        f"wrote summary.csv, summary.md, matching.csv, confusion.csv, per_code.csv, problems.csv, "
        f"heatmap.png to {out}{os.sep}"
    )
    return 0


def _codebook(args: argparse.Namespace) -> int:
    from ..coding.codebook import Codebook
    from ..io.questions import read_questions, write_questions
    from ..results.folder import model_folder
    from ..themes.model import ThemeModel

    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise InputError("exists; choose another --out or pass --overwrite", path=str(out))
    questions = read_questions(args.results)
    if questions is None:
        book = Codebook.from_model(ThemeModel.load(model_folder(args.results)), name=args.name)
        book.save(out)
        print(
            f"wrote {out}: {len(book)} themes; edit labels and descriptions, then 'rtc-nlp code ... --codebook {out}'"
        )
        return 0
    if out.suffix.lower() == ".json":
        raise InputError(
            f"{args.results} holds {len(questions)} questions: --out is the folder of their codebooks, "
            "not a .json file",
            path=str(out),
        )
    books = [
        Codebook.from_model(ThemeModel.load(model_folder(Path(args.results) / q.folder)), name=args.name or q.name)
        for q in questions
    ]  # every model read before anything is written
    for question, book in zip(questions, books):
        (out / question.folder).mkdir(parents=True, exist_ok=True)
        book.save(out / question.folder / "codebook.json")
        print(f"wrote {out / question.folder / 'codebook.json'}: {len(book)} themes of {question.name!r}")
    write_questions(out, questions, command="codebook", results=str(args.results))
    print(f"edit the codebooks, then 'rtc-nlp code ... --codebook {out}' codes every question with its own")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from ..io.questions import read_questions, staged
    from ..results.folder import wave_names

    folders = [Path(w) for w in args.waves]
    out = Path(args.out) if args.out else None
    if out is not None:
        check_output(out, folders, args.overwrite)
    questions = read_questions(folders[0])
    if questions is None:
        return _compare_one(args, folders, out)
    # Each wave's sub-folder of each question, found by the question's name.
    where = [{q.name: q.folder for q in read_questions(folder) or []} for folder in folders]
    for question in questions:
        for folder, folder_of in zip(folders[1:], where[1:]):
            if question.name not in folder_of:
                raise InputError(f"has no question {question.name!r}, which {folders[0]} has", path=str(folder))
    with staged(out) if out is not None else contextlib.nullcontext() as staging:
        for question in questions:
            print(f"\n=== {question.name}")
            waves = [folder / folder_of[question.name] for folder, folder_of in zip(folders, where)]
            target = staging / question.folder if staging is not None else None
            _compare_one(args, waves, target, wave_names(folders))
    return 0


def _compare_one(
    args: argparse.Namespace, folders: list[Path], out: Path | None, names: list[str] | None = None
) -> int:
    """Compare one question's waves (folders, shown as ``names``) and write the prevalence
    table to ``out``."""
    from ..coding.codebook import Codebook
    from ..coding.significance import ALPHA, CORRECTION_NAMES, LOW_BASE
    from ..coding.waves import compare_waves, describe_bases, prevalence_figure
    from ..persist import atomic_write
    from ..results.folder import PREVALENCE, PREVALENCE_FIGURE, read_waves

    waves, book = read_waves(folders, names, Codebook.load(args.codebook) if args.codebook else None)
    table = compare_waves(waves, book, by=args.by, level=args.level, correction=args.correction)
    for line in describe_bases(waves):
        print(line)
    shown = table.assign(
        group=table["group"].replace("", "totale") if args.by else table["group"],
        prevalence=table["prevalence"].map("{:.1%}".format),
        interval=[f"[{a:.1%}, {b:.1%}]" for a, b in zip(table["ci_low"], table["ci_high"])],
        flag=table["flag"].map({"up": "▲", "down": "▼", "": ""}),
    )
    hidden = ["ci_low", "ci_high", "low_base", "correction"]
    print(shown.drop(columns=hidden).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    tested, flagged = int(table["change_p"].notna().sum()), int((table["flag"] != "").sum())
    if len(waves) > 1:
        print(
            f"{flagged} of {tested} changes flagged: p adjusted for the {tested} tests "
            f"({CORRECTION_NAMES[args.correction]}) below {ALPHA}; "
            f"{int(table['low_base'].sum())} rows with a base under {LOW_BASE} shown but not tested"
        )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_csv(table, out / PREVALENCE)
        fig = prevalence_figure(table)
        atomic_write(out / PREVALENCE_FIGURE, lambda tmp: fig.savefig(tmp, format="png", dpi=120))
        print(f"wrote {PREVALENCE} and {PREVALENCE_FIGURE} to {out}{os.sep}")
    return 0


def _themes(args: argparse.Namespace) -> int:
    from ..io.questions import staged, write_questions

    out = Path(args.out)
    check_output(out, [Path(args.input)], args.overwrite)
    questions = read_questions_of(args)
    if questions[0][0] is None:
        return _fit_themes(args, questions[0][1], out)
    with staged(out) as staging:
        for question, answers in questions:
            if not args.quiet:
                print(f"\n=== {question.name} -> {out / question.folder}{os.sep}")
            _fit_themes(args, answers, staging / question.folder, out / question.folder)
        write_questions(staging, [q for q, _ in questions], command="themes", input=str(args.input))
    if not args.quiet:
        print(f"\n{len(questions)} questions; wrote {out / 'questions.json'}")
    return 0


def _fit_themes(args: argparse.Namespace, answers: pd.DataFrame, out: Path, shown: Path | None = None) -> int:
    """Find the themes of one question's answers and write them to ``out``; the lines printed
    name ``shown``, where the files end up (``out`` may be a staging folder)."""
    from ..results.folder import write_themes
    from ..themes.model import ThemeModel

    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a))
    left_out = answers.attrs.get("interviewer_turns_left_out")
    said = (
        f"ids: {answers.attrs.get('id_source', 'row number')}"
        if left_out is None
        else (f"{left_out} interviewer turns left out (--keep-interviewer keeps them)")
    )
    say(f"rtc-nlp: {len(answers)} answers from {args.input} ({said})")
    model = ThemeModel(
        embedder=args.embedder,
        n_themes=args.n_themes,
        min_theme_size=args.min_theme_size,
        min_similarity=args.min_similarity,
        n_nets=args.n_nets,
        merge_similarity="auto" if args.merge_similarity is None else args.merge_similarity,
        n_examples=args.examples,
        cache_dir=False if args.no_cache else None,
        random_state=args.seed,
        verbose=not args.quiet,
        n_jobs=args.jobs,
        max_fit_answers=args.max_fit_answers,
        student_above=args.student_above or None,
    )
    try:
        model.fit(answers)
    except InputError as exc:
        if exc.path is None:  # say which file the unusable answers came from
            raise InputError(str(exc), path=args.input, column=exc.column, rows=exc.rows) from None
        raise
    model.summary_["input"] = {
        "path": str(args.input),
        "sha256": answers.attrs.get("sha256", ""),
        **input_record(args, answers),
    }
    model.summary_["redaction"] = answers.attrs.get("redaction")
    answers_file, table_file, model_dir = write_themes(out, model)
    if not args.quiet:
        # With "auto", the embedder was named, and why, when the run started.
        print(format_summary(model, show_embedder=args.embedder != "auto"))
        final = [(shown or out) / path.relative_to(out) for path in (answers_file, table_file, model_dir)]
        print(f"wrote {final[0]}, {final[1]} and {final[2]}{os.sep}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from ..io.questions import read_questions, staged
    from ..results.exporter import export

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    questions = read_questions(args.results)
    if questions is None:
        files = export(args.results, args.out, formats, overwrite=args.overwrite, name=args.name, redact=args.redact)
        print(f"wrote {len(files)} files to {args.out}{os.sep}: " + ", ".join(f.name for f in files))
        return 0
    out = Path(args.out)
    check_output(out, [Path(args.results)], args.overwrite)
    with staged(out) as staging:
        for question in questions:
            name = f"{args.name or 'rtc_nlp'}: {question.name}"
            files = export(
                Path(args.results) / question.folder, staging / question.folder, formats, name=name, redact=args.redact
            )
            print(f"wrote {len(files)} files to {out / question.folder}{os.sep}: " + ", ".join(f.name for f in files))
    return 0


def _report(args: argparse.Namespace) -> int:
    from ..report.page import write_report

    out = write_report(
        args.results,
        args.out,
        comparison=args.comparison,
        validation=args.validation,
        title=args.title,
        overwrite=args.overwrite,
    )
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MB, opens offline in any browser)")
    return 0


def _cache(args: argparse.Namespace) -> int:
    from ..embedders.cache import EmbeddingCache

    cache = EmbeddingCache()
    n_files, size = cache.usage()
    if args.clear:
        cache.clear()
        print(f"cleared {cache.folder}: {n_files} files, {size / 2**20:.1f} MB deleted")
    else:
        print(
            f"embedding cache: {cache.folder} ({n_files} files, {size / 2**20:.1f} MB); "
            "'rtc-nlp cache --clear' deletes it"
        )
    return 0


COMMANDS = {
    "cache": _cache,
    "report": _report,
    "export": _export,
    "themes": _themes,
    "validate": _validate,
    "codebook": _codebook,
    "code": code_command,
    "compare": _compare,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad option (one line said why)
        return exc.code if isinstance(exc.code, int) else 2
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
