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

__all__ = ["HEDGES", "KEYWORD_STOP_WORDS", "is_stop_word"]

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
    """.split()
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
