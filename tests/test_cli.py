"""The rtc-nlp command: outputs on real files, and one-line errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import REPO, code_args, themes_args

from rtc_nlp.cli.commands import main


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
    from rtc_nlp.embedders.lexical import LexicalEmbedder

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


def test_a_survey_with_an_id_column_needs_no_id_option_from_themes_to_validation(survey, tmp_path, capsys):
    answers = tmp_path / "survey.csv"
    survey.to_csv(answers, index=False)
    manual = tmp_path / "manual.csv"
    survey.dropna(subset=["truth"])[["id", "truth"]].rename(columns={"truth": "code"}).to_csv(manual, index=False)
    code, stdout, _ = run(["themes", answers, "--embedder", "lexical", "--out", tmp_path / "r"], capsys)
    assert code == 0 and "(ids: column 'id' (found by its name))" in stdout.splitlines()[0]
    written = pd.read_csv(tmp_path / "r" / "answers_with_themes.csv", dtype=str)
    assert written["id"].tolist() == survey["id"].tolist() and "id_meta" not in written.columns
    record = json.loads((tmp_path / "r" / "model" / "model.json").read_text(encoding="utf-8"))["summary"]["input"]
    assert record["id_column"] == "id" and record["control_characters"] == {"removed": 0, "rows": []}
    code, _, err = run(
        ["validate", "--pred", tmp_path / "r" / "answers_with_themes.csv", "--manual", manual, "--out", tmp_path / "v"],
        capsys,
    )
    assert code == 0, err
    assert (tmp_path / "v" / "summary.csv").exists()


def test_a_bad_option_stops_in_one_line_that_names_it_before_anything_is_read(tmp_path, capsys):
    code, stdout, err = run(["themes", tmp_path / "missing.csv", "--n-themes", "0", "--out", tmp_path / "o"], capsys)
    assert code == 2 and stdout == ""  # nothing read or said before the error
    assert err.strip() == (
        "rtc-nlp: error: argument --n-themes: must be a positive integer (1 or more), got '0' "
        "(see 'rtc-nlp themes --help')"
    )
    assert not (tmp_path / "o").exists()


def test_compare_takes_a_themes_run_as_the_first_wave_and_says_what_the_counts_rest_on(survey, tmp_path, capsys):
    answers = tmp_path / "survey.csv"
    survey.to_csv(answers, index=False)
    assert main(themes_args(answers, tmp_path / "w1", "--quiet")) == 0
    assert main(["codebook", str(tmp_path / "w1"), "--out", str(tmp_path / "cb.json")]) == 0
    assert main(code_args(answers, tmp_path / "cb.json", tmp_path / "w2")) == 0
    capsys.readouterr()
    code, stdout, err = run(["compare", tmp_path / "w1", tmp_path / "w2", "--out", tmp_path / "cmp"], capsys)
    assert code == 0, err
    table = pd.read_csv(tmp_path / "cmp" / "prevalence.csv")
    first = table[table["wave"] == "w1"].set_index("theme_id")
    fitted = pd.read_csv(tmp_path / "w1" / "answers_with_themes.csv")
    coded = pd.read_csv(tmp_path / "w2" / "answers_with_codes.csv", dtype={"codes": str})
    # The themes run is counted by the codebook's rule, over every answer but the non-answers:
    # the same answers coded with the same codebook give the same counts.
    base = int((fitted["status"] != "non_answer").sum())
    assert (first["base"] == base).all()
    second = table[table["wave"] == "w2"].set_index("theme_id")
    assert (first["count"] == second["count"]).all()
    assert first.loc[0, "count"] == int((coded["status"] == "unclassified").sum())
    lines = [line for line in stdout.splitlines() if line.startswith(("w1:", "w2:"))]
    non_answers = int((fitted["status"] == "non_answer").sum())
    assert lines[0].startswith("w1: a themes run, counted by the codebook's rule")
    assert f"{len(fitted)} rows; {non_answers} non-answers outside the base; base {base} answers" in lines[0]
    assert lines[1].startswith("w2: coded with the codebook (rtc-nlp code)")


def test_the_summary_names_the_nets_even_when_fewer_remain_than_any_cut_tried():
    from rtc_nlp.cli.summary import _alternatives

    tried = [{"n_nets": 3, "silhouette": 0.2453}, {"n_nets": 4, "silhouette": 0.2}]
    fewer = _alternatives({"nets": {"n_nets": 2, "alternatives": tried}})
    assert fewer == ["2 nets (small themes dissolved); cuts tried: 3 nets: 0.25; 4 nets: 0.20 (--n-nets to choose)"]
    kept = _alternatives({"nets": {"n_nets": 3, "alternatives": tried}})
    assert kept == ["3 nets (separation 0.25); 4 nets: 0.20 (--n-nets to choose)"]
    alone = _alternatives({"nets": {"n_nets": 3, "alternatives": tried[:1]}})
    assert alone == ["3 nets (separation 0.25) (--n-nets to choose)"]


def test_encoding_on_the_command_line_reads_a_file_detection_refuses(tmp_path, capsys):
    path = tmp_path / "utf16.csv"
    path.write_bytes(
        "id,text\nR1,la sicurezza dei dati\nR2,formazione degli operatori\nR3,reputazione\n".encode("utf-16-le")
    )
    code, _, err = run(["themes", path, "--embedder", "lexical", "--out", tmp_path / "a", "--quiet"], capsys)
    assert code == 2 and "not a text file in a known encoding" in err and "--encoding" in err
    code, _, err = run(
        ["themes", path, "--embedder", "lexical", "--out", tmp_path / "b", "--quiet", "--encoding", "utf-16-le"], capsys
    )
    assert code == 0, err
    written = pd.read_csv(tmp_path / "b" / "answers_with_themes.csv")
    assert written["id"].tolist() == ["R1", "R2", "R3"] and written["text"].iloc[0] == "la sicurezza dei dati"


@pytest.mark.parametrize("embedder", ["auto", "lexical"])
def test_a_run_names_its_embedder_once(embedder, tmp_path, capsys):
    args = ["themes", str(REPO / "data/demo/wave1.csv"), "--text-column", "risposta", "--id-column", "id"]
    assert main([*args, "--embedder", embedder, "--out", str(tmp_path / "r")]) == 0
    said = capsys.readouterr()
    naming = [line for line in (said.out + said.err).splitlines() if line.startswith(("rtc_nlp: embedder", "embedder"))]
    assert len(naming) == 1, naming
    if embedder == "auto":  # the one line also says why this embedder was chosen
        assert "not on disk" in naming[0] or "found on disk" in naming[0]
