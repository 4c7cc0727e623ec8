"""Interviews: speaker turns, the interviewer left out, paragraphs and sentences, offsets."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from rtc_nlp import read_interviews, split_snippets
from rtc_nlp.cli.commands import main
from rtc_nlp.io.interviews import speaker_turns

TRANSCRIPTS = {
    "int01.txt": (
        "Intervista a un responsabile HR, 12 marzo.\n\n"
        "Intervistatore: Perché avete scelto un contact center in carcere?\n"
        "Intervistato: Per la reputazione. Il dott. Rossi, il nostro direttore, ci teneva molto.\n\n"
        "Temevamo però per la sicurezza dei dati dei clienti.\n"
        "Intervistatore: E la formazione?\n"
        "Intervistato: Sì. La formazione specialistica è durata tre mesi.\n"
    ),
    "int02.txt": (
        "D: Quali difficoltà avete incontrato?\n"
        "R: I permessi e la burocrazia, ecc. ecc. Tempi lunghi per ogni autorizzazione.\n"
        "D: E oggi?\n"
        "R: Oggi il servizio è stabile.\n"
    ),
    "int03.txt": (
        "[00:00:05] Moderatrice: Vi presentate?\n"
        "[00:00:09] Anna Bianchi: Lavoro nel customer care da dieci anni.\n"
        "[00:01:12] Moderatrice: Cosa ne pensa?\n"
        "[00:01:15] Anna Bianchi: Nota: il dimensionamento del servizio è la parte più difficile.\n"
    ),
}


@pytest.fixture
def folder(tmp_path):
    for name, text in TRANSCRIPTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_snippets_are_the_interviewees_turns_with_their_speaker_and_offsets(folder):
    snippets = read_interviews(folder, by="turn")
    assert set(snippets["speaker"]) == {"", "Intervistato", "R", "Anna Bianchi"}
    assert not snippets["text"].str.contains(r"^(?:Intervistat|D:|R:|Moderatrice)").any()  # tags are not text
    assert not snippets["text"].str.contains("Perché avete scelto|Quali difficoltà|Vi presentate").any()
    first = snippets[snippets["source_id"] == "int01.txt"]
    assert first["text"].tolist() == [
        "Intervista a un responsabile HR, 12 marzo.",  # the header before the first tag
        "Per la reputazione. Il dott. Rossi, il nostro direttore, ci teneva molto. Temevamo però per la "
        "sicurezza dei dati dei clienti.",
        "Sì. La formazione specialistica è durata tre mesi.",
    ]
    assert first["turn"].tolist() == [1, 3, 5] and first["position"].tolist() == [1, 2, 3]
    assert first["id"].tolist() == ["int01.txt#1", "int01.txt#2", "int01.txt#3"]
    for row in snippets.itertuples():
        source = TRANSCRIPTS[row.source_id]
        assert " ".join(source[row.start_char : row.end_char].split()) == row.text
    # A tag inside a turn ("Nota:") that opens no other line is text, not a speaker.
    assert snippets["text"].iloc[-1].startswith("Nota: il dimensionamento")
    assert snippets.attrs["interviewer_turns_left_out"] == 6


def test_the_interviewer_is_kept_when_asked_and_named_by_the_analyst(folder):
    kept = read_interviews(folder, by="turn", keep_interviewer=True)
    assert "Perché avete scelto un contact center in carcere?" in kept["text"].tolist()
    assert kept.attrs["interviewer_turns_left_out"] == 0
    # The analyst's own tags replace the defaults: here Anna Bianchi asks the questions.
    asked = read_interviews(folder / "int03.txt", by="turn", interviewer_tags=["anna bianchi"])
    assert asked["speaker"].tolist() == ["Moderatrice", "Moderatrice"]


def test_sentences_know_italian_abbreviations_and_short_ones_join_the_next(folder):
    snippets = read_interviews(folder / "int01.txt", by="sentence")
    assert snippets["text"].tolist() == [
        "Intervista a un responsabile HR, 12 marzo.",
        # "dott." ends no sentence; "Per la reputazione." is too short alone and joins the next.
        "Per la reputazione. Il dott. Rossi, il nostro direttore, ci teneva molto.",
        "Temevamo però per la sicurezza dei dati dei clienti.",
        "Sì. La formazione specialistica è durata tre mesi.",
    ]
    assert snippets["turn"].tolist() == [1, 3, 3, 5]  # two sentences of one turn share its number
    assert snippets["position"].tolist() == [1, 2, 3, 4]


def test_paragraphs_are_cut_inside_a_turn():
    frame = pd.DataFrame(
        {"id": ["x"], "text": ["R: Primo paragrafo.\nStessa riga.\n\nSecondo paragrafo.\nD: Altro?\n"]}
    )
    snippets = split_snippets(frame, by="paragraph")
    assert snippets["text"].tolist() == ["Primo paragrafo. Stessa riga.", "Secondo paragrafo."]
    assert snippets["turn"].tolist() == [1, 1] and snippets["speaker"].tolist() == ["R", "R"]


def test_a_text_without_speakers_is_one_turn_and_a_single_label_is_text():
    text = "Nota: le risposte sono anonime.\n\nSecondo paragrafo, senza etichette."
    assert [(t.speaker, t.start) for t in speaker_turns(text)] == [("", 0)]
    cp1252 = "Un'intervista in cp1252: qualità."
    assert [t.speaker for t in speaker_turns(cp1252)] == [""]


def test_interviews_read_in_any_known_encoding(tmp_path):
    (tmp_path / "int02.txt").write_bytes("Un'intervista in cp1252: qualità.".encode("cp1252"))
    assert read_interviews(tmp_path)["text"].tolist() == ["Un'intervista in cp1252: qualità."]


def test_themes_of_three_transcripts_come_from_the_interviewees_only(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["themes", str(folder), "--split", "sentence", "--embedder", "lexical", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "6 interviewer turns left out (--keep-interviewer keeps them)" in said.splitlines()[0]
    written = pd.read_csv(out / "answers_with_themes.csv", keep_default_na=False)
    assert {"turn", "speaker", "start_char", "end_char", "source_id"} <= set(written.columns)
    assert set(written["speaker"]) == {"", "Intervistato", "R", "Anna Bianchi"}
    assert not written["text"].str.contains("Perché avete scelto|Quali difficoltà|Vi presentate").any()
    for row in written.itertuples():
        assert " ".join(TRANSCRIPTS[row.source_id][row.start_char : row.end_char].split()) == row.text


def test_refi_qda_codes_each_snippet_where_it_stands_in_its_transcript(folder, tmp_path):
    import zipfile
    from xml.etree import ElementTree as ET

    from rtc_nlp.results.exporter import export
    from rtc_nlp.results.formats.refi_qda import PROJECT_NS

    out = tmp_path / "out"
    assert (
        main(["themes", str(folder), "--split", "sentence", "--embedder", "lexical", "--out", str(out), "--quiet"]) == 0
    )
    export(out, tmp_path / "x", ["qdpx"])
    ns = {"q": PROJECT_NS}
    with zipfile.ZipFile(tmp_path / "x" / "project.qdpx") as archive:
        project = ET.fromstring(archive.read("project.qde"))
        sources = project.findall(".//q:TextSource", ns)
        assert sorted(s.get("name") for s in sources) == sorted(TRANSCRIPTS)  # one source per transcript
        written = pd.read_csv(out / "answers_with_themes.csv", keep_default_na=False)
        selections = 0
        for source in sources:
            text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
            assert text == TRANSCRIPTS[source.get("name")]  # the whole transcript, interviewer included
            mine = written[written["source_id"] == source.get("name")]
            for selection in source.findall("q:PlainTextSelection", ns):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert " ".join(text[start:end].split()) in set(mine["text"])
                selections += 1
        assert selections == int((written["theme_id"] > 0).sum())
    # Redacted at export: the transcript (with what redaction would remove) is not exported.
    export(out, tmp_path / "y", ["qdpx"], redact=True)
    with zipfile.ZipFile(tmp_path / "y" / "project.qdpx") as archive:
        names = [s.get("name") for s in ET.fromstring(archive.read("project.qde")).findall(".//q:TextSource", ns)]
        assert len(names) == len(written) and not set(names) & set(TRANSCRIPTS)
        assert not any(
            "Perché avete scelto" in archive.read(n).decode("utf-8")
            for n in archive.namelist()
            if n.startswith("sources/")
        )


def test_two_transcripts_with_one_file_name_are_two_sources(tmp_path):
    import zipfile
    from xml.etree import ElementTree as ET

    from rtc_nlp.coding.codebook import Codebook
    from rtc_nlp.results.formats.refi_qda import PROJECT_NS, _qdpx

    book = Codebook.from_records([{"id": 1, "label": "Formazione", "keywords": ["corsi"]}], name="prova")
    frame = pd.DataFrame(
        {
            "id": ["a#1", "b#1"],
            "text": ["corsi di formazione", "corsi di formazione"],
            "theme_id": [1, 1],
            "codes": ["1", "1"],
            "source": ["a/int.txt", "b/int.txt"],
            "start_char": [3, 3],
            "end_char": [22, 22],
        }
    )
    transcripts = {"a/int.txt": "R: corsi di formazione", "b/int.txt": "R: corsi di formazione"}
    with zipfile.ZipFile(io.BytesIO(_qdpx(frame, book, "prova", transcripts))) as archive:
        sources = ET.fromstring(archive.read("project.qde")).findall(f".//{{{PROJECT_NS}}}TextSource")
    assert sorted(s.get("name") for s in sources) == ["a/int.txt", "b/int.txt"]
    assert len({s.get("guid") for s in sources}) == 2


def test_a_turn_without_words_still_counts_in_the_turn_numbers():
    frame = pd.DataFrame({"id": ["x"], "text": ["R: prima risposta.\nD:\nR: seconda risposta.\n"]})
    snippets = split_snippets(frame, by="turn", keep_interviewer=True)
    assert snippets["text"].tolist() == ["prima risposta.", "seconda risposta."]
    assert snippets["turn"].tolist() == [1, 3]  # the empty question is turn 2


def test_redacted_interviews_name_no_speaker_and_no_person_in_the_text(folder, tmp_path):
    """With --redact a speaker tag that is a name becomes "Persona 1", roles stay, and a name in
    a turn ("il dott. Rossi") is redacted: nothing under the results folder names them."""
    from rtc_nlp.cli.commands import main

    out = tmp_path / "out"
    assert (
        main(
            [
                "themes",
                str(folder),
                "--split",
                "turn",
                "--embedder",
                "lexical",
                "--redact",
                "--quiet",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    answers = pd.read_csv(out / "answers_with_themes.csv", dtype=str, keep_default_na=False)
    assert set(answers["speaker"]) == {"", "Intervistato", "R", "Persona 1"}  # "": the lines before any tag
    assert any("dott. [NOME]" in t for t in answers["text"])
    for path in [p for p in out.rglob("*") if p.is_file()]:
        data = path.read_bytes() if path.suffix != ".parquet" else pd.read_parquet(path).to_csv().encode()
        assert b"Bianchi" not in data and b"Rossi" not in data, path
