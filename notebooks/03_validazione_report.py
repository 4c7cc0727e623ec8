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
# # 03 · Validazione sui raggruppamenti del report
#
# Gli analisti di *Ready to Change* hanno raggruppato a mano alcune risposte. Qui facciamo
# trovare i temi a rtc_nlp sugli stessi testi e misuriamo quanto coincidono con i gruppi del
# report, a entrambi i livelli: i temi e le net (temi ampi) che li raggruppano. Ogni misura ha
# un **intervallo al 95%** e un **test di permutazione**: con 15 risposte è questo che dice se
# l'accordo è più che casuale.
#
# Si validano solo i tre raggruppamenti **per tema** (innovazioni del customer service,
# innovazioni CSR, attività esternalizzabili). Gli altri due (criteri di scelta dei fornitori,
# innovazioni future) raggruppano le risposte per **chi** le ha date (customer service o CSR),
# non per quello che dicono: nessuna lettura del testo può ricostruirli, e non li contiamo.

# %%
# Figure interattive in JupyterLab e anche nell'HTML esportato (jupyter nbconvert --to html),
# senza internet: plotly.js viaggia dentro il notebook. Tabelle con tre decimali.
import pandas as pd
import plotly.io as pio

pio.renderers.default = "plotly_mimetype+notebook"
pd.set_option("display.precision", 3)

# %% tags=["parameters"]
FILE_REPORT = "../data/report/report_groupings.csv"
RAGGRUPPAMENTO = "attivita_esternalizzabili"
RICAMPIONAMENTI = 300
PERMUTAZIONI = 299

# %%
import pandas as pd

from rtc_nlp import ThemeModel, compare_with_manual, italian_table, validate_report_groupings
from rtc_nlp.report import confusion_figure, verdict

tabella = validate_report_groupings(FILE_REPORT, n_boot=RICAMPIONAMENTI, n_perm=PERMUTAZIONI)
print("modello dei testi:", tabella["embedder"].iloc[0])
print("non validati (gruppi di rispondenti, non temi):", ", ".join(tabella.attrs["not_validated"]))
italian_table(tabella.drop(columns=["embedder"]))

# %% [markdown]
# ## Quali raggruppamenti il modello ricostruisce meglio del caso
#
# Un raggruppamento "batte il caso" quando il test di permutazione sul kappa di Cohen dà
# p < 0,05: mescolando a caso i temi, un accordo almeno pari si ottiene meno di una volta su 20.

# %%
for _, riga in tabella.iterrows():
    esito = "batte il caso" if riga["cohen_kappa p"] < 0.05 else "non si distingue dal caso"
    n = riga["groups found"]
    if riga["level"] == "themes":
        trovati = "1 tema trovato" if n == 1 else f"{n} temi trovati"
    else:
        trovati = "1 net trovata" if n == 1 else f"{n} net trovate"
    print(
        f"{riga['grouping']}: {riga['answers']} risposte, {trovati} contro "
        f"{riga['manual codes']} gruppi del report; kappa {riga['cohen_kappa']:.2f} "
        f"{riga['cohen_kappa 95% CI']}, p = {riga['cohen_kappa p']:.3f}: {esito}"
    )

# %% [markdown]
# ## Un raggruppamento nel dettaglio

# %%
dati = pd.read_csv(FILE_REPORT, dtype=str, keep_default_na=False)
gruppo = dati[dati["grouping"] == RAGGRUPPAMENTO].rename(columns={"item_id": "id"})
modello = ThemeModel(random_state=0, verbose=False).fit(gruppo[["id", "text"]])
print("modello dei testi:", modello.summary_["embedder"])
confronto = compare_with_manual(
    modello.assignments_,
    gruppo[["id", "theme"]].rename(columns={"theme": "code"}),
    code_column="code",
    n_boot=RICAMPIONAMENTI,
    n_perm=PERMUTAZIONI,
)
print(verdict(confronto.summary))
italian_table(confronto.summary[confronto.summary["scope"] == "all"])

# %%
italian_table(confronto.matching)

# %%
confusion_figure(confronto.confusion)

# %% [markdown]
# ## Come leggere questi numeri
#
# * **accuratezza**: quota di risposte il cui tema corrisponde al gruppo del report, dopo aver
#   abbinato ogni tema al gruppo con cui condivide più risposte;
# * **kappa** e **alfa**: lo stesso accordo corretto per il caso, come si fa tra due codificatori;
# * **p**: quante volte, mescolando a caso i temi, si ottiene un accordo almeno pari. Anche il
#   caso produce un po' di accordo, perché l'abbinamento temi-gruppi si adatta ai dati.

# %%
p = confronto.summary.set_index(["scope", "metric"]).loc[("all", "cohen_kappa"), "p_value"]
if p < 0.05:
    print(f"Con p = {p:.3f} l'accordo con i gruppi del report è più che casuale.")
else:
    print(
        f"Con p = {p:.3f} l'accordo non si distingue dal caso: con così poche risposte brevi i temi "
        "trovati senza guida non ricostruiscono questi gruppi del report. Una codifica guidata da un "
        "codebook (notebook 04) parte dai gruppi dell'analista invece di cercarli."
    )
