"""Redaction of personal data: realistic and tricky cases, and --redact end to end (nothing
personal reaches the embedding cache, the saved model or any output)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rtc_nlp.cache import text_key
from rtc_nlp.cli import main
from rtc_nlp.redact import redact, redact_answers

FOUND = [
    ("scrivetemi a mario.rossi@example.it per info", "email", "scrivetemi a [EMAIL] per info"),
    ("Mail: ufficio-acquisti+cs@azienda.co.uk.", "email", "Mail: [EMAIL]."),
    ("vedi https://www.example.org/chi-siamo?x=1.", "url", "vedi [URL]."),
    ("sito www.example.it, grazie", "url", "sito [URL], grazie"),
    ("IBAN IT60 X054 2811 1010 0000 0123 456 grazie", "iban", "IBAN [IBAN] grazie"),
    ("iban IT60X0542811101000000123456", "iban", "iban [IBAN]"),
    ("bonifico su GB82WEST12345698765432", "iban", "bonifico su [IBAN]"),
    ("il mio CF è RSSMRA85T10A562S", "codice_fiscale", "il mio CF è [CODICE_FISCALE]"),
    ("cf rssmra85t10a562s minuscolo", "codice_fiscale", "cf [CODICE_FISCALE] minuscolo"),
    ("P.IVA IT00159560366", "partita_iva", "P.IVA [PARTITA_IVA]"),
    ("partita iva 00488410010.", "partita_iva", "partita iva [PARTITA_IVA]."),
    ("chiamate il 333 1234567", "phone", "chiamate il [TELEFONO]"),
    ("cell. +39 347 123 4567", "phone", "cell. [TELEFONO]"),
    ("tel. 0039 02 1234 5678", "phone", "tel. [TELEFONO]"),
    ("ufficio 02-12345678 (Milano)", "phone", "ufficio [TELEFONO] (Milano)"),
    ("UK office +44 20 7946 0958", "phone", "UK office [TELEFONO]"),
]

KEPT = [
    "nel 2020 abbiamo speso 1.500 euro",
    "il 12/03/2021 e il 01.12.2020 abbiamo fatto due incontri",
    "il 30% dei 150 operatori da 3 anni",
    "ordine n. 12345678 del cliente",
    "codice 12345678901 (non è una partita IVA valida)",
    "IT61X0542811101000000123456 ha le cifre di controllo sbagliate",
    "RSSMRA85T10A562T ha la lettera di controllo sbagliata",
    "il codice XRSSMRA85T10A562SX è dentro una parola",
    "scrivere a mario@ufficio senza dominio",
    "versione 3.2.1 del CRM, 24/7, h24",
]


@pytest.mark.parametrize("text, kind, expected", FOUND)
def test_personal_data_are_replaced(text, kind, expected):
    redacted, counts = redact(text)
    assert redacted == expected and counts == {kind: 1}


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_numbers_and_invalid_codes_are_kept(text):
    assert redact(text) == (text, {})


def test_several_kinds_in_one_answer_and_the_input_is_untouched():
    answers = pd.DataFrame({"id": ["1", "2", "3"], "text": [
        "mail a.b@example.com o tel 333 1234567", "nessun dato personale", None]})
    before = answers.copy()
    redacted = redact_answers(answers)
    assert redacted["text"].tolist()[:2] == ["mail [EMAIL] o tel [TELEFONO]", "nessun dato personale"]
    assert redacted["text"].isna().tolist()[2]
    assert redacted.attrs["redaction"]["email"] == 1 and redacted.attrs["redaction"]["phone"] == 1
    pd.testing.assert_frame_equal(answers, before)


def test_cli_redact_keeps_personal_data_out_of_cache_model_and_outputs(survey, tmp_path, capsys, monkeypatch):
    survey = survey.copy()
    secrets = ["mario.rossi@example.it", "333 1234567", "RSSMRA85T10A562S", "IT60X0542811101000000123456"]
    for row, secret in enumerate(secrets):
        survey.loc[row, "text"] = f"{survey.loc[row, 'text']} contattatemi {secret}"
    answers = tmp_path / "answers.csv"
    survey.to_csv(answers, index=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("RTC_NLP_CACHE", str(cache))
    assert main(["themes", str(answers), "--id-column", "id", "--embedder", "lexical", "--out",
                 str(tmp_path / "t"), "--redact"]) == 0
    assert "redacted 1 email" in capsys.readouterr().out
    from rtc_nlp.codebook import Codebook

    Codebook.from_records([{"label": "sicurezza", "keywords": ["dati"]}]).save(tmp_path / "cb.json")
    assert main(["code", str(answers), "--codebook", str(tmp_path / "cb.json"), "--id-column", "id",
                 "--embedder", "lexical", "--out", str(tmp_path / "c"), "--redact"]) == 0
    assert main(["export", str(tmp_path / "c"), "--out", str(tmp_path / "e")]) == 0
    outputs = [p for p in tmp_path.rglob("*") if p.is_file() and p != answers and cache not in p.parents]
    assert len(outputs) > 20
    for path in outputs:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, (path, secret)
    # The original answers were never embedded: their keys are not in the cache.
    keys = set()
    for shard in cache.rglob("*.npz"):
        with np.load(shard, allow_pickle=False) as loaded:
            keys |= set(loaded["keys"].tolist())
    assert keys, "the cache was used"
    originals = {text_key(t) for t in survey["text"].head(4)}
    assert not originals & keys
    import json

    run = json.loads((tmp_path / "c" / "run.json").read_text(encoding="utf-8"))
    assert run["redaction"] == {"email": 1, "url": 0, "iban": 1, "codice_fiscale": 1, "partita_iva": 0, "phone": 1}
