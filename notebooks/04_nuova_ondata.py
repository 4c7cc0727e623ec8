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
