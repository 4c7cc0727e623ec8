"""Embedding and coding on a Dask cluster, for inputs that outgrow one machine.

Themes are found on one machine (``ThemeModel.fit`` fits on a sample above 20,000 distinct
answers anyway); what grows with the data is embedding and coding, and both work one answer at a
time. Here they run partition by partition over Parquet files or a dask DataFrame, on whatever
cluster the active ``dask.distributed.Client`` points at, with the same results as
``ThemeModel.transform`` in one process: each partition is prepared, embedded and assigned by a
copy of the same fitted model, and nothing depends on which partition an answer is in.

Dask is an optional extra: ``pip install "rtc_nlp[dask]"``.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..embedders.base import Embedder
from ..schema import ID, TEXT
from .model import ThemeModel

logger = logging.getLogger(__name__)

__all__ = ["read_partitions", "embed_partitions", "code_partitions"]

# Within one partition only; left out so that the result cannot depend on the partitioning.
_PARTITION_DEPENDENT = ("duplicate",)


def _dask_dataframe() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # an optional extra: say how to get it
        raise ImportError('rtc_nlp.themes.distributed needs Dask: pip install "rtc_nlp[dask]"') from exc
    return dd


def read_partitions(source: Any, text_column: str = TEXT, id_column: str = ID) -> Any:
    """A dask DataFrame of answers with ``id`` and ``text`` columns.

    Parameters
    ----------
    source : str, Path, list of paths or dask DataFrame
        Parquet file(s), a folder or glob of them, or a dask DataFrame.
    text_column, id_column : str
        Where the answers and their ids are; they are renamed ``text`` and ``id``.
    """
    dd = _dask_dataframe()
    frame = (
        source
        if isinstance(source, dd.DataFrame)
        else dd.read_parquet([str(p) for p in source] if isinstance(source, (list, tuple)) else str(source))
    )
    missing = [c for c in (text_column, id_column) if c not in frame.columns]
    if missing:
        where = source if isinstance(source, (str, Path)) else "the partitioned input"
        raise ValueError(f"{where}: no column(s) {missing}; columns: {list(frame.columns)}")
    frame = frame.rename(columns={text_column: TEXT, id_column: ID})
    return frame.astype({ID: str})


def _embed_partition(part: pd.DataFrame, embedder: Embedder | ThemeModel, dim: int) -> pd.DataFrame:
    texts = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in part[TEXT]]
    embed = embedder.embed if isinstance(embedder, ThemeModel) else embedder.transform
    vectors = embed(texts) if texts else np.zeros((0, dim), dtype=np.float32)
    out = pd.DataFrame(vectors, columns=[f"v{i}" for i in range(dim)], index=part.index)
    out.insert(0, ID, part[ID].astype(str).to_numpy())
    return out


def embed_partitions(
    source: Any, embedder: Embedder | ThemeModel, *, text_column: str = TEXT, id_column: str = ID
) -> Any:
    """Embed every answer with a fitted ``embedder``, partition by partition.

    A fitted :class:`ThemeModel` embeds as it assigns (:meth:`ThemeModel.embed`): on the fast
    path for large files, with its lexical student and the encoder for the unsure answers.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy: ``id`` and one float32 column per dimension (``v0``, ``v1``, ...), row for row
        equal to ``embedder.transform`` (``model.embed``) on all the texts. Call ``.compute()`` or
        ``.to_parquet(folder)``.
    """
    frame = read_partitions(source, text_column, id_column)
    if isinstance(embedder, ThemeModel):
        embedder = copy.copy(embedder)
        embedder.cache_dir, embedder.n_jobs, embedder.verbose = False, 1, False
        dim = int(embedder.centroids_.shape[1])
    else:
        dim = int(embedder.transform(["rtc_nlp"]).shape[1])
    meta = pd.DataFrame({ID: pd.Series(dtype=str), **{f"v{i}": pd.Series(dtype=np.float32) for i in range(dim)}})
    return frame.map_partitions(_embed_partition, embedder, dim, meta=meta)


def _code_partition(part: pd.DataFrame, model: ThemeModel) -> pd.DataFrame:
    coded = model.transform(part.reset_index(drop=True))
    coded.index = part.index
    return coded.drop(columns=list(_PARTITION_DEPENDENT))


def code_partitions(
    source: Any, model: ThemeModel | str | Path, *, text_column: str = TEXT, id_column: str = ID
) -> Any:
    """Code every answer with a fitted theme model (nothing is refitted), partition by partition.

    Parameters
    ----------
    source : Parquet file(s), folder, glob or dask DataFrame
        The answers; other columns are kept.
    model : ThemeModel or folder
        A fitted model, or the ``model/`` folder that ``rtc-nlp themes`` wrote.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy, with the columns of ``ThemeModel.transform`` except ``duplicate`` (which would
        only see one partition): the same themes and similarities as one process.
    """
    model = ThemeModel.load(model, cache_dir=False) if not isinstance(model, ThemeModel) else copy.copy(model)
    # Workers embed their own partition: no cache to share, one process each.
    model.cache_dir, model.n_jobs, model.verbose = False, 1, False
    frame = read_partitions(source, text_column, id_column)
    sample = frame._meta.copy()
    sample = pd.concat([sample, pd.DataFrame({ID: ["meta"], TEXT: ["meta"]})], ignore_index=True)
    meta = _code_partition(sample.astype({c: object for c in sample.columns if c not in (ID, TEXT)}), model).iloc[:0]
    return frame.map_partitions(_code_partition, model, meta=meta)
