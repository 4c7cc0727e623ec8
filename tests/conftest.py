"""Shared fixtures. Nothing here downloads anything: the sentence-transformers model used in
the tests is built from scratch and saved to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


def themes_args(answers: Path, out: Path, *extra: str) -> list[str]:
    """``rtc-nlp themes`` on a survey CSV with an ``id`` column, with the lexical embedder."""
    return ["themes", str(answers), "--id-column", "id", "--embedder", "lexical", "--out", str(out), *extra]


def code_args(answers: Path, codebook: Path, out: Path, *extra: str) -> list[str]:
    """``rtc-nlp code`` of a survey CSV with an ``id`` column, with the lexical embedder."""
    return [
        "code",
        str(answers),
        "--codebook",
        str(codebook),
        "--id-column",
        "id",
        "--embedder",
        "lexical",
        "--out",
        str(out),
        *extra,
    ]


# Three well separated themes, written for the tests (not data from the report).
SURVEY_THEMES = {
    "sicurezza": [
        "la sicurezza dei dati dei clienti",
        "rischio per la riservatezza dei dati personali",
        "timore per la sicurezza delle informazioni riservate",
        "privacy e sicurezza dei dati sensibili",
        "i dati dei clienti potrebbero non essere al sicuro",
        "riservatezza e protezione dei dati",
        "problemi di privacy sui dati dei clienti",
        "la gestione sicura dei dati personali",
    ],
    "formazione": [
        "serve formazione specialistica per gli operatori",
        "la formazione del personale richiede tempo",
        "corsi di formazione tecnica sui prodotti",
        "mancanza di formazione specifica sul servizio",
        "formazione continua degli operatori detenuti",
        "percorsi di formazione per il customer care",
        "difficoltà nella formazione specialistica",
        "investire nella formazione degli operatori",
    ],
    "reputazione": [
        "danno alla reputazione del marchio",
        "i clienti potrebbero avere pregiudizi sul carcere",
        "la reputazione aziendale agli occhi dei clienti",
        "barriera psicologica e pregiudizio sociale",
        "pregiudizi dei clienti verso i detenuti",
        "rischio per la reputazione del brand",
        "il pregiudizio sociale verso il carcere",
        "immagine e reputazione del brand",
    ],
}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own embedding cache and never reaches a model hub."""
    monkeypatch.setenv("RTC_NLP_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def survey() -> pd.DataFrame:
    """A small survey: 24 answers on three themes, plus non-answers and a duplicate."""
    rows = []
    for theme, texts in SURVEY_THEMES.items():
        rows += [{"text": t, "truth": theme} for t in texts]
    rows += [
        {"text": "Non so", "truth": None},
        {"text": "-", "truth": None},
        {"text": "", "truth": None},
        {"text": "la sicurezza dei dati dei clienti", "truth": "sicurezza"},
    ]
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"R{i:03d}" for i in range(1, len(frame) + 1)])
    frame["dimensione"] = np.resize(["piccola", "media", "grande"], len(frame))
    return frame


@pytest.fixture(scope="session")
def tiny_st_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sentence-transformers model (random BERT, 32 dimensions), built and saved locally."""
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("sentence_transformers")
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny_st")
    words = sorted({w for texts in SURVEY_THEMES.values() for t in texts for w in t.split()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
    base = folder / "bert"
    base.mkdir()
    (base / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(base / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(base)
    tokenizer.save_pretrained(base)
    # A plain transformer folder loads with mean pooling added, in every sentence-transformers version.
    model = st.SentenceTransformer(str(base), device="cpu")
    out = folder / "model"
    model.save(str(out))
    return out
