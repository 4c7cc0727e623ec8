"""The HTML report: self-contained, and it renders in a real headless browser (Debian's
chromium) with no console errors, showing the theme table and the map."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pandas as pd
import pytest
from conftest import themes_args
from lab_driver import CHROMIUM_ARGS

from rtc_nlp.cli.commands import main

CHROMIUM_FLAGS = ["--headless", *CHROMIUM_ARGS]


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium; the test set-up installs it where it can (root and apt-get)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=False, capture_output=True)
        found = shutil.which("chromium")
    if not found:
        pytest.skip("chromium is not installed and cannot be installed here (needs Debian and root)")
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory, request) -> tuple:
    survey = request.getfixturevalue("survey_module")
    folder = tmp_path_factory.mktemp("report")
    answers = folder / "survey.csv"
    survey.to_csv(answers, index=False)
    assert main(themes_args(answers, folder / "results", "--quiet")) == 0
    manual = folder / "manual.csv"
    survey.dropna(subset=["truth"])[["id", "truth"]].to_csv(manual, index=False)
    assert (
        main(
            [
                "validate",
                "--pred",
                str(folder / "results" / "answers_with_themes.csv"),
                "--manual",
                str(manual),
                "--out",
                str(folder / "results" / "validation"),
                "--n-boot",
                "50",
                "--n-perm",
                "50",
            ]
        )
        == 0
    )
    assert main(["report", str(folder / "results"), "--out", str(folder / "report.html")]) == 0
    themes = pd.read_csv(folder / "results" / "themes.csv")
    return folder / "report.html", themes


@pytest.fixture(scope="module")
def survey_module():
    from conftest import SURVEY_THEMES

    rows = [{"text": t, "truth": theme} for theme, texts in SURVEY_THEMES.items() for t in texts]
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"R{i:03d}" for i in range(1, len(frame) + 1)])
    return frame


def test_report_is_one_self_contained_page(report):
    path, themes = report
    page = path.read_text(encoding="utf-8")
    assert "<table class=themes>" in page
    for label in themes["label"]:
        assert label in page
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['\"]?https?:", page)
    assert page.count("Plotly.newPlot") >= 3  # map, sizes, validation heatmap
    assert "kappa di Cohen" in page and "livello casuale" in page and "cohen_kappa" not in page


def test_report_renders_in_a_headless_browser_without_console_errors(report, chromium, tmp_path):
    path, themes = report
    url = path.resolve().as_uri()
    run = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile1'}",
            "--enable-logging=stderr",
            "--v=1",
            "--virtual-time-budget=5000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if ":ERROR:" in line or "Uncaught" in line or "Error" in line], console
    assert run.stdout.count('class="main-svg"') >= 3  # plotly drew the figures
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile2'}",
            "--window-size=1200,1400",
            "--virtual-time-budget=5000",
            f"--screenshot={shot}",
            url,
        ],
        capture_output=True,
        timeout=120,
    )
    from matplotlib.image import imread

    image = imread(shot)
    assert image.shape[0] >= 1000 and image.shape[1] >= 1000
    # The map is drawn: coloured (non-grey) pixels in the lower part of the page, under the table.
    lower = image[image.shape[0] // 3 :, :, :3]
    saturation = lower.max(axis=2) - lower.min(axis=2)
    assert (saturation > 0.3).sum() > 200


def test_report_refuses_to_overwrite(report, capsys):
    path, _ = report
    assert main(["report", str(path.parent / "results"), "--out", str(path)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def _results_folder(folder, survey, clusterer):
    """What 'rtc-nlp themes' writes, from a model fitted with the given clusterer."""
    from rtc_nlp import ThemeModel
    from rtc_nlp.io.sheets import write_csv

    model = ThemeModel(embedder="lexical", clusterer=clusterer, random_state=0, cache_dir=False).fit(survey)
    folder.mkdir()
    write_csv(model.assignments_, folder / "answers_with_themes.csv")
    model.save(folder / "model")
    return model.summary_["clustering"]


def test_report_says_how_reproducible_the_themes_are(survey_module, tmp_path):
    from rtc_nlp import CommunityClusterer
    from rtc_nlp.report.page import write_report

    clustering = _results_folder(tmp_path / "plain", survey_module, CommunityClusterer(n_neighbors=5))
    page = write_report(tmp_path / "plain", tmp_path / "plain.html").read_text(encoding="utf-8")
    assert f"i temi concordano {clustering['stability']:.2f} (ARI)".replace(".", ",") in page
    assert not clustering["narrow_margin"] and "margine stretto" not in page
    # The same survey, its level held to a threshold just below the stability found: a close call.
    close = CommunityClusterer(n_neighbors=5, min_stability=clustering["stability"] - 0.02)
    assert _results_folder(tmp_path / "close", survey_module, close)["narrow_margin"]
    page = write_report(tmp_path / "close", tmp_path / "close.html").read_text(encoding="utf-8")
    assert "Livello scelto per un margine stretto</b> (0,020)" in page


def test_report_on_a_folder_without_results(tmp_path, capsys):
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "holds no answers_with_codes.csv or answers_with_themes.csv" in err and err.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


def test_report_shows_the_code_frame_with_nets(tmp_path):
    """Themes grouped under their nets in the table (a net row, then its themes), and a
    sunburst of both levels; counts at the net level are answers, once per net."""
    from test_themes import _many_answers

    from rtc_nlp import ThemeModel
    from rtc_nlp.report.page import write_report
    from rtc_nlp.results.folder import write_themes

    model = ThemeModel(embedder="lexical", random_state=0, verbose=False, n_themes=8, n_nets=3).fit(_many_answers(20))
    write_themes(tmp_path / "results", model)
    page = write_report(tmp_path / "results", tmp_path / "r.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr class=net><td colspan=6>Net: (.*?) &mdash; (\d+) risposte", page)
    assert [(a, int(b)) for a, b in rows] == list(zip(model.nets_["label"], model.nets_["size"]))
    assert "<h2>Net e temi</h2>" in page and '"type":"sunburst"' in page.replace(" ", "")
    # Each theme's row comes after its net's row, before the next net's.
    table = page[page.index("<table class=themes>") : page.index("</table>")]
    starts = [table.index(f"<tr class=net><td colspan=6>Net: {label} ") for label in model.nets_["label"]]
    for theme in model.themes_.itertuples():
        row_at = table.index(f"<tr><td class='n id'>{theme.theme_id}</td>")
        net_at = starts[theme.net_id - 1]
        assert net_at < row_at < min([s for s in starts if s > net_at], default=len(table))
