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
# # 02 · Scoprire i temi
#
# `ThemeModel` trasforma ogni risposta in un vettore, raggruppa le risposte simili e descrive
# ogni gruppo con parole chiave e risposte tipiche. Il numero di temi viene trovato da solo;
# con lo stesso `random_state` i temi sono sempre gli stessi.

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
EMBEDDER = "lexical"  # "auto" usa il modello multilingue se è già sul disco
CARTELLA_RISULTATI = "risultati"

# %%
from pathlib import Path

from rtc_nlp import ThemeModel, read_answers
from rtc_nlp.report import (
    nets_figure,
    sizes_figure,
    theme_bubbles_figure,
    theme_map,
    theme_map_figure,
    theme_positions,
)

risposte = read_answers(FILE_RISPOSTE, text_column=COLONNA_TESTO, id_column=COLONNA_ID)
modello = ThemeModel(embedder=EMBEDDER, random_state=0).fit(risposte)
print(
    f"{modello.summary_['n_themes']} temi; {modello.summary_['n_coded']} risposte con un tema, "
    f"{modello.summary_['n_non_answers']} non risposte, {modello.summary_['n_unclassified']} non classificate"
)

# %% [markdown]
# ## I temi: nome, parole chiave, risposte tipiche
# Il nome è la frase che le risposte del tema hanno in comune, come l'hanno scritta i
# rispondenti; le risposte tipiche sono vicine al centro del tema e diverse tra loro.

# %%
temi = modello.themes_
for tema in temi.head(8).itertuples():
    print(f"[{tema.theme_id}] {tema.label} — {tema.size} risposte ({tema.share:.0%})".replace(".", ","))
    print("    parole chiave:", ", ".join(tema.keywords[:6]))
    for esempio in tema.typical_answers[:2]:
        print("    ·", esempio)

# %%
sizes_figure(temi)

# %% [markdown]
# ## Due livelli: net e temi
# Come in uno schema di codifica, i temi sono raggruppati in *net* (temi ampi). Una risposta
# conta una volta sola nella sua net. Con `ThemeModel(n_nets=6)` si chiedono 6 net, con
# `n_nets=0` un solo livello.

# %%
net = modello.nets_
for riga in net.itertuples():
    print(f"NET {riga.net_id}: {riga.label} — {riga.size} risposte ({riga.share:.0%})")
    for tema in temi[temi["net_id"] == riga.net_id].itertuples():
        print(f"    [{tema.theme_id}] {tema.label} — {tema.size}")

# %% [markdown]
# Le alternative: quante net darebbero una separazione simile, e quanto sono riproducibili i
# livelli di temi provati (accordo tra semi diversi).

# %%
import pandas as pd
from IPython.display import display

alternative_net = pd.DataFrame(modello.summary_["nets"].get("alternatives", []))
livelli = pd.DataFrame(modello.summary_["clustering"].get("levels", []))
display(alternative_net.rename(columns={"n_nets": "net", "silhouette": "separazione"}))
nomi = {"resolution": "risoluzione", "n_communities": "gruppi", "stability": "accordo tra semi"}
display(livelli.rename(columns=nomi))

# %%
nets_figure(temi.assign(net=temi["net_id"]), net)

# %% [markdown]
# ## La mappa dei temi
# Ogni bolla è un tema, grande quanto le sue risposte: temi vicini raccolgono risposte simili.

# %%
usabili = modello.assignments_[modello.assignments_["theme_id"] > 0]
posizioni = theme_positions(
    usabili["text"].tolist(), usabili["theme_id"].to_numpy(), temi["theme_id"].tolist(), modello.embedder_
)
theme_bubbles_figure(temi, posizioni)

# %% [markdown]
# E le singole risposte: ogni punto è una risposta, i colori sono i temi.

# %%
coordinate = theme_map(usabili["text"].tolist(), modello.embedder_)
theme_map_figure(coordinate, usabili["theme_label"], usabili["text"])

# %% [markdown]
# ## Salvare
# Il modello si salva come file semplici (JSON, .npy, Parquet) e si ricarica senza pickle.

# %%
cartella = Path(CARTELLA_RISULTATI) / "temi"
modello.save(cartella / "model")
modello.assignments_.to_csv(cartella / "answers_with_themes.csv", index=False)
print("salvato in", cartella)

# %% [markdown]
# ## Rivedere il code frame nell'editor
# L'editor mostra le net e i loro temi con il numero di risposte e la quota. Cliccando un tema si
# leggono parole chiave, risposte tipiche e tutte le sue risposte, una pagina alla volta. Si può
# rinominare (scrivere il nome e premere Invio), unire i temi spuntati, dividere un tema nei
# sottogruppi che formano le sue risposte, spostarlo in un'altra net, eliminarlo, aggiungerne uno
# nuovo, e annullare ogni modifica. **Salva** scrive `codebook.json` nella cartella dei risultati:
# è il file che `rtc-nlp code --codebook` usa per codificare le ondate successive, e i temi
# mantengono i loro id. Nell'HTML esportato, al posto dell'editor, c'è la sua tabella.

# %%
from rtc_nlp.widgets import CodeFrameEditor

editor = CodeFrameEditor.from_folder(cartella)
editor

# %% [markdown]
# Dopo le modifiche, `editor.codebook` è il codebook modificato (qui ancora quello di partenza).

# %%
from rtc_nlp import italian_table

italian_table(editor.codebook.to_frame()[["id", "label", "parent", "keywords"]].head(8))
