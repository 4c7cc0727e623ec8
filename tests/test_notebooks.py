"""The walkthrough notebooks run top to bottom, headless, on the bundled data; a notebook that
raises, or writes a warning, fails here. Their inputs come from a cell tagged ``parameters``
(papermill style): the test injects a cell after it, as papermill does, to write into a
temporary folder. Exported to HTML with nbconvert, as an analyst shares them, every figure is
still there and draws in a browser, offline."""

from __future__ import annotations

import re

import pytest
from conftest import REPO
from page_probe import probe
from test_report import chromium  # noqa: F401  (the fixture)

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = sorted((REPO / "notebooks").glob("0*.py"))


def test_there_are_five_notebooks_each_with_a_parameters_cell():
    assert [p.stem for p in NOTEBOOKS] == [
        "01_esplorazione",
        "02_temi",
        "03_validazione_report",
        "04_nuova_ondata",
        "05_esportazione",
    ]
    for path in NOTEBOOKS:
        cells = jupytext.read(path).cells
        assert sum("parameters" in c.metadata.get("tags", []) for c in cells) == 1, path.name
        code = "\n".join(c.source for c in cells if c.cell_type == "code")
        assert "rtc_nlp._" not in code and "import _" not in code  # public API only


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_headless_and_its_html_export_keeps_the_figures(path, tmp_path, chromium):  # noqa: F811
    from nbconvert import HTMLExporter

    notebook = jupytext.read(path)
    position = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell(
        f"CARTELLA_RISULTATI = {str(tmp_path)!r}", metadata={"tags": ["injected-parameters"]}
    )
    notebook.cells.insert(position + 1, injected)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(REPO / "notebooks")}}
    )
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # No red box: nothing written to stderr (warnings, notices) in any cell.
    assert [o.get("text", "")[:200] for o in outputs if o.get("name") == "stderr"] == []
    # Tables as an analyst reads them: rounded, and named in Italian, not by the API.
    tables = "".join(o.get("data", {}).get("text/html", "") for o in outputs if "plotly" not in str(o.get("data", {})))
    assert not re.findall(r">-?\d+\.\d{4,}<", tables)
    english = ("theme_label", "cohen_kappa", "accuracy", "share_of_answered", "likely_new", "prevalence", "ci_low")
    assert not [name for name in english if f">{name}<" in tables]
    if path.stem == "01_esplorazione":  # the claim the text makes is the figure the cell prints
        said = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
        multilingual, lexical = map(
            float, re.search(r"media ([\d.]+) con il modello multilingue, ([\d.]+)", said).groups()
        )
        assert multilingual > lexical + 0.3
    figures = sum("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs)
    page, _ = HTMLExporter().from_notebook_node(notebook)
    assert page.count('class="plotly-graph-div"') >= figures
    assert not re.search(r"<script[^>]+src=[\"']https?://[^\"']*plot", page)  # plotly.js inside: offline
    if path.stem in ("02_temi", "04_nuova_ondata"):
        # The widget's static copy: the code frame, the review queue, readable without a kernel.
        assert len(re.findall(r"class=[\"']rtc-static-fallback[\"']", page)) == 1
        assert ("net / tema" if path.stem == "02_temi" else "Coda di revisione") in page
    exported = tmp_path / f"{path.stem}.html"
    exported.write_text(page, encoding="utf-8")
    seen = probe(chromium, exported, 1400, tmp_path / "profile")
    assert seen["errors"] == [] and seen["figures"] >= figures
