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

# %%
prevalenza = compare_waves(ondate, codebook)
italian_table(prevalenza[["wave", "theme_label", "count", "base", "prevalence", "ci_low", "ci_high", "change_p"]])

# %%
prevalence_plot(prevalenza)

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
