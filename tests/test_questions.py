"""Several open questions in one file: each gets its themes, codebook, coding, comparison,
exports and report section, in sub-folders of one results folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SURVEY_THEMES

from rtc_nlp import InputError
from rtc_nlp.cli.commands import main
from rtc_nlp.io.questions import read_questions, split_questions
from rtc_nlp.io.reading import read_answers

VANTAGGI = [
    "costi più bassi del servizio",
    "risparmio sui costi del personale",
    "un costo del lavoro contenuto",
    "impatto sociale positivo sul territorio",
    "contribuire al reinserimento sociale",
    "un progetto con valore sociale",
    "operatori motivati e stabili",
    "personale motivato e presente",
    "bassa rotazione del personale",
]


def survey_file(path, seed):
    """Two open questions (one column each) beside three respondent attributes."""
    rng = np.random.default_rng(seed)
    difficolta = [t for texts in SURVEY_THEMES.values() for t in texts] + ["non so"]
    n = len(difficolta)
    frame = pd.DataFrame(
        {
            "ID": [f"R{seed}{i:03d}" for i in range(n)],
            "dimensione": np.resize(["piccola", "media", "grande"], n),
            "Difficoltà incontrate": list(rng.permutation(difficolta)),
            "settore": np.resize(["ICT", "Telco", "Retail", "Utility"], n),
            "Vantaggi attesi": [VANTAGGI[i % len(VANTAGGI)] for i in range(n)],
            "ondata": seed,
        }
    )
    frame.to_csv(path, index=False)
    return frame


def find_themes(tmp_path, *columns, out="r"):
    """``rtc-nlp themes`` of wave 1 on ``columns`` with the lexical embedder, quietly."""
    args = ["themes", str(tmp_path / "w1.csv"), "--text-column", *columns, "--embedder", "lexical"]
    assert main([*args, "--out", str(tmp_path / out), "--quiet"]) == 0
    return tmp_path / out


def code_wave2(tmp_path, *columns):
    """``rtc-nlp code`` of wave 2 on ``columns`` with the codebooks of ``books/``."""
    args = ["code", str(tmp_path / "w2.csv"), "--text-column", *columns, "--codebook", str(tmp_path / "books")]
    assert main([*args, "--embedder", "lexical", "--out", str(tmp_path / "c")]) == 0


def test_two_questions_go_through_every_command_each_on_its_own(tmp_path, capsys):
    pyreadstat = pytest.importorskip("pyreadstat")
    w1, w2 = survey_file(tmp_path / "w1.csv", 1), survey_file(tmp_path / "w2.csv", 2)
    questions = ["Difficoltà incontrate", "Vantaggi attesi"]
    lexical = ["--embedder", "lexical"]
    assert (
        main(["themes", str(tmp_path / "w1.csv"), "--text-column", *questions, *lexical, "--out", str(tmp_path / "r")])
        == 0
    )
    found = read_questions(tmp_path / "r")
    assert [q.name for q in found] == questions and [q.folder for q in found] == [
        "difficolta_incontrate",
        "vantaggi_attesi",
    ]
    for q, column in zip(found, questions):
        answers = pd.read_csv(tmp_path / "r" / q.folder / "answers_with_themes.csv", dtype=str, keep_default_na=False)
        assert answers["id"].tolist() == w1["ID"].tolist()  # no row lost, ids found by name
        assert answers["text"].tolist() == w1[column].tolist()
        assert {"dimensione", "settore", "ondata"} <= set(answers.columns)
        assert not set(questions) & set(answers.columns)  # the other question is no attribute
    # One codebook per question, then wave 2 coded with them, per question.
    assert main(["codebook", str(tmp_path / "r"), "--out", str(tmp_path / "books")]) == 0
    code_wave2(tmp_path, *questions)
    for q in found:
        coded = pd.read_csv(tmp_path / "c" / q.folder / "answers_with_codes.csv", dtype={"id": str})
        assert coded["id"].tolist() == w2["ID"].tolist()
        book = json.loads((tmp_path / "books" / q.folder / "codebook.json").read_text(encoding="utf-8"))
        assert set(coded.loc[coded["theme_id"] > 0, "theme_id"]) <= {t["id"] for t in book["themes"]}
    capsys.readouterr()
    assert (
        main(
            ["compare", str(tmp_path / "r"), str(tmp_path / "c"), "--by", "dimensione", "--out", str(tmp_path / "cmp")]
        )
        == 0
    )
    said = capsys.readouterr().out
    assert said.count("=== ") == 2 and "=== Vantaggi attesi" in said
    for q in found:
        table = pd.read_csv(tmp_path / "cmp" / q.folder / "prevalence.csv")
        assert set(table["wave"]) == {"r", "c"} and set(table["group"].fillna("")) == {"", "piccola", "media", "grande"}
    assert main(["export", str(tmp_path / "c"), "--format", "sav,xlsx", "--out", str(tmp_path / "x")]) == 0
    for q in found:
        frame, meta = pyreadstat.read_sav(str(tmp_path / "x" / q.folder / "codes.sav"))
        assert len(frame) == len(w2) and frame["id"].tolist() == w2["ID"].tolist()
        labels = set(meta.column_names_to_labels.values())
        assert {"dimensione", "settore", "ondata"} <= labels and not set(questions) & labels
        assert (tmp_path / "x" / q.folder / "codes.xlsx").exists()
    assert main(["report", str(tmp_path / "c"), "--out", str(tmp_path / "report.html")]) == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("<h2 id=q") == 2 and page.count("<table class=themes>") == 2
    assert page.index("Difficoltà incontrate</h2>") < page.index("Vantaggi attesi</h2>")
    # Self-contained: plotly's script once (the first figure), no file fetched from elsewhere.
    assert page.count("window.PlotlyConfig") == 1
    figures = re.findall(r'<div id="(fig\d+)"', page)
    assert len(figures) >= 4 and len(set(figures)) == len(figures)  # each question's figures, ids unique
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['\"]?https?:", page)


def test_a_long_file_with_a_question_column_splits_by_question(tmp_path):
    path = tmp_path / "long.csv"
    pd.DataFrame(
        {
            "item": ["a1", "a2", "b1", "a3", "b2"],
            "domanda": ["Innovazioni", "Innovazioni", "Fornitori", "Innovazioni", "Fornitori"],
            "risposta": ["chat online", "app mobile", "prezzo", "bot", "qualità"],
        }
    ).to_csv(path, index=False)
    parts = split_questions(read_answers(path, "risposta", "item"), ["risposta"], "domanda", str(path))
    assert [(q.name, q.folder, f["id"].tolist()) for q, f in parts] == [
        ("Innovazioni", "innovazioni", ["a1", "a2", "a3"]),
        ("Fornitori", "fornitori", ["b1", "b2"]),
    ]
    assert parts[1][1]["source_row"].tolist() == [4, 6]  # rows as the spreadsheet numbers them
    pd.DataFrame({"item": ["a1"], "domanda": [""], "risposta": ["x"]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"1 row\(s\) name no question in column 'domanda': rows 2"):
        split_questions(read_answers(path, "risposta", "item"), ["risposta"], "domanda", str(path))


def test_the_bundled_report_groupings_run_per_question(tmp_path, capsys):
    from conftest import REPO

    args = [
        "themes",
        str(REPO / "data/report/report_groupings.csv"),
        "--text-column",
        "text",
        "--id-column",
        "item_id",
        "--question-column",
        "grouping",
        "--embedder",
        "lexical",
        "--out",
        str(tmp_path / "r"),
    ]
    assert main(args) == 0
    groupings = pd.read_csv(REPO / "data/report/report_groupings.csv")
    found = read_questions(tmp_path / "r")
    assert [q.name for q in found] == list(dict.fromkeys(groupings["grouping"]))
    total = sum(len(pd.read_csv(tmp_path / "r" / q.folder / "answers_with_themes.csv")) for q in found)
    assert total == len(groupings)
    # What it printed names the files where they are now, never the staging folder they were written to.
    said = capsys.readouterr().out
    wrote = [line for line in said.splitlines() if line.startswith("wrote ")]
    assert len(wrote) == len(found) and ".partial" not in said
    for line, q in zip(wrote, found):
        for name in line.removeprefix("wrote ").replace(" and ", ", ").split(", "):
            assert Path(name.rstrip("/\\")).exists(), f"printed {name!r}, which does not exist"
            assert Path(name.rstrip("/\\")).parent == tmp_path / "r" / q.folder


def test_codes_of_several_questions_are_said_where_they_end_up(tmp_path, capsys):
    survey_file(tmp_path / "w1.csv", 1)
    survey_file(tmp_path / "w2.csv", 2)
    questions = ["Difficoltà incontrate", "Vantaggi attesi"]
    find_themes(tmp_path, *questions)
    assert main(["codebook", str(tmp_path / "r"), "--out", str(tmp_path / "books")]) == 0
    capsys.readouterr()
    code_wave2(tmp_path, *questions)
    said = capsys.readouterr().out
    assert ".partial" not in said
    for q in read_questions(tmp_path / "c"):
        assert (
            f"to {tmp_path / 'c' / q.folder}" in said and f"see {tmp_path / 'c' / q.folder / 'new_themes.csv'}" in said
        )


def test_several_questions_with_one_codebook_file_is_refused_before_coding(tmp_path, capsys):
    survey_file(tmp_path / "w1.csv", 1)
    find_themes(tmp_path, "Difficoltà incontrate")
    assert main(["codebook", str(tmp_path / "r"), "--out", str(tmp_path / "cb.json")]) == 0
    capsys.readouterr()
    code = main(
        [
            "code",
            str(tmp_path / "w1.csv"),
            "--text-column",
            "Difficoltà incontrate",
            "Vantaggi attesi",
            "--codebook",
            str(tmp_path / "cb.json"),
            "--embedder",
            "lexical",
            "--out",
            str(tmp_path / "c"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "holds one codebook, but the answers hold 2 questions" in err and not (tmp_path / "c").exists()


def test_an_error_on_a_later_question_leaves_no_partial_output(tmp_path, capsys):
    frame = survey_file(tmp_path / "w1.csv", 1).assign(**{"Vantaggi attesi": "non so"})  # only non-answers
    frame.to_csv(tmp_path / "w1.csv", index=False)
    args = ["themes", str(tmp_path / "w1.csv"), "--text-column", "Difficoltà incontrate", "Vantaggi attesi"]
    assert main([*args, "--embedder", "lexical", "--out", str(tmp_path / "r")]) == 2
    assert "no usable answers" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w1.csv"]  # no results, no staging folder left


def test_one_question_of_a_new_wave_is_coded_with_its_codebook_from_the_folder(tmp_path):
    survey_file(tmp_path / "w1.csv", 1)
    survey_file(tmp_path / "w2.csv", 2)
    find_themes(tmp_path, "Difficoltà incontrate", "Vantaggi attesi")
    assert main(["codebook", str(tmp_path / "r"), "--out", str(tmp_path / "books")]) == 0
    code_wave2(tmp_path, "Vantaggi attesi")
    assert [q.name for q in read_questions(tmp_path / "c")] == ["Vantaggi attesi"]
    coded = pd.read_csv(tmp_path / "c" / "vantaggi_attesi" / "answers_with_codes.csv")
    book = json.loads((tmp_path / "books" / "vantaggi_attesi" / "codebook.json").read_text(encoding="utf-8"))
    assert set(coded.loc[coded["theme_id"] > 0, "theme_id"]) <= {t["id"] for t in book["themes"]}
