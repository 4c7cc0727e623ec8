"""Property-based tests (hypothesis): arbitrary Unicode, control characters, right-to-left text,
emoji, empty and very long answers, numbers and dates in the text column, missing values, BOMs
and line endings. Invariants: no crash, every input row comes out exactly once with its id and
its original text, and the counts add up."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from xml.etree import ElementTree as ET

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtc_nlp import InputError, ThemeModel, read_answers
from rtc_nlp.coding.codebook import Codebook
from rtc_nlp.coding.coder import code_answers
from rtc_nlp.io.interviews import read_interviews, speaker_turns
from rtc_nlp.results.exporter import export
from rtc_nlp.text import NON_ANSWER_REASONS, prepare_texts

# 30 cases each in CI; set RTC_NLP_HYPOTHESIS_EXAMPLES for a longer hunt.
SETTINGS = settings(
    max_examples=int(os.environ.get("RTC_NLP_HYPOTHESIS_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
WORDS = [
    "sicurezza",
    "dati",
    "formazione",
    "operatori",
    "reputazione",
    "brand",
    "clienti",
    "carcere",
    "privacy",
    "corsi",
    "ﺍﻟﺒﻴﺎﻧﺎﺕ",
    "שלום",
    "😀",
    "naïve",
    "ß",
]
text_strategy = st.one_of(
    st.text(max_size=60),  # any Unicode, controls included
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
    st.sampled_from(["", " ", "non so", "-", "N/A", "12", "3,5", "2021-03-01", "\ufeffbom", "a\r\nb\rc\nd"]),
    st.text(alphabet="abcdè ", min_size=2000, max_size=6000),  # long answers
)
BOOK = Codebook.from_records(
    [
        {"label": "sicurezza", "keywords": ["sicurezza", "dati", "privacy"]},
        {"label": "formazione", "keywords": ["formazione", "corsi", "operatori"]},
    ]
)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            text_strategy, st.none(), st.integers(), st.floats(allow_nan=True), st.dates(min_value=dt.date(1990, 1, 1))
        ),
        max_size=20,
    )
)
def test_prepare_never_crashes_and_keeps_every_row(values):
    prepared = prepare_texts(pd.Series(values, dtype=object))
    assert len(prepared) == len(values)
    assert set(prepared["non_answer"].dropna()) <= set(NON_ANSWER_REASONS)


@SETTINGS
@given(
    texts=st.lists(text_strategy, min_size=1, max_size=15), bom=st.booleans(), ending=st.sampled_from(["\n", "\r\n"])
)
def test_csv_round_trip_keeps_ids_and_texts(tmp_path_factory, texts, bom, ending):
    texts = [t.replace("\x00", "") for t in texts]  # many NULs make a file binary (stray ones: test_io)
    frame = pd.DataFrame({"id": [f"R{i}" for i in range(len(texts))], "text": texts})
    path = tmp_path_factory.mktemp("csv") / "answers.csv"
    frame.to_csv(
        path, index=False, encoding="utf-8-sig" if bom else "utf-8", lineterminator=ending, quoting=1
    )  # csv.QUOTE_ALL: a file from a careful exporter
    read = read_answers(path, text_column="text", id_column="id")
    assert read["id"].tolist() == frame["id"].tolist()
    # Every text as written, but for control characters, which are removed and counted.
    control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
    assert [("" if pd.isna(t) else t) for t in read["text"]] == [control.sub("", t) for t in texts]
    assert read.attrs["control_characters"]["removed"] == sum(len(control.findall(t)) for t in texts)


@SETTINGS
@given(st.lists(text_strategy, min_size=1, max_size=25))
def test_fit_accounts_for_every_row_once(texts):
    answers = pd.DataFrame({"id": [f"R{i}" for i in range(len(texts))], "text": texts})
    try:
        model = ThemeModel(embedder="lexical", random_state=0, cache_dir=False, verbose=False).fit(answers)
    except InputError as exc:  # every answer empty or a non-answer: a clear message, not a crash
        assert "no usable answers" in str(exc)
        return
    out = model.assignments_
    assert out["id"].tolist() == answers["id"].tolist()
    assert out["text"].tolist() == texts
    summary = model.summary_
    assert summary["n_coded"] + summary["n_non_answers"] + summary["n_unclassified"] == len(texts)
    again = model.transform(answers)
    assert again["theme_id"].tolist() == out["theme_id"].tolist()


@SETTINGS
@given(st.lists(text_strategy, min_size=1, max_size=25))
def test_coding_accounts_for_every_row_once(texts):
    answers = pd.DataFrame({"id": [f"R{i}" for i in range(len(texts))], "text": texts})
    coded = code_answers(answers, BOOK, embedder="lexical")
    assert coded["id"].tolist() == answers["id"].tolist() and coded["text"].tolist() == texts
    counts = coded["status"].value_counts()
    assert counts.sum() == len(texts) and set(counts.index) <= {"theme", "unclassified", "non_answer"}
    assert ((coded["status"] == "theme") == (coded["theme_id"] > 0)).all()


@SETTINGS
@given(st.lists(text_strategy, min_size=1, max_size=12))
def test_export_writes_every_answer_in_every_format(tmp_path_factory, texts):
    answers = pd.DataFrame({"id": [f"R{i}" for i in range(len(texts))], "text": texts})
    coded = code_answers(answers, BOOK, embedder="lexical", min_similarity=0.0)
    out = tmp_path_factory.mktemp("export") / "out"
    export(coded, out, codebook=BOOK)
    assert pd.read_parquet(out / "codes.parquet")["text"].tolist() == texts
    assert pd.read_csv(out / "codes_wide.csv", dtype={"id": str})["id"].tolist() == answers["id"].tolist()
    ET.parse(out / "codebook.qdc")
    with zipfile.ZipFile(out / "project.qdpx") as archive:
        project = ET.fromstring(archive.read("project.qde"))
        sources = [e for e in project.iter() if e.tag.endswith("TextSource")]
        assert len(sources) == len(texts)
        for source, text in zip(sources, texts):
            name = source.get("plainTextPath").split("://")[1]
            assert archive.read(f"sources/{name}").decode("utf-8") == text
    pyreadstat = pytest.importorskip("pyreadstat")
    frame, _ = pyreadstat.read_sav(str(out / "codes.sav"))
    assert frame["id"].tolist() == answers["id"].tolist()


# Characters an XLSX file cannot hold (XML 1.0 forbids them; openpyxl refuses them).
_XML_ILLEGAL = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32)]}
cell_strategy = st.one_of(
    text_strategy.map(lambda t: "".join(c for c in t if c not in _XML_ILLEGAL and not 0xD800 <= ord(c) <= 0xDFFF)),
    st.none(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
)


@SETTINGS
@given(st.lists(cell_strategy, min_size=1, max_size=15))
def test_xlsx_with_mixed_cells_keeps_every_row_and_its_text(tmp_path_factory, cells):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Risposta"])
    for i, value in enumerate(cells, start=1):
        sheet.append([i, value])
        if isinstance(value, str):
            sheet.cell(row=i + 1, column=2).data_type = "s"  # a text that starts with "=" stays text
    path = tmp_path_factory.mktemp("xlsx") / "answers.xlsx"
    book.save(path)
    read = read_answers(path, text_column="Risposta", id_column="ID")
    assert read["id"].tolist() == [str(i) for i in range(1, len(cells) + 1)]
    for value, got in zip(cells, read["text"]):
        if isinstance(value, str) and value:
            # XML turns a carriage return into a line feed, and the reader removes DEL (a control
            # character XML allows, counted in the run's record); nothing else may change.
            value = value.replace("\x7f", "")
            assert got == value.replace("\r\n", "\n").replace("\r", "\n") or got == value
    try:
        model = ThemeModel(embedder="lexical", random_state=0, cache_dir=False, verbose=False).fit(read)
    except InputError as exc:
        assert "no usable answers" in str(exc)
        return
    summary = model.summary_
    assert model.assignments_["id"].tolist() == read["id"].tolist()
    assert summary["n_coded"] + summary["n_non_answers"] + summary["n_unclassified"] == len(cells)
    numbers = [i for i, v in enumerate(cells) if isinstance(v, (int, float, dt.date)) and not isinstance(v, bool)]
    assert (model.assignments_["status"].iloc[numbers] == "non_answer").all()


_CP1252_SAFE = "abcdefghij klmnopqrstuvwxyz ABC.!?,;\n\tàèéìòù"  # never valid UTF-8 once encoded


@SETTINGS
@given(
    text=st.one_of(
        st.text(max_size=400).map(lambda t: t.replace("\x00", "")),
        st.lists(
            st.sampled_from(WORDS + [".", "!", "\n\n", "\r\n", "\r\n\r\n", "Poi", "È", "\nD:", "\nR:", "\nAnna:"]),
            max_size=80,
        ).map(" ".join),
        st.text(alphabet=_CP1252_SAFE, max_size=400),
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    by=st.sampled_from(["turn", "paragraph", "sentence"]),
)
def test_interview_snippets_keep_every_word_of_every_turn_in_order(tmp_path_factory, text, encoding, by):
    if encoding == "cp1252" and not set(text) <= set(_CP1252_SAFE):
        encoding = "utf-8"
    path = tmp_path_factory.mktemp("txt") / "intervista.txt"
    path.write_bytes(text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "strict"))
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return  # lone surrogates are not text any encoder can write
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    # Every word but the speaker tags, in order, with the interviewer's turns kept.
    words = [w for turn in speaker_turns(normalised) for w in normalised[turn.body_start : turn.end].split()]
    if not words:
        with pytest.raises(InputError, match="no text found"):
            read_interviews(path, by=by, keep_interviewer=True)
        return
    snippets = read_interviews(path, by=by, keep_interviewer=True)
    assert [w for s in snippets["text"] for w in s.split()] == words
    assert snippets["position"].tolist() == list(range(1, len(snippets) + 1))
    assert snippets["id"].is_unique and snippets["turn"].is_monotonic_increasing
    for start, end, snippet in zip(snippets["start_char"], snippets["end_char"], snippets["text"]):
        assert normalised[start:end].split() == snippet.split()


def test_a_100000_character_answer_is_kept_whole():
    long = " ".join(["la sicurezza dei dati dei clienti e la formazione"] * 2100)[:100_000]
    texts = [long, "reputazione del brand", "corsi di formazione", "", "privacy dei dati", long[:10]]
    model = ThemeModel(embedder="lexical", random_state=0, cache_dir=False, verbose=False).fit(texts)
    assert model.assignments_["text"].tolist() == texts and len(model.assignments_["text"].iloc[0]) == 100_000
    coded = code_answers(pd.DataFrame({"id": list("abcdef"), "text": texts}), BOOK, embedder="lexical")
    assert coded["text"].iloc[0] == long and coded.loc[0, "status"] == "theme"


def test_transform_matches_fit_on_near_ties():
    # Found by hypothesis: single letters sit almost equally close to two themes.
    texts = ["sicurezza", "0A", "B", "a", "sicurezza sicurezza", "A"]
    model = ThemeModel(embedder="lexical", random_state=0, cache_dir=False, verbose=False).fit(texts)
    assert model.transform(texts)["theme_id"].tolist() == model.assignments_["theme_id"].tolist()


def test_an_answer_orthogonal_to_every_theme_is_not_classified():
    texts = ["sicurezza sicurezza", "B", "a", "0A", "sicurezza sicurezza", "A"]
    model = ThemeModel(embedder="lexical", random_state=0, cache_dir=False, verbose=False).fit(texts)
    row = model.assignments_.iloc[1]
    assert (row["status"], row["reason"]) == ("unclassified", "no_known_terms")
    assert model.transform(texts)["theme_id"].tolist() == model.assignments_["theme_id"].tolist()
