"""Codebook: built from a model or by hand, edited without losing ids, saved and validated."""

from __future__ import annotations

import json
import re

import pytest

from rtc_nlp import ModelFileError, ThemeModel
from rtc_nlp.coding.codebook import Codebook

HAND = [
    {"label": "Reputazione", "description": "immagine e pregiudizi", "keywords": ["reputazione", "brand"]},
    {"label": "Sicurezza dei dati", "keywords": ["dati", "privacy"]},
    {"label": "Formazione", "examples": ["serve formazione sui prodotti"]},
]


def test_from_model_keeps_theme_ids_labels_keywords_and_examples(survey):
    model = ThemeModel(embedder="lexical", random_state=0).fit(survey)
    book = Codebook.from_model(model)
    assert [t.id for t in book.codes] == model.themes_["theme_id"].tolist()
    first = model.themes_.iloc[0]
    assert book[int(first["theme_id"])].label == first["label"]
    assert list(book[int(first["theme_id"])].examples) == list(first["typical_answers"])
    assert all(t.colour.startswith("#") for t in book.themes)


def test_save_and_load_round_trip(tmp_path):
    book = Codebook.from_records(HAND, name="prova")
    book.save(tmp_path / "cb.json")
    again = Codebook.load(tmp_path / "cb.json")
    assert again == book
    assert json.loads((tmp_path / "cb.json").read_text(encoding="utf-8"))["themes"][0]["label"] == "Reputazione"


def test_edits_keep_untouched_ids_never_reuse_ids_and_are_diffed():
    book = Codebook.from_records(HAND)
    assert book.ids == [1, 2, 3]
    renamed = book.rename(2, "Privacy e sicurezza")
    merged = renamed.merge([1, 3], label="Reputazione e formazione")
    assert merged.ids == [1, 2] and merged[2].label == "Privacy e sicurezza"
    assert "serve formazione sui prodotti" in merged[1].examples and "brand" in merged[1].keywords
    added = merged.add("Burocrazia", description="permessi e autorizzazioni")
    assert added.ids == [1, 2, 4]  # 3 was merged away: not reused
    split = added.split(
        2, [{"label": "Privacy", "keywords": ["privacy"]}, {"label": "Data breach", "keywords": ["breach"]}]
    )
    assert split.ids == [1, 5, 6, 4]
    deleted = split.delete(4)
    assert deleted.add("Altro", keywords=["altro"]).ids[-1] == 7
    assert (added.revision, book.revision) == (book.revision + 3, 1)
    diff = book.diff(split).set_index("id")
    assert diff.loc[3, "change"] == "removed" and diff.loc[4, "change"] == "added"
    assert diff.loc[1, "change"] == "changed" and "label" in diff.loc[1, "fields"]
    assert diff.loc[2, "change"] == "removed"  # split into 5 and 6
    assert book.diff(book).empty


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda d: d["themes"].append(dict(d["themes"][0])), "repeats the id of theme 1"),
        (lambda d: d["themes"][1].update(label=""), "theme 2 (id 2) has no label"),
        (lambda d: d.update(format_version=99), "format version 99 is newer"),
        (
            lambda d: d["themes"][2].update(description="", keywords=[], examples=[]),
            "theme 3 (id 3) has no description, keywords or examples",
        ),
        (lambda d: d.update(format="something else"), "expected a 'rtc_nlp.codebook' file"),
        (lambda d: d["themes"][0].update(parent=9), "parent 9"),
    ],
)
def test_bad_codebook_files_are_refused_with_the_theme_named(tmp_path, edit, expected):
    Codebook.from_records(HAND).save(tmp_path / "cb.json")
    document = json.loads((tmp_path / "cb.json").read_text(encoding="utf-8"))
    edit(document)
    (tmp_path / "cb.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelFileError, match=re.escape(expected)):
        Codebook.load(tmp_path / "cb.json")


def test_truncated_file_is_refused(tmp_path):
    Codebook.from_records(HAND).save(tmp_path / "cb.json")
    text = (tmp_path / "cb.json").read_text(encoding="utf-8")
    (tmp_path / "cb.json").write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ModelFileError, match="not a valid JSON file"):
        Codebook.load(tmp_path / "cb.json")


def test_report_codebook_ships_and_loads():
    from conftest import REPO

    book = Codebook.load(REPO / "data" / "demo" / "codebook_report.json")
    assert len(book) == 5 and book[2].label == "SICUREZZA DEI DATI E RISERVATEZZA"
    assert all(t.description for t in book.themes)
