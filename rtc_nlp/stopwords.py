"""Words that never name a theme: function words, survey openers and hedges.

Keywords and labels are the first thing an analyst reads, so they skip more than the lexical
embedder does: the Italian list of the maintained ``stop-words`` package (453 words) joined
with rtc_nlp's own function words and scikit-learn's English list, plus the openers and hedges
with which respondents start an answer ("sicuramente", "direi", "secondo me", "per noi"). The
package's list also holds content words that are themes in a survey about work and people
("lavoro", "persone", "gente", "nuovo", "grande"): those are kept.

The lexical embedder keeps the shorter :data:`rtc_nlp.text.STOP_WORDS`, so that its vectors, and
the themes of saved lexical models, do not change.
"""

from __future__ import annotations

import unicodedata

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from stop_words import get_stop_words

from .text import ITALIAN_STOP_WORDS

__all__ = ["EVALUATIONS", "HEDGES", "KEYWORD_STOP_WORDS", "is_evaluation", "is_stop_word"]

#: Openers, hedges and fillers of survey answers, Italian and English: they carry no theme.
HEDGES: frozenset[str] = frozenset(
    """
    sicuramente certamente ovviamente probabilmente forse magari direi diciamo credo crediamo penso
    pensiamo ritengo riteniamo reputo secondo principalmente soprattutto sostanzialmente praticamente
    essenzialmente fondamentalmente particolarmente specialmente assolutamente abbastanza davvero
    veramente comunque inoltre insomma appunto effettivamente eventualmente possibilmente personalmente
    onestamente francamente tipo beh boh ecco altro altri altre altra alcune alcuni alcuna attraverso
    cose cosa qualcosa qualche certo certa certi certe vari varie varia vario potrebbe potrebbero
    possono posso possiamo dovrebbe dovrebbero devono dobbiamo vorrei vorremmo sarebbe sarebbero
    maybe probably definitely certainly surely mainly mostly basically actually really guess think
    po pò
    """.split()
)

# Adjectives that judge or describe, and adverbs that date, without saying what: alone they
# never name a theme ("Moderno", "Abbondante", "Peggior", "Oggi": about what?). Italian
# adjective lemmas, inflected below.
_EVALUATION_LEMMAS = """
    buono cattivo bello brutto ottimo pessimo eccellente perfetto fantastico splendido meraviglioso
    stupendo magnifico incredibile straordinario eccezionale orribile terribile pessimo schifoso
    scadente mediocre discreto decente accettabile sufficiente insufficiente soddisfacente deludente
    migliore peggiore moderno vecchio antico nuovo datato pulito sporco comodo scomodo abbondante
    scarso ricco povero caro costoso economico conveniente gentile cortese scortese disponibile
    simpatico antipatico professionale accogliente spazioso piccolo grande ampio stretto rumoroso
    silenzioso tranquillo veloce lento rapido facile difficile semplice complicato complesso chiaro
    confuso utile inutile interessante noioso importante fondamentale positivo negativo ideale
    favoloso squisito delizioso gustoso buonissimo freddo caldo centrale lontano vicino
"""
# English evaluations, and adverbs of time in both languages (no inflection).
_EVALUATIONS_EN = """
    good great bad nice excellent perfect awesome amazing wonderful terrible horrible awful poor fine
    best worst better worse clean dirty modern old new cheap expensive friendly helpful rude
    comfortable uncomfortable noisy quiet fast slow easy hard difficult simple useful useless happy
    sad lovely beautiful ugly cool fantastic decent average okay ok
"""
_TIME_WORDS = """
    oggi domani ieri dopodomani stasera stanotte stamattina stamani adesso ora sempre mai spesso
    today tomorrow yesterday tonight now always never often
"""


def _inflected(lemma: str) -> set[str]:
    """An Italian adjective's forms: -o/-a/-i/-e, -e/-i, and the short forms ("miglior", "buon")."""
    if lemma.endswith("o"):
        stem = lemma[:-1]
        forms = {stem + ending for ending in "oaie"}
        # -co/-go adjectives take an h in some plurals ("sporchi", "lunghe"); -io keeps one i ("vecchi").
        if stem.endswith(("c", "g")):
            forms |= {stem + "hi", stem + "he"}
        if stem.endswith("i"):
            forms.add(stem)
        return forms
    if lemma.endswith("e"):
        stem = lemma[:-1]
        return {lemma, stem + "i"} | ({stem} if stem.endswith(("r", "l")) else set())
    return {lemma}


#: Single words that judge, describe or date but say nothing of what: never a theme's name alone.
EVALUATIONS: frozenset[str] = frozenset(
    {form for lemma in _EVALUATION_LEMMAS.split() for form in _inflected(lemma)}
    | {"buon", "bel", "gran", "miglior", "peggior"}
    | set(_EVALUATIONS_EN.split())
    | set(_TIME_WORDS.split())
)

# Content words of the package's Italian list: a survey on work and people needs them.
_KEPT = frozenset(
    """
    lavoro persone gente nome comprare grande gran maggiore maggior buono bene meglio peggio nuovo
    nuovi fine doppio triplo promesso consecutivi consecutivo rispetto lungo primo ultimo
    """.split()
)


def _italian_package_words() -> frozenset[str]:
    """The package's Italian words, without the elided forms ("dell'") the tokeniser never meets."""
    return frozenset(w.strip("'\"").lower() for w in get_stop_words("italian") if w.strip("'\"").isalpha())


#: Every word that is never a keyword, nor the first or last word of a label.
KEYWORD_STOP_WORDS: frozenset[str] = (
    ((_italian_package_words() | ITALIAN_STOP_WORDS) - _KEPT) | frozenset(ENGLISH_STOP_WORDS) | HEDGES
)

_FOLDED = frozenset(
    "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c)) for w in KEYWORD_STOP_WORDS
)


def is_stop_word(word: str) -> bool:
    """Whether ``word`` (any case, with or without its accents: "perche", "più") is a stop word."""
    lower = word.lower()
    if lower in KEYWORD_STOP_WORDS:
        return True
    return "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c)) in _FOLDED


def is_evaluation(phrase: str) -> bool:
    """Whether ``phrase`` is one word that judges, describes or dates without saying what: a
    word of :data:`EVALUATIONS` (an adjective such as "moderno" or "peggior", an adverb of time
    such as "oggi"; any case, with or without accents) or an Italian absolute superlative
    ("bellissimo", "comodissime")."""
    words = phrase.split()
    if len(words) != 1:
        return False
    word = "".join(c for c in unicodedata.normalize("NFKD", words[0].lower()) if not unicodedata.combining(c))
    return word in EVALUATIONS or (len(word) > 8 and word[:-1].endswith("issim"))
