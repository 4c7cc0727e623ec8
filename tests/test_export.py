"""Exports: every format read back and checked; REFI-QDA XML checked against the standard's
rules; formula-like cells neutralised; the reviewed workbook read back."""

from __future__ import annotations

import json
import re
import zipfile
from xml.etree import ElementTree as ET

import pandas as pd
import pytest
from conftest import code_args, themes_args

from rtc_nlp import InputError, compare_with_manual
from rtc_nlp.cli.commands import main
from rtc_nlp.coding.codebook import Codebook
from rtc_nlp.coding.review import apply_overrides
from rtc_nlp.results.exporter import export, read_reviewed, spss_names
from rtc_nlp.results.formats.refi_qda import CODEBOOK_NS, PROJECT_NS

GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
BOOK = Codebook.from_records(
    [
        {"id": 1, "label": "Reputazione & <immagine>", "description": 'pregiudizi "sociali"', "keywords": ["brand"]},
        {"id": 2, "label": "Sicurezza dei dati", "keywords": ["privacy"], "parent": 4},
        {"id": 3, "label": "Formazione", "keywords": ["corsi"], "parent": 4},
        {"id": 4, "label": "Dati e competenze"},  # a net: counted through themes 2 and 3
    ],
    name="prova",
)


@pytest.fixture
def coded():
    texts = [
        "=SUM(A1:A9) reputazione",
        "privacy <b>&</b> dati \x01 ctrl",
        "-formazione continua",
        "non so",
        "x" * 40000 + " lunghissima",
        "@corsi e privacy",
    ]
    return pd.DataFrame(
        {
            "id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "text": texts,
            "theme_id": [1, 2, 3, -1, 0, 3],
            "codes": ["1", "2", "3", "", "", "3;2"],
            "status": ["theme", "theme", "theme", "non_answer", "unclassified", "theme"],
            "dimensione": ["piccola", "media", "grande", "media", "piccola", "grande"],
        }
    )


def test_every_format_is_written_and_keyed_by_id(coded, tmp_path):
    files = export(coded, tmp_path / "out", codebook=BOOK)
    names = {f.name for f in files}
    assert names == {
        "codes_wide.csv",
        "codes_long.csv",
        "codebook.csv",
        "codes.xlsx",
        "codes.parquet",
        "codes.json",
        "codes.sav",
        "codes.sps",
        "codebook.qdc",
        "project.qdpx",
    }
    wide = pd.read_csv(tmp_path / "out" / "codes_wide.csv", dtype={"id": str})
    assert wide["id"].tolist() == coded["id"].tolist()
    assert wide.loc[5, ["T2 Sicurezza dei dati", "T3 Formazione"]].tolist() == [1, 1]
    # The net counts an answer once, however many of its themes the answer has.
    assert wide["N4 Dati e competenze"].tolist() == [0, 1, 1, 0, 0, 1]
    assert wide["main_net_id"].tolist() == [1, 4, 4, -1, 0, 4]
    assert "T4 Dati e competenze" not in wide.columns  # a net is never a code of its own
    long = pd.read_csv(tmp_path / "out" / "codes_long.csv")
    assert len(long) == 7 and long.groupby("id")["main"].sum().eq(1).all()
    parquet = pd.read_parquet(tmp_path / "out" / "codes.parquet")
    assert isinstance(parquet["main_theme"].dtype, pd.CategoricalDtype)
    assert parquet["T1 Reputazione & <immagine>"].dtype == bool
    assert parquet["text"].tolist() == coded["text"].tolist()  # originals, not neutralised
    document = json.loads((tmp_path / "out" / "codes.json").read_text(encoding="utf-8"))
    assert document["codebook"]["themes"][2]["parent"] == 4
    assert [a["codes"] for a in document["answers"]] == [[1], [2], [3], [], [], [3, 2]]
    assert document["answers"][0]["text"] == "=SUM(A1:A9) reputazione"


def test_formula_like_cells_are_neutralised_in_csv_and_xlsx(coded, tmp_path):
    export(coded, tmp_path / "out", ["csv", "xlsx"], codebook=BOOK)
    wide = pd.read_csv(tmp_path / "out" / "codes_wide.csv")
    assert wide["text"][0] == "'=SUM(A1:A9) reputazione"
    assert wide["text"][2] == "'-formazione continua" and wide["text"][5] == "'@corsi e privacy"
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "out" / "codes.xlsx")["risposte"]
    header = [c.value for c in sheet[1]]
    texts = [row[header.index("risposta")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(not str(t).startswith(("=", "+", "-", "@")) for t in texts)
    assert sheet.freeze_panes == "B2"
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and validations[0].formula1 == '"1,2,3"'
    assert set(load_workbook(tmp_path / "out" / "codes.xlsx").sheetnames) == {
        "risposte",
        "formato lungo",
        "codebook",
        "schema dei codici",
    }
    # Headers in Italian, as analysts read them; no API name left in a sheet's header.
    workbook = pd.read_excel(tmp_path / "out" / "codes.xlsx", sheet_name=None)
    assert {"id", "risposta", "id tema principale", "tema principale", "revisione"} <= set(workbook["risposte"])
    assert list(workbook["formato lungo"].columns) == ["id", "risposta", "id tema", "tema", "principale"]
    assert {"tema", "descrizione", "parole chiave", "esempi", "net"} <= set(workbook["codebook"])
    english = {"text", "main_theme_id", "main_theme", "theme_id", "theme_label", "label", "keywords", "status"}
    assert not english & {c for sheet in workbook.values() for c in sheet.columns}


def test_spss_file_reads_back_with_labels(coded, tmp_path, caplog):
    pyreadstat = pytest.importorskip("pyreadstat")
    export(coded, tmp_path / "out", ["sav"], codebook=BOOK)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "out" / "codes.sav"))
    names = spss_names([t.label for t in BOOK.codes])
    net = spss_names(["Dati e competenze"], prefix="N")[0]
    assert list(frame.columns) == ["id", "risposta", "tema_princ", "net_princ", *names, net, "dimensione"]
    assert frame[net].tolist() == [0, 1, 1, 0, 0, 1] and meta.column_names_to_labels[net] == "net: Dati e competenze"
    assert meta.variable_value_labels["net_princ"][4] == "Dati e competenze"
    assert meta.column_names_to_labels[names[0]] == "Reputazione & <immagine>"
    assert meta.variable_value_labels["tema_princ"][1] == "Reputazione & <immagine>"
    assert meta.variable_value_labels["tema_princ"][0] == "non classificato"
    assert meta.variable_value_labels[names[1]] == {0: "no", 1: "sì"}
    assert frame[names[1]].tolist() == [0, 1, 0, 0, 0, 1]
    assert len(frame["risposta"][4].encode("utf-8")) <= 32767  # cut to SPSS's limit ...
    assert "32,767" in caplog.text  # ... and said
    sps = (tmp_path / "out" / "codes.sps").read_text(encoding="utf-8")
    assert "MRSETS /MDGROUP" in sps and all(n in sps for n in names)
    assert "NAME=$net" in sps and net in sps


def test_spss_file_keeps_every_respondent_attribute_with_its_label_type_and_measure(coded, tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    coded = coded.assign(
        **{
            "Respondent ID": ["a", "b", "c", "d", "e", "f"],  # not a valid SPSS name
            "età": [34, 51, None, 28, 40, 62],  # numbers with a missing value
            "ondata": ["1", "1", "2", "2", "", "2"],  # numbers read as text from a CSV
            "settore": ["ICT", 7, "Telco", None, "ICT", "Retail"],  # mixed: text
        }
    )
    export(coded, tmp_path / "out", ["sav"], codebook=BOOK)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "out" / "codes.sav"))
    attributes = frame.columns[frame.columns.get_loc("dimensione") :].tolist()
    assert [meta.column_names_to_labels[a] for a in attributes] == [
        "dimensione",
        "Respondent ID",
        "età",
        "ondata",
        "settore",
    ]
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", a) for a in attributes)
    by_label = dict(zip([meta.column_names_to_labels[a] for a in attributes], attributes))
    assert frame[by_label["dimensione"]].tolist() == coded["dimensione"].tolist()
    assert frame[by_label["età"]].tolist()[:2] == [34.0, 51.0] and pd.isna(frame[by_label["età"]][2])
    assert frame[by_label["ondata"]].tolist()[:4] == [1.0, 1.0, 2.0, 2.0] and pd.isna(frame[by_label["ondata"]][4])
    assert frame[by_label["settore"]].tolist() == ["ICT", "7", "Telco", "", "ICT", "Retail"]
    measure = meta.variable_measure
    assert [measure[by_label[c]] for c in ("dimensione", "età", "ondata", "settore")] == [
        "nominal",
        "scale",
        "scale",
        "nominal",
    ]
    assert meta.readstat_variable_types[by_label["età"]] == "double"
    assert meta.readstat_variable_types[by_label["settore"]] == "string"


def test_spss_names_are_valid_and_unique():
    names = spss_names(["Qualità / servizio", "Qualità / servizio", "123 numeri", "€€€", "x" * 100])
    assert len(set(n.upper() for n in names)) == 5
    for name in names:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", name) and not name.endswith("_")


def _check_codes(codes_element, ns, guids):
    for code in codes_element.iter(f"{{{ns}}}Code"):
        for attribute in ("guid", "name", "isCodable"):
            assert code.get(attribute), attribute
        assert GUID.match(code.get("guid")) and code.get("isCodable") in ("true", "false")
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", code.get("color"))
        guids.append(code.get("guid"))


def test_refi_qda_codebook_and_project_follow_the_standard(coded, tmp_path):
    export(coded, tmp_path / "out", ["qdc", "qdpx"], codebook=BOOK)
    root = ET.parse(tmp_path / "out" / "codebook.qdc").getroot()
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    guids: list[str] = []
    _check_codes(root.find(f"{{{CODEBOOK_NS}}}Codes"), CODEBOOK_NS, guids)
    assert len(guids) == 4 == len(set(guids))
    # The child theme sits inside its parent.
    parent = [c for c in root.iter(f"{{{CODEBOOK_NS}}}Code") if c.get("name") == "Dati e competenze"][0]
    assert [c.get("name") for c in parent.findall(f"{{{CODEBOOK_NS}}}Code")] == ["Sicurezza dei dati", "Formazione"]
    assert parent.get("isCodable") == "false"  # a net is counted through its themes

    with zipfile.ZipFile(tmp_path / "out" / "project.qdpx") as archive:
        project = ET.fromstring(archive.read("project.qde"))
        names = set(archive.namelist())
        ns = PROJECT_NS
        assert project.tag == f"{{{ns}}}Project" and project.get("name")
        order = [child.tag.split("}")[1] for child in project]
        assert order == ["Users", "CodeBook", "Sources"]  # the schema's sequence
        code_guids: list[str] = []
        _check_codes(project.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes"), ns, code_guids)
        all_guids = [e.get("guid") for e in project.iter() if e.get("guid")]
        assert len(all_guids) == len(set(all_guids)) and all(GUID.match(g) for g in all_guids)
        users = {u.get("guid") for u in project.iter(f"{{{ns}}}User")}
        sources = project.findall(f"{{{ns}}}Sources/{{{ns}}}TextSource")
        assert [s.get("name") for s in sources] == coded["id"].tolist()
        for source, text in zip(sources, coded["text"]):
            path = source.get("plainTextPath")
            assert path.startswith("internal://") and f"sources/{path[len('internal://') :]}" in names
            body = archive.read(f"sources/{path[len('internal://') :]}").decode("utf-8")
            assert body == text  # the original answer, control characters and all
            assert source.get("creatingUser") in users
            for selection in source.findall(f"{{{ns}}}PlainTextSelection"):
                assert 0 <= int(selection.get("startPosition")) <= int(selection.get("endPosition")) <= len(body)
                for ref in selection.iter(f"{{{ns}}}CodeRef"):
                    assert ref.get("targetGUID") in code_guids
        coded_sources = [s for s in sources if s.find(f"{{{ns}}}PlainTextSelection") is not None]
        assert len(coded_sources) == 4
        last = coded_sources[-1].find(f"{{{ns}}}PlainTextSelection")
        assert len(last.findall(f"{{{ns}}}Coding")) == 2


def test_guids_are_stable_across_exports(coded, tmp_path):
    export(coded, tmp_path / "a", ["qdc"], codebook=BOOK)
    export(coded.iloc[:2], tmp_path / "b", ["qdc"], codebook=BOOK.rename(1, "Reputazione"))
    guid = lambda p: {c.get("name"): c.get("guid") for c in ET.parse(p).getroot().iter(f"{{{CODEBOOK_NS}}}Code")}  # noqa: E731
    a, b = guid(tmp_path / "a" / "codebook.qdc"), guid(tmp_path / "b" / "codebook.qdc")
    assert a["Reputazione & <immagine>"] == b["Reputazione"]  # renamed, same theme, same guid
    assert a["Formazione"] == b["Formazione"]


def test_reviewed_workbook_reads_back_as_manual_codes_and_overrides(coded, tmp_path):
    from openpyxl import load_workbook

    export(coded, tmp_path / "out", ["xlsx"], codebook=BOOK)
    path = tmp_path / "out" / "codes.xlsx"
    book = load_workbook(path)
    sheet = book["risposte"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("revisione") + 1, value="2")  # R1: reviewer says theme 2
    sheet.cell(row=3, column=header.index("T1 Reputazione & <immagine>") + 1, value=1)  # R2: adds theme 1
    book.save(tmp_path / "reviewed.xlsx")
    reviewed = read_reviewed(tmp_path / "reviewed.xlsx", BOOK).set_index("id")
    assert reviewed.loc["R1", "codes"] == "2" and reviewed.loc["R1", "reviewed"]
    assert reviewed.loc["R2", "codes"] == "1;2" and not reviewed.loc["R2", "reviewed"]
    manual = reviewed[reviewed["code"] != ""].reset_index()[["id", "code"]]
    report = compare_with_manual(coded, manual, code_column="code", n_boot=0, n_perm=0)
    assert report.counts["n_shared"] == 4
    overridden = apply_overrides(
        coded.assign(code_labels="", theme_label="", reason=""),
        reviewed[reviewed["reviewed"]].reset_index()[["id", "codes"]],
        BOOK,
    )
    assert overridden.set_index("id").loc["R1", "codes"] == "2" and overridden.attrs["n_overrides"] == 1
    sheet.title = "answers"  # a workbook exported before 0.4 reads back the same
    book.save(tmp_path / "old.xlsx")
    pd.testing.assert_frame_equal(read_reviewed(tmp_path / "old.xlsx", BOOK).set_index("id"), reviewed)
    sheet.cell(row=4, column=header.index("revisione") + 1, value="99")
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(InputError, match=r"'99' \(row 4\)"):
        read_reviewed(tmp_path / "bad.xlsx", BOOK)


def test_existing_folder_and_input_folder_are_refused(coded, tmp_path):
    export(coded, tmp_path / "out", ["csv"], codebook=BOOK)
    with pytest.raises(InputError, match="not an empty folder"):
        export(coded, tmp_path / "out", ["csv"], codebook=BOOK)
    assert len(export(coded, tmp_path / "out", ["csv"], codebook=BOOK, overwrite=True)) == 3
    with pytest.raises(InputError, match="unknown export format"):
        export(coded, tmp_path / "x", ["docx"], codebook=BOOK)


def test_cli_export_from_code_and_themes_folders(survey, tmp_path, capsys):
    answers = tmp_path / "survey.csv"
    survey.to_csv(answers, index=False)
    assert main(themes_args(answers, tmp_path / "r", "--quiet")) == 0
    assert main(["export", str(tmp_path / "r"), "--format", "csv,qdc", "--out", str(tmp_path / "e1")]) == 0
    wide = pd.read_csv(tmp_path / "e1" / "codes_wide.csv", dtype={"id": str})
    assert wide["id"].tolist() == survey["id"].tolist()
    from rtc_nlp.coding.codebook import Codebook as _Codebook
    from rtc_nlp.io.reading import file_sha256

    _Codebook.from_records(
        [{"label": "sicurezza", "keywords": ["dati"]}, {"label": "formazione", "keywords": ["corsi"]}]
    ).save(tmp_path / "cb.json")
    assert main(code_args(answers, tmp_path / "cb.json", tmp_path / "c")) == 0
    assert main(["export", str(tmp_path / "c"), "--format", "json", "--out", str(tmp_path / "e2")]) == 0
    run = json.loads((tmp_path / "e2" / "codes.json").read_text(encoding="utf-8"))["run"]
    assert run["input_sha256"] == file_sha256(answers) and run["embedder"].startswith("lexical")
    assert run["parameters"]["max_codes"] == 2 and "rtc_nlp" in run["versions"]
    assert main(["export", str(tmp_path / "r"), "--out", str(tmp_path / "r")]) == 2
    assert "is the results folder" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "r"), "--out", str(tmp_path / "e1")]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_the_same_results_export_to_the_same_bytes(coded, tmp_path):
    """Zip entries, XLSX properties and the SPSS header carry dates: they are fixed, so two
    exports of the same results (on different seconds) are identical file by file."""
    import time

    first = export(coded, tmp_path / "a", codebook=BOOK)
    time.sleep(1.1)  # the writers stamp the time to the second
    second = export(coded, tmp_path / "b", codebook=BOOK)
    assert [p.name for p in first] == [p.name for p in second]
    differ = [a.name for a, b in zip(first, second) if a.read_bytes() != b.read_bytes()]
    assert differ == []


def test_a_format_in_the_table_is_offered_by_the_cli_and_written(coded, tmp_path, monkeypatch):
    """A new format is one writer plus one line in FORMATS: the CLI lists and writes it."""
    from rtc_nlp.cli import parser as cli_parser
    from rtc_nlp.results import formats

    def write(data, out):
        (out / "ids.txt").write_text("\n".join(data.frame["id"]), encoding="utf-8")
        return [out / "ids.txt"]

    monkeypatch.setitem(formats.FORMATS, "ids", write)
    parser = cli_parser.build_parser()
    assert "ids" in parser.parse_args(["export", "r", "--out", "o"]).format.split(",")
    written = export(coded, tmp_path / "x", ["ids"], codebook=BOOK)
    assert [p.name for p in written] == ["ids.txt"]
    assert (tmp_path / "x" / "ids.txt").read_text(encoding="utf-8").split("\n") == list(coded["id"].astype(str))


def test_the_code_frame_sheet_counts_both_levels(coded, tmp_path):
    export(coded, tmp_path / "out", ["xlsx"], codebook=BOOK)
    frame = pd.read_excel(tmp_path / "out" / "codes.xlsx", sheet_name="schema dei codici")
    assert frame["livello"].tolist() == ["net", "tema", "tema", "tema"]
    assert frame["id"].tolist() == [4, 2, 3, 1]
    # R2 (2), R3 (3) and R6 (3;2) are in the net once each; 5 answered answers (R4 is a non-answer).
    assert frame["risposte"].tolist() == [3, 2, 2, 1]
    assert frame["quota"].tolist() == [0.6, 0.4, 0.4, 0.2]
    assert frame["codice"].tolist()[1].startswith("    ")  # themes indented under their net
