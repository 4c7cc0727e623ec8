"""Coding with a codebook: several codes, non classificato, review overrides, new themes,
wave comparison; and the codebook / code / compare commands on the demo survey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, SURVEY_THEMES, code_args, themes_args

from rtc_nlp import InputError, compare_with_manual, read_answers
from rtc_nlp.cli.commands import main
from rtc_nlp.coding.codebook import Codebook
from rtc_nlp.coding.coder import CodebookCoder, code_answers
from rtc_nlp.coding.review import read_overrides, review_queue
from rtc_nlp.coding.waves import compare_waves, wilson_interval

DEMO = REPO / "data" / "demo"
BOOK = Codebook.from_records(
    [
        {
            "label": "sicurezza",
            "description": "sicurezza e riservatezza dei dati dei clienti",
            "keywords": ["sicurezza", "dati", "privacy", "riservatezza"],
        },
        {
            "label": "formazione",
            "description": "formazione specialistica degli operatori",
            "keywords": ["formazione", "operatori", "corsi"],
        },
        {
            "label": "reputazione",
            "description": "reputazione del brand e pregiudizi sul carcere",
            "keywords": ["reputazione", "pregiudizi", "brand", "carcere"],
        },
    ]
)


def _answers(extra=()):
    texts = [t for group in SURVEY_THEMES.values() for t in group] + list(extra)
    truth = [i + 1 for i, group in enumerate(SURVEY_THEMES.values()) for _ in group]
    return pd.DataFrame({"id": [f"A{i}" for i in range(len(texts))], "text": texts}), truth


def test_answers_get_their_theme_and_every_row_is_kept():
    answers, truth = _answers(["non so", "il meteo di domani a Milano"])
    coded = code_answers(answers, BOOK, embedder="lexical")
    assert coded["id"].tolist() == answers["id"].tolist()
    assert coded["text"].tolist() == answers["text"].tolist()
    main_codes = coded["theme_id"].to_numpy()[: len(truth)]
    assert (main_codes == np.array(truth)).mean() >= 0.8
    assert coded["status"].iat[-2] == "non_answer"
    assert coded["status"].iat[-1] == "unclassified" and coded["theme_label"].iat[-1] == "non classificato"
    assert coded["reason"].iat[-1] in ("no_known_terms", "below_min_similarity")


def test_two_codes_when_an_answer_touches_two_themes():
    answers, _ = _answers(["la sicurezza dei dati dei clienti e la formazione degli operatori"])
    coded = code_answers(answers, BOOK, embedder="lexical", ratio=0.5)
    last = coded.iloc[-1]
    assert set(last["codes"].split(";")) == {"1", "2"}
    assert len(last["confidences"].split(";")) == 2
    single = code_answers(answers, BOOK, embedder="lexical", ratio=0.5, max_codes=1).iloc[-1]
    assert ";" not in single["codes"]


def test_threshold_trades_coverage():
    answers, _ = _answers()
    coverage = [
        (code_answers(answers, BOOK, embedder="lexical", min_similarity=t)["status"] == "theme").mean()
        for t in (0.0, 0.2, 0.4, 0.8)
    ]
    assert coverage == sorted(coverage, reverse=True) and coverage[0] == 1.0 and coverage[-1] < 0.5


def test_review_corrections_are_applied_and_survive_a_rerun(tmp_path):
    answers, _ = _answers()
    coded = code_answers(answers, BOOK, embedder="lexical")
    queue = review_queue(coded, BOOK, n=5)
    assert len(queue) == 5 and queue["margin"].is_monotonic_increasing
    queue.loc[0, "corrected_codes"] = "formazione; 3"
    queue.loc[1, "corrected_codes"] = "1"
    queue.to_excel(tmp_path / "review.xlsx", index=False)
    overrides = read_overrides(tmp_path / "review.xlsx", BOOK, known_ids=coded["id"])
    assert overrides["codes"].tolist() == ["2;3", "1"]
    again = code_answers(answers, BOOK, embedder="lexical", overrides=overrides)
    assert again.attrs["n_overrides"] == 2
    row = again.set_index("id").loc[queue.loc[0, "id"]]
    assert (row["status"], row["codes"], row["theme_id"]) == ("reviewed", "2;3", 2)


def test_review_sheet_with_unknown_ids_or_codes_is_refused(tmp_path):
    sheet = pd.DataFrame({"id": ["A1", "ZZZ", "A2"], "corrected_codes": ["9", "1", "astronomia"]})
    with pytest.raises(
        InputError, match=r"ZZZ \(row 3\).*codes not in the codebook.*'9' \(row 2\).*'astronomia' \(row 4\)"
    ):
        read_overrides(sheet, BOOK, known_ids=["A1", "A2"])


def test_manual_examples_sharpen_themes():
    # A codebook that names themes badly: labelled examples must repair it.
    weak = Codebook.from_records(
        [
            {"label": label, "keywords": [k]}
            for label, k in (("sicurezza", "clienti"), ("formazione", "tempo"), ("reputazione", "sociale"))
        ]
    )
    answers, truth = _answers()
    before = code_answers(answers, weak, embedder="lexical", min_similarity=0.0)
    picks = [0, 1, 8, 9, 16, 17]
    manual = pd.DataFrame({"text": answers["text"].iloc[picks], "theme_id": [truth[i] for i in picks]})
    after = code_answers(answers, weak, embedder="lexical", min_similarity=0.0, manual=manual)
    rest = [i for i in range(len(truth)) if i not in picks]
    hits = lambda coded: (coded["theme_id"].to_numpy()[rest] == np.array(truth)[rest]).mean()  # noqa: E731
    assert hits(after) > hits(before)


def test_wilson_interval_known_values():
    low, high = wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]))
    # Textbook values for 0/10, 5/10, 10/10 at 95%.
    np.testing.assert_allclose(low, [0.0, 0.2366, 0.7225], atol=5e-4)
    np.testing.assert_allclose(high, [0.2775, 0.7634, 1.0], atol=5e-4)


def test_demo_survey_codes_validate_and_reveal_the_new_theme():
    book = Codebook.load(DEMO / "codebook_report.json")
    waves, candidates = {}, {}
    for wave in ("wave1", "wave2"):
        answers = read_answers(DEMO / f"{wave}.csv", text_column="risposta", id_column="id")
        coder = CodebookCoder(book, "lexical").fit(answers)
        waves[wave] = coder.code(answers)
        candidates[wave] = coder.new_themes(waves[wave])
        manual = pd.read_csv(DEMO / f"manual_codes_{wave}.csv")
        report = compare_with_manual(waves[wave], manual, code_column="codice", n_boot=50, n_perm=99)
        answered = report.summary[report.summary["scope"] == "answered"].set_index("metric")
        assert answered.loc["cohen_kappa", "value"] > 0.6 and answered.loc["cohen_kappa", "p_value"] < 0.05
    # Wave 2's new theme (bureaucracy) stays out of the codebook's themes ...
    table = compare_waves(waves, book).set_index(["wave", "theme_id"])
    assert table.loc[("wave2", 0), "prevalence"] > table.loc[("wave1", 0), "prevalence"]
    assert table.loc[("wave2", 0), "change_p"] < 0.05
    # ... and comes back as candidates far from every existing theme.
    new = candidates["wave2"][candidates["wave2"]["likely_new"]]
    words = " ".join(new["keywords"]).lower()
    assert any(w in words for w in ("burocra", "autorizzazion", "permessi"))


def test_cli_codebook_code_compare(survey, tmp_path, capsys):
    answers = tmp_path / "survey.csv"
    survey.to_csv(answers, index=False)
    assert main(themes_args(answers, tmp_path / "r", "--quiet")) == 0
    assert main(["codebook", str(tmp_path / "r"), "--out", str(tmp_path / "cb.json")]) == 0
    book = Codebook.load(tmp_path / "cb.json")
    for wave in ("w1", "w2"):
        assert main(code_args(answers, tmp_path / "cb.json", tmp_path / wave)) == 0
    coded = pd.read_csv(tmp_path / "w1" / "answers_with_codes.csv", dtype={"codes": str})
    assert len(coded) == len(survey) and set(coded["theme_id"]) - {-1, 0} <= set(book.ids)
    # The review sheet speaks Italian, and a reviewer's corrections in it are read back.
    queue = pd.read_excel(tmp_path / "w1" / "review.xlsx", sheet_name="da rivedere", dtype=str)
    assert list(queue.columns) == [
        "id",
        "risposta",
        "codici proposti",
        "temi proposti",
        "secondo tema",
        "margine",
        "codici corretti",
    ]
    queue.loc[0, "codici corretti"] = str(book.ids[-1])
    queue.to_excel(tmp_path / "reviewed.xlsx", index=False)
    assert read_overrides(tmp_path / "reviewed.xlsx", book).to_dict("records") == [
        {"id": queue.loc[0, "id"], "codes": str(book.ids[-1])}
    ]
    capsys.readouterr()
    assert (
        main(
            [
                "compare",
                str(tmp_path / "w1"),
                str(tmp_path / "w2"),
                "--by",
                "dimensione",
                "--out",
                str(tmp_path / "cmp"),
            ]
        )
        == 0
    )
    table = pd.read_csv(tmp_path / "cmp" / "prevalence.csv")
    assert set(table["group"].fillna("")) == {"", "piccola", "media", "grande"}
    # The whole wave comes first, and its counts and base are its groups' added up.
    total = table[table["group"].isna()].set_index(["wave", "theme_id"])[["count", "base"]]
    parts = table[table["group"].notna()].groupby(["wave", "theme_id"])[["count", "base"]].sum()
    pd.testing.assert_frame_equal(total.sort_index(), parts.sort_index(), check_names=False)
    # Same answers twice, but bases under 30: shown, never tested, never flagged.
    later = table[table["wave"] == "w2"]
    assert later["low_base"].all() and later["change_p"].isna().all() and later["flag"].isna().all()
    assert (tmp_path / "cmp" / "prevalence.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_code_errors(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "rtc_nlp.codebook", "format_version": 1, "themes": [{"id": 1, "label": ""}]}', encoding="utf-8"
    )
    answers = tmp_path / "a.csv"
    pd.DataFrame({"risposta": ["uno", "due"]}).to_csv(answers, index=False)
    assert (
        main(["code", str(answers), "--codebook", str(bad), "--text-column", "risposta", "--out", str(tmp_path / "o")])
        == 2
    )
    err = capsys.readouterr().err
    assert "bad.json" in err and "has no label" in err and err.count("\n") == 1
    BOOK.save(tmp_path / "cb.json")
    assert main(["code", str(answers), "--codebook", str(tmp_path / "cb.json"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "has no text column 'text'" in err and "'risposta'" in err  # wave files name columns differently
    assert not (tmp_path / "o").exists()


def test_demo_data_is_rebuilt_byte_for_byte(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(DEMO / "make_demo.py"), str(tmp_path)], check=True)
    for name in ("wave1.csv", "wave2.csv", "manual_codes_wave1.csv", "manual_codes_wave2.csv", "codebook_report.json"):
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name
    assert (DEMO / "README.md").read_text(encoding="utf-8").startswith("**SYNTHETIC DATA")


def test_split_theme_reclusters_one_theme_and_keeps_the_other_ids():
    from rtc_nlp.coding.new_themes import split_theme

    merged = BOOK.merge([1, 2], label="sicurezza e formazione")
    answers, truth = _answers()
    coded = code_answers(answers, merged, embedder="lexical", min_similarity=0.0)
    split = split_theme(merged, 1, coded, 2)
    assert split.ids == [4, 5, 3] and split[3] == merged[3]
    recoded = code_answers(answers, split, embedder="lexical", min_similarity=0.0)
    # The two halves should be the two themes that were merged.
    halves = pd.crosstab(recoded["theme_id"].to_numpy()[:16], np.array(truth[:16]))
    assert halves.max(axis=1).sum() >= 13


@pytest.mark.parametrize("texts", [["a", "b"], ["il meteo di domani", "la partita di calcio"]])
def test_answers_sharing_nothing_with_the_codebook_are_not_coded(texts):
    coded = code_answers(texts, BOOK, embedder="lexical")
    assert (coded["status"] == "unclassified").all()
    assert coded["reason"].isin(["no_known_terms", "below_min_similarity"]).all()


def test_one_answer_identical_answers_and_an_empty_table():
    assert code_answers(["la sicurezza dei dati"], BOOK, embedder="lexical")["theme_id"].tolist() == [1]
    same = code_answers(["corsi di formazione per operatori"] * 5, BOOK, embedder="lexical")
    assert same["theme_id"].tolist() == [2] * 5
    with pytest.raises(InputError, match="no answers"):
        code_answers(pd.DataFrame({"id": [], "text": []}), BOOK, embedder="lexical")
