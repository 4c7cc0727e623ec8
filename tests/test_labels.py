"""Theme names, keywords and typical answers: what an analyst reads first."""

from __future__ import annotations

import numpy as np
import pytest

from rtc_nlp import ThemeModel, read_answers
from rtc_nlp.stopwords import KEYWORD_STOP_WORDS, is_evaluation, is_stop_word
from rtc_nlp.themes.describe import class_keywords, theme_name, typical_indices
from rtc_nlp.themes.names import answer_as_name, content_words, key_phrases, rewords

DEMO = "data/demo/wave1.csv"


def test_keyword_stop_words_come_from_the_package_and_keep_survey_content():
    from stop_words import get_stop_words

    package = {w for w in get_stop_words("italian") if w.isalpha()}
    kept = {"lavoro", "persone", "gente", "nuovo", "grande"}
    assert kept <= package  # the package calls them stop words ...
    assert not kept & KEYWORD_STOP_WORDS  # ... a survey on work and people does not
    assert len(package - KEYWORD_STOP_WORDS) <= 30  # a few more content words, listed in the module
    assert {"quindi", "sarebbe", "stesso", "nostro"} <= KEYWORD_STOP_WORDS
    assert {"sicuramente", "direi", "forse", "secondo", "noi", "the", "probably"} <= KEYWORD_STOP_WORDS
    assert is_stop_word("Perche") and is_stop_word("PIÙ") and not is_stop_word("Privacy")


def test_keywords_carry_no_opener_or_function_word():
    texts = [
        "Sicuramente la sicurezza dei dati",
        "Direi la sicurezza dei dati dei clienti",
        "Secondo me la formazione degli operatori",
        "Per noi la formazione specialistica",
    ]
    keywords = class_keywords(texts, [0, 0, 1, 1], [0, 1])
    words = {w for terms in keywords.values() for term in terms for w in term.split()}
    assert words and not words & KEYWORD_STOP_WORDS
    assert "sicurezza dati" in keywords[0] and "formazione" in keywords[1]


def test_a_theme_is_named_by_the_phrase_its_answers_share_as_they_wrote_it():
    texts = [
        "Sicuramente la sicurezza dei dati dei clienti.",
        "Direi la sicurezza dei dati dei clienti!",
        "Per noi la sicurezza dei dati, soprattutto bancari",
        "Secondo me il rischio per la reputazione del brand",
        "Forse la reputazione del brand",
        "La reputazione del brand e dell'azienda sui social network e sui giornali locali",
    ]
    names = key_phrases(texts, [1, 1, 1, 2, 2, 2], [1, 2])
    assert names[1][0] == "Sicurezza dei dati"  # in all three answers; "dei clienti" only in two
    assert names[2][0] == "Reputazione del brand"  # never one respondent's long sentence
    # Nothing qualifies: every phrase is said by one answer only.
    assert key_phrases(["costi alti", "turni di notte"], [1, 1], [1]) == {1: []}


def test_a_phrase_other_themes_share_does_not_name_a_theme():
    texts = ["formazione dei clienti", "formazione sui dati", "privacy dei clienti", "privacy dei dati"]
    names = key_phrases(texts * 2, [1, 1, 2, 2] * 2, [1, 2], weights=[1, 1, 1, 1, 0, 0, 0, 0])
    assert (names[1][0], names[2][0]) == ("Formazione", "Privacy")  # "dati" and "clienti" are in both themes


def test_an_answer_becomes_a_name_without_its_opener():
    assert answer_as_name("Secondo me il training degli operatori richiede tempo!") == (
        "Training degli operatori richiede tempo"
    )
    assert answer_as_name("Per noi: costi") == "Costi"
    assert answer_as_name("Forse, sì") == ""
    assert answer_as_name("una risposta lunga che parla di molte cose diverse tra loro senza mai fermarsi qui") == ""


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Forse garantire la cmpliance sulla privacy", "Direi garantire la compliance sulla privacy", True),
        ("La sicurezaz dei dati dei clienti!", "Per noi la sicurezza dei dati dei clienti.", True),
        ("scarsa formazione", "scarsa informazione", False),
        ("costi alti", "costi bassi", False),
        ("sicurezza dei dati", "sicurezza dei dati e training", False),
        ("Sì!", "Sì.", False),
    ],
)
def test_rewordings_are_told_from_new_ideas(a, b, same):
    assert rewords(content_words(a), content_words(b)) is same


def test_typical_answers_skip_rewordings_and_answers_closer_to_another_theme():
    rng = np.random.default_rng(0)
    centre = np.array([1.0, 0, 0, 0])
    rival = np.array([0, 1.0, 0, 0])
    rows = {
        "la sicurezza dei dati dei clienti": [0.99, 0.0, 0.1, 0.0],
        "Direi la sicurezza dei dati dei clienti": [0.94, 0.0, 0.31, 0.0],  # a rewording
        "Sicurezaz dei dati dei clienti": [0.93, 0.0, 0.29, 0.0],  # a rewording with a typo
        "accesso ai dati bancari": [0.90, 0.0, 0.0, 0.4],
        "privacy e formazione": [0.72, 0.73, 0.0, 0.0],  # closer to the other theme's centre
        "conservazione delle registrazioni": [0.5, 0.0, -0.3, 0.8],
        "turni di notte": [0.2, 0.0, 0.0, 0.98],
        "orari rigidi": [0.15, 0.0, 0.2, 0.97],
        "PREZZO": [0.1, 0.0, 0.0, 0.99],  # at the edge of the theme
    }
    texts = list(rows)
    vectors = np.array(list(rows.values())) + rng.normal(scale=1e-6, size=(len(rows), 4))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    picked = [texts[i] for i in typical_indices(vectors, centre, texts, 5, rival[None, :])]
    assert picked[0] == "la sicurezza dei dati dei clienti"
    assert set(picked) == {"la sicurezza dei dati dei clienti", "accesso ai dati bancari"}
    # Without a rival, the answer between the two themes is typical; the edge never is.
    alone = [texts[i] for i in typical_indices(vectors, centre, texts, 5)]
    assert "privacy e formazione" in alone
    assert not {"PREZZO", "conservazione delle registrazioni", "Sicurezaz dei dati dei clienti"} & set(alone)


def test_demo_themes_have_names_without_openers_and_distinct_typical_answers():
    answers = read_answers(DEMO, text_column="risposta", id_column="id")
    model = ThemeModel(embedder="lexical", random_state=0, verbose=False).fit(answers)
    for table in (model.themes_, model.nets_):
        for row in table.itertuples():
            words = row.label.split()
            assert not is_stop_word(words[0].strip("'")) and not is_stop_word(words[-1])
            # A phrase as respondents wrote it, or else the top keywords.
            members = model.assignments_.loc[model.assignments_["theme_id"].isin(getattr(row, "theme_ids", [row[1]]))]
            said = " ".join(" ".join(t.split()) for t in members["text"]).lower()
            assert row.label.lower() in said or row.label == ", ".join(row.keywords[:3])
            assert not {w for k in row.keywords for w in k.split()} & KEYWORD_STOP_WORDS
            content = [content_words(t) for t in row.typical_answers]
            assert not any(rewords(a, b) for i, a in enumerate(content) for b in content[i + 1 :])
    assert model.themes_["label"].is_unique
    assert not model.themes_["label"].str.contains(r"\(\d+\)$").any()  # a next phrase, not a number


REVIEWS = [
    "Camera moderna e pulita",
    "Arredamento moderno",
    "Bagno moderno",
    "Hotel moderno, camera moderna",
    "Moderno",
    "Colazione abbondante",
    "Colazione abbondante e varia",
    "Colazione buona",
    "Il peggior parcheggio",
    "Parcheggio caro, il peggior servizio",
]


def test_a_lone_evaluation_never_names_a_theme():
    # "moderno" is in more answers of the first theme than any phrase, but says not about what.
    names = key_phrases(REVIEWS, [0, 0, 0, 0, 0, 1, 1, 1, 2, 2], [0, 1, 2])
    assert names[0][0] == "Camera moderna"
    assert names[1][0] == "Colazione" and names[2][0] == "Parcheggio"
    assert not any(is_evaluation(name) for found in names.values() for name in found)


@pytest.mark.parametrize("word", ["Moderno", "abbondante", "Peggior", "pulitissime", "Great", "Più comode"])
def test_evaluations_are_told_from_what_they_judge(word):
    assert is_evaluation(word) == (word != "Più comode")  # a phrase is not a lone word
    assert not any(is_evaluation(w) for w in ("Colazione", "Personale", "Cliente", "Posizione", "Camere moderne"))


def test_a_theme_whose_typical_answer_is_an_evaluation_is_named_by_its_keywords():
    assert theme_name([], ["Ottimo!"], ["colazione", "personale"]) == "colazione, personale"
    assert theme_name([], ["Ottima colazione!"], ["colazione"]) == "Ottima colazione"


def test_elision_fragments_are_no_keywords():
    texts = ["un po' lento il check-in", "un po' lento il servizio in camera", "po' lento il check-in"]
    keywords = class_keywords(texts, [0, 0, 0], [0], 5)[0]
    assert "po" not in keywords and "lento" in keywords
