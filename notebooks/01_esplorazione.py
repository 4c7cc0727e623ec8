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
# # 01 · Esplorazione delle risposte aperte
#
# Prima di cercare i temi guardiamo i dati: quante risposte ci sono, quanto sono lunghe, quante
# sono "non risposte" (*non so*, *-*, celle vuote), quante si ripetono identiche e in che lingua
# sono scritte. I dati di esempio sono il **sondaggio dimostrativo sintetico** in `data/demo/`
# (risposte inventate sulle difficoltà di impiegare detenuti nel customer service).

# %%
# Figure interattive in JupyterLab e anche nell'HTML esportato (jupyter nbconvert --to html),
# senza internet: plotly.js viaggia dentro il notebook. Tabelle con tre decimali.
import pandas as pd
import plotly.io as pio

pio.renderers.default = "plotly_mimetype+notebook"
pd.set_option("display.precision", 3)

# %% tags=["parameters"]
FILE_RISPOSTE = "../data/demo/wave1.csv"
COLONNA_TESTO = "risposta"
COLONNA_ID = "id"

# %%
from rtc_nlp import italian_table, read_answers
from rtc_nlp.italian import REASONS
from rtc_nlp.text import guess_language, prepare_texts

risposte = read_answers(FILE_RISPOSTE, text_column=COLONNA_TESTO, id_column=COLONNA_ID)
print(
    f"{len(risposte)} risposte lette da {FILE_RISPOSTE} (codifica {risposte.attrs['encoding']}, "
    f"separatore {risposte.attrs['delimiter']!r})"
)
italian_table(risposte.head())

# %% [markdown]
# ## Non risposte
# Le non risposte vengono messe da parte prima di cercare i temi, ognuna con il suo motivo.

# %%
preparate = prepare_texts(risposte["text"])
motivi = preparate["non_answer"].dropna().map(REASONS).value_counts().rename_axis("motivo")
print(f"{int(preparate['non_answer'].notna().sum())} non risposte su {len(risposte)}")
motivi.to_frame("risposte")

# %% [markdown]
# ## Lunghezza, duplicati, lingua

# %%
valide = preparate[preparate["non_answer"].isna()]
parole = valide["clean_text"].str.split().str.len()
lingue = valide["clean_text"].map(guess_language).replace("", "incerta").value_counts().rename_axis("lingua")
print(f"parole per risposta: mediana {parole.median():.0f}, minimo {parole.min()}, massimo {parole.max()}")
print(f"risposte identiche ripetute: {int(valide['clean_text'].duplicated().sum())}")
lingue.to_frame("risposte")

# %%
import plotly.express as px

figura = px.histogram(parole, nbins=20, title="Parole per risposta", labels={"value": "parole"})
figura.update_layout(showlegend=False, yaxis_title="risposte")

# %% [markdown]
# Se molte risposte sono vuote o "non so", controllate di avere scelto la colonna giusta.
#
# ## Italiano e inglese insieme
# Le risposte mescolano le lingue ("data breach", "training"). Il modello **lessicale**
# confronta le parole e le loro lettere; il modello **multilingue** (Universal Sentence
# Encoder, installato con rtc_nlp, senza internet) confronta il significato. La somiglianza
# (coseno) tra frasi che dicono la stessa cosa in due lingue lo mostra; l'ultima coppia non
# c'entra e fa da confronto.

# %%
import numpy as np
from IPython.display import display

from rtc_nlp import resolve_embedder

coppie = [
    ("violazione dei dati dei clienti", "customer data breach"),
    ("formazione del personale", "staff training"),
    ("reputazione del marchio", "brand reputation"),
    ("formazione del personale", "violazione dei dati dei clienti"),
]
frasi = [frase for coppia in coppie for frase in coppia]
lessicale = resolve_embedder("lexical").fit(list(valide["clean_text"]) + frasi)
multilingue = resolve_embedder("use").fit([])
somiglianze = {}
for nome, modello in (("lessicale", lessicale), ("multilingue", multilingue)):
    vettori = np.asarray(modello.transform(frasi), dtype=float)
    vettori /= np.linalg.norm(vettori, axis=1, keepdims=True)
    somiglianze[nome] = [float(vettori[2 * k] @ vettori[2 * k + 1]) for k in range(len(coppie))]
tabella = pd.DataFrame({"frase": [a for a, _ in coppie], "confrontata con": [b for _, b in coppie], **somiglianze})
display(tabella.round(2))
stessa_cosa = tabella.iloc[:3]
print(
    f"stessa cosa in due lingue: somiglianza media {stessa_cosa['multilingue'].mean():.2f} con il modello "
    f"multilingue, {stessa_cosa['lessicale'].mean():.2f} con quello lessicale; la coppia che non c'entra: "
    f"{tabella['multilingue'].iloc[3]:.2f} e {tabella['lessicale'].iloc[3]:.2f}"
)
