"""Two levels: themes grouped into nets, consistent counts at both levels, saved and reloaded."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from rtc_nlp import NestedWard, ThemeModel
from rtc_nlp.embedders.base import unit_rows
from rtc_nlp.themes.grouping import NET_RANGE, choose_nets


def _two_level_points(seed=0, n_nets=4, per_net=3, per_theme=40, dim=32):
    """Nets far apart, each with themes near each other: the true two-level structure."""
    rng = np.random.default_rng(seed)
    points, theme, net = [], [], []
    for j in range(n_nets):
        net_centre = rng.normal(size=dim) * 6
        for t in range(per_net):
            theme_centre = net_centre + rng.normal(size=dim) * 1.5
            points.append(theme_centre + rng.normal(size=(per_theme, dim)) * 0.3)
            theme += [j * per_net + t] * per_theme
            net += [j] * per_theme
    return unit_rows(np.vstack(points)), np.array(theme), np.array(net)


def test_choose_nets_recovers_the_broad_groups_of_themes():
    points, theme, net = _two_level_points()
    centres = unit_rows(np.vstack([points[theme == t].mean(axis=0) for t in range(theme.max() + 1)]))
    choice = choose_nets(points, theme, centres)
    assert choice.n_nets == 4
    assert adjusted_rand_score(net, choice.net_of_theme[theme]) == 1.0
    tried = [a["n_nets"] for a in choice.alternatives]
    assert min(tried) == NET_RANGE[0] and max(tried) == len(centres) // 2  # at most half as many nets as themes
    # Asked for a number, it gives exactly that many; more nets than themes is refused.
    assert choose_nets(points, theme, centres, n_nets=2).n_nets == 2
    with pytest.raises(ValueError, match="n_nets=13 but there are 12 themes"):
        choose_nets(points, theme, centres, n_nets=13)


def test_too_few_themes_make_one_net_each():
    points, theme, _ = _two_level_points(n_nets=2, per_net=2)
    centres = unit_rows(np.vstack([points[theme == t].mean(axis=0) for t in range(4)]))
    assert choose_nets(points, theme, centres).net_of_theme.tolist() == [0, 1, 2, 3]


@pytest.fixture(scope="module")
def netted():
    from test_themes import _many_answers

    return ThemeModel(embedder="lexical", random_state=0, verbose=False, n_themes=8, n_nets=3).fit(_many_answers(30))


def test_nested_ward_cuts_one_tree_into_nets_and_themes_inside_them():
    for seed in range(3):
        points, theme, net = _two_level_points(seed=seed, n_nets=5, per_net=3, per_theme=4)
        ward = NestedWard().fit(points)
        assert adjusted_rand_score(net, ward.net_labels_) == 1.0
        # Every theme lies inside one net, and there are at least as many themes as nets.
        assert all(len(np.unique(ward.net_labels_[ward.labels_ == t])) == 1 for t in np.unique(ward.labels_))
        assert len(np.unique(ward.labels_)) >= len(np.unique(ward.net_labels_))
        tried = [a["n_nets"] for a in ward.alternatives_]
        assert tried == list(range(int(np.sqrt(len(points))), 2, -1))  # 3 to sqrt(n) nets, most first
    with pytest.raises(ValueError, match="max_nets"):
        NestedWard(min_nets=5, max_nets=4).fit(points)


def test_small_inputs_get_three_nets_or_more(survey):
    """24 answers on three topics: the default (Ward, two cuts) gives 3 nets or more, not one
    net per theme as average linkage did when it found fewer than six themes."""
    model = ThemeModel(embedder="lexical", random_state=0, verbose=False).fit(survey)
    assert model.clustering_["method"] == "NestedWard"
    n_distinct = model.clustering_["distinct_answers"]
    tried = [a["n_nets"] for a in model.nets_info_["alternatives"]]
    assert tried == list(range(int(np.sqrt(n_distinct)), 2, -1))  # 3 to sqrt(n) nets
    assert len(model.nets_) in tried
    _check_counts(model)


def test_counts_agree_at_both_levels(netted):
    assert len(netted.nets_) == 3 and sorted(netted.nets_["net_id"]) == [1, 2, 3]
    _check_counts(netted)


def _check_counts(model):
    themes, nets, rows = model.themes_, model.nets_, model.assignments_
    # Every theme is in exactly one net, and a net counts the answers of its themes.
    assert sorted(t for ids in nets["theme_ids"] for t in ids) == sorted(themes["theme_id"])
    for net in nets.itertuples():
        assert set(themes.loc[themes["net_id"] == net.net_id, "theme_id"]) == set(net.theme_ids)
        assert net.size == themes.loc[themes["net_id"] == net.net_id, "size"].sum()
        assert net.size == (rows["net_id"] == net.net_id).sum()
    assert list(nets["size"]) == sorted(nets["size"], reverse=True)  # ids by size
    coded = rows[rows["theme_id"] > 0]
    net_of = dict(zip(themes["theme_id"], themes["net_id"]))
    assert (coded["net_id"] == coded["theme_id"].map(net_of)).all()
    labels = dict(zip(nets["net_id"], nets["label"]))
    assert (coded["net_label"] == coded["net_id"].map(labels)).all()
    special = rows[rows["theme_id"] <= 0]
    assert (special["net_id"] == special["theme_id"]).all() and (special["net_label"] == special["theme_label"]).all()


def test_nets_survive_save_load_and_code_new_answers(netted, tmp_path):
    netted.save(tmp_path / "model")
    loaded = ThemeModel.load(tmp_path / "model", cache_dir=False)
    assert loaded.nets_[["net_id", "label", "size"]].equals(netted.nets_[["net_id", "label", "size"]])
    assert list(loaded.nets_["theme_ids"]) == list(netted.nets_["theme_ids"])
    again = loaded.transform(netted.assignments_[["id", "text"]])
    assert again["net_id"].tolist() == netted.assignments_["net_id"].tolist()


def test_one_level_stays_one_option_away():
    from test_themes import _many_answers

    flat = ThemeModel(embedder="lexical", random_state=0, verbose=False, n_themes=8, n_nets=0).fit(_many_answers(30))
    assert flat.summary_["n_themes"] == 8 and flat.summary_["n_nets"] == 0 and flat.nets_.empty
    assert "net_id" not in flat.assignments_.columns and "net_id" not in flat.themes_.columns
    with pytest.raises(ValueError, match="n_nets must be a whole number"):
        ThemeModel(embedder="lexical", n_nets=-1).fit(_many_answers(5))


def test_the_codebook_keeps_the_nets_and_the_coder_counts_answers_in_them(netted):
    from rtc_nlp import Codebook, CodebookCoder
    from rtc_nlp.coding.waves import compare_waves

    book = Codebook.from_model(netted)
    k = len(netted.themes_)
    grouping = [r for r in netted.nets_.itertuples() if len(r.theme_ids) > 1]
    assert book.net_ids == [k + r.net_id for r in grouping]
    assert [t.id for t in book.codes] == netted.themes_["theme_id"].tolist()  # theme ids stay the model's
    for r in grouping:
        assert {t.id for t in book.codes if t.parent == k + r.net_id} == set(r.theme_ids)
    answers = netted.assignments_[["id", "text"]]
    coded = CodebookCoder(book, "lexical", max_codes=2).fit(answers).code(answers)
    # Nets are never coded directly; each coded answer names the net of its main theme.
    carried = {int(c) for codes in coded["codes"] for c in codes.split(";") if c}
    assert carried <= {t.id for t in book.codes}
    coded_rows = coded[coded["theme_id"] > 0]
    assert (coded_rows["net_id"] == coded_rows["theme_id"].map(book.net_of)).all()
    # At net level an answer with two themes of one net counts once.
    table = compare_waves({"w": coded}, book, level="net").set_index("theme_id")
    for net in book.net_ids:
        members = {str(t.id) for t in book.codes if t.parent == net}
        expected = sum(bool(set(codes.split(";")) & members) for codes in coded["codes"])
        assert table.loc[net, "count"] == expected


def test_moving_a_theme_to_another_net_keeps_every_id():
    from rtc_nlp import Codebook

    book = Codebook.from_records(
        [
            {"id": 1, "label": "privacy", "keywords": ["dati"], "parent": 4},
            {"id": 2, "label": "formazione", "keywords": ["corsi"], "parent": 4},
            {"id": 3, "label": "reputazione", "keywords": ["brand"], "parent": 5},
            {"id": 4, "label": "Organizzazione"},
            {"id": 5, "label": "Immagine"},
        ]
    )
    moved = book.move(2, 5)
    assert moved.ids == book.ids and moved.revision == book.revision + 1
    assert moved[2].parent == 5 and moved.net_of(2) == 5 and moved.net_ids == [4, 5]
    # Net 4 left with no theme would be a plain theme with nothing to code it by: refused, named.
    with pytest.raises(ValueError, match=r"id 4\) has no description, keywords or examples"):
        moved.move(1, None)
    with pytest.raises(ValueError, match="is a net"):
        book.move(4, 5)
    with pytest.raises(ValueError, match="cannot be nested"):
        book.move(3, 1)
    merged = book.merge([4, 5], label="Organizzazione e immagine")
    assert merged.net_ids == [4] and {t.id for t in merged.codes} == {1, 2, 3}


def test_the_summary_lists_themes_under_their_nets_and_the_alternatives(netted):
    from rtc_nlp.cli.commands import format_summary

    auto = ThemeModel(embedder="lexical", random_state=0, verbose=False, n_themes=8).fit(
        netted.assignments_[["id", "text"]]
    )
    text = format_summary(auto)
    blocks = text.split("\nNET ")[1:]
    assert len(blocks) == auto.summary_["n_nets"] == len(auto.nets_)
    for block, net in zip(blocks, auto.nets_.itertuples()):
        assert block.startswith(f"{net.net_id}: {net.label}")
        shown = [int(line.split("]")[0].strip(" [")) for line in block.splitlines() if line.startswith("    [")]
        assert shown == list(net.theme_ids)
    chosen = auto.summary_["nets"]["n_nets"]
    line = next(line for line in text.splitlines() if line.startswith(f"{chosen} nets (separation"))
    assert "--n-nets" in line
