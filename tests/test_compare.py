"""Comparisons an analyst can publish: one counting rule for every wave, changes flagged after a
correction for the number of tests, small bases never flagged, and figures that do not crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from scipy.stats import false_discovery_control

from rtc_nlp import Codebook
from rtc_nlp.cli.commands import main
from rtc_nlp.coding.crosstab import crosstab
from rtc_nlp.coding.significance import LOW_BASE, adjust_p, two_proportion_p
from rtc_nlp.coding.waves import compare_waves, prevalence_figure, wilson_interval

DEMO = REPO / "data" / "demo"
BOOK = Codebook.from_records([{"label": f"tema {i}", "keywords": [f"parola{i}"]} for i in range(1, 7)])


def _wave(rng: np.random.Generator, n: int, shares: list[float], groups: int = 3) -> pd.DataFrame:
    """``n`` coded answers, each carrying theme i with probability ``shares[i]`` (one code)."""
    p = np.array([*shares, 1 - sum(shares)])
    theme = rng.choice(len(p), size=n, p=p)
    return pd.DataFrame(
        {
            "id": [f"R{i}" for i in range(n)],
            "codes": [str(t + 1) if t < len(shares) else "" for t in theme],
            "status": np.where(theme < len(shares), "theme", "unclassified"),
            "segment": rng.choice([f"s{g}" for g in range(groups)], size=n),
        }
    )


def test_wilson_bounds_hold_the_share_and_stay_in_0_1():
    n = np.arange(1, 3001)
    for successes in (np.zeros_like(n), n, n // 3):
        low, high = wilson_interval(successes, n)
        share = successes / n
        assert (low <= share).all() and (share <= high).all()
        assert (low >= 0).all() and (high <= 1).all()
    low, high = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(low).all() and np.isnan(high).all()


def test_the_figure_of_a_theme_at_100_percent_and_0_percent_is_drawn():
    # Every answer of the small group carries theme 1: its upper bound is the share itself.
    rng = np.random.default_rng(0)
    waves = {w: _wave(rng, 400, [0.3, 0.2, 0.1, 0.1, 0.1, 0.05]) for w in ("w1", "w2")}
    for frame in waves.values():
        frame.loc[frame.index[:7], ["segment", "codes", "status"]] = ["tutti", "1", "theme"]
    table = compare_waves(waves, BOOK, by="segment")
    cell = table[(table["group"] == "tutti") & (table["theme_id"] == 1)]
    assert (cell["prevalence"] == 1).all() and (cell["ci_high"] == 1).all()
    fig = prevalence_figure(table)  # raised "'xerr' must not contain negative values"
    fig.canvas.draw()


def test_adjusted_p_values_are_benjamini_hochberg_and_holm():
    rng = np.random.default_rng(1)
    p = rng.random(40) ** 3
    p[[2, 9]] = np.nan  # not tested
    tested = ~np.isnan(p)
    fdr = adjust_p(p, "fdr")
    np.testing.assert_allclose(fdr[tested], false_discovery_control(p[tested]))
    assert np.isnan(fdr[~tested]).all()
    holm = adjust_p(p, "holm")
    order = np.argsort(p[tested])
    m = tested.sum()
    expected = np.minimum(np.maximum.accumulate(p[tested][order] * (m - np.arange(m))), 1)
    np.testing.assert_allclose(holm[tested][order], expected)
    assert (holm[tested] >= fdr[tested] - 1e-12).all() and (fdr[tested] >= p[tested] - 1e-12).all()
    np.testing.assert_array_equal(adjust_p(p, "none")[tested], p[tested])
    with pytest.raises(ValueError, match="fdr, holm, none"):
        adjust_p(p, "bonferroni")


def test_two_proportion_p_of_equal_and_of_degenerate_shares():
    assert two_proportion_p(10, 100, 10, 100) == pytest.approx(1.0)
    assert two_proportion_p(0, 100, 0, 50) == 1.0  # no variance: no evidence
    assert np.isnan(two_proportion_p(0, 0, 3, 50))
    assert two_proportion_p(10, 100, 30, 100) < 0.001


def test_a_null_comparison_flags_what_chance_allows_only_without_correction():
    """Two waves drawn from one population, many cells: raw p flags about 5% of the cells; the
    false discovery rate almost never flags any; flags follow the adjusted p exactly."""
    shares = [0.25, 0.15, 0.1, 0.1, 0.08, 0.06]
    flagged = {"none": [], "fdr": [], "holm": []}
    for seed in range(20):
        rng = np.random.default_rng(seed)
        waves = {"w1": _wave(rng, 1500, shares), "w2": _wave(rng, 1500, shares)}
        for correction in flagged:
            table = compare_waves(waves, BOOK, by="segment", correction=correction)
            tested = table["change_p"].notna()
            assert tested.sum() == 4 * 7  # (total + 3 segments) x (6 themes + non classificato)
            is_flagged = table["flag"] != ""
            assert (is_flagged == (table["change_p_adjusted"] < 0.05)).all()
            assert (table.loc[is_flagged, "flag"].isin(["up", "down"])).all()
            flagged[correction].append(int(is_flagged.sum()))
    cells = 20 * 28
    assert 0.01 < sum(flagged["none"]) / cells < 0.10  # about 5%: the uncorrected tests
    assert sum(n > 0 for n in flagged["fdr"]) <= 3  # splits with any flag: about 5% at most
    assert sum(flagged["holm"]) <= sum(flagged["fdr"]) <= sum(flagged["none"])


def test_a_real_change_is_flagged_up_and_a_small_base_never():
    rng = np.random.default_rng(3)
    w1 = _wave(rng, 1500, [0.05, 0.2, 0.2, 0.1, 0.1, 0.1])
    w2 = _wave(rng, 1500, [0.12, 0.2, 0.2, 0.1, 0.1, 0.1])
    w2.loc[w2.index[:20], "segment"] = "piccolo"  # a segment of 20 answers in wave 2 only
    w1.loc[w1.index[:25], "segment"] = "piccolo"
    table = compare_waves({"w1": w1, "w2": w2}, BOOK, by="segment")
    total = table[(table["wave"] == "w2") & (table["group"] == "") & (table["theme_id"] == 1)].iloc[0]
    assert total["flag"] == "up" and total["change_p_adjusted"] < 0.05
    small = table[table["group"] == "piccolo"]
    assert small["low_base"].all() and small["change_p"].isna().all() and (small["flag"] == "").all()
    assert LOW_BASE == 30


def test_the_crosstab_letters_follow_the_adjusted_p():
    rows = []
    # Segment A is a little higher than B on each of 12 themes: raw p about 0.03 each.
    for theme in range(1, 13):
        for group, count in (("", 130), ("A", 75), ("B", 55)):
            base = 600 if group == "" else 300
            rows.append({"wave": "w", "group": group, "theme_id": theme, "theme_label": f"t{theme}", "count": count})
            rows[-1]["base"] = base
    table = pd.DataFrame(rows)
    raw = crosstab(table, correction="none")
    assert (raw.loc[raw["group"] == "A", "higher_than"] == "B").all()
    corrected = crosstab(table.assign(correction="holm"))  # the comparison's correction by default
    assert corrected.attrs["correction"] == "holm"
    assert (corrected["higher_than"] == "").all()


def test_compare_counts_a_themes_run_by_the_codebook_rule(tmp_path, capsys):
    """Themes found on the demo's wave 1, and the same answers coded with their codebook: the
    same answers counted by one rule give the same shares, so nothing is flagged."""
    args = ["--text-column", "risposta", "--id-column", "id", "--embedder", "lexical"]
    assert main(["themes", str(DEMO / "wave1.csv"), *args, "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert main(["codebook", str(tmp_path / "r"), "--out", str(tmp_path / "cb.json")]) == 0
    assert main(["code", str(DEMO / "wave1.csv"), "--codebook", str(tmp_path / "cb.json"), *args, "--out",
                 str(tmp_path / "c")]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "r"), str(tmp_path / "c"), "--out", str(tmp_path / "cmp")]) == 0
    said = capsys.readouterr().out
    assert "r: a themes run, counted by the codebook's rule" in said
    assert "c: coded with the codebook (rtc-nlp code)" in said
    assert "0 of " in said and "changes flagged" in said
    table = pd.read_csv(tmp_path / "cmp" / "prevalence.csv", keep_default_na=False)
    by_wave = table.pivot_table(index="theme_id", columns="wave", values="count")
    assert (by_wave["r"] == by_wave["c"]).all()  # non classificato included: the same rule
    assert by_wave.loc[0, "r"] > 0  # the themes run now has answers left unclassified
    assert set(table["correction"]) == {"fdr"} and (table["flag"] == "").all()
