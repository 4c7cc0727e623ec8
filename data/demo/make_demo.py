"""Build the synthetic two-wave demo survey in this folder (deterministic: seed 2020).

    python data/demo/make_demo.py [OUTPUT_FOLDER]

Writes wave1.csv, wave2.csv (answers with metadata), manual_codes_wave1.csv and
manual_codes_wave2.csv (long form: one row per answer and code) and codebook_report.json (the
report's five cluster names as a hand-written codebook). See README.md for what is synthetic.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2020

# The report's five clusters (slide "Difficoltà e limiti percepiti nell'impiego di detenuti nelle
# attività di customer service"), with descriptions and keywords written for this demo.
CODEBOOK = [
    {"id": 1, "label": "REPUTATION / BARRIERA PSICOLOGICA E SOCIALE",
     "description": "Timore per l'immagine dell'azienda e pregiudizi di clienti, colleghi o management verso persone detenute.",
     "keywords": ["reputazione", "immagine", "pregiudizio", "brand", "clienti", "stigma"]},
    {"id": 2, "label": "SICUREZZA DEI DATI E RISERVATEZZA",
     "description": "Rischi per la protezione dei dati personali dei clienti, la privacy e la riservatezza delle informazioni.",
     "keywords": ["sicurezza", "dati", "privacy", "riservatezza", "GDPR", "informazioni sensibili"]},
    {"id": 3, "label": "FORMAZIONE SPECIALISTICA",
     "description": "Bisogno di formare gli operatori su prodotti, sistemi e competenze specifiche del servizio.",
     "keywords": ["formazione", "competenze", "training", "operatori", "prodotti", "aggiornamento"]},
    {"id": 4, "label": "DIFFICOLTÀ NEI RAPPORTI DIRETTI / RESTRIZIONI TECNICHE",
     "description": "Limiti dell'ambiente carcerario: niente contatto diretto, accesso limitato a internet, strumenti e orari vincolati.",
     "keywords": ["restrizioni", "internet", "strumenti", "contatto diretto", "orari", "accesso"]},
    {"id": 5, "label": "DIMENSIONAMENTO E SCALABILITÀ",
     "description": "Difficoltà a dimensionare il servizio sui volumi, gestire i picchi e far crescere il team.",
     "keywords": ["volumi", "picchi", "scalabilità", "dimensionamento", "numero di operatori", "crescita"]},
]
NEW_THEME = "BUROCRAZIA E AUTORIZZAZIONI"  # appears in wave 2 only

PHRASES = {
    1: ["il timore per la reputazione del nostro brand", "i pregiudizi dei clienti verso chi è detenuto",
        "l'immagine aziendale potrebbe risentirne", "la barriera psicologica del management",
        "lo stigma sociale verso i detenuti", "i clienti potrebbero non fidarsi di un operatore detenuto",
        "la brand reputation agli occhi del mercato", "resistenze culturali interne e pregiudizi",
        "paura di critiche sui social e danno d'immagine", "il giudizio dei colleghi e dei clienti"],
    2: ["la sicurezza dei dati dei clienti", "il rispetto della privacy e del GDPR",
        "la riservatezza delle informazioni sensibili", "il rischio di data breach",
        "il trattamento dei dati personali da parte dei detenuti", "la protezione delle informazioni riservate",
        "garantire la compliance sulla privacy", "accesso ai dati bancari dei clienti",
        "chi controlla l'uso dei dati personali", "timori sulla riservatezza delle conversazioni"],
    3: ["serve una formazione specialistica sui nostri prodotti", "il training degli operatori richiede tempo",
        "mancano competenze tecniche specifiche", "formare il personale sui sistemi CRM",
        "l'aggiornamento continuo delle competenze", "corsi di formazione dedicati agli operatori",
        "competenze linguistiche e di problem solving da costruire", "un percorso di onboarding lungo",
        "la preparazione sui prodotti assicurativi è complessa", "formazione su procedure e script"],
    4: ["le restrizioni tecniche all'accesso a internet", "niente contatto diretto con il cliente in sede",
        "gli strumenti informatici sono limitati in carcere", "gli orari vincolati dall'istituto",
        "difficoltà nei rapporti diretti con i referenti", "non si possono usare telefoni cellulari",
        "limiti sulle connessioni e sulle VPN", "impossibile fare sopralluoghi frequenti",
        "le regole dell'istituto limitano le attività", "accesso ai sistemi aziendali complicato"],
    5: ["gestire i picchi di volume", "il dimensionamento del team sui volumi di chiamate",
        "la scalabilità del servizio nei periodi di punta", "il numero di operatori disponibili è limitato",
        "difficile crescere rapidamente con nuove risorse", "garantire la copertura h24 e nei weekend",
        "la turnazione in caso di picchi stagionali", "volumi variabili difficili da coprire",
        "ampliare il servizio se il progetto cresce", "la capacità produttiva non è flessibile"],
    6: ["i tempi lunghi per le autorizzazioni del carcere", "la burocrazia con l'amministrazione penitenziaria",
        "troppe pratiche per ottenere i permessi", "le convenzioni con il ministero sono complicate",
        "autorizzazioni per ogni nuovo operatore", "iter burocratico lento e poco chiaro",
        "i permessi di accesso per i nostri tecnici", "documentazione richiesta dall'istituto infinita"],
}
OPENERS = ["", "", "Secondo me ", "Direi ", "Principalmente ", "Sicuramente ", "Per noi ", "Forse "]
JOINERS = [" e ", "; inoltre ", ", ma anche ", ". Poi "]
NON_ANSWERS = ["non so", "Nessuna", "-", "n/a", "non saprei", "...", ""]
SIZES = ["piccola"] * 8 + ["media"] * 13 + ["grande"] * 12  # the report's sample: 8, 13, 12 companies
SECTORS = ["Energy-Utilities", "No profit", "Servizi professionali", "Software e ICT", "Telco",
           "Sanità", "Trasporti", "Assicurazioni, banche, servizi finanziari", "Industria", "Altro"]


def typo(text: str, rng: random.Random) -> str:
    """One realistic slip: a dropped accent, two swapped letters, or a missing letter."""
    kind = rng.choice(["accent", "swap", "drop"])
    if kind == "accent" and any(c in text for c in "àèéìòù"):
        return text.translate(str.maketrans("àèéìòù", "aeeiou"))
    i = rng.randrange(1, max(2, len(text) - 2))
    if kind == "swap" and text[i].isalpha() and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + text[i + 1:] if text[i].isalpha() else text


def answer(themes: list[int], rng: random.Random) -> str:
    parts = [rng.choice(PHRASES[t]) for t in themes]
    text = rng.choice(OPENERS) + rng.choice(JOINERS).join(parts)
    text = text[0].upper() + text[1:]
    if rng.random() < 0.15:
        text = typo(text, rng)
    return text + rng.choice(["", "", ".", "!"])


def wave(name: str, n: int, weights: dict[int, float], rng: random.Random, start: int) -> tuple[list, list]:
    rows, codes = [], []
    theme_ids, probs = list(weights), list(weights.values())
    for k in range(n):
        respondent = f"{name.upper()}-{start + k:03d}"
        meta = {"id": respondent, "dimensione": rng.choice(SIZES), "settore": rng.choice(SECTORS), "ondata": name}
        if rng.random() < 0.07:
            rows.append({**meta, "risposta": rng.choice(NON_ANSWERS)})
            continue
        first = rng.choices(theme_ids, probs)[0]
        themes = [first]
        if rng.random() < 0.15:  # some answers touch two themes
            themes.append(rng.choice([t for t in theme_ids if t != first]))
        rows.append({**meta, "risposta": answer(themes, rng)})
        labels = {t["id"]: t["label"] for t in CODEBOOK} | {6: NEW_THEME}
        codes += [{"id": respondent, "codice": labels[t]} for t in themes]
    return rows, codes


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def main(out: Path = HERE) -> None:
    rng = random.Random(SEED)
    w1, c1 = wave("w1", 150, {1: 0.25, 2: 0.25, 3: 0.2, 4: 0.15, 5: 0.15}, rng, 1)
    w2, c2 = wave("w2", 150, {1: 0.2, 2: 0.2, 3: 0.15, 4: 0.12, 5: 0.13, 6: 0.2}, rng, 1)
    columns = ["id", "risposta", "dimensione", "settore", "ondata"]
    write_csv(out / "wave1.csv", w1, columns)
    write_csv(out / "wave2.csv", w2, columns)
    write_csv(out / "manual_codes_wave1.csv", c1, ["id", "codice"])
    write_csv(out / "manual_codes_wave2.csv", c2, ["id", "codice"])
    book = {"format": "rtc_nlp.codebook", "format_version": 1, "name": "Ready to Change: difficoltà percepite",
            "revision": 1, "source": {"from": "report cluster names (seed 002, lines 567-575); descriptions "
                                      "and keywords written for the demo"},
            "themes": [{**t, "examples": [], "parent": None, "colour": ""} for t in CODEBOOK]}
    (out / "codebook_report.json").write_text(json.dumps(book, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
