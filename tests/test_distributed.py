"""Embedding and coding on a local Dask cluster (two worker processes) give the same results
as one process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rtc_nlp import ThemeModel

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_code_and_embed_on_two_workers_match_one_process(client, survey, tmp_path):
    model = ThemeModel(embedder="lexical", cache_dir=False, verbose=False).fit(survey)
    wave = pd.concat([survey, survey.assign(id=survey["id"] + "b")], ignore_index=True)
    wave = wave.rename(columns={"text": "risposta"})
    for i, part in enumerate(np.array_split(np.arange(len(wave)), 3)):  # three Parquet files
        wave.iloc[part].to_parquet(tmp_path / f"part{i}.parquet", index=False)
    model.save(tmp_path / "model")

    from rtc_nlp.themes.distributed import code_partitions, embed_partitions

    lazy = code_partitions(str(tmp_path / "part*.parquet"), tmp_path / "model", text_column="risposta")
    coded = lazy.compute().reset_index(drop=True)
    assert len(client.scheduler_info()["workers"]) == 2
    single = model.transform(wave.rename(columns={"risposta": "text"})).drop(columns=["duplicate"])
    pd.testing.assert_frame_equal(coded[single.columns.tolist()], single, check_dtype=False)
    assert model.n_jobs is None and model.cache_dir is False  # the caller's model is untouched

    vectors = embed_partitions(str(tmp_path / "part*.parquet"), model.embedder_, text_column="risposta").compute()
    expected = model.embedder_.transform(["" if pd.isna(t) else str(t) for t in wave["risposta"]])
    assert vectors["id"].tolist() == wave["id"].tolist()
    np.testing.assert_allclose(vectors.drop(columns=["id"]).to_numpy(), expected, atol=1e-6)


def test_the_fast_path_embeds_and_codes_the_same_on_two_workers(client, tmp_path):
    """A model fitted on the fast path (a lexical student, unsure answers to the encoder) gives
    the workers its rule: each answer's vector depends on that answer only."""
    from test_student import SlowEncoder
    from test_themes import _many_answers

    texts = _many_answers(60)
    fitted = ThemeModel(
        embedder=SlowEncoder(n_components=20), max_fit_answers=60, student_above=100, cache_dir=False, verbose=False
    ).fit(texts)
    assert fitted.student_ is not None and 0 < fitted.summary_["fast_path"]["routed"] < len(texts)
    fitted.save(tmp_path / "model")
    model = ThemeModel.load(tmp_path / "model", cache_dir=False)  # workers get plain classes
    wave = pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts})
    for i, part in enumerate(np.array_split(np.arange(len(wave)), 3)):
        wave.iloc[part].to_parquet(tmp_path / f"part{i}.parquet", index=False)

    from rtc_nlp.themes.distributed import code_partitions, embed_partitions

    coded = code_partitions(str(tmp_path / "part*.parquet"), tmp_path / "model").compute().reset_index(drop=True)
    assert coded["theme_id"].tolist() == fitted.assignments_["theme_id"].tolist()
    vectors = embed_partitions(str(tmp_path / "part*.parquet"), model).compute()
    np.testing.assert_allclose(vectors.drop(columns=["id"]).to_numpy(), model.embed(texts), atol=1e-6)
    # The student's vectors, not the encoder's, for the answers it is sure of.
    assert not np.allclose(model.embed(texts), model.embedder_.transform(texts), atol=1e-3)


def test_a_missing_column_is_named(tmp_path):
    pd.DataFrame({"id": ["1"], "testo": ["uno"]}).to_parquet(tmp_path / "a.parquet")
    from rtc_nlp.themes.distributed import read_partitions

    with pytest.raises(ValueError, match="no column.*'text'.*columns: \\['id', 'testo'\\]"):
        read_partitions(str(tmp_path / "a.parquet"))
