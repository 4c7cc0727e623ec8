"""The grammar of the ``rtc-nlp`` command: its subcommands, options, help and examples.

What each subcommand does is :mod:`rtc_nlp.cli.commands`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from ..coding.significance import CORRECTIONS
from ..embedders.student import STUDENT_ABOVE
from ..io.interviews import SPLITS
from ..results.formats import FORMATS
from ..schema import __version__

__all__ = ["build_parser", "version"]

EPILOG = """\
examples:
  rtc-nlp themes answers.xlsx --text-column "Risposta" --id-column "ID" --out results/
  rtc-nlp themes wave1.csv --text-column risposta --n-themes 6 --out results/
  rtc-nlp themes interviews/ --split sentence --out results/   (a folder of .txt transcripts)
  rtc-nlp validate --pred results/answers_with_themes.csv --manual manual_codes.xlsx --out validation/
  rtc-nlp codebook results/ --out codebook.json
  rtc-nlp code wave2.csv --codebook codebook.json --text-column risposta --out wave2/
  rtc-nlp compare wave1/ wave2/ --by dimensione --out comparison/
  rtc-nlp export wave2/ --format xlsx,sav,qdpx --out export/
  rtc-nlp report results/ --out report.html
  rtc-nlp cache --clear   (wipe the embedding cache)
"""


VALIDATE_EPILOG = """examples:
  rtc-nlp validate --pred results/answers_with_themes.csv --manual manual_codes.xlsx --out validation/
  rtc-nlp validate --pred results/answers_with_themes.csv --manual codes.csv --id-column ID \
      --code-column Codice --out v/
  rtc-nlp validate --report
"""


class _Parser(argparse.ArgumentParser):
    """A bad option stops with one line, like every other error, before anything is read."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"rtc-nlp: error: {message} (see '{self.prog} --help')\n")


def _whole(low: int, what: str) -> Callable[[str], int]:
    """An option type: a whole number from ``low``, else an error that says what was expected."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return value

    return parse


_positive = _whole(1, "a positive integer (1 or more)")
_non_negative = _whole(0, "a whole number >= 0")


def _similarity(text: str) -> float:
    """An option type: a cosine similarity, between -1 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not -1 <= value <= 1:
        raise argparse.ArgumentTypeError(f"min_similarity must be between -1 and 1 (a cosine similarity), got {text!r}")
    return value


def _codebook_path(text: str) -> str:
    """An option type: a codebook file, or the folder of codebooks of several questions."""
    if Path(text).is_dir() and (Path(text) / "questions.json").is_file():
        return text
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(
            f"{text}: is a folder; expected a file (a codebook .json, or the folder of codebooks that "
            "'rtc-nlp codebook' wrote for several questions, with its questions.json)"
        )
    return _existing_file(text)


def _existing_file(text: str) -> str:
    """An option type: a file that exists, checked before any slow step."""
    if not Path(text).is_file():
        found = "is a folder; expected a file" if Path(text).exists() else "file not found"
        raise argparse.ArgumentTypeError(f"{text}: {found}")
    return text


def _add_answer_options(parser: argparse.ArgumentParser) -> None:
    """The options that say how to read a file of answers (themes, code)."""
    parser.add_argument(
        "--text-column",
        nargs="+",
        default=["text"],
        metavar="COLUMN",
        help="column holding the answers (default: text); several columns are several open questions, each "
        "with its own themes in a sub-folder of --out (give the input file before this option)",
    )
    parser.add_argument(
        "--question-column",
        help="in a long file (one row per answer), the column that names each answer's question: each "
        "question gets its own themes in a sub-folder of --out",
    )
    parser.add_argument(
        "--id-column",
        help="respondent id column (default: a column named id, respondent_id, ResponseId or Respondent ID "
        "when there is one, else the row number)",
    )
    parser.add_argument("--sheet", help="XLSX sheet name or 0-based number (default: the first)")
    parser.add_argument("--encoding", help="encoding of a CSV file, e.g. cp1252 or latin-1 (default: detected)")


def _add_redact_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--redact",
        action="store_true",
        help="replace e-mails, phone numbers, codici fiscali, partite IVA, IBANs and URLs by "
        "placeholders before anything is embedded, cached or written",
    )


def _add_embedder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--embedder",
        default="auto",
        help="auto (default: the Universal Sentence Encoder when installed), use, e5, lexical, "
        "sentence-transformers, or a sentence-transformers model name or folder",
    )


def _add_fast_path_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        type=int,
        default=-1,
        help="threads that embed large inputs in parallel (default: all cores; same result)",
    )
    parser.add_argument(
        "--student-above",
        type=_non_negative,
        default=STUDENT_ABOVE,
        help="above this many distinct answers an encoder embeds only a sample and a lexical "
        "student of it the rest, the answers it is unsure of going to the encoder; 0 never "
        "(default: %(default)s)",
    )


def _add_overwrite_folder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--overwrite", action="store_true", help="allow writing into an output folder that is not empty"
    )


def version() -> str:
    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rtc-nlp",
        description="Themes from open survey answers and interview snippets.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
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
    themes.add_argument(
        "input", help="CSV, XLSX or Parquet file of answers; or .txt interview file(s) or a folder of them"
    )
    _add_answer_options(themes)
    themes.add_argument("--out", required=True, help="output folder")
    _add_overwrite_folder_option(themes)
    themes.add_argument("--n-themes", type=_positive, help="number of themes (default: found automatically)")
    themes.add_argument(
        "--n-nets",
        type=_non_negative,
        help="number of nets, the broad themes that group the themes (default: 3 to 15, chosen automatically; "
        "0: one level of themes only)",
    )
    themes.add_argument(
        "--min-theme-size", type=_positive, help="smallest theme, in answers (default: 0.5%% of the answers, 2 to 50)"
    )
    themes.add_argument(
        "--min-similarity",
        type=_similarity,
        help="answers less similar than this to every theme are 'non classificato'",
    )
    themes.add_argument(
        "--merge-similarity",
        type=float,
        help="merge themes whose centres are at least this cosine-similar; 1 merges only identical ones "
        "(default: 0.7 with --n-nets 0, no merging under nets)",
    )
    themes.add_argument(
        "--examples", type=_positive, default=5, help="typical answers per theme (default: %(default)s)"
    )
    _add_embedder_option(themes)
    themes.add_argument(
        "--split",
        choices=SPLITS,
        help="cut long texts (interviews) into snippets: one per speaker turn, paragraph or sentence "
        "(default for .txt interviews: paragraph)",
    )
    themes.add_argument(
        "--keep-interviewer",
        action="store_true",
        help="keep the interviewer's turns (left out by default: questions are not answers)",
    )
    themes.add_argument(
        "--interviewer-tag",
        action="append",
        metavar="TAG",
        help="the interviewer's speaker tag, without the colon (repeatable; default: D, Domanda, "
        "Intervistatore, Intervistatrice, Int, Moderatore, Ricercatore, Q, Interviewer, ...)",
    )
    themes.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    themes.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    themes.add_argument(
        "--max-fit-answers",
        type=_positive,
        default=20_000,
        help="above this many distinct answers, fit the themes on a seeded sample of this "
        "size and assign the rest (default: %(default)s)",
    )
    _add_fast_path_options(themes)
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
    validate.add_argument(
        "--n-boot", type=_non_negative, default=1000, help="bootstrap resamples (default: %(default)s)"
    )
    validate.add_argument(
        "--n-perm", type=_non_negative, default=999, help="permutations for the test (default: %(default)s)"
    )
    validate.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    validate.add_argument(
        "--report", action="store_true", help="validate the default pipeline on the report's groupings (data/report/)"
    )
    validate.add_argument(
        "--groupings",
        help="with --report: the report_groupings.csv to use (default: data/report/ of the source checkout)",
    )
    _add_overwrite_folder_option(validate)

    codebook = sub.add_parser(
        "codebook",
        help="write the codebook of a fitted model (results folder) as editable JSON",
        description="Write the themes of a 'rtc-nlp themes' results folder as a codebook "
        "JSON file to edit by hand (labels, descriptions, keywords, examples).",
    )
    codebook.add_argument("results", help="results folder of 'rtc-nlp themes' (or its model/ folder)")
    codebook.add_argument("--out", required=True, help="codebook JSON file to write")
    codebook.add_argument("--name", default="", help="a name for the codebook")
    codebook.add_argument("--overwrite", action="store_true", help="replace an existing file")

    code = sub.add_parser(
        "code",
        help="code a file of answers with a codebook (new wave, several codes per answer)",
        description="Code answers with a codebook, without refitting it: writes "
        "answers_with_codes.csv, review.xlsx (the least certain answers, to correct "
        "by hand) and new_themes.csv (candidate themes the codebook lacks).",
    )
    code.add_argument("input", help="CSV, XLSX or Parquet file of answers")
    code.add_argument(
        "--codebook",
        required=True,
        type=_codebook_path,
        help="codebook JSON; with several questions, the folder of codebooks 'rtc-nlp codebook' wrote",
    )
    _add_answer_options(code)
    code.add_argument("--out", required=True, help="output folder")
    _add_embedder_option(code)
    code.add_argument("--min-similarity", type=_similarity, help="below this, 'non classificato' (default: automatic)")
    code.add_argument("--max-codes", type=_positive, default=2, help="most codes per answer (default: %(default)s)")
    code.add_argument(
        "--manual", type=_existing_file, help="manually coded answers (CSV/XLSX: id, code) that sharpen the themes"
    )
    code.add_argument("--manual-code-column", help="code column of --manual (default: detected)")
    code.add_argument(
        "--overrides",
        nargs="+",
        type=_existing_file,
        help="filled-in review sheets (review.xlsx of each round, or any id/codes file): their corrections win, "
        "and the coder learns from all of them",
    )
    code.add_argument(
        "--review",
        type=_non_negative,
        default=30,
        help="answers in the review queue: those the coder is least sure of, no near-copies (default: %(default)s)",
    )
    code.add_argument(
        "--audit",
        type=_non_negative,
        default=0,
        help="also write audit.xlsx: this many answers drawn at random, to check and give back with --audited",
    )
    code.add_argument(
        "--audited",
        type=_existing_file,
        help="a filled-in audit.xlsx: states the accuracy and kappa of the codes it checked, with 95%% intervals",
    )
    code.add_argument(
        "--learned",
        help="the folder of an earlier 'rtc-nlp code' run (or its coder/ folder): learn from its labelled answers too",
    )
    code.add_argument(
        "--no-learning", action="store_true", help="do not learn from labelled answers: the codebook's prototypes alone"
    )
    code.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    _add_fast_path_options(code)
    _add_redact_option(code)
    _add_overwrite_folder_option(code)

    compare = sub.add_parser(
        "compare",
        help="theme prevalence per wave (and group) with 95%% intervals",
        description="Compare the coded waves written by 'rtc-nlp code': prevalence of each "
        "theme per wave and group with Wilson intervals and a test of change.",
    )
    compare.add_argument(
        "waves",
        nargs="+",
        help="output folders of 'rtc-nlp code' (or 'rtc-nlp themes', coded again with the codebook), "
        "first = reference wave",
    )
    compare.add_argument("--codebook", help="codebook JSON (default: the one recorded in the first folder)")
    compare.add_argument("--by", help="metadata column to split by (e.g. dimensione)")
    compare.add_argument(
        "--level",
        choices=("theme", "net"),
        default="theme",
        help="count themes, or nets (an answer counts once per net) (default: %(default)s)",
    )
    compare.add_argument(
        "--correction",
        choices=CORRECTIONS,
        default="fdr",
        help="how the p-values of all the comparison's tests are adjusted for their number before a change "
        "is flagged: Benjamini-Hochberg false discovery rate, Holm, or none (default: %(default)s)",
    )
    compare.add_argument("--out", help="folder for prevalence.csv and prevalence.png")
    _add_overwrite_folder_option(compare)

    export = sub.add_parser(
        "export",
        help="export coded answers and the codebook (Excel, CSV, Parquet, JSON, SPSS, REFI-QDA)",
        description="Export the answers of a 'rtc-nlp code' or 'rtc-nlp themes' results folder, "
        "keyed by respondent id and carrying the codebook.",
    )
    export.add_argument("results", help="output folder of 'rtc-nlp code' or 'rtc-nlp themes'")
    export.add_argument(
        "--format", default=",".join(FORMATS), help=f"comma-separated: {', '.join(FORMATS)} (default: all)"
    )
    export.add_argument("--out", required=True, help="output folder")
    export.add_argument("--name", default="", help="project name shown by QDA tools")
    export.add_argument(
        "--redact",
        action="store_true",
        help="replace personal data in the answers by placeholders in every exported file",
    )
    _add_overwrite_folder_option(export)

    report = sub.add_parser(
        "report",
        help="one self-contained HTML page of a run, to share (works offline)",
        description="Write one HTML page (no external scripts or fonts) with the theme table, "
        "typical answers, the theme map, sizes and, where present, the wave "
        "comparison and the validation figures.",
    )
    report.add_argument("results", help="output folder of 'rtc-nlp themes' or 'rtc-nlp code'")
    report.add_argument("--out", required=True, help="the HTML file to write")
    report.add_argument("--comparison", help="output folder of 'rtc-nlp compare' (default: results/comparison)")
    report.add_argument("--validation", help="output folder of 'rtc-nlp validate' (default: results/validation)")
    report.add_argument("--title", default="", help="page title")
    report.add_argument("--overwrite", action="store_true", help="replace an existing file")

    cache = sub.add_parser(
        "cache",
        help="where the embedding cache is and how big; --clear wipes it",
        description="Show the embedding cache folder ($RTC_NLP_CACHE, else the user cache "
        "folder), its files and size. It holds vectors keyed by a SHA-256 of each "
        "text, never the texts themselves.",
    )
    cache.add_argument("--clear", action="store_true", help="delete every cached embedding")
    return parser
