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

# %% tags=["parameters"]
FILE_RISPOSTE = "../data/demo/wave1.csv"
COLONNA_TESTO = "risposta"
COLONNA_ID = "id"

# %%
from rtc_nlp import read_answers
from rtc_nlp.text import NON_ANSWER_REASONS, guess_language, prepare_texts

risposte = read_answers(FILE_RISPOSTE, text_column=COLONNA_TESTO, id_column=COLONNA_ID)
print(
    f"{len(risposte)} risposte lette da {FILE_RISPOSTE} (codifica {risposte.attrs['encoding']}, "
    f"separatore {risposte.attrs['delimiter']!r})"
)
risposte.head()

# %% [markdown]
# ## Non risposte
# Le non risposte vengono messe da parte prima di cercare i temi, ognuna con il suo motivo.

# %%
preparate = prepare_texts(risposte["text"])
motivi = preparate["non_answer"].dropna().map(NON_ANSWER_REASONS).value_counts()
print(f"{int(preparate['non_answer'].notna().sum())} non risposte su {len(risposte)}")
motivi.to_frame("risposte")

# %% [markdown]
# ## Lunghezza, duplicati, lingua

# %%
valide = preparate[preparate["non_answer"].isna()]
parole = valide["clean_text"].str.split().str.len()
lingue = valide["clean_text"].map(guess_language).replace("", "incerta").value_counts()
print(f"parole per risposta: mediana {parole.median():.0f}, minimo {parole.min()}, massimo {parole.max()}")
print(f"risposte identiche ripetute: {int(valide['clean_text'].duplicated().sum())}")
lingue.to_frame("risposte")

# %%
import plotly.express as px

px.histogram(parole, nbins=20, title="Parole per risposta", labels={"value": "parole"})

# %% [markdown]
# Se molte risposte sono vuote o "non so", controllate di avere scelto la colonna giusta;
# se molte sono in inglese, il modello multilingue (`embedder="auto"` con il modello sul
# disco) le tratta meglio di quello lessicale.
