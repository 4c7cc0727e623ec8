"""Redaction: recall per kind on a generated Italian corpus, wrong redactions on answers without
personal data, and the time it adds to the lexical path from a file to themes.

The corpus is rebuilt from a seed (nothing large is committed): for each kind, Italian
sentences ("mi chiamo {nome}", "abito in {indirizzo}", "P.IVA {numero}") filled with values in
several formats. Valid identifiers are built with their published check rules, here and not
with the library under test; a share of them is written with a wrong check digit after a
label, as a respondent's typo. Names come from Faker's Italian lists (which rtc_nlp reads) and,
in the sentences that introduce a person, from Hungarian and Turkish lists it does not read.

Answers without personal data: the bundled demo survey and report groupings, and the
evaluation sets of ``../shared/evaldata`` that hold no people (requests to a bank or an
assistant, Wikipedia sentences, programming questions). Every redaction there is wrong.

    python benchmarks/bench_redact.py --per-kind 1000 --speed-rows 100000 --evaldata ../shared/evaldata
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
EVALDATA = REPO.parent / "shared" / "evaldata"
CLEAN_SETS = ("banking77_test", "sib200_ita", "xsid_ita", "stackoverflow")

_CF_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21] * 2 + [2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23],
    )
)


def _cf_control(first15: str) -> str:
    total = sum(
        _CF_ODD[c] if i % 2 == 0 else (int(c) if c.isdigit() else ord(c) - ord("A")) for i, c in enumerate(first15)
    )
    return chr(ord("A") + total % 26)


def _luhn_digit(body: str) -> str:
    total = 0
    for i, d in enumerate(reversed(body)):
        d = int(d)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _piva_digit(body: str) -> str:
    total = sum(
        int(d) if i % 2 == 0 else (2 * int(d) - 9 if 2 * int(d) > 9 else 2 * int(d)) for i, d in enumerate(body)
    )
    return str((10 - total % 10) % 10)


def _iban(rng: random.Random, country: str, length: int) -> str:
    bban = "".join(rng.choice("0123456789") for _ in range(length - 4))
    if country == "IT":
        bban = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + bban[1:]
    elif country == "GB":
        bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + bban[4:]
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def _spaced(value: str, rng: random.Random, group: int = 4) -> str:
    if rng.random() < 0.5:
        return value
    return " ".join(value[i : i + group] for i in range(0, len(value), group))


class Corpus:
    """Generated sentences with one personal datum each, and what it is."""

    def __init__(self, seed: int = 0) -> None:
        from faker import Faker
        from faker.providers.person.hu_HU import Provider as Hungarian
        from faker.providers.person.it_IT import Provider as Italian
        from faker.providers.person.tr_TR import Provider as Turkish

        self.rng = random.Random(seed)
        self.fake = Faker("it_IT")
        self.fake.seed_instance(seed)
        self.first = list(Italian.first_names_male) + list(Italian.first_names_female)
        self.last = list(Italian.last_names)
        self.other_first = [n for n in list(Hungarian.first_names_male) + list(Turkish.first_names_male) if n.isalpha()]

    # ------------------------------------------------------------------ values
    def email(self) -> str:
        r = self.rng
        user = f"{r.choice(self.first).lower()}{r.choice(['.', '_', ''])}{r.choice(self.last).lower()}"
        domain = r.choice(["gmail.com", "libero.it", "azienda.it", "pec.it"])
        return f"{user}{r.choice(['', str(r.randint(1, 99))])}@{domain}"

    def url(self) -> str:
        r = self.rng
        host = f"{r.choice(self.last).lower()}{r.choice(['.it', '.com', '.eu'])}"
        return r.choice(
            [f"https://www.{host}", f"http://{host}/contatti", f"www.{host}", f"https://{host}/chi-siamo?id=12"]
        )

    def iban(self) -> tuple[str, bool]:
        r = self.rng
        # Spain's and Belgium's account numbers carry national check digits this generator does not
        # compute; Germany's and Britain's do not.
        country, length = r.choice([("IT", 27), ("IT", 27), ("DE", 22), ("FR", 27), ("GB", 22)])
        value = _iban(r, country, length)
        if r.random() < 0.2:  # a typo after the label
            value = value[:-1] + str((int(value[-1]) + 1) % 10)
            return _spaced(value, r), True
        return _spaced(value, r), r.random() < 0.5

    def codice_fiscale(self) -> tuple[str, bool]:
        r = self.rng
        letters = "".join(r.choice("BCDFGLMNPRSTVZ") for _ in range(6))
        day = r.randint(1, 28) + (40 if r.random() < 0.5 else 0)
        birth = f"{r.randint(40, 99):02d}{r.choice('ABCDEHLMPRST')}{day:02d}"
        body = f"{letters}{birth}{r.choice('ABCDEFGHILM')}{r.randint(100, 999)}"
        value = body + _cf_control(body)
        if r.random() < 0.2:
            return value[:-1] + chr(ord("A") + (ord(value[-1]) - ord("A") + 1) % 26), True
        return (value if r.random() < 0.8 else value.lower()), r.random() < 0.5

    def partita_iva(self) -> tuple[str, bool]:
        r = self.rng
        body = "".join(r.choice("0123456789") for _ in range(7)) + f"{r.randint(1, 100):03d}"
        value = body + _piva_digit(body)
        labelled = r.random() < 0.6
        if labelled and r.random() < 0.3:
            value = body + str((int(_piva_digit(body)) + 1) % 10)
        return (("IT" if r.random() < 0.3 else "") + value), labelled

    def card(self) -> tuple[str, bool]:
        r = self.rng
        prefix, length = r.choice([("4", 16), ("51", 16), ("55", 16), ("22", 16), ("34", 15), ("37", 15), ("6011", 16)])
        body = prefix + "".join(r.choice("0123456789") for _ in range(length - len(prefix) - 1))
        value = body + _luhn_digit(body)
        labelled = r.random() < 0.6
        if labelled and r.random() < 0.2:
            value = body + str((int(_luhn_digit(body)) + 1) % 10)
        sep = r.choice(["", " ", "-"])
        return (sep.join(value[i : i + 4] for i in range(0, len(value), 4)) if sep else value), labelled

    def phone(self) -> tuple[str, bool]:
        r = self.rng
        mobile = f"3{r.randint(20, 93)}"
        rest = "".join(r.choice("0123456789") for _ in range(7))
        landline = r.choice(["02", "06", "011", "055", "081", "010", "051", "0521"])
        value = r.choice(
            [
                f"{mobile} {rest}",
                f"{mobile}{rest}",
                f"{mobile}-{rest[:3]}-{rest[3:]}",
                f"+39 {mobile} {rest[:3]} {rest[3:]}",
                f"0039 {mobile} {rest}",
                f"{landline} {rest[:4]} {rest[4:]}",
                f"{landline}/{rest}",
                f"+39 {landline} {rest}",
                f"+44 20 7{rest[:3]} {rest[3:]}",
                f"+33 1 4{rest[:1]} {rest[1:3]} {rest[3:5]} {rest[5:]}",
            ]
        )
        return value, r.random() < 0.5

    def ip(self) -> str:
        r = self.rng
        if r.random() < 0.85:
            return ".".join(str(r.randint(1, 254)) for _ in range(4))
        return ":".join(f"{r.randint(0, 65535):x}" for _ in range(8))

    def plate(self) -> tuple[str, bool]:
        r = self.rng
        letters = "ABCDEFGHJKLMNPRSTVWXYZ"
        value = f"{r.choice(letters)}{r.choice(letters)}{r.randint(0, 999):03d}{r.choice(letters)}{r.choice(letters)}"
        if r.random() < 0.3:
            value = f"{value[:2]} {value[2:5]} {value[5:]}"
        return value, r.random() < 0.5

    # ------------------------------------------------------------------ sentences
    def case(self, kind: str) -> tuple[str, str]:
        """One sentence with one datum of ``kind``, and the datum as written."""
        r, f = self.rng, self.fake
        if kind == "email":
            v = self.email()
            return r.choice(["scrivetemi a {}", "per info {} grazie", "il mio contatto è {}."]).format(v), v
        if kind == "url":
            v = self.url()
            return r.choice(["vedi {} per i dettagli", "il sito {} non funziona", "{}"]).format(v), v
        if kind in ("iban", "codice_fiscale", "partita_iva", "card", "phone", "plate"):
            v, labelled = getattr(self, kind)()
            labels = {
                "iban": ["IBAN {}", "IBAN: {}", "iban {} per il rimborso"],
                "codice_fiscale": ["codice fiscale {}", "C.F. {}", "CF: {}"],
                "partita_iva": ["P.IVA {}", "Fattura a partita IVA {}", "p.iva: {}", "VAT number {}"],
                "card": ["carta {}", "carta di credito n. {}", "Visa {}"],
                "phone": ["tel. {}", "cell: {}", "chiamatemi al {}", "whatsapp {}"],
                "plate": ["targa {}", "auto con targa {}"],
            }[kind]
            bare = ["il mio riferimento è {} grazie", "dati: {}.", "{}", "potete usare {} se serve"]
            return r.choice(labels if labelled else bare).format(v), v
        if kind == "ip":
            v = self.ip()
            return r.choice(["il server {} non risponde", "IP {}", "accesso da {} bloccato"]).format(v), v
        if kind == "birth_date":
            day, month, year = r.randint(1, 28), r.randint(1, 12), r.randint(1940, 2005)
            months = "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
            v = r.choice(
                [
                    f"{day:02d}/{month:02d}/{year}",
                    f"{day}-{month}-{year}",
                    f"{day} {months.split()[month - 1]} {year}",
                    str(year),
                ]
            )
            template = r.choice(
                ["nato il {} a {}", "nata il {} a {}", "data di nascita: {} ({})", "classe {}, vivo a {}"]
            )
            if template.startswith("classe"):
                v = str(year)
            return template.format(v, f.city()), v
        if kind == "address":
            street = f"{r.choice(['via', 'viale', 'piazza', 'corso', 'largo', 'Via', 'Piazza'])} {f.last_name()}"
            if street.lower().startswith("corso"):
                street += f" {f.last_name()}"
            number = f"{r.randint(1, 200)}{r.choice(['', '', 'A', '/B'])}"
            v = r.choice([f"{street} {number}", f"{street}, {number}", f"{street} {number}, {f.postcode()} {f.city()}"])
            return r.choice(["abito in {}", "la sede è in {}", "spedire a {} grazie"]).format(v), v
        if kind == "person":
            inside = r.random() < 0.8
            first = r.choice(self.first if inside else self.other_first)
            v = f"{first} {r.choice(self.last)}"
            templates = [
                "mi chiamo {}",
                "sono {}, responsabile acquisti",
                "Cordiali saluti, {}",
                "ho parlato con la dott.ssa {}",
                "il sig. {} ci ha seguito",
            ]
            if inside:
                templates += ["{} dell'ufficio acquisti ci ha seguito", "ringrazio {} per il supporto"]
            return r.choice(templates).format(v), v
        raise ValueError(kind)


KINDS = [
    "email",
    "url",
    "iban",
    "codice_fiscale",
    "partita_iva",
    "card",
    "phone",
    "ip",
    "plate",
    "birth_date",
    "address",
    "person",
]


def recall_table(per_kind: int, seed: int = 0) -> pd.DataFrame:
    """Per kind: cases, caught (the value gone and the kind's placeholder there), and redactions
    of the wrong kind or more than one per case (wrong redactions inside the corpus)."""
    from rtc_nlp.io.redact import PLACEHOLDERS, redact

    corpus = Corpus(seed)
    rows = []
    for kind in KINDS:
        caught = wrong = 0
        for _ in range(per_kind):
            text, value = corpus.case(kind)
            out, counts = redact(text)
            caught += value not in out and counts[kind] >= 1 and PLACEHOLDERS[kind] in out
            wrong += sum(counts.values()) - min(counts[kind], 1)
        rows.append({"kind": kind, "cases": per_kind, "caught": caught, "recall": caught / per_kind, "wrong": wrong})
    return pd.DataFrame(rows)


# Presidio's pattern recognizers for the kinds it has; names, addresses, dates of birth and
# plates need its spaCy engine (a model from GitHub releases, out of reach here) or have none.
PRESIDIO = {
    "email": ("EmailRecognizer", {}),
    "url": ("UrlRecognizer", {}),
    "iban": ("IbanRecognizer", {}),
    "codice_fiscale": ("ItFiscalCodeRecognizer", {}),
    "partita_iva": ("ItVatCodeRecognizer", {}),
    "card": ("CreditCardRecognizer", {}),
    "phone": ("PhoneRecognizer", {"supported_regions": ("IT", "GB", "FR", "DE", "US")}),
    "ip": ("IpRecognizer", {}),
}


def presidio_recognizers() -> dict[str, object] | None:
    """Presidio's recognizers by kind, used without its analyzer engine; ``None`` when
    ``presidio-analyzer`` is not installed."""
    try:
        from presidio_analyzer import predefined_recognizers
    except ImportError:
        return None
    import logging

    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # it tries the network, then its snapshot
    return {kind: getattr(predefined_recognizers, name)(**kwargs) for kind, (name, kwargs) in PRESIDIO.items()}


def _presidio_spans(recognizers: dict[str, object], text: str) -> list[tuple[int, int, str]]:
    spans = []
    for kind, recognizer in recognizers.items():
        for result in recognizer.analyze(text, entities=recognizer.supported_entities, nlp_artifacts=None):
            spans.append((result.start, result.end, kind))
    return spans


def presidio_recall(per_kind: int, seed: int, recognizers: dict[str, object]) -> pd.DataFrame:
    """Presidio's recall on the same generated sentences (the same seed), for its kinds."""
    corpus = Corpus(seed)
    rows = []
    for kind in KINDS:
        caught = 0
        for _ in range(per_kind):
            text, value = corpus.case(kind)
            if kind not in recognizers:
                continue
            start = text.find(value)
            spans = _presidio_spans(recognizers, text)
            caught += any(k == kind and s <= start and e >= start + len(value) for s, e, k in spans)
        rows.append({"kind": kind, "presidio caught": caught if kind in recognizers else None})
    return pd.DataFrame(rows)


def clean_answers(evaldata: Path = EVALDATA) -> pd.DataFrame:
    """Answers without personal data: the bundled ones and the people-free evaluation sets."""
    frames = [
        pd.read_csv(REPO / "data" / "demo" / f"wave{w}.csv", dtype=str, keep_default_na=False)[["risposta"]]
        .rename(columns={"risposta": "text"})
        .assign(source=f"demo wave {w}")
        for w in (1, 2)
    ]
    groupings = pd.read_csv(REPO / "data" / "report" / "report_groupings.csv", dtype=str, keep_default_na=False)
    frames.append(groupings[["text"]].assign(source="report groupings"))
    for name in CLEAN_SETS:
        path = evaldata / f"{name}.csv"
        if path.exists():
            frames.append(pd.read_csv(path, dtype=str, keep_default_na=False)[["text"]].assign(source=name))
    return pd.concat(frames, ignore_index=True)


def false_alarms(answers: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Redactions per source and kind in answers that hold no personal data, with examples."""
    from rtc_nlp.io.redact import find_personal_data

    rows, examples = [], []
    for source, part in answers.groupby("source", sort=False):
        counts: dict[str, int] = {}
        for text in part["text"]:
            for start, end, kind in find_personal_data(text):
                counts[kind] = counts.get(kind, 0) + 1
                if len(examples) < 40:
                    examples.append((kind, text[max(0, start - 30) : end + 30]))
        rows.append({"source": source, "answers": len(part), **counts})
    return pd.DataFrame(rows).fillna(0), examples


def speed(rows: int, evaldata: Path = EVALDATA) -> dict[str, float]:
    """File to themes with the lexical embedder, with and without --redact, side by side."""
    from make_large import make_large

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.parquet"
        make_large(rows, evaldata).to_parquet(path)
        times: dict[str, list[float]] = {"plain": [], "redact": []}
        for _ in range(2):
            for name, extra in (("plain", []), ("redact", ["--redact"])):
                start = time.perf_counter()
                command = [sys.executable, "-m", "rtc_nlp.cli", "themes", str(path), "--text-column", "text"]
                command += ["--embedder", "lexical", "--no-cache", "--quiet", "--overwrite"]
                subprocess.run([*command, "--out", str(Path(tmp) / name), *extra], check=True, capture_output=True)
                times[name].append(time.perf_counter() - start)
    plain, redacted = min(times["plain"]), min(times["redact"])
    return {"plain s": plain, "redact s": redacted, "overhead": redacted / plain - 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speed-rows", type=int, default=0, help="also time file to themes on this many rows")
    parser.add_argument("--evaldata", default=str(EVALDATA), help="folder of the evaluation sets")
    args = parser.parse_args()
    table = recall_table(args.per_kind, args.seed)
    evaldata = Path(args.evaldata)
    if not evaldata.is_dir():
        raise SystemExit(f"{evaldata}: no evaluation sets there (--evaldata)")
    answers = clean_answers(evaldata)
    alarms, examples = false_alarms(answers)
    wrong_clean = int(alarms.drop(columns=["source", "answers"]).to_numpy().sum()) if len(alarms.columns) > 2 else 0
    caught, wrong = int(table["caught"].sum()), int(table["wrong"].sum())
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nanswers without personal data: {len(answers)}, redactions there (all wrong): {wrong_clean}")
    print(alarms.to_string(index=False))
    total = caught + wrong + wrong_clean
    print(f"precision: {caught} right / {total} redactions = {caught / max(total, 1):.4f}")
    for kind, where in examples[:20]:
        print(f"  {kind}: ...{where}...")
    recognizers = presidio_recognizers()
    if recognizers is None:
        print("\nPresidio: not installed (pip install presidio-analyzer): not compared")
    else:
        side = table[["kind", "cases", "caught"]].merge(
            presidio_recall(args.per_kind, args.seed, recognizers), on="kind"
        )
        print("\nPresidio's pattern recognizers on the same sentences:")
        print(side.to_string(index=False))
        wrong_presidio = answers.groupby("source", sort=False)["text"].apply(
            lambda texts: sum(len(_presidio_spans(recognizers, t)) for t in texts)
        )
        print("Presidio's redactions in the answers without personal data:")
        print(wrong_presidio.to_string())
    if args.speed_rows:
        print(speed(args.speed_rows, evaldata))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
