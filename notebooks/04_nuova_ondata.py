# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Codebook e nuova ondata
#
# Un **codebook** è l'elenco dei temi che l'analista tiene: etichetta, descrizione, parole
# chiave, esempi. Qui usiamo i cinque cluster del report sulle difficoltà percepite, scritti a
# mano, per codificare due ondate del sondaggio dimostrativo **senza riaddestrare nulla**, e
# cerchiamo i temi nuovi della seconda ondata.

# %%
# Figure interattive in JupyterLab e anche nell'HTML esportato (jupyter nbconvert --to html),
# senza internet: plotly.js viaggia dentro il notebook. Tabelle con tre decimali.
import pandas as pd
import plotly.io as pio

pio.renderers.default = "plotly_mimetype+notebook"
pd.set_option("display.precision", 3)

# %% tags=["parameters"]
CODEBOOK = "../data/demo/codebook_report.json"
ONDATA_1 = "../data/demo/wave1.csv"
ONDATA_2 = "../data/demo/wave2.csv"
COLONNA_TESTO = "risposta"
CARTELLA_RISULTATI = "risultati"

# %%
from pathlib import Path

from IPython.display import display

from rtc_nlp import Codebook, CodebookCoder, compare_waves, italian_table, read_answers
from rtc_nlp.italian import STATUSES
from rtc_nlp.report import prevalence_plot

codebook = Codebook.load(CODEBOOK)
italian_table(codebook.to_frame()[["id", "label", "description"]])

# %% [markdown]
# ## Codificare le due ondate
# Ogni risposta riceve i temi abbastanza simili (al massimo due), con una confidenza; se nessun
# tema è abbastanza vicino resta *non classificato*.

# %%
ondate, coder = {}, {}
for nome, file in (("ondata 1", ONDATA_1), ("ondata 2", ONDATA_2)):
    risposte = read_answers(file, text_column=COLONNA_TESTO, id_column="id")
    coder[nome] = CodebookCoder(codebook, "lexical").fit(risposte)
    ondate[nome] = coder[nome].code(risposte)
    print(nome, ondate[nome]["status"].map(STATUSES).value_counts().to_dict())
italian_table(ondate["ondata 2"][["id", "text", "code_labels", "confidences", "status"]].head(8))

# %% [markdown]
# ## Temi nuovi nella seconda ondata
# Le risposte rimaste non classificate (o incerte) vengono raggruppate: i gruppi lontani da
# tutti i temi del codebook sono candidati a diventare temi nuovi.

# %%
candidati = coder["ondata 2"].new_themes(ondate["ondata 2"])
colonne = ["label", "size", "nearest_theme_label", "nearest_similarity", "likely_new", "typical_answers"]
italian_table(candidati[colonne].head(6))

# %% [markdown]
# ## Confronto tra ondate, con intervalli al 95%
# Ogni tema della seconda ondata è confrontato con la prima (test z su due proporzioni). Con
# molti temi i confronti sono molti, e su 100 confronti senza alcuna differenza vera circa 5
# darebbero p < 0,05 per puro caso: per questo i p sono **corretti per il numero di confronti**
# (Benjamini-Hochberg, che tiene sotto il 5% la quota attesa di segnalazioni false) e una
# variazione è segnalata (▲ ▼) solo se il p corretto è sotto 0,05. Le basi sotto 30 risposte
# sono mostrate ma mai segnalate.

# %%
prevalenza = compare_waves(ondate, codebook)
colonne = ["wave", "theme_label", "count", "base", "prevalence", "ci_low", "ci_high"]
italian_table(prevalenza[colonne + ["change_p", "change_p_adjusted", "flag"]])

# %%
prevalence_plot(prevalenza)

# %% [markdown]
# ## Una prova A/A: due metà della stessa ondata
# Dividiamo a caso le risposte dell'ondata 1 in due metà. Vengono dalla stessa popolazione, quindi
# ogni differenza tra le due è solo caso: un confronto onesto non dovrebbe segnalare nulla.
# Ripetiamo la divisione 20 volte e contiamo le divisioni con almeno un falso allarme, senza
# correzione e con la correzione di Benjamini-Hochberg: con la correzione la probabilità di un
# falso allarme resta intorno al 5% per confronto intero, non per singolo tema.

# %%
import numpy as np

prima = ondate["ondata 1"]
allarmi = {"none": 0, "fdr": 0}
for seme in range(20):
    meta = np.random.default_rng(seme).permutation(len(prima)) < len(prima) // 2
    for correzione in allarmi:
        prova = compare_waves({"metà A": prima[meta], "metà B": prima[~meta]}, codebook, correction=correzione)
        allarmi[correzione] += bool((prova["flag"] != "").any())
print(
    f"divisioni con almeno una variazione segnalata, su 20: senza correzione {allarmi['none']}, "
    f"con la correzione {allarmi['fdr']}"
)

# %% [markdown]
# Una di queste divisioni, in dettaglio: i p grezzi possono scendere sotto 0,05 per caso, ma
# corretti per il numero di confronti restano alti e nessuna variazione è segnalata.

# %%
meta = np.random.default_rng(1).permutation(len(prima)) < len(prima) // 2
prova = compare_waves({"metà A": prima[meta], "metà B": prima[~meta]}, codebook)
italian_table(prova[prova["wave"] == "metà B"][colonne[1:] + ["change_p", "change_p_adjusted", "flag"]])

# %% [markdown]
# ## La codifica che impara dall'analista: due giri
# Ogni correzione dell'analista insegna al codificatore, e la coda di revisione chiede per prime
# le risposte su cui il codificatore è più incerto (mai due quasi uguali nello stesso giro):
# sono quelle che insegnano di più. Qui le risposte dell'analista vengono dalla codifica manuale
# del sondaggio dimostrativo (`manual_codes_wave1.csv`), come se l'analista le scrivesse nel
# foglio `review.xlsx`; dalla riga di comando lo stesso giro è `rtc-nlp code ... --overrides
# review.xlsx`.

# %%
from rtc_nlp.coding.audit import audit_estimate, audit_sample, read_audit
from rtc_nlp.coding.learner import active_queue

manuale = pd.read_csv("../data/demo/manual_codes_wave1.csv", dtype=str, keep_default_na=False)
id_di = {tema.label: tema.id for tema in codebook.themes}
giusto = {i: id_di.get(c, 0) for i, c in zip(manuale["id"], manuale["codice"])}
risposte_1 = read_answers(ONDATA_1, text_column=COLONNA_TESTO, id_column="id")


def accordo(codificate, escluse):
    """Quota di risposte (mai riviste) con lo stesso tema principale della codifica manuale."""
    righe = codificate[~codificate["id"].isin(escluse) & (codificate["status"] != "non_answer")]
    return float(np.mean([giusto.get(i, 0) == t for i, t in zip(righe["id"], righe["theme_id"])]))


corrette = pd.DataFrame(columns=["text", "codes"])
riviste, giri = set(), []
codificatore = CodebookCoder(codebook, "lexical").fit(risposte_1)
for giro in (1, 2):
    codificate = codificatore.code(risposte_1)
    aperte = np.flatnonzero(codificate["status"].isin(["theme", "unclassified"]).to_numpy())
    aperte = np.array([r for r in aperte if codificate["id"].iat[r] not in riviste])
    chieste = codificate["id"].to_numpy()[active_queue(codificatore.scores_, codificatore.vectors_, aperte, 15)]
    nuove = pd.DataFrame(
        {"text": risposte_1.set_index("id").loc[chieste, "text"], "codes": [str(giusto.get(i, 0)) for i in chieste]}
    )
    corrette = pd.concat([corrette, nuove.replace({"codes": {"0": ""}})], ignore_index=True)
    riviste |= set(chieste)
    codificatore = CodebookCoder(codebook, "lexical", manual=corrette).fit(risposte_1)
    giri.append(
        {
            "giro": giro,
            "risposte corrette finora": len(corrette),
            "accordo prima del giro": accordo(codificate, riviste),
            "accordo dopo": accordo(codificatore.code(risposte_1), riviste),
        }
    )
italian_table(pd.DataFrame(giri))

# %% [markdown]
# L'accordo è misurato sulle risposte che nessuno ha rivisto: è quello che le correzioni hanno
# insegnato, non le righe corrette a mano.
#
# ## La revisione nel notebook, con la tastiera
# Lo stesso giro si può fare qui, senza Excel. Il widget mostra una risposta della coda alla
# volta, con i temi proposti e la loro confidenza: **Invio** accetta la proposta, i tasti
# **1-9** scelgono altri codici (poi Invio), **/** cerca un tema per nome, **0** vuol dire
# nessun tema, **S** salta, **←** torna indietro (prima un clic sul widget). Ogni decisione va
# subito in `correzioni.csv`, con le stesse colonne di `review.xlsx`: dalla riga di comando
# `rtc-nlp code ... --overrides correzioni.csv` la legge, e qui
# `CodebookCoder(codebook, manual=revisione.corrections())` impara dalle decisioni. Riaperto
# sullo stesso file, il widget riprende da dove ci si era fermati.

# %%
from rtc_nlp.widgets import ReviewWidget

codificate = codificatore.code(risposte_1)
da_rivedere = codificate["status"].isin(["theme", "unclassified"]) & ~codificate["id"].isin(riviste)
coda = active_queue(codificatore.scores_, codificatore.vectors_, np.flatnonzero(da_rivedere.to_numpy()), 15)
revisione = ReviewWidget.from_coded(
    codificate, codebook, rows=coda, path=Path(CARTELLA_RISULTATI) / "revisione" / "correzioni.csv"
)
revisione

# %% [markdown]
#
# ## Quanto è accurata la codifica? Una verifica a caso
# La coda di revisione sceglie le risposte difficili, quindi non dice quanto spesso il
# codificatore ha ragione. Per dirlo serve un campione **estratto a caso**, che l'analista
# verifica (`rtc-nlp code ... --audit 30` scrive `audit.xlsx`; `--audited` lo rilegge):
# accuratezza e kappa di Cohen con l'intervallo al 95%.

# %%
codificate = codificatore.code(risposte_1)
verifica = audit_sample(codificate, 30, seed=1)
primo = verifica["proposed_codes"].str.split(";").str[0].replace("", "0").astype(int)
verifica["corrected_codes"] = [
    "ok" if giusto.get(i, 0) == p else str(giusto.get(i, 0)) for i, p in zip(verifica["id"], primo)
]
stima = audit_estimate(read_audit(verifica, codebook))
print(
    f"verificate {stima['checked']} risposte estratte a caso: accuratezza {stima['accuracy']:.0%} "
    f"(IC 95% {stima['accuracy_ci'][0]:.0%}-{stima['accuracy_ci'][1]:.0%}), "
    f"kappa {stima['kappa']:.2f} (IC 95% {stima['kappa_ci'][0]:.2f}-{stima['kappa_ci'][1]:.2f})"
)

# %% [markdown]
# ## Aggiornare il codebook
# Il nuovo tema entra nel codebook con un id nuovo; gli altri temi mantengono il loro id.

# %%
nuovo = codebook.add(
    "BUROCRAZIA E AUTORIZZAZIONI",
    description="Permessi, autorizzazioni e pratiche con l'amministrazione penitenziaria",
    keywords=["burocrazia", "autorizzazioni", "permessi"],
)
display(italian_table(codebook.diff(nuovo)))
cartella = Path(CARTELLA_RISULTATI) / "ondate"
cartella.mkdir(parents=True, exist_ok=True)
nuovo.save(cartella / "codebook_v2.json")
ondate["ondata 2"].to_csv(cartella / "ondata2_codificata.csv", index=False)
