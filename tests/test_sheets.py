"""Spreadsheet safety on every CSV and XLSX path: no cell a spreadsheet would run as a formula,
while the Parquet and JSON outputs keep the original text."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import code_args, themes_args
from openpyxl import load_workbook

from rtc_nlp.cli.commands import main
from rtc_nlp.coding.codebook import Codebook
from rtc_nlp.io.sheets import safe_cell

DANGEROUS = [
    '=HYPERLINK("http://x.example","clic") sicurezza dei dati',
    "+39 sicurezza dei dati personali",
    "-2+3 formazione degli operatori",
    "@SUM(1) reputazione del brand",
    "\tformazione continua",
    "\rriservatezza dei dati",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_safe_cell(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("sicurezza = dati") == "sicurezza = dati" and safe_cell(3) == 3


def _is_number(cell):
    try:
        float(cell)
    except (TypeError, ValueError):
        return False
    return True


def _cells(path):
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        yield from frame.columns
        yield from frame.to_numpy().ravel()
    else:
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield from row


def test_every_csv_and_xlsx_written_is_safe(survey, tmp_path):
    survey = survey.copy()
    survey.loc[: len(DANGEROUS) - 1, "text"] = DANGEROUS
    survey.loc[len(DANGEROUS), "dimensione"] = "=1+1"
    answers = tmp_path / "answers.csv"
    survey.to_csv(answers, index=False, lineterminator="\r\n")  # a bare \r must sit inside quotes
    Codebook.from_records(
        [
            {"label": "=sicurezza", "keywords": ["dati"]},
            {"label": "formazione", "keywords": ["corsi"]},
            {"label": "reputazione", "keywords": ["brand"]},
        ]
    ).save(tmp_path / "cb.json")
    manual = tmp_path / "manual.csv"
    survey.dropna(subset=["truth"]).assign(truth=lambda f: "+" + f["truth"])[["id", "truth"]].to_csv(
        manual, index=False
    )
    run = [
        themes_args(answers, tmp_path / "t", "--quiet"),
        code_args(answers, tmp_path / "cb.json", tmp_path / "c"),
        [
            "validate",
            "--pred",
            tmp_path / "t" / "answers_with_themes.csv",
            "--manual",
            manual,
            "--out",
            tmp_path / "v",
            "--n-boot",
            "20",
            "--n-perm",
            "20",
        ],
        ["compare", tmp_path / "c", tmp_path / "c", "--by", "dimensione", "--out", tmp_path / "p"],
        ["export", tmp_path / "c", "--out", tmp_path / "e"],
    ]
    for args in run:
        assert main([str(a) for a in args]) == 0, args
    written = sorted(p for p in tmp_path.rglob("*") if p.suffix in (".csv", ".xlsx") and p.parent != tmp_path)
    assert len(written) >= 12
    for path in written:
        for cell in _cells(path):
            # Numbers such as -1 (the non-answer id) are values, not formulas.
            risky = isinstance(cell, str) and cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not _is_number(cell)
            assert not risky, (path.name, cell)
    # The originals survive where they should.
    assert pd.read_parquet(tmp_path / "c" / "answers_with_codes.parquet")["text"].tolist()[:6] == DANGEROUS
    exported = json.loads((tmp_path / "e" / "codes.json").read_text(encoding="utf-8"))
    assert [a["text"] for a in exported["answers"][:6]] == DANGEROUS
    assert pd.read_parquet(tmp_path / "t" / "model" / "assignments.parquet")["text"].tolist()[:6] == DANGEROUS


def test_csv_cells_with_carriage_returns_round_trip(tmp_path):
    from rtc_nlp.io.sheets import write_csv

    frame = pd.DataFrame({"id": ["a", "b"], "text": ["uno \r due", "tre\r\nquattro"]})
    write_csv(frame, tmp_path / "x.csv")
    back = pd.read_csv(tmp_path / "x.csv", dtype=str)
    assert back["text"].tolist() == frame["text"].tolist() and len(back) == 2
