"""How the code-frame editor copes with a large frame: 80 themes in 10 nets, 20,000 answers.

Kernel side (always): the median time to open the editor, to open a theme and to turn a page,
and what each sends to the browser (bytes of JSON). With ``--browser``, the same frame in a real
JupyterLab through headless Chromium (the test suite's driver, ``tests/lab_driver.py``): from
running the cell to the tree drawn, from a click on a theme to its answers drawn, and from a
click on "›" to the next page drawn.

    python benchmarks/bench_widgets.py --browser

Target (issue 31): the frame opens in under 2 s and pages smoothly.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rtc_nlp import Codebook
from rtc_nlp.widgets import CodeFrameEditor

REPO = Path(__file__).resolve().parents[1]
WORDS = "cliente dati sicurezza formazione turni operatori carcere reputazione costi tempi contratto".split()


def large_frame(n_answers: int, n_themes: int, n_nets: int, seed: int = 0) -> tuple[Codebook, pd.DataFrame]:
    """A codebook of ``n_themes`` under ``n_nets`` nets and answers of realistic length."""
    rng = np.random.default_rng(seed)
    records = [
        {"id": t, "label": f"Tema {t}", "keywords": list(rng.choice(WORDS, 4)), "parent": n_themes + 1 + t % n_nets}
        for t in range(1, n_themes + 1)
    ]
    records += [{"id": n_themes + 1 + j, "label": f"Net {j + 1}"} for j in range(n_nets)]
    # Theme sizes as uneven as discovery gives them (a long tail).
    weights = rng.pareto(1.2, n_themes) + 0.05
    theme = rng.choice(np.arange(1, n_themes + 1), size=n_answers, p=weights / weights.sum())
    texts = [" ".join(rng.choice(WORDS, rng.integers(6, 20))) for _ in range(n_answers)]
    answers = pd.DataFrame({"id": [f"r{k:05d}" for k in range(n_answers)], "text": texts, "theme_id": theme})
    return Codebook.from_records(records, name="bench"), answers


def _median_ms(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def kernel_side(book: Codebook, answers: pd.DataFrame, repeats: int) -> None:
    folder = Path(tempfile.mkdtemp())
    open_ms = _median_ms(lambda: CodeFrameEditor(book, answers, path=folder / "codebook.json"), repeats)
    editor = CodeFrameEditor(book, answers, path=folder / "codebook.json")
    biggest = max((n for n in editor.tree if not n["is_net"]), key=lambda n: n["size"])
    select_ms = _median_ms(lambda: editor.select(biggest["id"]), repeats * 5)
    pages = editor.answers["n_pages"]
    turn = iter(range(10**9))
    page_ms = _median_ms(lambda: editor.show_page(next(turn) % pages), repeats * 10)
    sent = {name: len(json.dumps(getattr(editor, name))) for name in ("tree", "detail", "answers")}
    print(f"kernel side, {len(answers):,} answers, {len(editor.tree)} nets and themes:")
    print(f"  open the editor: median {open_ms:.0f} ms over {repeats}")
    print(f"  open the biggest theme ({biggest['size']:,} answers, {pages} pages): median {select_ms:.1f} ms")
    print(f"  turn a page: median {page_ms:.2f} ms")
    print(f"  sent to the browser: tree {sent['tree']:,} B, theme {sent['detail']:,} B, one page {sent['answers']:,} B")


def browser_side(book: Codebook, answers: pd.DataFrame, repeats: int) -> None:
    sys.path.insert(0, str(REPO / "tests"))
    import nbformat
    from lab_driver import CHROMIUM_ARGS, jupyterlab, open_notebook
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp())
    book.save(root / "frame.json")
    answers.to_parquet(root / "answers.parquet")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom rtc_nlp import Codebook\nfrom rtc_nlp.widgets import CodeFrameEditor\n"
            "book, answers = Codebook.load('frame.json'), pd.read_parquet('answers.parquet')"
        ),
        nbformat.v4.new_code_cell("CodeFrameEditor(book, answers, path='out/codebook.json')"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "bench.ipynb")
    home = Path(tempfile.mkdtemp())
    n_nodes = len(book.themes)
    with jupyterlab(root, home) as address, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        start = time.perf_counter()
        page = open_notebook(browser, address, "bench.ipynb")
        page.locator(".rtc-frame .rtc-node").first.wait_for(timeout=120_000)
        first = time.perf_counter() - start
        drawn = f"document.querySelectorAll('.rtc-frame .rtc-node').length === {n_nodes}"
        opens = []
        for _ in range(repeats):
            # Run the editor's cell again: a new widget replaces the old one.
            cell = page.locator(".jp-Cell").nth(1)
            cell.locator(".jp-InputPrompt").click()
            prompt = cell.locator(".jp-InputPrompt").inner_text()
            page.evaluate("document.querySelectorAll('.rtc-frame').forEach(e => e.remove())")
            start = time.perf_counter()
            page.keyboard.press("Control+Enter")
            page.wait_for_function(drawn, timeout=60_000)
            opens.append(time.perf_counter() - start)
            assert cell.locator(".jp-InputPrompt").inner_text() != prompt, "the cell did not run again"
        frame = page.locator(".rtc-frame")
        nodes = frame.locator(".rtc-node:not(.rtc-net)")
        selects, turns = [], []
        for k in range(repeats * 4):
            node = nodes.nth(k % nodes.count())
            theme_id = node.get_attribute("data-id")
            start = time.perf_counter()
            node.click()
            page.wait_for_function(
                "id => document.querySelector('.rtc-frame .rtc-meta').textContent.startsWith('id ' + id + ' ')",
                arg=theme_id,
            )
            selects.append(time.perf_counter() - start)
        biggest = frame.locator(".rtc-node:not(.rtc-net)").first
        for node in frame.locator(".rtc-node:not(.rtc-net)").all():
            if int(node.locator(".rtc-size").inner_text().split(" ")[0].replace(".", "")) > 1000:
                biggest = node
                break
        biggest.click()
        page.wait_for_function("document.querySelector('.rtc-frame .rtc-page').textContent.startsWith('pagina 1 ')")
        for k in range(repeats * 10):
            start = time.perf_counter()
            frame.locator(".rtc-page-next").click()
            page.wait_for_function(
                "n => document.querySelector('.rtc-frame .rtc-page').textContent.startsWith('pagina ' + n + ' ')",
                arg=k + 2,
            )
            turns.append(time.perf_counter() - start)
        browser.close()
    print("in JupyterLab through headless Chromium:")
    print(f"  open the notebook, run both cells (imports, reading 20,000 answers), tree drawn: {first:.1f} s")
    print(f"  run the editor's cell again to the tree drawn: median {statistics.median(opens):.2f} s over {len(opens)}")
    print(f"  click a theme to its answers drawn: median {1000 * statistics.median(selects):.0f} ms")
    print(f"  click › to the next page drawn: median {1000 * statistics.median(turns):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--themes", type=int, default=80)
    parser.add_argument("--nets", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also measure in JupyterLab through Chromium")
    args = parser.parse_args()
    book, answers = large_frame(args.answers, args.themes, args.nets)
    kernel_side(book, answers, args.repeats)
    if args.browser:
        browser_side(book, answers, args.repeats)


if __name__ == "__main__":
    main()
