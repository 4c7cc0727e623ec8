"""Theme names an analyst would write: the phrase a theme's answers share.

A keyword list ("giudizio, colleghi clienti, cliente") tells an analyst what to look for; a
name ("Giudizio dei colleghi e dei clienti") is what they would write in the report. The name
is a run of words, as respondents wrote it, that several answers of the theme contain, few
answers of other themes do, and that starts and ends with a content word: never with an
article, a preposition or an opener such as "sicuramente" or "secondo me".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence

import numpy as np

from ..stopwords import is_evaluation, is_stop_word

__all__ = ["MAX_PHRASE_WORDS", "answer_as_name", "content_words", "key_phrases", "rewords"]

#: The longest name, in words.
MAX_PHRASE_WORDS = 6
# A name never runs across punctuation that ends a clause.
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”«»|/\n\r\t]+|\s[-–—]+\s")
_WORD = re.compile(r"[^\W_]+")
# Content words beyond this many add nothing to a name's score: longer is not better.
_LENGTH_CAP = 4


def _is_edge(word: str) -> bool:
    """Whether a name may start or end with ``word``: a word of two letters or more, no digits,
    not a function word nor an opener."""
    return len(word) >= 2 and word.isalpha() and not is_stop_word(word)


def key_phrases(
    texts: Sequence[str],
    labels: Sequence[int],
    classes: Sequence[int],
    weights: Sequence[float] | None = None,
    max_words: int = MAX_PHRASE_WORDS,
    n_best: int = 3,
) -> dict[int, list[str]]:
    """The names each class could take: its best-scoring phrases, best first (none when no
    phrase qualifies).

    A candidate is a run of up to ``max_words`` words inside one clause of an answer, whose
    first and last words are content words. Its score in a class is
    ``coverage x precision x length``: the share of the class's answers that contain it, the
    share of the answers containing it that are in the class, and ``1 + (c - 1) / 2`` for its
    ``c`` content words (at most 4). A name must be found in two distinct answers of its class
    (one when the class has a single distinct answer), so one respondent's long sentence never
    names a theme. The name is written as respondents wrote it most often (case, accents,
    apostrophes), with a capital first letter.

    Parameters
    ----------
    texts : sequence of str
        The distinct answers.
    labels : sequence of int
        The class of each; answers whose label is not in ``classes`` are only counted as
        "elsewhere" (they lower a phrase's precision).
    classes : sequence of int
        The classes to name.
    weights : sequence of float, optional
        How many respondents gave each text (0: not read).
    max_words : int
        The longest name, in words.
    n_best : int
        Names per class: when a bigger theme took the first, the next one names this theme.

    Returns
    -------
    dict
        Class -> names, best first.
    """
    labels = np.asarray(labels)
    weight = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    # One entry per (answer, distinct phrase in it): counts are then array sums.
    index: dict[tuple[str, ...], int] = {}
    entry_key: list[int] = []
    entry_row: list[int] = []
    edge: dict[str, bool] = {}  # each distinct word is looked up once
    for i in np.flatnonzero(weight > 0).tolist():
        ids = {index.setdefault(key, len(index)) for key, _ in _phrases_of(str(texts[i]), max_words, edge)}
        entry_key += ids
        entry_row += [i] * len(ids)
    key_of = np.asarray(entry_key, dtype=np.int64)
    row_of = np.asarray(entry_row, dtype=np.int64)
    phrases = list(index)
    anywhere = np.bincount(key_of, weights=weight[row_of], minlength=len(phrases))
    names: dict[int, list[str]] = {}
    for c in classes:
        c = int(c)
        rows = np.flatnonzero((labels == c) & (weight > 0))
        in_class = labels[row_of] == c
        keys, rows_of_key = key_of[in_class], row_of[in_class]
        found = np.bincount(keys, weights=weight[rows_of_key], minlength=len(phrases))
        said_by = np.bincount(keys, minlength=len(phrases))  # distinct answers
        candidates = np.flatnonzero(said_by >= (2 if len(rows) > 1 else 1))
        size = weight[rows].sum()
        # Ties: the shorter phrase, then alphabetical, so the name never depends on the order.
        ranked = sorted(
            (
                -(found[k] / size) * (found[k] / anywhere[k]) * (1 + (_content(phrases[k]) - 1) / 2),
                len(phrases[k]),
                phrases[k],
            )
            for k in candidates.tolist()
        )
        # A lone adjective or evaluation ("Moderno", "Peggior") does not say what the answers are
        # about: never a name by itself; the theme's typical answer or keywords say more.
        best = [key for *_, key in ranked if not (len(key) == 1 and is_evaluation(key[0]))][:n_best]
        names[c] = _written(best, [str(texts[i]) for i in rows], weight[rows], max_words, edge)
    return names


def _written(
    keys: list[tuple[str, ...]], texts: list[str], weight: np.ndarray, max_words: int, edge: dict[str, bool]
) -> list[str]:
    """Each phrase as its class's answers wrote it most often (ties: alphabetical), capitalised:
    found in a second pass over the class, for its few best phrases only."""
    if not keys:
        return []
    forms: dict[tuple[str, ...], dict[str, float]] = {key: defaultdict(float) for key in keys}
    for text, w in zip(texts, weight.tolist()):
        for key, form in _phrases_of(text, max_words, edge, forms):
            forms[key][form] += w
    names = []
    for key in keys:
        variants = forms[key]
        form = min(variants, key=lambda f: (-variants[f], f))
        names.append(form[:1].upper() + form[1:])
    return names


def answer_as_name(text: str, max_words: int = 8) -> str:
    """An answer made into a name: its first clause without the openers and function words it
    starts or ends with ("Secondo me il training richiede tempo!" -> "Training richiede tempo"),
    or ``""`` when that leaves no word or more than ``max_words``."""
    for clause in _CLAUSE.split(str(text)):
        words = list(_WORD.finditer(clause))
        edges = [i for i, m in enumerate(words) if _is_edge(m.group().lower())]
        if not edges:
            continue
        first, last = edges[0], edges[-1]
        if last - first + 1 > max_words:
            return ""
        form = " ".join(clause[words[first].start() : words[last].end()].split())
        return form[:1].upper() + form[1:]
    return ""


def content_words(text: str) -> frozenset[str]:
    """The words of ``text`` of four letters or more that are not function words or openers,
    lower case: what two answers are compared on to tell a rewording from a new idea."""
    return frozenset(
        w for w in (m.group().lower() for m in _WORD.finditer(str(text))) if len(w) >= 4 and not is_stop_word(w)
    )


def rewords(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two answers' :func:`content_words` say the same thing: every word of each is in
    the other, or differs from one of its words by one typo (a letter added, dropped, changed
    or two swapped, in words of five letters or more). "Forse garantire la cmpliance sulla
    privacy" rewords "Direi garantire la compliance sulla privacy"; "scarsa formazione" and
    "scarsa informazione" (two letters apart) are different answers. Answers without such words
    cannot be told apart, so they are never rewordings."""
    if not a or not b:
        return False
    return all(any(_one_typo(x, y) for y in b) for x in a) and all(any(_one_typo(y, x) for x in a) for y in b)


def _one_typo(x: str, y: str) -> bool:
    """Whether ``x`` and ``y`` are equal, or five letters or more and one edit apart."""
    if x == y:
        return True
    if min(len(x), len(y)) < 5 or abs(len(x) - len(y)) > 1:
        return False
    i = 0
    while i < min(len(x), len(y)) and x[i] == y[i]:
        i += 1
    if len(x) == len(y):
        # one letter changed, or two neighbours swapped
        return x[i + 1 :] == y[i + 1 :] or (x[i : i + 2] == y[i : i + 2][::-1] and x[i + 2 :] == y[i + 2 :])
    shorter, longer = (x, y) if len(x) < len(y) else (y, x)
    return shorter[i:] == longer[i + 1 :]


def _content(key: tuple[str, ...]) -> int:
    """Content words of a phrase, counted up to the cap."""
    return min(sum(not is_stop_word(word) for word in key), _LENGTH_CAP)


def _phrases_of(
    text: str, max_words: int, edge: dict[str, bool], only: Collection[tuple[str, ...]] | None = None
) -> Iterator[tuple[tuple[str, ...], str]]:
    """The candidate phrases of one answer: each as a lower-case word tuple and, when ``only``
    lists the phrases wanted, as written (else ``""``: building the written form of every
    candidate is most of the cost). ``edge`` caches whether a word may open or close a name."""
    for clause in _CLAUSE.split(text):
        words = list(_WORD.finditer(clause))
        lower = [m.group().lower() for m in words]
        opens = []
        for k, word in enumerate(lower):
            flag = edge.get(word)
            if flag is None:
                flag = edge[word] = _is_edge(word)
            if flag:
                opens.append(k)
        for n, a in enumerate(opens):
            for b in opens[n:]:
                if b - a >= max_words:
                    break
                key = tuple(lower[a : b + 1])
                if only is None:
                    yield key, ""
                elif key in only:
                    yield key, " ".join(clause[words[a].start() : words[b].end()].split())
