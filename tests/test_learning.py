"""The coder that learns from the analyst: corrections teach it, the queue asks what teaches most,
a random audit states its accuracy, and the learned coder is plain files reused on the next wave."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, SURVEY_THEMES

from rtc_nlp import Codebook, CodebookCoder, InputError, ModelFileError, code_answers, read_answers
from rtc_nlp.cli.commands import main
from rtc_nlp.coding.audit import audit_estimate, audit_sample, read_audit
from rtc_nlp.coding.learner import ThemeLearner, active_queue, learned_assignment
from rtc_nlp.coding.review import read_corrections

DEMO = REPO / "data" / "demo"
BOOK = Codebook.load(DEMO / "codebook_report.json")


def _gold(wave: str = "wave1") -> dict[str, int]:
    """The demo's manual codes as theme ids (0 where the coder gave none)."""
    manual = pd.read_csv(DEMO / f"manual_codes_{wave}.csv", dtype=str, keep_default_na=False)
    ids = {t.label: t.id for t in BOOK.themes}
    return {i: ids.get(c, 0) for i, c in zip(manual["id"], manual["codice"])}


def _agreement(coded: pd.DataFrame, gold: dict[str, int], skip: set[str]) -> float:
    rows = coded[coded["id"].isin(gold) & ~coded["id"].isin(skip) & (coded["status"] != "non_answer")]
    return float(np.mean([gold[i] == t for i, t in zip(rows["id"], rows["theme_id"])]))


def test_without_labels_the_coder_codes_as_the_mean_vector_rule():
    answers = read_answers(DEMO / "wave1.csv", text_column="risposta", id_column="id")
    learning = CodebookCoder(BOOK, "lexical").fit(answers)
    plain = CodebookCoder(BOOK, "lexical", learn=False).fit(answers)
    assert learning.learner_ is None
    pd.testing.assert_frame_equal(learning.code(answers), plain.code(answers))


def test_corrections_teach_the_coder_beyond_the_rows_corrected():
    # A codebook of bare, misleading names: "clienti" is in answers on data security too.
    book = Codebook.from_records(
        [
            {"label": "sicurezza", "description": "clienti"},
            {"label": "formazione", "description": "operatori"},
            {"label": "reputazione", "description": "clienti e carcere"},
        ]
    )
    texts = [t for theme in SURVEY_THEMES.values() for t in theme]
    truth = np.repeat([t.id for t in book.themes], [len(v) for v in SURVEY_THEMES.values()])
    answers = pd.DataFrame({"id": [f"R{i}" for i in range(len(texts))], "text": texts})
    taught = np.flatnonzero(np.arange(len(texts)) % 8 < 3)  # three answers of each theme corrected
    rest = np.setdiff1d(np.arange(len(texts)), taught)
    before = CodebookCoder(book, "lexical").fit(answers).code(answers)["theme_id"].to_numpy()
    manual = pd.DataFrame({"text": np.asarray(texts)[taught], "codes": truth[taught].astype(str)})
    coder = CodebookCoder(book, "lexical", manual=manual).fit(answers)
    after = coder.code(answers)["theme_id"].to_numpy()
    assert coder.learner_ is not None and coder.learner_.learned_[:3].all()
    assert np.mean(after[rest] == truth[rest]) >= np.mean(before[rest] == truth[rest]) + 0.3
    # The same corrections given as a reviewer's overrides teach code_answers too.
    overrides = pd.DataFrame({"id": answers["id"].to_numpy()[taught], "codes": truth[taught].astype(str)})
    again = code_answers(answers, book, embedder="lexical", overrides=overrides)["theme_id"].to_numpy()
    np.testing.assert_array_equal(again[rest], after[rest])


def test_learned_assignment_leaves_out_what_non_classificato_wins_and_gives_second_codes():
    probabilities = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.45, 0.44, 0.11]])
    similarities = np.array([[0.5, 0.4], [0.1, 0.0], [0.3, 0.3]])
    found = learned_assignment(probabilities, similarities, max_codes=2, ratio=0.9)
    assert found.theme.tolist() == [0, -1, 0]
    assert found.reason.tolist() == ["", "below_min_similarity", ""]
    assert found.codes.tolist() == [[0, -1], [-1, -1], [0, 1]]  # 0.44 >= 0.9 x 0.45
    assert found.margin[1] == pytest.approx(0.4)  # the doubt includes "non classificato"


def test_the_learner_is_plain_files_that_load_to_the_same_probabilities(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    prototypes = vectors[:3] + 0.1
    labels = np.zeros((60, 3), dtype=bool)
    labels[np.arange(60), np.argmax(vectors @ prototypes.T, axis=1)] = True
    labels[:5] = False  # "non classificato"
    learner = ThemeLearner().fit(vectors, labels, prototypes, threshold=0.2)
    learner.save(tmp_path / "coder")
    assert sorted(p.name for p in (tmp_path / "coder").iterdir()) == [
        "centroids.npy",
        "coefficients.npy",
        "learner.json",
    ]
    again = ThemeLearner.load(tmp_path / "coder")
    np.testing.assert_allclose(again.predict_proba(vectors, prototypes), learner.predict_proba(vectors, prototypes))
    np.save(tmp_path / "coder" / "coefficients.npy", np.zeros((2, 8), dtype=np.float32))
    with pytest.raises(ModelFileError, match="does not match"):
        ThemeLearner.load(tmp_path / "coder")


def test_the_queue_asks_about_the_least_sure_and_no_near_copies():
    scores = np.array([[0.5, 0.5], [0.5, 0.5], [0.9, 0.1], [0.6, 0.4], [0.55, 0.45]])
    vectors = np.array([[1, 0], [1, 0], [0, 1], [0.6, 0.8], [0.8, -0.6]], dtype=np.float32)
    picked = active_queue(scores, vectors, np.arange(5), 3)
    assert picked.tolist() == [0, 4, 3]  # 1 is a copy of 0; 2 is sure
    assert active_queue(scores, vectors, np.array([2, 3]), 5).tolist() == [3, 2]
    assert active_queue(scores, vectors, np.arange(5), 5).tolist() == [0, 4, 3, 2, 1]  # the copy last


def test_the_audit_is_random_and_states_accuracy_and_kappa_with_intervals():
    answers = read_answers(DEMO / "wave1.csv", text_column="risposta", id_column="id")
    coded = CodebookCoder(BOOK, "lexical").fit(answers).code(answers)
    drawn = audit_sample(coded, 40, seed=1)
    assert len(drawn) == 40 and drawn["id"].is_unique and (drawn["corrected_codes"] == "").all()
    assert set(drawn["id"]) <= set(coded.loc[coded["status"] != "non_answer", "id"])
    assert not drawn["id"].equals(audit_sample(coded, 40, seed=2)["id"])
    gold = _gold()
    first = drawn["proposed_codes"].str.split(";").str[0].replace("", "0").astype(int)
    drawn["corrected_codes"] = [
        "ok" if gold[i] == p else (str(gold[i]) if gold[i] else "non classificato") for i, p in zip(drawn["id"], first)
    ]
    drawn.loc[drawn.index[-1], "corrected_codes"] = ""  # not checked yet
    checked = read_audit(drawn, BOOK)
    assert len(checked) == 39
    figures = audit_estimate(checked)
    right = sum(gold[i] == p for i, p in zip(drawn["id"][:-1], first[:-1]))
    assert figures["right"] == right and figures["accuracy"] == pytest.approx(right / 39)
    low, high = figures["accuracy_ci"]
    assert low < right / 39 < high and 0 <= low and high <= 1
    assert figures["kappa_ci"][0] <= figures["kappa"] <= figures["kappa_ci"][1]
    drawn.loc[drawn.index[0], "corrected_codes"] = "tema inventato"
    with pytest.raises(InputError, match="'tema inventato' \\(row 2\\)"):
        read_audit(drawn, BOOK)


def test_corrections_from_several_rounds_are_checked_together(tmp_path):
    one = pd.DataFrame({"id": ["W1-001", "W1-002", "W1-003"], "corrected_codes": ["1", "2", "nessun tema"]})
    two = pd.DataFrame({"id": ["W1-001", "W1-002", "Z9"], "corrected_codes": ["1", "3", "1"]})
    with pytest.raises(InputError) as error:
        read_corrections([one, two], BOOK, known_ids=[f"W1-{i:03d}" for i in range(1, 151)])
    message = str(error.value)
    # Every case at once: an unknown code, an unknown id, and an answer corrected two ways.
    assert "'nessun tema' (row 4)" in message and "Z9 (row 4)" in message
    assert "W1-002: '2' in <table>, '3' in <table>" not in message  # the second sheet failed: not compared
    one["corrected_codes"] = ["1", "2", "0"]
    two = two[two["id"] != "Z9"]
    with pytest.raises(InputError, match="W1-002: '2' in <table>, '3' in <table>"):
        read_corrections([one, two], BOOK, known_ids=[f"W1-{i:03d}" for i in range(1, 151)])
    two.loc[two["id"] == "W1-002", "corrected_codes"] = "2"
    merged = read_corrections([one, two], BOOK)
    assert merged.to_dict("records") == [
        {"id": "W1-001", "codes": "1"},
        {"id": "W1-002", "codes": "2"},
        {"id": "W1-003", "codes": ""},
    ]


def _fill(sheet: pd.DataFrame, gold: dict[str, int]) -> pd.DataFrame:
    """An analyst's filled review sheet: the right codes for every row."""
    return sheet.assign(**{"codici corretti": [str(gold[i]) for i in sheet["id"]]})


def test_two_rounds_of_the_loop_on_the_command_line(tmp_path, capsys):
    base = ["--codebook", str(DEMO / "codebook_report.json"), "--text-column", "risposta", "--id-column", "id"]
    wave1 = ["code", str(DEMO / "wave1.csv"), *base, "--embedder", "lexical"]
    assert main([*wave1, "--out", str(tmp_path / "r1"), "--review", "20", "--audit", "30"]) == 0
    said = capsys.readouterr().out
    assert "no labelled answers yet" in said and "audit sheet: 30 answers drawn at random" in said
    gold = _gold()
    review = pd.read_excel(tmp_path / "r1" / "review.xlsx", sheet_name="da rivedere", dtype=str)
    _fill(review, gold).to_excel(tmp_path / "round1.xlsx", index=False)
    audit = pd.read_excel(tmp_path / "r1" / "audit.xlsx", sheet_name="verifica", dtype=str)
    assert list(audit.columns) == ["id", "risposta", "codici proposti", "temi proposti", "codici corretti"]
    _fill(audit, gold).to_excel(tmp_path / "audit1.xlsx", index=False)
    round2 = [*wave1, "--out", str(tmp_path / "r2"), "--overrides", str(tmp_path / "round1.xlsx")]
    assert main([*round2, "--audited", str(tmp_path / "audit1.xlsx")]) == 0
    said = capsys.readouterr().out
    run = json.loads((tmp_path / "r2" / "run.json").read_text(encoding="utf-8"))
    # Learned from the 20 corrections and the 30 audited answers (some may be the same answers).
    assert run["learning"]["learned"] and run["learning"]["labelled_answers"] >= 30
    proposed = audit["codici proposti"].fillna("").str.split(";").str[0].replace("", "0").astype(int)
    right = int(sum(gold[i] == p for i, p in zip(audit["id"], proposed)))
    assert run["audit"]["checked"] == 30 and run["audit"]["right"] == right
    assert f"right for {right / 30:.0%}" in said
    coded = pd.read_csv(tmp_path / "r2" / "answers_with_codes.csv", dtype=str, keep_default_na=False)
    corrected = coded.set_index("id").loc[review["id"]]
    assert (corrected["status"] == "reviewed").all()
    assert corrected["theme_id"].astype(int).tolist() == [gold[i] for i in review["id"]]
    assert {"learner.json", "coefficients.npy", "centroids.npy", "labels.csv"} <= {
        p.name for p in (tmp_path / "r2" / "coder").iterdir()
    }
    # The next round's queue asks about other answers than the ones already corrected.
    queue = pd.read_excel(tmp_path / "r2" / "review.xlsx", sheet_name="da rivedere", dtype=str)
    assert not set(queue["id"]) & set(review["id"])
    # Wave 2 learns from wave 1's labelled answers.
    wave2 = ["code", str(DEMO / "wave2.csv"), *base, "--embedder", "lexical", "--out", str(tmp_path / "w2")]
    assert main([*wave2, "--learned", str(tmp_path / "r2")]) == 0
    run2 = json.loads((tmp_path / "w2" / "run.json").read_text(encoding="utf-8"))
    assert run2["learning"]["by_source"]["earlier wave"] == run["learning"]["labelled_answers"]


def test_the_report_method_note_states_what_was_learned_and_the_audit(tmp_path):
    from rtc_nlp.report.text import method_note

    run = {
        "command": "code",
        "learning": {"learned": True, "labelled_answers": 45},
        "audit": {"checked": 50, "accuracy": 0.88, "accuracy_ci": [0.76, 0.94], "kappa": 0.81, "kappa_ci": [0.7, 0.9]},
    }
    note = method_note(run, tmp_path)
    assert "imparato da 45 risposte" in note
    assert "50 risposte estratte a caso e verificate: 88% [IC 95% 76%; 94%], kappa di Cohen 0,81 [0,70; 0,90]" in note
    assert "estratte a caso" not in method_note({"command": "code"}, tmp_path)


def test_candidate_themes_of_a_large_pool_are_found_on_a_sample_and_every_answer_counted(monkeypatch):
    import rtc_nlp.coding.new_themes as new_themes

    answers = read_answers(DEMO / "wave2.csv", text_column="risposta", id_column="id")
    coder = CodebookCoder(BOOK, "lexical").fit(answers)
    coded = coder.code(answers)
    pool = ((coded["status"] == "unclassified") & (coded["reason"] == "below_min_similarity")) | (
        (coded["status"] == "theme") & (coded["margin"] < 0.05)
    )
    monkeypatch.setattr(new_themes, "CANDIDATE_FIT", 12)  # the pool is larger: sampled
    sampled = coder.new_themes(coded)
    assert len(sampled) >= 1
    words = " ".join(sampled.loc[sampled["likely_new"], "keywords"]).lower()
    assert any(w in words for w in ("burocra", "autorizzazion", "permessi"))  # wave 2's new theme
    # Every answer of a kept group is counted, not only the sample's.
    assert 12 < sampled["size"].sum() <= pool.sum()
    assert all(len(ids.split(";")) == size for ids, size in zip(sampled["ids"], sampled["size"]))
