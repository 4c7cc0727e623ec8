"""The widgets in a real JupyterLab, through a real browser.

A JupyterLab server on a free local port serves a notebook that opens the code-frame editor on
the results of ``rtc-nlp themes`` and the review widget on those of ``rtc-nlp code``. Headless
Chromium runs it, and the test does what an analyst does: renames a theme, merges two, moves one
to another net, saves; answers three review items with the keyboard. Then it reads the files on
disk: ``codebook.json`` as ``rtc-nlp code --codebook`` reads it, the overrides file as
``--overrides`` does. With ``RTC_NLP_SCREENSHOTS`` set to a folder, the widgets are photographed
there at 1400 pixels (``docs/screenshots/`` holds those of the docs).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO
from lab_driver import CHROMIUM_ARGS, jupyterlab, open_notebook
from test_report import chromium  # noqa: F401  (the fixture)

from rtc_nlp import Codebook, ThemeModel
from rtc_nlp.cli import main
from rtc_nlp.coding.review import read_overrides

pytest.importorskip("anywidget")
pytest.importorskip("jupyterlab")
playwright = pytest.importorskip("playwright.sync_api")
nbformat = pytest.importorskip("nbformat")

DEMO = REPO / "data" / "demo"
NOTEBOOK = [
    "from rtc_nlp.widgets import CodeFrameEditor, ReviewWidget\n\nCodeFrameEditor.from_folder('temi')",
    "ReviewWidget.from_folder('codificate')",
]


@pytest.fixture(scope="module")
def lab_folder(tmp_path_factory) -> Path:
    """What an analyst has after the two commands: a themes run and a coded wave."""
    root = tmp_path_factory.mktemp("lab")
    common = ["--text-column", "risposta", "--id-column", "id", "--embedder", "lexical"]
    assert main(["themes", str(DEMO / "wave1.csv"), *common, "--quiet", "--out", str(root / "temi")]) == 0
    book = DEMO / "codebook_report.json"
    assert (
        main(["code", str(DEMO / "wave2.csv"), "--codebook", str(book), *common, "--out", str(root / "codificate")])
        == 0
    )
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "widgets.ipynb")
    return root


def _node(page, theme_id: int):
    return page.locator(f".rtc-frame .rtc-node[data-id='{theme_id}']")


def test_an_analyst_edits_the_frame_and_reviews_with_the_keyboard(lab_folder, chromium, tmp_path):  # noqa: F811
    before = Codebook.from_model(ThemeModel.load(lab_folder / "temi" / "model"))
    shots = Path(os.environ.get("RTC_NLP_SCREENSHOTS", tmp_path))
    with jupyterlab(lab_folder, tmp_path) as address, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = open_notebook(browser, address, "widgets.ipynb")
            page.keyboard.press("Control+b")  # the file browser folded away, as for a screenshot
            frame = page.locator(".rtc-frame")
            frame.locator(".rtc-node").first.wait_for(timeout=120_000)
            page.locator(".rtc-review .rtc-code").first.wait_for()
            # The static copies for HTML exports are there, hidden where the widgets draw.
            copies = page.locator(".rtc-static-fallback")
            assert copies.count() == 2
            page.wait_for_function(
                "[...document.querySelectorAll('.rtc-static-fallback')].every(e => e.offsetParent === null)"
            )
            # The biggest net opens first; its answers come a page at a time.
            assert frame.locator(".rtc-page").inner_text() == "pagina 1 di 2"
            first_page = frame.locator(".rtc-answer-list li").all_inner_texts()
            frame.locator(".rtc-page-next").click()
            frame.locator(".rtc-page", has_text="pagina 2 di 2").wait_for()
            assert frame.locator(".rtc-answer-list").get_attribute("start") == "26"
            assert frame.locator(".rtc-answer-list li").all_inner_texts() != first_page
            themes = [t for t in before.codes if t.parent is not None]
            nets = before.net_ids

            # Rename: open a theme, type a new name, press Enter.
            first = themes[0]
            _node(page, first.id).click()
            page.wait_for_function(
                "id => document.querySelector('.rtc-frame .rtc-meta').textContent.startsWith('id ' + id + ' ')",
                arg=first.id,
            )
            frame.locator(".rtc-rename-input").fill("Formazione degli operatori")
            frame.locator(".rtc-rename-input").press("Enter")
            _node(page, first.id).locator(".rtc-label", has_text="Formazione degli operatori").wait_for()
            # The tree from the keyboard: ↓ opens the next row.
            order = [int(i) for i in frame.locator(".rtc-node").evaluate_all("rows => rows.map(r => r.dataset.id)")]
            frame.locator(".rtc-tree").focus()
            page.keyboard.press("ArrowDown")
            page.wait_for_function(
                "id => document.querySelector('.rtc-frame .rtc-meta').textContent.startsWith('id ' + id + ' ')",
                arg=order[order.index(first.id) + 1],
            )

            # Merge two themes of another net: tick both, press the merge button.
            a, b = [t for t in themes if t.parent == themes[-1].parent][:2]
            rows_before = frame.locator(".rtc-node").count()
            _node(page, a.id).locator(".rtc-tick").check()
            _node(page, b.id).locator(".rtc-tick").check()
            frame.locator(".rtc-merge").click()
            page.wait_for_function(f"document.querySelectorAll('.rtc-frame .rtc-node').length === {rows_before - 1}")

            # Move a theme to another net, chosen from the list.
            mover = next(t for t in themes if t.id not in (first.id, a.id, b.id))
            target = next(n for n in nets if n != mover.parent)
            _node(page, mover.id).click()
            page.wait_for_function(
                "id => document.querySelector('.rtc-frame .rtc-meta').textContent.startsWith('id ' + id + ' ')",
                arg=mover.id,
            )
            frame.locator(".rtc-move-select").select_option(str(target))
            frame.locator(".rtc-move").click()
            frame.locator(".rtc-status", has_text="spostato").wait_for()

            frame.locator(".rtc-save").click()
            frame.locator(".rtc-diff").wait_for()
            frame.screenshot(path=str(shots / "widget_code_frame_1400.png"))

            # The review: focus the widget, then keys only.
            review = page.locator(".rtc-review")
            review.scroll_into_view_if_needed()
            review.locator(".rtc-text").wait_for()
            asked = []
            review.click(position={"x": 5, "y": 5})
            asked.append(review.locator(".rtc-meta").first.inner_text().removeprefix("id "))
            page.keyboard.press("Enter")  # accept the proposal
            page.wait_for_function("document.querySelector('.rtc-review .rtc-count').textContent.startsWith('1 ')")
            asked.append(review.locator(".rtc-meta").first.inner_text().removeprefix("id "))
            picked = [int(review.locator(".rtc-code").nth(k).get_attribute("data-id")) for k in (0, 2)]
            page.keyboard.press("1")
            page.keyboard.press("3")
            review.locator(".rtc-accept", has_text="Conferma i 2").wait_for()
            page.keyboard.press("Enter")  # the two codes picked
            page.wait_for_function("document.querySelector('.rtc-review .rtc-count').textContent.startsWith('2 ')")
            asked.append(review.locator(".rtc-meta").first.inner_text().removeprefix("id "))
            page.keyboard.press("0")  # no theme
            page.wait_for_function("document.querySelector('.rtc-review .rtc-count').textContent.startsWith('3 ')")
            # S skips, writing nothing; on to the first answer the coder proposed codes for.
            coded = pd.read_parquet(lab_folder / "codificate" / "answers_with_codes.parquet").set_index("id")
            while not coded.loc[review.locator(".rtc-meta").first.inner_text().removeprefix("id "), "codes"]:
                shown = review.locator(".rtc-title").inner_text()
                page.keyboard.press("s")
                page.wait_for_function(
                    "t => document.querySelector('.rtc-review .rtc-title').textContent !== t", arg=shown
                )
            now = coded.loc[review.locator(".rtc-meta").first.inner_text().removeprefix("id ")]
            # Each proposed code with its confidence, as answers_with_codes has it.
            assert review.locator(".rtc-confidence").all_inner_texts() == [
                " " + f"{float(c):.2f}".replace(".", ",") for c in now["confidences"].split(";")
            ]
            review.screenshot(path=str(shots / "widget_review_1400.png"))
            # JupyterLab's own shortcuts did not fire: no cell was added or deleted by the keys.
            assert page.locator(".jp-Notebook .jp-Cell").count() == len(NOTEBOOK)
        finally:
            page.screenshot(path=str(tmp_path / "lab.png"), full_page=True)
            browser.close()

    # What is on disk is what the command line reads.
    after = Codebook.load(lab_folder / "temi" / "codebook.json")
    assert after[first.id].label == "Formazione degli operatori"
    assert b.id not in after.ids and a.id in after.ids
    assert set(before[b.id].keywords) <= set(after[a.id].keywords)
    assert after[mover.id].parent == target
    assert after.revision == before.revision + 3
    book = Codebook.load(lab_folder / "codificate" / "codebook.json")
    queue = read_overrides(lab_folder / "codificate" / "corrections.csv", book)
    decided = dict(zip(queue["id"], queue["codes"]))
    assert list(decided) == asked
    coded = pd.read_csv(lab_folder / "codificate" / "answers_with_codes.csv", dtype=str)
    proposal = coded.set_index("id").loc[asked[0], "codes"]
    assert decided[asked[0]] == ("" if proposal != proposal else proposal)
    assert sorted(map(int, decided[asked[1]].split(";"))) == sorted(picked)
    assert decided[asked[2]] == ""
