"""The rtc-nlp command: outputs on real files, and one-line errors on bad input."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from conftest import REPO

from rtc_nlp.cli import main


def run(args, capsys):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_themes_on_the_bundled_report_data(tmp_path, capsys):
    out = tmp_path / "res"
    code, stdout, _ = run(
        [
            "themes",
            REPO / "data/report/report_groupings.csv",
            "--text-column",
            "text",
            "--id-column",
            "item_id",
            "--out",
            out,
            "--embedder",
            "lexical",
        ],
        capsys,
    )
    assert code == 0
    answers = pd.read_csv(out / "answers_with_themes.csv")
    themes = pd.read_csv(out / "themes.csv")
    assert len(answers) == 73 and answers["item_id" if "item_id" in answers else "id"].is_unique
    assert set(answers["theme_id"]) == set(themes["theme_id"])
    assert {"label", "keywords", "size", "share", "typical_1"} <= set(themes.columns)
    assert (out / "model" / "model.json").exists()
    assert "themes;" in stdout and "embedder: lexical" in stdout
    for label in themes["label"]:
        assert label in stdout


def test_themes_on_xlsx_and_cp1252_semicolon_csv(tmp_path, capsys, survey):
    xlsx = tmp_path / "answers.xlsx"
    survey.rename(columns={"id": "ID", "text": "Risposta"}).to_excel(xlsx, index=False)
    code, _, _ = run(
        [
            "themes",
            xlsx,
            "--text-column",
            "Risposta",
            "--id-column",
            "ID",
            "--out",
            tmp_path / "x",
            "--embedder",
            "lexical",
            "--quiet",
        ],
        capsys,
    )
    assert code == 0
    written = pd.read_csv(tmp_path / "x" / "answers_with_themes.csv", dtype={"id": str})
    assert written["id"].tolist() == survey["id"].tolist()
    csv = tmp_path / "answers.csv"
    csv.write_bytes(survey.rename(columns={"text": "Risposta"}).to_csv(sep=";", index=False).encode("cp1252"))
    code, _, _ = run(
        ["themes", csv, "--text-column", "Risposta", "--out", tmp_path / "c", "--embedder", "lexical", "--quiet"],
        capsys,
    )
    assert code == 0
    written = pd.read_csv(tmp_path / "c" / "answers_with_themes.csv", keep_default_na=False)
    assert "riservatezza e protezione dei dati" in written["text"].tolist()


@pytest.mark.parametrize(
    "content,args,message",
    [
        (None, [], "file not found"),
        (
            "ID,Risposta\n1,uno\n",
            ["--text-column", "testo"],
            "has no text column 'testo'; its columns are: 'ID', 'Risposta'",
        ),
        ("", [], "is empty"),
        ("ID,Risposta\n", [], "header but no rows"),
        ("ID,Risposta\n1,non so\n2,-\n", [], "no usable answers"),
        ("ID,Risposta\n1,uno\n1,due\n", ["--text-column", "Risposta", "--id-column", "ID"], "must be unique"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, content, args, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    args = args or ["--text-column", "Risposta"]
    code, _, err = run(["themes", path, *args, "--out", tmp_path / "o", "--embedder", "lexical", "--quiet"], capsys)
    assert code == 2
    assert message in err and str(path) in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "o" / "answers_with_themes.csv").exists()


def test_existing_output_folder_needs_overwrite(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    args = [
        "themes",
        REPO / "data/report/considerazioni_aggiuntive.csv",
        "--out",
        out,
        "--embedder",
        "lexical",
        "--quiet",
    ]
    code, _, err = run(args, capsys)
    assert code == 2 and "not empty" in err and (out / "keep.txt").read_text() == "mine"
    assert run([*args, "--overwrite"], capsys)[0] == 0
    assert (out / "themes.csv").exists() and (out / "keep.txt").exists()


def test_help_reads_well():
    result = subprocess.run(
        [sys.executable, "-m", "rtc_nlp.cli", "themes", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    assert "--text-column" in result.stdout and "examples:" in result.stdout


def test_ctrl_c_during_embedding_leaves_no_output_and_no_cache_entry(survey, tmp_path, capsys, monkeypatch):
    from rtc_nlp.lexical import LexicalEmbedder

    answers = tmp_path / "answers.csv"
    survey.to_csv(answers, index=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("RTC_NLP_CACHE", str(cache))

    def interrupted(self, texts):
        raise KeyboardInterrupt

    monkeypatch.setattr(LexicalEmbedder, "transform", interrupted)
    code = main(["themes", str(answers), "--id-column", "id", "--embedder", "lexical", "--out", str(tmp_path / "out")])
    assert code == 130 and "interrupted" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert not [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else True
    assert answers.read_bytes() == survey.to_csv(index=False).encode()  # the input is untouched


def test_cache_command_shows_and_wipes_a_cache_that_holds_no_text(survey, tmp_path, capsys, monkeypatch):
    answers = tmp_path / "answers.csv"
    survey.to_csv(answers, index=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("RTC_NLP_CACHE", str(cache))
    assert main(["themes", str(answers), "--embedder", "lexical", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    stored = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert stored, "the run wrote no cache entry"
    for text in survey["text"]:
        if len(text) > 10:
            assert text.encode("utf-8") not in stored  # keys are SHA-256 digests, not texts
    code, out, _ = run(["cache"], capsys)
    assert code == 0 and str(cache / "embeddings") in out and " 0 files" not in out
    code, out, _ = run(["cache", "--clear"], capsys)
    assert code == 0 and "cleared" in out
    assert not [p for p in cache.rglob("*") if p.is_file()]
    assert (tmp_path / "out" / "themes.csv").exists()  # results are not part of the cache
