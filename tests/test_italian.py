"""What analysts read is in Italian: tables, measures, statuses, spreadsheet headers."""

from __future__ import annotations

import pandas as pd

from rtc_nlp import italian_table
from rtc_nlp.italian import english_columns


def test_a_table_is_shown_in_italian_rounded_and_keeps_the_respondents_columns():
    frame = pd.DataFrame(
        {
            "scope": ["answered", "all"],
            "metric": ["cohen_kappa", "accuracy"],
            "value": [0.41234, 0.5],
            "cohen_kappa p": [0.0012, 0.2],
            "likely_new": [True, False],
            "status": ["unclassified", "theme"],
            "reason": ["below_min_similarity", ""],
            "dimensione": ["piccola", "grande"],
        }
    )
    shown = italian_table(frame, digits=2)
    assert list(shown.columns) == [
        "ambito",
        "misura",
        "valore",
        "kappa di Cohen p",
        "probabilmente nuovo",
        "stato",
        "motivo",
        "dimensione",
    ]
    assert shown["misura"].tolist() == ["kappa di Cohen", "accuratezza"]
    assert shown["ambito"][0] == "risposte con un tema" and shown["valore"][0] == 0.41
    assert shown["probabilmente nuovo"].tolist() == ["sì", "no"]
    assert shown["stato"].tolist() == ["non classificato", "tema"]
    assert shown["motivo"].tolist() == ["sotto la soglia di somiglianza", ""]
    assert frame["metric"][0] == "cohen_kappa"  # the caller's table is not touched
    assert italian_table(frame, yes_no=False)["probabilmente nuovo"].tolist() == [True, False]


def test_italian_headers_read_back_as_english_ones():
    sheet = pd.DataFrame({"id": ["R1"], "codici corretti": ["2"], "note": ["x"]})
    back = english_columns(sheet, ["id", "corrected_codes"])
    assert list(back.columns) == ["id", "corrected_codes", "note"]
    # A sheet that already has the English name is left as it is.
    both = pd.DataFrame({"corrected_codes": ["1"], "codici corretti": ["2"]})
    assert list(english_columns(both, ["corrected_codes"]).columns) == ["corrected_codes", "codici corretti"]


def test_only_the_named_columns_are_touched():
    frame = pd.DataFrame({"text": ["a"], "status": ["theme"], "group": ["nord"], "flag": [True]})
    shown = italian_table(frame, columns=["text", "status"])
    assert list(shown.columns) == ["risposta", "stato", "group", "flag"]
    assert shown["stato"][0] == "tema" and bool(shown["flag"][0]) is True  # a respondent's column: not "sì"
