"""Non-answer detection and normalisation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from rtc_nlp.text import non_answer_reason, normalize_text, prepare_texts


@pytest.mark.parametrize(
    "value,reason",
    [
        ("non so", "dont_know"),
        ("Non lo so.", "dont_know"),
        ("NON SAPREI", "dont_know"),
        ("boh", "dont_know"),
        ("I don't know", "dont_know"),
        ("niente", "nothing"),
        ("Nessuno!", "nothing"),
        ("nulla", "nothing"),
        ("none", "nothing"),
        ("No comment", "nothing"),
        ("n/a", "not_applicable"),
        ("N.A.", "not_applicable"),
        ("non applicabile", "not_applicable"),
        ("-", "punctuation"),
        ("...", "punctuation"),
        ("???", "punctuation"),
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        (np.nan, "empty"),
        (pd.NA, "empty"),
        (42, "not_text"),
        (3.5, "not_text"),
        ("12,5", "not_text"),
        ("2021-03-04", "not_text"),
        (dt.datetime(2021, 1, 1), "not_text"),
    ],
)
def test_non_answers_are_recognised(value, reason):
    assert non_answer_reason(value) == reason


@pytest.mark.parametrize(
    "value",
    [
        "Nessuna difficoltà",
        "non so se la formazione basti",
        "No, il problema è la reputazione",
        "sicurezza dei dati",
        "GDPR",
        "privacy 2.0",
    ],
)
def test_real_answers_are_kept(value):
    assert non_answer_reason(value) is None


def test_normalisation_collapses_space_and_removes_invisible_characters():
    assert normalize_text("  la\u200b sicurezza\r\n dei\tdati  ") == "la sicurezza dei dati"
    assert normalize_text("qualita\u0300") == "qualità"  # NFC


def test_prepare_texts_keeps_index_and_flags():
    prepared = prepare_texts(pd.Series(["  uno ", "non so", None], index=[10, 11, 12]))
    assert prepared.index.tolist() == [10, 11, 12]
    assert prepared["clean_text"].tolist() == ["uno", "non so", ""]
    assert prepared["non_answer"].tolist() == [None, "dont_know", "empty"]


def test_guess_language():
    from rtc_nlp.text import guess_language

    assert guess_language("la sicurezza dei dati dei clienti è un problema") == "it"
    assert guess_language("the security of the data is what we worry about") == "en"
    assert guess_language("ok") == "" and guess_language(None) == ""
