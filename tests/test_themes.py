"""ThemeModel: themes found, every answer accounted for, determinism, saving, small inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from sklearn.metrics import adjusted_rand_score

from rtc_nlp import InputError, LexicalEmbedder, ModelFileError, ThemeModel, read_answers
from rtc_nlp.embedders.sentence_transformer import SentenceTransformerEmbedder


def fit(answers, **kwargs):
    kwargs.setdefault("verbose", False)
    return ThemeModel(embedder="lexical", random_state=0, **kwargs).fit(answers)


def test_themes_recover_well_separated_groups(survey):
    model = fit(survey)
    coded = model.assignments_[model.assignments_["status"] == "theme"]
    truth = survey.set_index("id").loc[coded["id"], "truth"]
    # The nets find the three groups (one may be split); themes split them further, but no
    # theme may mix two groups.
    assert 3 <= len(model.nets_) <= 6 and model.summary_["n_themes"] > len(model.nets_)
    assert adjusted_rand_score(truth, coded["net_id"]) > 0.5
    purity = pd.crosstab(coded["theme_id"], truth.to_numpy()).max(axis=1).sum() / len(coded)
    assert purity >= 0.9
    # One level of themes: the groups themselves.
    flat = fit(survey, n_nets=0)
    coded = flat.assignments_[flat.assignments_["status"] == "theme"]
    assert 3 <= flat.summary_["n_themes"] <= 6
    assert adjusted_rand_score(truth, coded["theme_id"]) > 0.5


def test_every_answer_is_accounted_for_once(survey):
    model = fit(survey)
    out = model.assignments_
    assert out["id"].tolist() == survey["id"].tolist()
    assert out["text"].tolist() == survey["text"].tolist()  # original text, untouched
    assert out["dimensione"].tolist() == survey["dimensione"].tolist()
    s = model.summary_
    assert s["n_coded"] + s["n_non_answers"] + s["n_unclassified"] == len(survey)
    assert model.themes_["size"].sum() == s["n_coded"]


def test_non_answers_are_set_aside_with_reasons(survey):
    out = fit(survey).assignments_.set_index("id")
    assert out.loc["R025", ["theme_id", "theme_label", "reason"]].tolist() == [-1, "non risposta", "dont_know"]
    assert out.loc["R026", "reason"] == "punctuation" and out.loc["R027", "reason"] == "empty"
    assert np.isnan(out.loc["R025", "similarity"])
    assert fit(survey).summary_["non_answers_by_reason"] == {"dont_know": 1, "empty": 1, "punctuation": 1}


def test_duplicates_are_embedded_once_and_all_kept(survey):
    seen: list[str] = []

    class Counting(LexicalEmbedder):
        def transform(self, texts):
            seen.extend(texts)
            return super().transform(texts)

    model = ThemeModel(embedder=Counting(), cache_dir=False, verbose=False).fit(survey)
    assert seen.count("la sicurezza dei dati dei clienti") == 1
    out = model.assignments_.set_index("id")
    assert out.loc["R028", "duplicate"] and not out.loc["R001", "duplicate"]
    assert out.loc["R028", "theme_id"] == out.loc["R001", "theme_id"]


def test_second_run_reads_embeddings_from_the_cache(survey, tmp_path, tiny_st_model):
    calls: list[int] = []

    class Counting(SentenceTransformerEmbedder):
        def transform(self, texts):
            calls.append(len(texts))
            return super().transform(texts)

    for _ in range(2):
        ThemeModel(embedder=Counting(str(tiny_st_model)), cache_dir=tmp_path, verbose=False).fit(survey)
    distinct = set(survey.loc[survey["truth"].notna(), "text"])
    assert calls == [len(distinct)]  # each distinct usable answer, embedded on the first run only


def test_same_seed_same_themes_and_files(survey, tmp_path):
    a, b = fit(survey), fit(survey)
    pd.testing.assert_frame_equal(a.themes_, b.themes_)
    pd.testing.assert_frame_equal(a.assignments_, b.assignments_)
    a.save(tmp_path / "a")
    b.save(tmp_path / "b")
    for file in sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file


def test_transform_of_the_training_answers_gives_the_fitted_themes(survey):
    model = fit(survey)
    again = model.transform(survey)
    pd.testing.assert_frame_equal(again, model.assignments_)


def test_save_load_round_trip(survey, tmp_path):
    model = fit(survey)
    model.save(tmp_path / "m")
    loaded = ThemeModel.load(tmp_path / "m")
    new = pd.DataFrame({"id": ["n1", "n2"], "text": ["dati personali dei clienti", "corsi di formazione"]})
    pd.testing.assert_frame_equal(loaded.transform(new), model.transform(new))
    assert loaded.themes_["label"].tolist() == model.themes_["label"].tolist()
    assert loaded.assignments_["theme_id"].tolist() == model.assignments_["theme_id"].tolist()


def test_load_refuses_future_and_tampered_files(survey, tmp_path):
    fit(survey).save(tmp_path / "m")
    path = tmp_path / "m" / "model.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"format_version": 1', '"format_version": 99'), encoding="utf-8")
    with pytest.raises(ModelFileError, match="newer than this rtc_nlp reads"):
        ThemeModel.load(tmp_path / "m")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ModelFileError, match="not a valid JSON file"):
        ThemeModel.load(tmp_path / "m")


def test_sentence_transformer_pipeline_round_trip(survey, tmp_path, tiny_st_model):
    model = ThemeModel(embedder=str(tiny_st_model), n_themes=3, verbose=False).fit(survey)
    assert model.summary_["embedder"].startswith("sentence-transformers")
    model.save(tmp_path / "m")
    loaded = ThemeModel.load(tmp_path / "m")
    pd.testing.assert_frame_equal(loaded.transform(survey), model.assignments_)


def test_n_themes_and_min_theme_size(survey):
    assert fit(survey, n_themes=5).summary_["n_themes"] == 5
    model = fit(survey, min_theme_size=9)
    assert (model.themes_["size"] >= 9).all()


def test_typical_answers_are_central_members_that_say_different_things(survey):
    from rtc_nlp.themes.names import content_words, rewords

    model = fit(survey, n_examples=3)
    out = model.assignments_
    for theme in model.themes_.itertuples():
        members = out[out["theme_id"] == theme.theme_id]
        assert 1 <= len(theme.typical_answers) <= min(3, members["text"].nunique())
        assert set(theme.typical_answers) <= set(members["text"])
        # From the more central half of the distinct answers, and no two of them rewordings.
        distinct = members.drop_duplicates("text").sort_values("similarity", ascending=False)
        edge = distinct["similarity"].iloc[-(-len(distinct) // 2) - 1]
        assert (distinct.set_index("text").loc[theme.typical_answers, "similarity"] >= edge - 1e-9).all()
        words = [content_words(t) for t in theme.typical_answers]
        assert not any(rewords(a, b) for i, a in enumerate(words) for b in words[i + 1 :])
        # The first is a member most similar to the centre (several may tie).
        best = members.loc[members["similarity"] == members["similarity"].max(), "text"]
        assert theme.typical_answers[0] in set(best)
    assert model.themes_["label"].is_unique


def test_typical_answers_compared_a_block_at_a_time_are_those_of_each_theme_alone(monkeypatch):
    import rtc_nlp.themes.describe as describe

    rng = np.random.default_rng(1)
    words = "costi formazione privacy reputazione turni sicurezza orari burocrazia clienti dati".split()
    texts = [f"{words[i % 10]} {words[i % 7]} {i % 17}" for i in range(40)]
    vectors = rng.normal(size=(40, 5)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    theme = rng.integers(-1, 3, size=40)  # -1: answers without theme sit between the others
    centroids = rng.normal(size=(3, 5))
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    monkeypatch.setattr(describe, "_BLOCK", 6)
    table = describe.describe_themes(texts, theme, np.ones(40), vectors, centroids, n_rows=40, n_examples=4)
    for t in range(3):
        members = np.flatnonzero(theme == t)
        rivals = np.delete(centroids, t, axis=0)
        alone = describe.typical_indices(vectors[members], centroids[t], [texts[i] for i in members], 4, rivals)
        assert table["typical_answers"][t] == [texts[members[i]] for i in alone]


def test_labels_come_from_the_theme_vocabulary(survey):
    labels = " ".join(fit(survey).themes_["label"]).lower()
    for word in ("dati", "formazione", "reputazione"):
        assert word in labels


@pytest.mark.parametrize(
    "texts",
    [
        ["una risposta"],
        ["sicurezza dei dati", "formazione"],
        ["a b", "dati sicuri", "formazione", "reputazione", "brand"],
        ["stessa risposta"] * 6,
    ],
)
def test_tiny_inputs_give_themes_not_errors(texts):
    model = fit(texts)
    assert model.summary_["n_coded"] >= 1
    # An answer sharing no term with any theme is "non classificato" (not forced into one).
    unclassified = model.assignments_[model.assignments_["status"] == "unclassified"]
    assert model.summary_["n_coded"] + len(unclassified) == len(texts)
    assert (unclassified["reason"] == "no_known_terms").all()
    assert 1 <= model.summary_["n_themes"] <= len(set(texts))
    if len(set(texts)) == 1:
        assert model.summary_["n_themes"] == 1


def test_no_usable_answers_is_a_clear_error():
    with pytest.raises(InputError, match=r"no usable answers: all 3 rows.*2 don't know, 1 empty"):
        fit(["non so", "", "boh"])


def test_non_text_cells_are_flagged_not_fatal():
    out = fit(
        pd.DataFrame({"text": ["formazione degli operatori", 42, pd.Timestamp("2021-01-01"), "sicurezza dei dati"]})
    ).assignments_
    assert out["reason"].tolist()[1:3] == ["not_text", "not_text"]
    assert out["text"].iloc[1] == 42  # the original cell is kept


def test_bad_parameters_are_named(survey):
    with pytest.raises(ValueError, match="n_themes must be a positive integer"):
        fit(survey, n_themes=0)
    with pytest.raises(ValueError, match="min_similarity"):
        fit(survey, min_similarity=3)


def test_min_similarity_makes_unclassified_explicit(survey):
    model = fit(survey, min_similarity=0.99)
    out = model.assignments_
    assert (out["status"] == "unclassified").any()
    unclassified = out[out["status"] == "unclassified"]
    assert (unclassified["theme_label"] == "non classificato").all()
    assert (unclassified["reason"] == "below_min_similarity").all()
    assert model.summary_["share_unclassified"] == pytest.approx(len(unclassified) / len(out))


def test_report_groupings_main_job():
    answers = read_answers(REPO / "data" / "report" / "report_groupings.csv", "text", "item_id")
    model = fit(answers)
    assert model.summary_["n_coded"] == 73 and model.summary_["n_themes"] >= 2
    assert set(model.assignments_["grouping"]) == set(answers["grouping"])


def _many_answers(n_per_theme: int = 60) -> list[str]:
    from conftest import SURVEY_THEMES

    rng = np.random.default_rng(1)
    texts = []
    for variants in SURVEY_THEMES.values():
        for i in range(n_per_theme):
            words = variants[i % len(variants)].split()
            words.insert(int(rng.integers(0, len(words))), f"nota{i}")  # distinct answers
            texts.append(" ".join(words))
    return texts


def test_fitting_on_a_sample_assigns_every_answer_and_is_reproducible():
    texts = _many_answers()
    kwargs = dict(embedder="lexical", cache_dir=False, verbose=False, max_fit_answers=60, random_state=3)
    model = ThemeModel(**kwargs).fit(texts)
    clustering = model.summary_["clustering"]
    assert clustering["fitted_on"] == 60 and clustering["distinct_answers"] == len(set(texts))
    assert (model.assignments_["status"] == "theme").all() and len(model.assignments_) == len(texts)
    assert model.transform(texts)["theme_id"].tolist() == model.assignments_["theme_id"].tolist()
    again = ThemeModel(**kwargs).fit(texts)
    assert again.assignments_["theme_id"].tolist() == model.assignments_["theme_id"].tolist()
    assert again.themes_["keywords"].tolist() == model.themes_["keywords"].tolist()
    full = ThemeModel(**{**kwargs, "max_fit_answers": None}).fit(texts)
    assert full.summary_["clustering"]["fitted_on"] == len(set(texts))


def test_parallel_embedding_gives_the_same_themes(monkeypatch, tmp_path):
    import rtc_nlp.embedders.batches as batches_module

    monkeypatch.setattr(batches_module, "EMBED_BATCH", 37)  # several batches on a small input
    texts = _many_answers(20)
    one = ThemeModel(embedder="lexical", cache_dir=False, verbose=False).fit(texts)
    two = ThemeModel(embedder="lexical", cache_dir=tmp_path, verbose=False, n_jobs=2).fit(texts)
    assert two.assignments_["theme_id"].tolist() == one.assignments_["theme_id"].tolist()
    np.testing.assert_array_equal(two.centroids_, one.centroids_)
    cached = ThemeModel(embedder="lexical", cache_dir=tmp_path, verbose=False, n_jobs=2).fit(texts)
    np.testing.assert_array_equal(cached.centroids_, one.centroids_)


class _SplittingClusterer:
    """k-means with the true k, then one group cut in two halves that say the same things: two
    near-duplicate themes, as a clusterer at too fine a level gives."""

    def __init__(self, k: int) -> None:
        self.k = k

    def fit_predict(self, X):
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=self.k, n_init=10, random_state=0).fit_predict(X)
        rows = np.flatnonzero(labels == 0)
        labels[rows[len(rows) // 2 :]] = self.k  # each half cycles through the same phrasings
        return labels


def test_near_duplicate_themes_are_merged():
    texts = _many_answers(40)
    reference = fit(texts, n_themes=6)  # k-means told k: never merged
    k = reference.summary_["n_themes"]
    split = _SplittingClusterer(6)
    kept = fit(texts, clusterer=split, merge_similarity=None, min_theme_size=2, n_nets=0)
    merged = fit(texts, clusterer=split, min_theme_size=2, n_nets=0)
    assert kept.summary_["n_themes"] == k + 1  # the two halves stay apart without merging
    assert merged.summary_["n_themes"] == k  # and are one theme again with it (one level: merged at 0.7)
    assert adjusted_rand_score(merged.assignments_["theme_id"], reference.assignments_["theme_id"]) > 0.95
    # Under nets nothing merges by default: the two halves stay two themes, in one net.
    netted = fit(texts, clusterer=split, min_theme_size=2, n_nets=k)
    assert netted.summary_["n_themes"] == k + 1 and netted.summary_["n_nets"] == k
    assert adjusted_rand_score(netted.assignments_["net_id"], reference.assignments_["theme_id"]) > 0.95
    with pytest.raises(ValueError, match="merge_similarity"):
        fit(texts, merge_similarity=0)
