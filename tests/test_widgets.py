"""The widgets' kernel side: edits through the codebook, answers moved along, files the command line
reads, a review that resumes. The browser side is tested in a real JupyterLab
(``test_widgets_lab.py``)."""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from rtc_nlp import Codebook
from rtc_nlp.cli import main

pytest.importorskip("anywidget")
from rtc_nlp.widgets import CodeFrameEditor, FrameEdits, ReviewWidget  # noqa: E402
from rtc_nlp.widgets.editing import PAGE_SIZE  # noqa: E402

DEMO = REPO / "data" / "demo"
COMMON = ["--text-column", "risposta", "--id-column", "id", "--embedder", "lexical"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    assert main(["themes", str(DEMO / "wave1.csv"), *COMMON, "--quiet", "--out", str(root / "temi")]) == 0
    book = str(DEMO / "codebook_report.json")
    assert main(["code", str(DEMO / "wave2.csv"), "--codebook", book, *COMMON, "--out", str(root / "codificate")]) == 0
    return root


@pytest.fixture()
def editor(runs, tmp_path):
    return CodeFrameEditor.from_folder(runs / "temi", path=tmp_path / "codebook.json", embedder="lexical")


def _sizes(edits: FrameEdits) -> dict[int, int]:
    return {k: v for k, v in edits.sizes().items() if k not in edits.codebook.net_ids}


def test_every_edit_is_the_codebooks_own_and_the_answers_follow(editor):
    edits = editor.edits
    start, theme_of = edits.codebook, edits.theme_of
    size = _sizes(edits)
    a, b, c, d = sorted(size, key=lambda i: (-size[i], i))[:4]

    edits.merge([a, b])
    expected = start.merge([a, b])
    assert edits.codebook == expected  # same themes, ids and revision as the codebook's merge
    assert _sizes(edits)[a] == size[a] + size[b] and b not in _sizes(edits)

    net = next(n for n in expected.net_ids if n != expected[c].parent)
    edits.move(c, net)
    assert edits.codebook == expected.move(c, net)

    edits.delete(d)
    assert (edits.theme_of == 0).sum() == (theme_of == 0).sum() + size[d]

    new = edits.split(a, 2)
    assert set(new) == set(edits.codebook.ids) - set(start.ids) and len(new) == 2
    assert all(edits.codebook[i].parent == start[a].parent for i in new)
    # Every answer of the split theme went to one of the two new themes, none elsewhere.
    moved = np.isin(theme_of, [a, b])
    assert set(edits.theme_of[moved]) == set(new)
    assert sum(_sizes(edits)[i] for i in new) == size[a] + size[b]
    assert (
        sum(edits.sizes()[i] for i in edits.codebook.ids if i not in edits.codebook.net_ids)
        == (theme_of > 0).sum() - size[d]
    )

    assert [e.split()[0] for e in edits.history] == ["merge", "move", "delete", "split"]
    for _ in range(4):
        edits.undo()
    assert edits.codebook == start and np.array_equal(edits.theme_of, theme_of)
    with pytest.raises(ValueError, match="nothing to undo"):
        edits.undo()


def test_a_large_frame_is_sent_a_page_at_a_time():
    rng = np.random.default_rng(0)
    book = Codebook.from_records([{"label": f"tema {i}", "keywords": [f"parola{i}"]} for i in range(1, 81)])
    theme = rng.integers(1, 81, size=20_000)
    answers = pd.DataFrame({"id": [f"r{k}" for k in range(20_000)], "text": [f"t{k}" for k in range(20_000)]})
    edits = FrameEdits(book, answers.assign(theme_id=theme))
    counts = np.bincount(theme, minlength=81)
    biggest = int(counts.argmax())
    pages = -(-counts[biggest] // PAGE_SIZE)
    first, last = edits.page(biggest, 0), edits.page(biggest, pages - 1)
    assert first["n_pages"] == pages and len(first["rows"]) == PAGE_SIZE
    assert len(last["rows"]) == counts[biggest] - (pages - 1) * PAGE_SIZE
    # Input order, and a page past the end shows the last one.
    assert [r["text"] for r in first["rows"]] == answers["text"][theme == biggest].head(PAGE_SIZE).tolist()
    assert edits.page(biggest, pages + 5)["page"] == pages - 1
    assert len(edits.tree()) == 80 and sum(n["size"] for n in edits.tree()) == 20_000
    assert len(json.dumps(first)) < 5_000  # what one page costs to send


def test_answers_with_a_theme_the_codebook_lacks_are_refused():
    book = Codebook.from_records([{"label": "uno", "keywords": ["a"]}])
    with pytest.raises(Exception, match=r"theme ids \[7\]"):
        FrameEdits(book, pd.DataFrame({"id": ["1"], "text": ["x"], "theme_id": [7]}))


def test_saved_codebook_is_what_rtc_nlp_code_reads_and_reopening_resumes(runs, tmp_path):
    folder = tmp_path / "temi"
    folder.mkdir()
    for item in (runs / "temi").iterdir():
        (folder / item.name).symlink_to(item)
    # A codebook.json the analyst wrote before: the editor keeps it, never overwrites it.
    earlier = Codebook.from_records([{"label": "a mano", "keywords": ["x"]}])
    earlier.save(folder / "codebook.json")
    before = (folder / "codebook.json").read_bytes()

    editor = CodeFrameEditor.from_folder(folder, embedder="lexical")
    themes = [n["id"] for n in editor.tree if not n["is_net"]]
    editor.rename(themes[0], "Formazione degli operatori")
    editor.merge([themes[1], themes[2]])
    editor.save()
    assert (folder / "codebook.rev1.json").read_bytes() == before
    saved = Codebook.load(folder / "codebook.json")
    assert saved == editor.codebook and saved[themes[0]].label == "Formazione degli operatori"
    assert [r["change"] for r in editor.changes].count("removed") == 1 and "salvato" in editor.status

    out = tmp_path / "ondata2"
    code = ["code", str(DEMO / "wave2.csv"), "--codebook", str(folder / "codebook.json"), *COMMON, "--out", str(out)]
    assert main(code) == 0
    assert Codebook.load(out / "codebook.json")[themes[0]].label == "Formazione degli operatori"

    editor.rename(themes[0], "Formazione")
    editor.save()  # its own file now: replaced, no second copy
    assert sorted(p.name for p in folder.glob("codebook*.json")) == ["codebook.json", "codebook.rev1.json"]

    again = CodeFrameEditor.from_folder(folder, embedder="lexical")
    assert again.codebook == editor.codebook
    assert again.edits.sizes() == editor.edits.sizes()


def test_a_wrong_click_is_said_in_the_widget_and_changes_nothing(editor):
    start = editor.codebook
    theme = next(n["id"] for n in editor.tree if not n["is_net"])
    editor._on_message(editor, {"action": "merge", "ids": [theme]}, [])
    assert "almeno due" in editor.error and editor.codebook == start
    editor._on_message(editor, {"action": "add", "label": "Nuovo", "description": ""}, [])
    assert "descrizione" in editor.error and editor.codebook == start
    net = editor.codebook.net_ids[0]
    for wrong, said in (
        ({"action": "merge", "ids": [theme, net]}, "net con net"),
        ({"action": "split", "id": net}, "non si divide"),
        ({"action": "split", "id": theme, "parts": 50}, "troppo poche"),
        ({"action": "move", "id": net, "net": 0}, "non si sposta"),
        ({"action": "rename", "id": theme, "label": "  "}, "nuovo nome"),
    ):
        editor._on_message(editor, wrong, [])
        assert said in editor.error and editor.codebook == start
    editor._on_message(editor, {"action": "rename", "id": theme, "label": "Nuovo nome"}, [])
    assert editor.error == "" and editor.codebook[theme].label == "Nuovo nome"
    editor._on_message(editor, {"action": "undo"}, [])
    assert editor.codebook == start and not editor.can_undo


def test_review_decisions_are_the_overrides_rtc_nlp_code_reads(runs, tmp_path):
    folder = runs / "codificate"
    path = tmp_path / "corrections.csv"
    widget = ReviewWidget.from_folder(folder, path=path)
    codes = [c["id"] for c in widget.codes]
    first = widget.item
    widget.accept()
    second = widget.item["id"]
    widget._on_message(widget, {"action": "decide", "codes": [codes[0], codes[2]]}, [])
    widget.skip()
    fourth = widget.item["id"]
    widget._on_message(widget, {"action": "decide", "codes": []}, [])
    widget._on_message(widget, {"action": "decide", "codes": [999]}, [])  # not a code
    assert "999" in widget.error

    decided = widget.corrections().set_index("id")
    assert decided["codes"].to_dict() == {
        first["id"]: ";".join(str(p["id"]) for p in first["proposed"]),
        second: f"{codes[0]};{codes[2]}",
        fourth: "",
    }
    assert decided.loc[second, "text"]

    out = tmp_path / "recoded"
    book = str(folder / "codebook.json")
    assert (
        main(
            ["code", str(DEMO / "wave2.csv"), "--codebook", book, *COMMON, "--overrides", str(path), "--out", str(out)]
        )
        == 0
    )
    coded = pd.read_csv(out / "answers_with_codes.csv", dtype=str, keep_default_na=False).set_index("id")
    assert (coded.loc[list(decided.index), "status"] == "reviewed").all()
    assert coded.loc[second, "codes"] == f"{codes[0]};{codes[2]}" and coded.loc[fourth, "codes"] == ""

    # Opened again on the same file, the review resumes at the answer skipped.
    again = ReviewWidget.from_folder(folder, path=path)
    assert again.progress["decided"] == 3 and again.item["position"] == 2 and "riprese 3" in again.status
    table = again.static_table()
    assert "3 risposte decise su 30" in table and html.escape(widget.codes[0]["label"]) in table


def test_the_static_copy_names_every_theme(editor):
    table = editor.static_table()
    assert all(html.escape(n["label"]) in table for n in editor.tree)
    assert table.count("<tr>") == len(editor.tree) + 1


def test_the_runner_up_is_offered_only_when_it_is_not_proposed_already(tmp_path):
    book = Codebook.from_records([{"label": name, "keywords": [name]} for name in ("uno", "due", "tre")])
    queue = pd.DataFrame(
        {
            "id": ["a", "b"],
            "text": ["prima", "seconda"],
            "proposed_codes": ["1;2", "1"],
            "second_theme": ["2: due", "3: tre"],
            "margin": [0.0, 0.2],
        }
    )
    widget = ReviewWidget(queue, book, path=tmp_path / "c.csv", confidences={"a": "0.400;0.380"})
    assert [p["confidence"] for p in widget.item["proposed"]] == [0.4, 0.38] and widget.item["second"] is None
    widget.skip()
    assert widget.item["second"] == {"id": 3, "label": "tre"} and widget.item["proposed"][0]["confidence"] is None
    assert not (tmp_path / "c.csv").exists()  # a skip writes nothing
    widget.skip()
    widget._on_message(widget, {"action": "accept"}, [])  # Enter past the end
    assert "coda è finita" in widget.error and not (tmp_path / "c.csv").exists()


def test_a_second_round_on_the_same_file_keeps_the_first_rounds_decisions(tmp_path):
    book = Codebook.from_records([{"label": name, "keywords": [name]} for name in ("uno", "due", "tre")])
    path = tmp_path / "corrections.csv"
    first = ReviewWidget(
        pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"], "proposed_codes": ["1", "2"]}), book, path=path
    )
    first.accept()
    first.decide([3])
    second = ReviewWidget(
        pd.DataFrame({"id": ["b", "c"], "text": ["y", "z"], "proposed_codes": ["2", "1"]}), book, path=path
    )
    assert second.item["id"] == "c" and second.progress["decided"] == 1
    second.decide([])
    decided = second.corrections().set_index("id")
    assert decided["codes"].to_dict() == {"a": "1", "b": "3", "c": ""}
    assert decided["text"].to_dict() == {"a": "x", "b": "y", "c": "z"}  # what the coder learns from


def test_in_a_coded_folder_the_editor_leaves_the_codebook_the_answers_were_coded_with(runs, tmp_path):
    folder = tmp_path / "codificate"
    folder.mkdir()
    for item in (runs / "codificate").iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    used = (folder / "codebook.json").read_bytes()
    editor = CodeFrameEditor.from_folder(folder, embedder="lexical")
    theme = editor.tree[0]["id"]
    editor.rename(theme, "Reputazione")
    editor.save()
    assert (folder / "codebook.json").read_bytes() == used
    assert Codebook.load(folder / "codebook_edited.json")[theme].label == "Reputazione"
    assert CodeFrameEditor.from_folder(folder, embedder="lexical").codebook[theme].label == "Reputazione"
