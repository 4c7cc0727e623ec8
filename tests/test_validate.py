"""Validation against manual coding: reading codes, problems, figures, intervals, files, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import themes_args

from rtc_nlp import InputError, ThemeModel, compare_with_manual, read_manual_codes
from rtc_nlp.cli.commands import main

REPO = Path(__file__).resolve().parents[1]


def _pred(ids, themes, labels=None):
    labels = labels or [f"tema {t}" for t in themes]
    return pd.DataFrame({"id": ids, "theme_id": themes, "theme_label": labels})


def _figure(report, metric, scope="all"):
    rows = report.summary[(report.summary["scope"] == scope) & (report.summary["metric"] == metric)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.fixture
def coded():
    """40 answers, four manual codes of 10; themes equal to the codes under other names."""
    ids = [f"R{i:02d}" for i in range(40)]
    codes = np.repeat(["reputazione", "sicurezza", "formazione", "scalabilità"], 10)
    themes = np.repeat([3, 1, 4, 2], 10)
    return ids, codes, themes


def test_perfect_agreement_is_significant_with_tight_intervals(coded):
    ids, codes, themes = coded
    report = compare_with_manual(_pred(ids, themes), pd.DataFrame({"id": ids, "code": codes}), n_boot=200, n_perm=199)
    for metric in ("accuracy", "cohen_kappa", "krippendorff_alpha", "ari"):
        row = _figure(report, metric)
        assert row["value"] == pytest.approx(1.0)
        assert row["ci_low"] == pytest.approx(1.0)
        assert row["p_value"] == pytest.approx(1 / 200)  # no shuffle does as well
        assert row["chance"] < 0.5
    assert set(report.matching["share_of_code"]) == {1.0}


def test_random_themes_are_not_significant(coded):
    ids, codes, _ = coded
    themes = np.random.default_rng(5).integers(1, 5, len(ids))
    report = compare_with_manual(_pred(ids, themes), pd.DataFrame({"id": ids, "code": codes}), n_boot=100, n_perm=199)
    assert _figure(report, "cohen_kappa")["p_value"] > 0.05
    row = _figure(report, "ari")
    assert row["ci_low"] <= 0.0 <= row["ci_high"] or abs(row["value"]) < 0.1


def test_wide_and_long_forms_give_the_same_figures(coded, tmp_path):
    ids, codes, themes = coded
    long = pd.DataFrame({"ID": ids, "Codice": codes})
    wide = pd.DataFrame({"ID": ids, **{c: (codes == c).astype(int) for c in np.unique(codes)}})
    long.to_csv(tmp_path / "long.csv", index=False)
    wide.to_excel(tmp_path / "wide.xlsx", index=False)
    read_long = read_manual_codes(tmp_path / "long.csv", "ID")
    read_wide = read_manual_codes(tmp_path / "wide.xlsx", "ID")
    assert (read_long.form, read_wide.form) == ("long", "wide")
    pd.testing.assert_frame_equal(
        read_long.codes.sort_values("id").reset_index(drop=True),
        read_wide.codes.sort_values("id").reset_index(drop=True),
    )
    themes = np.where(np.arange(40) % 7 == 0, 1, themes)  # some disagreement
    a = compare_with_manual(_pred(ids, themes), read_long, n_boot=50, n_perm=50)
    b = compare_with_manual(_pred(ids, themes), read_wide, n_boot=50, n_perm=50)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_case_and_spacing_variants_are_one_code_and_said(coded):
    ids, codes, themes = coded
    codes = codes.astype(object)
    codes[:3] = " Reputazione"
    codes[3:5] = "reputazione  "
    report = compare_with_manual(_pred(ids, themes), pd.DataFrame({"id": ids, "code": codes}), n_boot=0, n_perm=0)
    assert report.counts["n_manual_codes"] == 4
    assert any("Reputazione" in note and "one code" in note for note in report.notes)
    assert _figure(report, "accuracy")["value"] == pytest.approx(1.0)


def test_every_problem_is_reported_at_once(coded):
    ids, codes, themes = coded
    manual = pd.DataFrame({"id": ids + ["X1", "X2"], "code": list(codes) + ["reputazione", "sicurezza"]})
    manual.loc[0, "code"] = ""  # empty code
    manual = pd.concat([manual, manual.iloc[[5]]])  # same code twice
    manual.loc[len(manual)] = [ids[6], "sconosciuto"]  # unknown code
    pred = _pred(ids + ["P1"], list(themes) + [2])  # P1 has no manual code
    report = compare_with_manual(
        pred,
        read_manual_codes(manual, known_codes=["reputazione", "sicurezza", "formazione", "scalabilità"]),
        n_boot=0,
        n_perm=0,
    )
    problems = report.problems.set_index("problem")
    assert problems.loc["empty code", "count"] == 1
    assert problems.loc["duplicate id", "count"] == 1
    assert problems.loc["unknown code", "ids"] == "sconosciuto"
    assert problems.loc["not in predictions", "ids"] == "X1, X2"
    assert set(problems.loc["no manual code", "ids"].split(", ")) == {"R00", "P1"}
    assert report.counts["n_shared"] == 39


def test_non_answers_and_unclassified_are_reported_both_ways(coded):
    ids, codes, themes = coded
    themes = themes.copy()
    themes[[0, 10]] = -1
    themes[[1, 11, 21]] = 0
    report = compare_with_manual(_pred(ids, themes), pd.DataFrame({"id": ids, "code": codes}), n_boot=0, n_perm=0)
    assert (report.counts["n_non_answers"], report.counts["n_unclassified"], report.counts["n_answered"]) == (2, 3, 35)
    assert _figure(report, "accuracy", "answered")["n"] == 35
    assert _figure(report, "accuracy", "answered")["value"] == pytest.approx(1.0)
    assert _figure(report, "accuracy", "all")["n"] == 40
    assert _figure(report, "accuracy", "all")["value"] < 1.0
    assert {"non risposta", "non classificato"} <= set(report.confusion.index)


def test_all_unclassified_predictions_are_handled(coded):
    ids, codes, _ = coded
    report = compare_with_manual(_pred(ids, [0] * 40), pd.DataFrame({"id": ids, "code": codes}), n_boot=20, n_perm=20)
    assert report.counts["n_answered"] == 0
    assert _figure(report, "accuracy", "answered")["value"] != _figure(report, "accuracy", "answered")["value"]  # NaN
    assert _figure(report, "accuracy", "all")["value"] == pytest.approx(0.25)
    assert any("nothing to compare" in note for note in report.notes)


def test_several_codes_per_answer(coded):
    ids, codes, themes = coded
    manual = pd.DataFrame({"id": ids, "code": codes})
    # Answers 10-14 (theme 1 = sicurezza) also touch reputazione.
    manual = pd.concat([manual, pd.DataFrame({"id": ids[10:15], "code": ["reputazione"] * 5})], ignore_index=True)
    report = compare_with_manual(_pred(ids, themes), manual, n_boot=50, n_perm=0)
    per_code = report.per_code.set_index("code")
    assert per_code.loc["reputazione", "support"] == 15
    assert per_code.loc["reputazione", "recall"] == pytest.approx(10 / 15)
    assert per_code.loc["sicurezza", "f1"] == pytest.approx(1.0)
    assert _figure(report, "micro_f1")["value"] == pytest.approx(2 * 40 / (2 * 40 + 5))
    assert any("several manual codes" in note for note in report.notes)


@pytest.mark.parametrize("case", ["no_shared", "one_code", "one_answer"])
def test_bad_input_gives_clear_errors(coded, case):
    ids, codes, themes = coded
    manual = pd.DataFrame({"id": ids, "code": codes})
    pred = _pred(ids, themes)
    if case == "no_shared":
        manual["id"] = [f"Z{i}" for i in range(40)]
        match = "no id in common.*'R00'.*'Z0'"
    elif case == "one_code":
        manual["code"] = "reputazione"
        match = "same code"
    else:
        manual = manual.iloc[:1]
        match = "at least two"
    with pytest.raises(InputError, match=match):
        compare_with_manual(pred, manual, n_boot=0, n_perm=0)


def test_a_wide_file_with_other_values_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    pd.DataFrame({"id": [1, 2], "a": [1, 0], "b": ["forse", 1], "c": [0, 2]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"wide.csv.*'b', 'c'"):
        read_manual_codes(path)


def test_same_seed_same_report_and_files_written(coded, tmp_path):
    ids, codes, themes = coded
    themes = np.where(np.arange(40) % 5 == 0, 1, themes)
    manual = pd.DataFrame({"id": ids, "code": codes})
    a = compare_with_manual(_pred(ids, themes), manual, n_boot=100, n_perm=99, random_state=3)
    b = compare_with_manual(_pred(ids, themes), manual, n_boot=100, n_perm=99, random_state=3)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    a.save(tmp_path / "v")
    names = {p.name for p in (tmp_path / "v").iterdir()}
    assert {
        "summary.csv",
        "summary.md",
        "matching.csv",
        "confusion.csv",
        "per_code.csv",
        "problems.csv",
        "heatmap.png",
        "validation.json",
    } <= names
    assert (tmp_path / "v" / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pd.read_csv(tmp_path / "v" / "summary.csv")["value"].tolist() == pytest.approx(
        a.summary["value"].tolist(), nan_ok=True
    )
    with pytest.raises(InputError, match="not empty"):
        a.save(tmp_path / "v")


def test_cli_validate_end_to_end(survey, tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    survey.to_csv(answers, index=False)
    assert main(themes_args(answers, tmp_path / "res", "--quiet")) == 0
    manual = tmp_path / "manual.csv"
    survey.dropna(subset=["truth"])[["id", "truth"]].to_csv(manual, index=False, sep=";")
    code = main(
        [
            "validate",
            "--pred",
            str(tmp_path / "res" / "answers_with_themes.csv"),
            "--manual",
            str(manual),
            "--out",
            str(tmp_path / "val"),
            "--n-boot",
            "100",
            "--n-perm",
            "99",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "accuracy" in out and "p=" in out
    summary = pd.read_csv(tmp_path / "val" / "summary.csv")
    answered = summary[summary["scope"] == "answered"].set_index("metric")
    # The three test themes are well separated: themes may split them, but not mix them.
    assert answered.loc["purity", "value"] > 0.8
    assert answered.loc["ari", "p_value"] < 0.05
    code = main(
        [
            "validate",
            "--pred",
            str(tmp_path / "res" / "answers_with_themes.csv"),
            "--manual",
            str(answers),
            "--id-column",
            "dimensione",
            "--code-column",
            "truth",
            "--out",
            str(tmp_path / "val2"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "no id in common" in err and "Traceback" not in err and err.count("\n") == 1


def test_report_groupings_are_validated_by_theme_only(capsys):
    assert main(["validate", "--report", "--n-boot", "30", "--n-perm", "30"]) == 0
    out = capsys.readouterr().out.splitlines()
    table = [line.split() for line in out if line.strip().startswith(("innovazioni", "attivita", "criteri"))]
    # Each grouping at both levels: its themes, and the nets that group them.
    assert [(cells[0], cells[2]) for cells in table] == [
        (name, level)
        for name in ("innovazioni_customer_service", "innovazioni_csr", "attivita_esternalizzabili")
        for level in ("themes", "nets")
    ]
    for themes, nets in zip(table[::2], table[1::2]):
        assert int(nets[5]) <= int(themes[5])  # groups found: never more nets than themes
    assert "embedder: use" in out[0]
    # The groupings by respondent group are named as left out, not scored.
    assert any(line.startswith("not validated: criteri_fornitori, innovazioni_future") for line in out)


def test_model_assignments_are_accepted_directly(survey):
    model = ThemeModel(embedder="lexical", random_state=0).fit(survey)
    manual = survey.dropna(subset=["truth"])[["id", "truth"]].rename(columns={"truth": "code"})
    report = compare_with_manual(model.assignments_, manual, n_boot=20, n_perm=20)
    assert report.counts["n_shared"] == 25
    fig = report.figure()
    assert len(fig.axes) == 2  # heatmap and its colour bar


def test_intervals_contain_the_estimate_and_narrow_with_more_answers():
    rng = np.random.default_rng(11)
    widths = []
    for n in (30, 300):
        truth = rng.integers(0, 4, n)
        pred = np.where(rng.random(n) < 0.6, truth, rng.integers(0, 4, n)) + 1
        ids = [f"A{i}" for i in range(n)]
        report = compare_with_manual(
            _pred(ids, pred), pd.DataFrame({"id": ids, "code": truth.astype(str)}), n_boot=300, n_perm=0
        )
        rows = report.summary[report.summary["scope"] == "all"]
        assert ((rows["ci_low"] <= rows["value"] + 1e-12) & (rows["value"] <= rows["ci_high"] + 1e-12)).all()
        widths.append(float((rows["ci_high"] - rows["ci_low"]).median()))
    assert widths[1] < widths[0] / 2  # ten times the answers: about a third of the width


@pytest.mark.parametrize("case", ["missing_manual", "missing_flags", "empty_codes"])
def test_cli_validate_errors_are_one_line(case, coded, tmp_path, capsys):
    ids, codes, themes = coded
    pred = tmp_path / "pred.csv"
    _pred(ids, themes).to_csv(pred, index=False)
    manual = tmp_path / "manual.csv"
    if case == "empty_codes":
        pd.DataFrame({"id": ids, "code": [""] * len(ids)}).to_csv(manual, index=False)
        args, expected = (
            ["--pred", pred, "--manual", manual, "--code-column", "code", "--out", tmp_path / "o"],
            "no usable manual code",
        )
    elif case == "missing_manual":
        args, expected = ["--pred", pred, "--manual", manual, "--out", tmp_path / "o"], "manual.csv: file not found"
    else:
        args, expected = ["--pred", pred], "validate needs --manual, --out"
    code = main(["validate", *map(str, args)])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_report_groupings_elsewhere_are_read_and_a_missing_file_is_one_line(tmp_path, capsys):
    """Installed outside a source checkout the bundled file is not there: --groupings names one."""
    source = pd.read_csv(REPO / "data" / "report" / "report_groupings.csv", dtype=str, keep_default_na=False)
    one = source[source["grouping"] == "innovazioni_csr"]
    one.to_csv(tmp_path / "mine.csv", index=False)
    assert (
        main(["validate", "--report", "--groupings", str(tmp_path / "mine.csv"), "--n-boot", "10", "--n-perm", "10"])
        == 0
    )
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip().startswith("innovazioni")]
    assert set(rows) == {"innovazioni_csr"}
    assert main(["validate", "--report", "--groupings", str(tmp_path / "absent.csv")]) == 2
    err = capsys.readouterr().err
    assert "absent.csv" in err and "--groupings PATH" in err and err.count("\n") == 1
