"""The Italian names of what analysts read: table columns, measures, statuses.

The code and the API name things in English (``theme_id``, ``cohen_kappa``); what an analyst
reads (notebook tables, spreadsheet headers, the report) says them in Italian. One vocabulary
here keeps every output saying the same thing the same way, and lets the spreadsheets a
reviewer fills in be read back under either name.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

__all__ = [
    "COLUMNS",
    "CORRECTIONS",
    "METRICS",
    "REASONS",
    "SCOPES",
    "STATUSES",
    "english_columns",
    "italian_table",
]

#: Column names, English -> Italian.
COLUMNS: dict[str, str] = {
    "id": "id",
    "text": "risposta",
    "theme_id": "id tema",
    "theme_label": "tema",
    "label": "tema",
    "keywords": "parole chiave",
    "size": "risposte",
    "share": "quota",
    "share_of_answered": "quota sulle risposte valide",
    "typical_answers": "risposte tipiche",
    "net_id": "id net",
    "net_label": "net",
    "theme_ids": "temi",
    "similarity": "somiglianza",
    "status": "stato",
    "reason": "motivo",
    "duplicate": "duplicato",
    "source_row": "riga del file",
    "codes": "codici",
    "code_labels": "temi assegnati",
    "confidences": "confidenza",
    "second_theme_id": "secondo tema (id)",
    "second_theme": "secondo tema",
    "margin": "margine",
    "proposed_codes": "codici proposti",
    "proposed_labels": "temi proposti",
    "corrected_codes": "codici corretti",
    "corrected_labels": "temi corretti",
    "main_theme_id": "id tema principale",
    "main_theme": "tema principale",
    "main_net_id": "id net principale",
    "main": "principale",
    "description": "descrizione",
    "examples": "esempi",
    "parent": "net",
    "colour": "colore",
    "wave": "ondata",
    "group": "gruppo",
    "count": "risposte",
    "base": "base",
    "prevalence": "prevalenza",
    "ci_low": "IC 95% da",
    "ci_high": "IC 95% a",
    "change_p": "p della variazione",
    "change_p_adjusted": "p corretto",
    "flag": "variazione",
    "low_base": "base sotto 30",
    "correction": "correzione",
    "scope": "ambito",
    "metric": "misura",
    "value": "valore",
    "chance": "livello casuale",
    "p_value": "p",
    "candidate": "candidato",
    "nearest_theme_id": "id tema più vicino",
    "nearest_theme_label": "tema più vicino",
    "nearest_similarity": "somiglianza al tema più vicino",
    "likely_new": "probabilmente nuovo",
    "ids": "id delle risposte",
    "manual_code": "codice manuale",
    "shared": "risposte in comune",
    "precision": "precisione",
    "recall": "richiamo",
    "f1": "F1",
    "support": "supporto",
    "kappa": "kappa",
    "grouping": "raggruppamento",
    "level": "livello",
    "answers": "risposte",
    "manual codes": "gruppi manuali",
    "groups found": "gruppi trovati",
    "embedder": "modello dei testi",
    "code": "codice",
    "kind": "tipo",
    "change": "modifica",
    "fields": "campi",
    "before": "prima",
    "after": "dopo",
    "theme": "tema",
    "theme_size": "risposte del tema",
    "code_size": "risposte del codice",
    "share_of_theme": "quota del tema",
    "share_of_code": "quota del codice",
    "reviewed": "rivisto",
}

#: Validation measures, by their name in ``summary.csv``.
METRICS: dict[str, str] = {
    "accuracy": "accuratezza",
    "cohen_kappa": "kappa di Cohen",
    "krippendorff_alpha": "alfa di Krippendorff",
    "ari": "indice di Rand corretto (ARI)",
    "ami": "informazione mutua corretta (AMI)",
    "nmi": "informazione mutua normalizzata",
    "homogeneity": "omogeneità",
    "completeness": "completezza",
    "v_measure": "V-measure",
    "purity": "purezza",
    "inverse_purity": "purezza inversa",
    "micro_f1": "F1 (micro)",
    "macro_f1": "F1 (macro)",
}
SCOPES: dict[str, str] = {
    "answered": "risposte con un tema",
    "all": "tutte (non risposte e non classificate incluse)",
}
STATUSES: dict[str, str] = {
    "theme": "tema",
    "unclassified": "non classificato",
    "non_answer": "non risposta",
    "reviewed": "rivisto",
}
#: Why an answer is a non-answer or "non classificato" (the ``reason`` column).
REASONS: dict[str, str] = {
    "empty": "vuota o mancante",
    "punctuation": "solo punteggiatura o simboli",
    "dont_know": "non so",
    "nothing": "niente, nessuno",
    "not_applicable": "non applicabile",
    "not_text": "un numero o una data, non testo",
    "below_min_similarity": "sotto la soglia di somiglianza",
    "no_known_terms": "nessuna parola nota ai temi",
    "override": "corretta da un revisore",
}
#: How the p-values of a comparison were corrected for the number of tests.
CORRECTIONS: dict[str, str] = {
    "fdr": "Benjamini-Hochberg (controllo del tasso di false scoperte)",
    "holm": "Holm (controllo dell'errore sull'intera famiglia di test)",
    "none": "nessuna correzione per il numero di test",
}
_VALUES: dict[str, Mapping[str, str]] = {
    "metric": METRICS,
    "scope": SCOPES,
    "status": STATUSES,
    "reason": REASONS,
    "level": {"themes": "temi", "nets": "net"},
    "kind": {"theme": "per tema", "respondent_group": "per gruppo di rispondenti"},
    "change": {"added": "aggiunto", "removed": "tolto", "changed": "cambiato"},
    "flag": {"up": "▲ in aumento", "down": "▼ in calo", "": ""},
    "correction": CORRECTIONS,
}


def _column_name(column: object) -> str:
    """The Italian name of a column, also for the report's "<measure> p" and "<measure> 95% CI"."""
    name = str(column)
    if name in COLUMNS:
        return COLUMNS[name]
    for suffix, italian in ((" 95% CI", " IC 95%"), (" p", " p")):
        if name.endswith(suffix) and name[: -len(suffix)] in METRICS:
            return METRICS[name[: -len(suffix)]] + italian
    return METRICS.get(name, name)


def italian_table(
    frame: pd.DataFrame, digits: int | None = 3, *, yes_no: bool = True, columns: Collection[str] | None = None
) -> pd.DataFrame:
    """A copy of ``frame`` to show an analyst: columns, measures, statuses and yes/no in
    Italian, numbers rounded to ``digits`` (``None``: as they are). Columns it does not know keep
    their names; with ``columns``, only those are touched (rtc_nlp's own, beside a respondent's
    attributes that might share a name with them, such as a column "group" of the survey).
    """
    shown = frame.copy()
    touched = set(shown.columns if columns is None else columns)
    for column, names in _VALUES.items():
        if column in shown.columns and column in touched:
            shown[column] = shown[column].map(lambda v, names=names: names.get(v, v) if isinstance(v, str) else v)
    if yes_no:  # a spreadsheet keeps its booleans: Excel shows them as VERO and FALSO itself
        for column in [c for c in shown.columns if c in touched and pd.api.types.is_bool_dtype(shown[c])]:
            shown[column] = shown[column].map({True: "sì", False: "no"})
    if digits is not None:
        shown = shown.round(digits)
    return shown.rename(columns=lambda c: _column_name(c) if c in touched else c)


def english_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with the Italian names of ``columns`` read back as their English names (a
    spreadsheet written in Italian, filled in by a reviewer); other columns untouched."""
    back = {COLUMNS[c]: c for c in columns if c in COLUMNS and COLUMNS[c] in frame.columns and c not in frame.columns}
    return frame.rename(columns=back)
