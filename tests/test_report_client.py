"""The report of the demo survey (two waves, compared by company size, validated against the
manual codes) as a client would read it: every section there, in Italian, at desktop and phone
widths, nothing overflowing, each figure saying what it should."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, code_args, themes_args
from page_probe import probe
from test_report import chromium  # noqa: F401  (the fixture)

from rtc_nlp.cli.commands import main
from rtc_nlp.coding.crosstab import crosstab
from rtc_nlp.report.figures import prevalence_plot, theme_colour
from rtc_nlp.report.text import number, percent, verdict

DEMO = REPO / "data" / "demo"
SECTIONS = [
    "Temi",
    "Le risposte di ogni tema",
    "Mappa dei temi",
    "Dimensione dei temi",
    "Confronto tra ondate",
    "Tabella incrociata per segmento",
    "Temi e codifica manuale",
    "Non classificato",
    "Possibili temi nuovi",
    "Da rivedere",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Wave 1 themed, its codebook, wave 2 coded with it, compared by size and validated."""
    folder = tmp_path_factory.mktemp("demo")
    args = ["--text-column", "risposta", "--quiet"]
    assert main(themes_args(DEMO / "wave1.csv", folder / "w1", *args)) == 0
    assert main(["codebook", str(folder / "w1"), "--out", str(folder / "codebook.json")]) == 0
    assert (
        main(code_args(DEMO / "wave2.csv", folder / "codebook.json", folder / "w2", "--text-column", "risposta")) == 0
    )
    compare = ["compare", str(folder / "w1"), str(folder / "w2"), "--by", "dimensione"]
    assert main([*compare, "--out", str(folder / "w2" / "comparison")]) == 0
    validate = ["validate", "--pred", str(folder / "w2" / "answers_with_codes.csv")]
    validate += ["--manual", str(DEMO / "manual_codes_wave2.csv"), "--out", str(folder / "w2" / "validation")]
    assert main([*validate, "--n-boot", "50", "--n-perm", "99"]) == 0
    assert main(["report", str(folder / "w2"), "--out", str(folder / "report.html")]) == 0
    return folder


@pytest.mark.parametrize("width", [1400, 390])
def test_every_section_reads_at_desktop_and_phone_width(demo, chromium, width, tmp_path):  # noqa: F811
    seen = probe(chromium, demo / "report.html", width, tmp_path / "profile")
    assert seen["errors"] == []
    assert seen["overflow"] == [], seen["overflow"]
    assert seen["page"] <= seen["width"]  # nothing makes the reader scroll sideways
    assert [s for s in SECTIONS if s not in seen["sections"]] == []
    assert seen["figures"] >= 5


def test_the_probe_sees_overflow_and_script_errors(chromium, tmp_path):  # noqa: F811
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta name=viewport content='width=device-width'></head><body>"
        "<h2>Temi</h2><p style='white-space:nowrap'>" + "parola " * 80 + "</p>"
        "<div style='width:900px'>largo</div><script>undefinedFunction()</script></body></html>",
        encoding="utf-8",
    )
    seen = probe(chromium, page, 390, tmp_path / "profile")
    assert seen["errors"] and len(seen["overflow"]) >= 2 and seen["page"] > seen["width"]
    assert seen["sections"] == ["Temi"]


def test_the_comparison_has_a_panel_for_the_total_and_each_group_with_changes_marked(demo):
    table = pd.read_csv(demo / "w2" / "comparison" / "prevalence.csv", dtype={"group": str})
    table["group"] = table["group"].fillna("")
    fig = prevalence_plot(table)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["Totale", "grande", "media", "piccola"]
    assert len(fig.data) == 2 * 4  # one bar series per wave in each panel
    assert len({trace.yaxis for trace in fig.data}) == 4  # not stacked into one bar
    marks = 0
    for trace in fig.data:
        part = table[(table["wave"] == trace.name) & (table["group"] == _group_of(trace, fig))]
        # Marked where the table flags a change (adjusted p), in its direction.
        expected = part["flag"].fillna("").map({"up": "▲", "down": "▼", "": ""}).tolist()
        assert list(trace.text) == expected
        marks += sum(bool(t) for t in trace.text)
        assert np.allclose(np.asarray(trace.x, dtype=float), part["prevalence"].to_numpy())
    assert marks >= 1  # wave 2's new theme leaves more answers unclassified


def _group_of(trace, fig) -> str:
    """The group of a trace's panel: the subplot title over its y axis."""
    axis = 1 if trace.yaxis == "y" else int(trace.yaxis[1:])
    title = fig.layout.annotations[axis - 1].text
    return "" if title == "Totale" else title


def test_the_crosstab_letters_the_segments_a_share_is_higher_than():
    rows = []
    for group, base, counts in [
        ("", 300, (90, 30)),
        ("nord", 100, (50, 10)),
        ("sud", 100, (20, 10)),
        ("centro", 100, (20, 10)),
    ]:
        for theme, count in zip((1, 2), counts):
            rows.append(
                {
                    "wave": "w",
                    "group": group,
                    "theme_id": theme,
                    "theme_label": f"t{theme}",
                    "count": count,
                    "base": base,
                }
            )
    table = crosstab(pd.DataFrame(rows)).set_index(["theme_id", "group"])
    assert table.loc[(1, "nord"), "letter"] == "A" and table.loc[(1, "sud"), "letter"] == "B"
    assert table.loc[(1, "nord"), "higher_than"] == "BC"  # 50% against 20% and 20%
    assert table.loc[(1, "sud"), "higher_than"] == "" and table.loc[(2, "nord"), "higher_than"] == ""
    assert table.loc[(1, ""), "share"] == pytest.approx(0.3) and not table["low_base"].any()
    assert list(table.loc[1].index) == ["", "nord", "sud", "centro"]  # the total first


def test_the_verdict_reads_kappa_in_plain_italian():
    def summary(kappa, p):
        return pd.DataFrame(
            [
                {
                    "scope": "answered",
                    "metric": "cohen_kappa",
                    "value": kappa,
                    "ci_low": kappa - 0.1,
                    "ci_high": kappa + 0.1,
                    "chance": 0.02,
                    "p_value": p,
                }
            ]
        )

    assert verdict(summary(0.52, 0.001)).startswith("L'accordo tra i temi e la codifica manuale è moderato")
    assert "kappa di Cohen 0,52" in verdict(summary(0.52, 0.001)) and "livello casuale 0,02" in verdict(
        summary(0.52, 0.001)
    )
    assert verdict(summary(0.85, 0.001)).split(" è ")[1].startswith("molto buono")
    assert verdict(summary(0.30, 0.2)).startswith(
        "I temi non concordano con la codifica manuale più di quanto farebbe il caso"
    )


def test_numbers_are_written_the_italian_way():
    assert number(0.4149) == "0,41" and number(-0.0001) == "0,00" and number(1234.5, 1) == "1.234,5"
    assert percent(0.1234) == "12,3%" and percent(float("nan")) == "–"


def test_every_answer_of_a_theme_is_in_its_block_with_the_respondent_id(demo):
    page = (demo / "report.html").read_text(encoding="utf-8")
    coded = pd.read_csv(demo / "w2" / "answers_with_codes.csv")
    blocks = re.findall(r"<details><summary>(\d+)\. .*?</summary>(.*?)</details>", page, re.S)
    assert blocks
    for theme_id, block in blocks:
        members = coded[coded["theme_id"] == int(theme_id)]
        assert block.count("<tr><td>") == len(members)
        for answer in members.itertuples():
            assert f"<tr><td>{answer.id}</td>" in block


def test_what_needs_the_analyst_is_shown(demo):
    page = (demo / "report.html").read_text(encoding="utf-8")
    new = pd.read_csv(demo / "w2" / "new_themes.csv")
    review = pd.read_excel(demo / "w2" / "review.xlsx")
    coded = pd.read_csv(demo / "w2" / "answers_with_codes.csv")
    assert len(new) and all(html.escape(label) in page for label in new["label"])
    assert f"Da rivedere</h2><p>{len(review)} risposte" in page
    assert f"{int((coded['status'] == 'unclassified').sum())} risposte non abbastanza vicine" in page
    method = re.search(r"<p class='note method'>(.*?)</p>", page).group(1)
    for said in ("lexical", "seme 0", "codebook alla revisione 1", "wave2.csv", "rtc_nlp "):
        assert said in method
    assert re.search(r"<p class=verdict>L'accordo|<p class=verdict>I temi non", page)


def test_the_report_has_a_share_column_and_enough_colours(demo):
    page = (demo / "report.html").read_text(encoding="utf-8")
    assert "<th class=n>quota</th>" in page
    assert len({theme_colour(i) for i in range(1, 33)}) == 32


def test_a_report_of_several_questions_fits_a_phone(chromium, tmp_path):  # noqa: F811
    """The main job's report: one section per question, each with its own figures; a page whose
    scroll bar appears after the first figures were drawn must not leave them too wide."""
    source = REPO / "data" / "report" / "report_groupings.csv"
    args = ["themes", str(source), "--text-column", "text", "--id-column", "item_id", "--question-column", "grouping"]
    assert main([*args, "--embedder", "lexical", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert main(["report", str(tmp_path / "r"), "--out", str(tmp_path / "r.html")]) == 0
    seen = probe(chromium, tmp_path / "r.html", 390, tmp_path / "profile")
    assert seen["errors"] == [] and seen["overflow"] == [] and seen["page"] <= seen["width"]
    questions = pd.read_csv(source)["grouping"].unique()
    assert [s for s in seen["sections"] if s in questions] == sorted(questions, key=list(questions).index)


def test_the_heatmap_keeps_every_name_whole(demo):
    from rtc_nlp.report.figures import confusion_figure

    confusion = pd.read_csv(demo / "w2" / "validation" / "confusion.csv", index_col=0)
    fig = confusion_figure(confusion)
    heat = fig.data[0]
    assert [x.replace("<br>", " ") for x in heat.x] == [" ".join(str(c).split()) for c in confusion.columns]
    assert [y.replace("<br>", " ") for y in heat.y] == [" ".join(str(r).split()) for r in confusion.index]
    assert max(len(line) for x in heat.x for line in x.split("<br>")) <= 16
