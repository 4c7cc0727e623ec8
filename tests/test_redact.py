"""Redaction of personal data: realistic and tricky cases, and --redact end to end (nothing
personal reaches the embedding cache, the saved model or any output)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import code_args, themes_args
from hypothesis import given, settings
from hypothesis import strategies as st

from rtc_nlp.cli.commands import main
from rtc_nlp.embedders.cache import text_key
from rtc_nlp.io.redact import PLACEHOLDERS, redact, redact_answers

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
    # The answers the issue found passing through untouched.
    ("sono Mario Rossi, responsabile", "person", "sono [NOME], responsabile"),
    ("mi chiamo Sara Bianchi", "person", "mi chiamo [NOME]"),
    ("ho parlato con la dott.ssa Şahat Campano", "person", "ho parlato con la dott.ssa [NOME]"),
    ("ringrazio Carlo Trapani per il supporto", "person", "ringrazio [NOME] per il supporto"),
    ("Rossi Mario ha chiamato ieri", "person", "[NOME] ha chiamato ieri"),
    ("abito in via Roma 12, 20121 Milano", "address", "abito in [INDIRIZZO]"),
    ("sede in corso Vittorio Emanuele 7", "address", "sede in [INDIRIZZO]"),
    ("nato il 10/12/1985 a Milano", "birth_date", "nato il [DATA_NASCITA] a Milano"),
    ("nata il 3 maggio 1980", "birth_date", "nata il [DATA_NASCITA]"),
    ("carta 4111 1111 1111 1111", "card", "carta [CARTA]"),
    ("pagato con 5500-0000-0000-0004 ieri", "card", "pagato con [CARTA] ieri"),
    ("IP 192.168.1.10", "ip", "IP [IP]"),
    ("da 2001:db8:85a3:0:0:8a2e:370:7334 in poi", "ip", "da [IP] in poi"),
    ("targa AB123CD", "plate", "targa [TARGA]"),
    ("l'auto EF 456 GH era in sosta", "plate", "l'auto [TARGA] era in sosta"),
    # Labelled as such: redacted even when the check digit fails (a typo is still their number).
    ("P.IVA 12345678901", "partita_iva", "P.IVA [PARTITA_IVA]"),
    ("Fattura a partita IVA IT12345678901", "partita_iva", "Fattura a partita IVA [PARTITA_IVA]"),
    ("codice fiscale RSSMRA85T10A562T", "codice_fiscale", "codice fiscale [CODICE_FISCALE]"),
    ("IBAN IT61X0542811101000000123456", "iban", "IBAN [IBAN]"),
    ("carta di credito n. 4111 1111 1111 1112", "card", "carta di credito n. [CARTA]"),
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
    # Theme words and places stay: a city as a place of work, the prison, years, percentages.
    "lavoriamo a Milano e a Roma con 20 operatori",
    "la privacy dei dati nel 2023, il 35% a Bollate",
    "il corso Base 2 e il corso Excel avanzato",
    "Sono molto soddisfatto del servizio",
    "Rosa dei venti e Mar Nero",
    "versione 1.2.3.4 del software",
    "CAP 20121",
    "la via della formazione è lunga",
    "sono nati nel 2020 nuovi servizi",
]


@pytest.mark.parametrize("text, kind, expected", FOUND)
def test_personal_data_are_replaced(text, kind, expected):
    redacted, counts = redact(text)
    assert redacted == expected and counts == {kind: 1}


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_numbers_and_invalid_codes_are_kept(text):
    assert redact(text) == (text, {})


def test_several_kinds_in_one_answer_and_the_input_is_untouched():
    answers = pd.DataFrame(
        {"id": ["1", "2", "3"], "text": ["mail a.b@example.com o tel 333 1234567", "nessun dato personale", None]}
    )
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
    assert main(themes_args(answers, tmp_path / "t", "--redact")) == 0
    assert "redacted 1 email" in capsys.readouterr().out
    from rtc_nlp.coding.codebook import Codebook

    Codebook.from_records([{"label": "sicurezza", "keywords": ["dati"]}]).save(tmp_path / "cb.json")
    assert main(code_args(answers, tmp_path / "cb.json", tmp_path / "c", "--redact")) == 0
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
    assert {k: v for k, v in run["redaction"].items() if v} == {"email": 1, "iban": 1, "codice_fiscale": 1, "phone": 1}
    assert set(run["redaction"]) == set(PLACEHOLDERS)


# ------------------------------------------------------------------ generated cases
# Valid codes are built here with their published check-digit rules (independently of
# rtc_nlp.redact), put inside Italian sentences, and mixed with look-alikes that must stay.
_CF_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            2,
            4,
            18,
            20,
            11,
            3,
            6,
            8,
            12,
            14,
            16,
            10,
            22,
            25,
            24,
            23,
        ],
    )
)


def _cf_control(first15: str) -> str:
    total = 0
    for position, char in enumerate(first15, start=1):
        if position % 2:
            total += _CF_ODD[char]
        else:
            total += int(char) if char.isdigit() else ord(char) - ord("A")
    return chr(ord("A") + total % 26)


def _codice_fiscale(rng: np.random.Generator) -> str:
    letters = "".join(rng.choice(list("BCDFGLMNPRSTVZ"), 6))
    day = int(rng.integers(1, 29)) + (40 if rng.random() < 0.5 else 0)
    body = (
        f"{letters}{int(rng.integers(40, 99)):02d}{rng.choice(list('ABCDEHLMPRST'))}{day:02d}"
        f"{rng.choice(list('ABCDEFGHILM'))}{int(rng.integers(100, 999))}"
    )
    return body + _cf_control(body)


def _piva_check(body: str) -> int:
    digits = [int(d) for d in body]
    total = sum(d if i % 2 == 0 else (2 * d if 2 * d < 10 else 2 * d - 9) for i, d in enumerate(digits))
    return (10 - total % 10) % 10


def _partita_iva(rng: np.random.Generator) -> str:
    # Seven digits of the company, then the code of a provincial tax office (001-100).
    body = "".join(map(str, rng.integers(0, 10, 7))) + f"{int(rng.integers(1, 101)):03d}"
    return body + str(_piva_check(body))


def _iban(rng: np.random.Generator) -> str:
    bban = rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + "".join(map(str, rng.integers(0, 10, 22)))
    numeric = "".join(str(int(c, 36)) for c in bban + "IT00")
    return f"IT{98 - int(numeric) % 97:02d}{bban}"


def _phone(rng: np.random.Generator) -> str:
    mobile = f"3{int(rng.integers(20, 94))}"
    rest = "".join(map(str, rng.integers(0, 10, 7)))
    return str(
        rng.choice(
            [
                f"{mobile} {rest}",
                f"+39 {mobile} {rest[:3]} {rest[3:]}",
                f"{mobile}{rest}",
                f"0039 {mobile}-{rest}",
                f"02 {rest[:4]} {rest[4:]}4",
                f"06-{rest}{rest[0]}",
            ]
        )
    )


GENERATORS = {"codice_fiscale": _codice_fiscale, "partita_iva": _partita_iva, "iban": _iban, "phone": _phone}
PLACEHOLDER = {
    "codice_fiscale": "[CODICE_FISCALE]",
    "partita_iva": "[PARTITA_IVA]",
    "iban": "[IBAN]",
    "phone": "[TELEFONO]",
}
SENTENCES = ["per informazioni: {} grazie", "{}", "il referente ({}) risponde entro sera", "dati: {}."]


def _decoy(rng: np.random.Generator) -> str:
    cf = _codice_fiscale(rng)
    piva = _partita_iva(rng)
    wrong_cf = cf[:-1] + chr(ord("A") + (ord(cf[-1]) - ord("A") + 1) % 26)
    # A wrong partita IVA that starts with 0 reads as a landline and is redacted on purpose.
    body = str(rng.choice(list("12456789"))) + piva[1:-1]
    wrong_piva = body + str((_piva_check(body) + 1) % 10)
    return str(
        rng.choice(
            [
                f"nel {int(rng.integers(1990, 2030))} abbiamo speso "
                f"{int(rng.integers(1, 999))}.{int(rng.integers(100, 999))} euro",
                f"il {int(rng.integers(1, 28)):02d}/{int(rng.integers(1, 12)):02d}/"
                f"{int(rng.integers(2000, 2030))} alle 14:30",
                f"ordine n. {int(rng.integers(10**7, 10**8))} evaso",
                f"il {int(rng.integers(1, 99))}% degli operatori",
                f"codice {wrong_cf} errato",
                f"numero {wrong_piva} non valido",
                f"CAP {int(rng.integers(10000, 99999))}",
                f"parola{cf}attaccata",
                f"versione {int(rng.integers(1, 9))}.{int(rng.integers(0, 9))}.{int(rng.integers(0, 9))}",
                f"{int(rng.integers(100, 999))} operatori su {int(rng.integers(1000, 9999))} chiamate",
            ]
        )
    )


def redaction_table(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """Caught, missed and false alarms on ``n`` generated cases per kind and ``n`` look-alikes."""
    rng = np.random.default_rng(seed)
    rows = []
    for kind, make in GENERATORS.items():
        caught = 0
        for _ in range(n):
            value = make(rng)
            text = str(rng.choice(SENTENCES)).format(value)
            redacted, _ = redact(text)
            caught += value not in redacted and PLACEHOLDER[kind] in redacted
        rows.append({"kind": kind, "cases": n, "caught": caught, "missed": n - caught, "false_alarms": 0})
    alarms = sum(redact(_decoy(rng))[1].total() > 0 for _ in range(n))
    rows.append({"kind": "look-alikes", "cases": n, "caught": 0, "missed": 0, "false_alarms": int(alarms)})
    return pd.DataFrame(rows)


def test_generated_codes_are_all_caught_and_look_alikes_kept():
    table = redaction_table()
    assert table["missed"].sum() == 0, table.to_string()
    assert table["false_alarms"].sum() == 0, table.to_string()


def test_generated_corpus_recall_per_kind_and_no_redaction_of_the_wrong_kind():
    """The benchmark's generated corpus, smaller: every kind at least 0.97 (the target), and no
    redaction of another kind in a sentence that holds one datum."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "bench_redact", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_redact.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    table = bench.recall_table(150, seed=1).set_index("kind")
    assert set(table.index) == set(PLACEHOLDERS)
    assert (table["recall"] >= 0.97).all(), table.to_string()
    assert table["wrong"].sum() <= 2, table.to_string()


def test_hostile_answers_keep_every_row_and_no_value_reaches_any_file(tmp_path, monkeypatch):
    """Control characters, emoji, right-to-left marks, a 100,000-character answer, formulas,
    and every kind in several formats: every row kept, nothing personal in any file written."""
    secrets = {
        "email": "anna.verdi@example.it",
        "phone": "+39 347 765 4321",
        "iban": "IT60X0542811101000000123456",
        "codice_fiscale": "RSSMRA85T10A562S",
        "partita_iva": "IT12345678901",
        "card": "4111 1111 1111 1111",
        "ip": "10.20.30.40",
        "plate": "AB123CD",
        "birth_date": "10/12/1985",
        "address": "via Garibaldi 15",
        "person": "Giulia Neri",
    }
    texts = [
        f'=HYPERLINK("x") scrivete a {secrets["email"]} \u202eoppure\u202c 📞 {secrets["phone"]}',
        f"IBAN {secrets['iban']}\x00 e codice fiscale {secrets['codice_fiscale']}",
        f"+SUM(A1) P.IVA {secrets['partita_iva']}, carta {secrets['card']}",
        f"@server IP {secrets['ip']}, targa {secrets['plate']} \u200b",
        f"-nato il {secrets['birth_date']}, abito in {secrets['address']}",
        f"Cordiali saluti, {secrets['person']} 🙂",
        "formazione " * 10_000,  # 110,000 characters
        "la formazione degli operatori richiede tempo",
        "timori sulla privacy dei dati dei clienti",
        "\u05e9\u05dc\u05d5\u05dd formazione specialistica",
    ] * 3
    answers = tmp_path / "hostile.csv"
    pd.DataFrame({"id": [f"H{i}" for i in range(len(texts))], "text": texts}).to_csv(answers, index=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("RTC_NLP_CACHE", str(cache))
    assert main(themes_args(answers, tmp_path / "t", "--redact", "--quiet")) == 0
    assert main(["report", str(tmp_path / "t"), "--out", str(tmp_path / "t" / "report.html")]) == 0
    out = pd.read_csv(tmp_path / "t" / "answers_with_themes.csv", dtype=str)
    assert out["id"].tolist() == [f"H{i}" for i in range(len(texts))]  # every row, in order
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != answers]
    assert len(written) > 5
    for path in written:
        data = path.read_bytes()
        if path.suffix == ".parquet":  # compressed: read it back
            data = pd.read_parquet(path).to_csv().encode()
        for kind, secret in secrets.items():
            assert secret.encode() not in data, (path, kind)


# Formatting variants seen in the wild: short labels, spaced groups of any length (property tests).


def _in_groups(value: str, cuts: list[int], separator: str) -> str:
    """``value`` cut at ``cuts`` (positions after the first four characters) and joined."""
    points = sorted({4, *(c for c in cuts if 4 < c < len(value))})
    parts = [value[a:b] for a, b in zip([0, *points], [*points, len(value)])]
    return separator.join(parts)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    layout=st.sampled_from(["contiguous", "fours", "statement", "uneven"]),
    cuts=st.lists(st.integers(5, 26), max_size=6),
    separator=st.sampled_from([" ", "\u00a0", "-"]),
    lower=st.booleans(),
    sentence=st.sampled_from(["{}", "IBAN {}", "IBAN: {}, grazie", "accredito su {} entro venerdì", "coordinate {}."]),
)
def test_an_iban_in_any_grouping_is_redacted(seed, layout, cuts, separator, lower, sentence):
    iban = _iban(np.random.default_rng(seed))
    if layout == "fours":
        value = separator.join(iban[i : i + 4] for i in range(0, len(iban), 4))
    elif layout == "statement":  # country, check digits, CIN, ABI, CAB, account: as Italian statements print it
        value = " ".join([iban[:2], iban[2:4], iban[4], iban[5:10], iban[10:15], iban[15:]])
    elif layout == "uneven":
        value = _in_groups(iban, cuts, separator)
    else:
        value = iban
    value = value.lower() if lower else value
    text = sentence.format(value)
    redacted, counts = redact(text)
    assert counts["iban"] == 1 and PLACEHOLDERS["iban"] in redacted, (text, redacted)
    assert not any(group in redacted for group in value.split() if len(group) >= 5), (text, redacted)
    assert redacted.replace(PLACEHOLDERS["iban"], "{}") == sentence  # the words around it kept


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    label=st.sampled_from(["CF", "C.F.", "c.f.", "cf", "cod. fisc.", "cod.fisc.", "cod. fiscale", "codice fiscale"]),
    after=st.sampled_from([" ", ": ", " n. ", " n° ", ":"]),
    spaced=st.booleans(),
    lower=st.booleans(),
)
def test_a_labelled_codice_fiscale_is_redacted_in_its_variants(seed, label, after, spaced, lower):
    cf = _codice_fiscale(np.random.default_rng(seed))
    value = " ".join([cf[:3], cf[3:6], cf[6:11], cf[11:]]) if spaced else cf
    value = value.lower() if lower else value
    text = f"il mio {label}{after}{value} per la fattura"
    redacted, counts = redact(text)
    assert counts["codice_fiscale"] == 1, (text, redacted)
    assert redacted == f"il mio {label}{after}{PLACEHOLDERS['codice_fiscale']} per la fattura"


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    label=st.sampled_from(["P.I.", "P. I.", "p.i.", "P.IVA", "P. IVA", "partita IVA", "Partita I.V.A.", "part. IVA"]),
    after=st.sampled_from([" ", ": ", " n. "]),
    layout=st.sampled_from(["plain", "IT", "IT ", "spaced"]),
)
def test_a_labelled_partita_iva_is_redacted_in_its_variants(seed, label, after, layout):
    piva = _partita_iva(np.random.default_rng(seed))
    value = {"plain": piva, "IT": "IT" + piva, "IT ": "IT " + piva}.get(
        layout, " ".join([piva[:3], piva[3:6], piva[6:9], piva[9:]])
    )
    text = f"fornitore con {label}{after}{value}, sede a Milano"
    redacted, counts = redact(text)
    assert counts["partita_iva"] == 1, (text, redacted)
    assert redacted == f"fornitore con {label}{after}{PLACEHOLDERS['partita_iva']}, sede a Milano"


@pytest.mark.parametrize(
    "text",
    [
        "il CF lo mando domani via email",  # a label, then words: nothing to redact
        "la P.I. del fornitore arriva dopo",
        "IT 12 operatori su 40",  # a country code and a number are no IBAN
        "IT60 X054 2811 1010 0000 0123 457",  # a wrong check digit, unlabelled
    ],
)
def test_labels_and_groups_without_a_valid_value_are_kept(text):
    assert redact(text)[0] == text
