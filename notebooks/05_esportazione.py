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
# # 05 · Esportare i codici
#
# Le risposte codificate vanno in Excel, in SPSS e negli strumenti di analisi qualitativa
# (NVivo, MAXQDA, ATLAS.ti, QualCoder, tramite lo standard REFI-QDA). Ogni file è legato
# all'id del rispondente e porta con sé il codebook.

# %%
# Figure interattive in JupyterLab e anche nell'HTML esportato (jupyter nbconvert --to html),
# senza internet: plotly.js viaggia dentro il notebook. Tabelle con tre decimali.
import pandas as pd
import plotly.io as pio

pio.renderers.default = "plotly_mimetype+notebook"
pd.set_option("display.precision", 3)

# %% tags=["parameters"]
CODEBOOK = "../data/demo/codebook_report.json"
FILE_RISPOSTE = "../data/demo/wave2.csv"
COLONNA_TESTO = "risposta"
CARTELLA_RISULTATI = "risultati"

# %%
from pathlib import Path

from rtc_nlp import Codebook, code_answers, italian_table, read_answers
from rtc_nlp.results import export, read_reviewed

codebook = Codebook.load(CODEBOOK)
codificate = code_answers(
    read_answers(FILE_RISPOSTE, text_column=COLONNA_TESTO, id_column="id"), codebook, embedder="lexical"
)
cartella = Path(CARTELLA_RISULTATI) / "esportazione"
file = export(
    codificate,
    cartella,
    ["xlsx", "csv", "sav", "qdc", "qdpx", "json"],
    codebook=codebook,
    overwrite=True,
    name="Ready to Change - demo",
)
for f in file:
    print(f"{f.name:20s} {f.stat().st_size / 1024:8.1f} KB")

# %% [markdown]
# * `codes.xlsx`: il foglio `risposte` (una riga per risposta, una colonna 0/1 per tema, la
#   colonna `revisione` con un menu dei codici validi), il `formato lungo`, il `codebook` e lo
#   `schema dei codici` con i conteggi, tutti con intestazioni in italiano;
# * `codes.sav` per SPSS (etichette di variabile e di valore) e `codes.sps` per dichiarare il
#   set a risposta multipla;
# * `codebook.qdc` e `project.qdpx` per gli strumenti QDA.
#
# Le celle che iniziano con `=`, `+`, `-`, `@` ricevono un apostrofo: un foglio di calcolo
# non le eseguirà mai come formule.

# %% [markdown]
# ## Dopo la revisione
# Il file Excel corretto da un revisore si rilegge come codifica manuale (per la validazione)
# o come correzioni da applicare alla prossima codifica.

# %%
rilette = read_reviewed(cartella / "codes.xlsx", codebook)
italian_table(rilette.head())
