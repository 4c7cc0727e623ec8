"""Reading answers: formats, encodings, delimiters, metadata, interviews, and bad input."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rtc_nlp import InputError, read_answers

ROWS = [
    ("A1", "La sicurezza dei dati è importante", "grande"),
    ("A2", "Formazione specialistica; più tempo", "piccola"),
    ("A3", "Reputazione, perché sì", "media"),
]


def _write_csv(path, sep, encoding, bom=False):
    lines = [sep.join(["ID", "Risposta", "dimensione"])]
    lines += [sep.join([i, f'"{t}"' if sep in t or "," in t or ";" in t else t, d]) for i, t, d in ROWS]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize(
    "sep,encoding,bom", [(";", "cp1252", False), (",", "utf-8", True), ("\t", "utf-8", False), (",", "utf-16", False)]
)
def test_csv_delimiter_and_encoding_are_detected(tmp_path, sep, encoding, bom):
    path = _write_csv(tmp_path / "a.csv", sep, encoding, bom)
    answers = read_answers(path, text_column="Risposta", id_column="ID")
    assert answers["id"].tolist() == ["A1", "A2", "A3"]
    assert answers["text"].tolist() == [t for _, t, _ in ROWS]  # accents and quoted delimiters intact
    assert answers["dimensione"].tolist() == ["grande", "piccola", "media"]
    assert answers.attrs["delimiter"] == sep


def test_input_file_is_not_modified(tmp_path):
    path = _write_csv(tmp_path / "a.csv", ";", "cp1252")
    before = path.read_bytes()
    read_answers(path, "Risposta")
    assert path.read_bytes() == before


def test_default_ids_are_spreadsheet_rows_and_columns_tolerate_case(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Codice,Risposta\nA1,uno\nA2,due\nA3,tre\n", encoding="utf-8")
    answers = read_answers(path, text_column=" risposta ")
    assert answers["id"].tolist() == ["2", "3", "4"] and answers.attrs["id_source"] == "row number"
    assert answers["source_row"].tolist() == [2, 3, 4]
    assert answers["Codice"].tolist() == ["A1", "A2", "A3"]  # a column not named as an id stays as metadata


@pytest.mark.parametrize("name", ["id", "ID", "respondent_id", "ResponseId", "Respondent ID", "id_rispondente"])
def test_a_column_named_as_an_id_is_the_id_and_the_summary_says_so(tmp_path, name):
    path = tmp_path / "a.csv"
    pd.DataFrame({"Risposta": ["uno", "due", "tre"], name: ["R7", "R8", "R9"], "x": [1, 2, 3]}).to_csv(
        path, index=False
    )
    answers = read_answers(path, "Risposta")
    assert answers["id"].tolist() == ["R7", "R8", "R9"]
    assert answers.attrs["id_column"] == name and answers.attrs["id_source"] == f"column {name!r} (found by its name)"
    assert answers.columns.tolist() == ["id", "text", "source_row", "x"] and answers.attrs["renamed_columns"] == {}
    # Given by hand, another column wins and the one named as an id stays as metadata.
    given = read_answers(path, "Risposta", "x")
    assert given["id"].tolist() == ["1", "2", "3"] and given.attrs["id_source"] == "column 'x'"


def test_a_column_named_id_with_repeated_ids_is_not_the_id_and_a_warning_says_why(tmp_path, caplog):
    path = tmp_path / "a.csv"
    path.write_text("id,Risposta\nA,uno\nA,due\nB,tre\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="rtc_nlp.io"):
        answers = read_answers(path, "Risposta")
    assert answers["id"].tolist() == ["2", "3", "4"] and answers.attrs["id_source"] == "row number"
    assert answers["id_meta"].tolist() == ["A", "A", "B"] and answers.attrs["renamed_columns"] == {"id": "id_meta"}
    said = caplog.text
    assert "'id' is not used as the id" in said and "rows 2, 3" in said and "'id' -> 'id_meta'" in said
    # Named by hand, the same column is an error, as before.
    with pytest.raises(InputError, match="must be unique"):
        read_answers(path, "Risposta", "id")


def test_nul_and_control_bytes_in_a_cell_are_removed_and_counted_and_the_row_kept(tmp_path, caplog):
    path = tmp_path / "a.csv"
    raw = 'id,Risposta,settore\nR1,uno\x00 due,ICT\nR2,"tre\x07\nquattro",Tel\x00co\nR3,cinque,ICT\n'.encode()
    path.write_bytes(raw)
    with caplog.at_level("WARNING", logger="rtc_nlp.io"):
        answers = read_answers(path, "Risposta")
    assert answers["text"].tolist() == ["uno due", "tre\nquattro", "cinque"]  # the line break is text
    assert answers["settore"].tolist() == ["ICT", "Telco", "ICT"]
    assert answers.attrs["control_characters"] == {"removed": 3, "rows": [2, 3]}
    assert "removed 3 control character(s)" in caplog.text and "rows 2, 3" in caplog.text
    assert path.read_bytes() == raw  # the file is not touched
    # A file of NULs (UTF-16 without a byte-order mark, binary data) is still not text.
    path.write_bytes("id,Risposta\nR1,uno\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="not a text file in a known encoding.*--encoding"):
        read_answers(path, "Risposta")
    assert read_answers(path, "Risposta", encoding="utf-16-le")["text"].tolist() == ["uno"]


def test_a_missing_text_column_in_a_workbook_lists_every_sheet_and_its_columns(tmp_path):
    path = tmp_path / "a.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["x"]}).to_excel(writer, sheet_name="Leggimi", index=False)
        pd.DataFrame({"ID": [1], "Risposta": ["uno"]}).to_excel(writer, sheet_name="Risposte", index=False)
    with pytest.raises(
        InputError,
        match=r"'note'; every sheet .*'Leggimi' \(columns 'note'\); 'Risposte' \(columns 'ID', 'Risposta'\)",
    ):
        read_answers(path, "Risposta")
    with pytest.raises(InputError, match=r"no sheet 'Foglio1'; sheets: 'Leggimi' \(columns 'note'\)"):
        read_answers(path, "Risposta", sheet="Foglio1")
    assert read_answers(path, "Risposta", sheet="Risposte")["id"].tolist() == ["1"]


def test_xlsx_by_sheet_name_and_index_with_typed_cells(tmp_path):
    path = tmp_path / "a.xlsx"
    first = pd.DataFrame({"ID": [1, 2], "Risposta": ["uno", "due"]})
    second = pd.DataFrame({"ID": [10, 11, 12], "Risposta": ["testo", 42, dt.datetime(2021, 1, 5)]})
    with pd.ExcelWriter(path) as writer:
        first.to_excel(writer, sheet_name="ondata1", index=False)
        second.to_excel(writer, sheet_name="ondata2", index=False)
    assert read_answers(path, "Risposta", "ID")["id"].tolist() == ["1", "2"]
    by_name = read_answers(path, "Risposta", "ID", sheet="ondata2")
    by_index = read_answers(path, "Risposta", "ID", sheet=1)
    assert by_name["id"].tolist() == by_index["id"].tolist() == ["10", "11", "12"]
    assert by_name["text"].iloc[1] == 42  # kept as given; flagged later as not text
    with pytest.raises(InputError, match=r"no sheet 'ondata3'.*ondata1"):
        read_answers(path, "Risposta", sheet="ondata3")


def test_parquet(tmp_path):
    path = tmp_path / "a.parquet"
    pd.DataFrame({"risposta": ["uno", "due"], "settore": ["ICT", "Telco"]}).to_parquet(path)
    answers = read_answers(path, "risposta")
    assert answers["text"].tolist() == ["uno", "due"] and answers["settore"].tolist() == ["ICT", "Telco"]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "is empty"),
        (b"ID;Risposta\r\n", "header but no rows"),
        (b"\x81\x8d\x00\xff\xfe garbage", "not a text file in a known encoding"),
    ],
)
def test_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_answers(path, "Risposta")
    assert str(path) in str(info.value)


def test_missing_file_and_missing_column_lists_columns(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_answers(tmp_path / "nope.csv", "Risposta")
    path = _write_csv(tmp_path / "a.csv", ";", "utf-8")
    with pytest.raises(InputError, match=r"no text column 'answer'; its columns are: 'ID', 'Risposta', 'dimensione'"):
        read_answers(path, "answer")


def test_duplicate_and_missing_ids_name_the_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("ID,Risposta\nA,uno\nB,due\nA,tre\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unique.*'A'.*rows 2, 4") as info:
        read_answers(path, "Risposta", "ID")
    assert info.value.rows == [2, 4]
    path.write_text("ID,Risposta\nA,uno\n,due\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"1 row\(s\) have no id.*rows 3"):
        read_answers(path, "Risposta", "ID")


def test_metadata_column_named_like_ours_is_kept(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("risposta,text,source_row,ID\nuno,x,y,7\n", encoding="utf-8")
    answers = read_answers(path, "risposta", "ID")
    assert answers.loc[0, "text"] == "uno" and answers.loc[0, "id"] == "7"
    assert answers.loc[0, "text_meta"] == "x" and answers.loc[0, "source_row_meta"] == "y"
    assert answers.attrs["renamed_columns"] == {"text": "text_meta", "source_row": "source_row_meta"}


def test_written_files_get_ordinary_permissions(tmp_path):
    import os

    from rtc_nlp.persist import atomic_write

    atomic_write(tmp_path / "a.txt", lambda tmp: open(tmp, "w").write("x"))
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~umask
