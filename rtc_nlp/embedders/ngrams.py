"""N-gram counts equal to scikit-learn's ``CountVectorizer.transform``, computed per distinct token.

scikit-learn analyses each text in Python, n-gram by n-gram. Survey answers repeat the same
words again and again, so here each text is preprocessed and tokenised once, each distinct
token is looked up once, and the rest (stop words, word pairs, summing a text's character
n-grams from its words') is array work. The results are exactly scikit-learn's counts
(tested); vectorizers whose settings this module does not cover go to scikit-learn itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

__all__ = ["NgramCounter"]

_UNKNOWN, _STOP = -1, -2
_MAX_WORD_N = 3  # word n-grams up to this order are keyed in one int64
_DEFAULT_TOKEN_PATTERN = CountVectorizer().token_pattern


class NgramCounter:
    """Counts of fitted vectorizers on new texts, exactly as their ``transform`` gives them.

    ``word`` and ``char_wb`` analysers with the same preprocessing share one pass over the
    texts; any other vectorizer goes to scikit-learn. The vocabularies are indexed once, here,
    and reused by every batch.

    Parameters
    ----------
    vectorizers : sequence of CountVectorizer
        Fitted vectorizers, or vectorizers given a vocabulary.
    """

    def __init__(self, vectorizers: Sequence[CountVectorizer]) -> None:
        self.vectorizers = list(vectorizers)
        self._indexes = {
            i: (_WordIndex if v.analyzer == "word" else _CharIndex)(v)
            for i, v in enumerate(self.vectorizers)
            if _supported(v)
        }

    def transform(self, texts: Sequence[str]) -> list[sp.csr_matrix]:
        """One ``(len(texts), len(vocabulary))`` float32 count matrix per vectorizer.

        Parameters
        ----------
        texts : sequence of str
            The documents.

        Returns
        -------
        list of scipy.sparse.csr_matrix
            In the order of the vectorizers; no duplicate entries (the indices within a row
            are not necessarily sorted).
        """
        texts = list(texts)
        results: list[sp.csr_matrix] = []
        by_preprocessing: dict[tuple, _Split] = {}
        for position, vectorizer in enumerate(self.vectorizers):
            if position not in self._indexes:
                results.append(vectorizer.transform(texts).astype(np.float32).tocsr())
                continue
            key = (vectorizer.lowercase, vectorizer.strip_accents)
            if key not in by_preprocessing:
                preprocess = vectorizer.build_preprocessor()
                by_preprocessing[key] = _Split([preprocess(text) for text in texts])
            results.append(self._indexes[position].counts(by_preprocessing[key]))
        return results


class _Split:
    """Preprocessed texts and their white-space separated words, split and factorised once
    for every analyser that uses them."""

    def __init__(self, docs: list[str]) -> None:
        self.docs = docs
        self._words: tuple[np.ndarray, np.ndarray, list[str]] | None = None

    @property
    def words(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(words per text, code of each word occurrence, the distinct words)."""
        if self._words is None:
            # scikit-learn's char_wb collapses runs of white space and splits on it; so does split().
            words = [doc.split() for doc in self.docs]
            lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
            codes, distinct = _factorize(chain.from_iterable(words), int(lengths.sum()))
            self._words = lengths, codes, distinct
        return self._words


class _KeyTable:
    """Distinct int64 keys, looked up by hashing (several times faster than a binary search)."""

    def __init__(self, keys: np.ndarray) -> None:
        self.index = pd.Index(keys)
        self.index.get_indexer(keys[:1])  # builds the hash table now, not in a worker thread

    def find(self, queries: np.ndarray) -> np.ndarray:
        """Position of each query among the keys, or -1."""
        return self.index.get_indexer(queries.ravel()).astype(np.int64)


def _vocabulary(vectorizer: CountVectorizer) -> dict[str, int]:
    """The term -> column mapping, fitted or given (as a mapping or a sequence of terms)."""
    if hasattr(vectorizer, "vocabulary_"):
        return vectorizer.vocabulary_
    if isinstance(vectorizer.vocabulary, Mapping):
        return dict(vectorizer.vocabulary)
    if vectorizer.vocabulary is None:
        raise ValueError("the vectorizer is neither fitted nor given a vocabulary")
    return {term: column for column, term in enumerate(vectorizer.vocabulary)}


def _supported(vectorizer: CountVectorizer) -> bool:
    """Whether this module reproduces ``vectorizer``'s analyser exactly."""
    plain = (
        vectorizer.input == "content"
        and vectorizer.preprocessor is None
        and vectorizer.tokenizer is None
        and not vectorizer.binary
        and vectorizer.strip_accents in (None, "unicode", "ascii")
    )
    if not plain or not isinstance(vectorizer.analyzer, str):
        return False
    low, high = vectorizer.ngram_range
    if vectorizer.analyzer == "word":
        # Keys of n token ids must fit an int64: ids number at most n per vocabulary term,
        # plus the stop words.
        radix = len(_vocabulary(vectorizer)) * high + len(vectorizer.get_stop_words() or ()) + 1
        fits = radix**high < 2**62
        return 1 <= low <= high <= _MAX_WORD_N and isinstance(vectorizer.token_pattern, str) and fits
    return vectorizer.analyzer == "char_wb" and 1 <= low <= high


def _matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """How often each (row, column) pair occurs, as a CSR matrix (repeated pairs are summed)."""
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=shape)


def _factorize(items: Iterable[str], count: int) -> tuple[np.ndarray, list[str]]:
    """Codes of ``items`` (in order of first appearance) and the distinct items, hashed in C."""
    flat = np.fromiter(items, dtype=object, count=count)
    if not count:
        return np.zeros(0, dtype=np.int64), []
    codes, distinct = pd.factorize(flat)
    return codes.astype(np.int64), distinct.tolist()


class _WordIndex:
    """A word vectorizer's vocabulary as token ids, and integer keys per n-gram order."""

    def __init__(self, vectorizer: CountVectorizer) -> None:
        vocabulary = _vocabulary(vectorizer)
        self.n_features = len(vocabulary)
        self.low, self.high = vectorizer.ngram_range
        self.tokenize = re.compile(vectorizer.token_pattern).findall
        self.by_word = vectorizer.token_pattern == _DEFAULT_TOKEN_PATTERN
        # Every token that is part of some vocabulary n-gram gets an id; others cannot match.
        token_id: dict[str, int] = {}
        terms: list[tuple[list[str], int]] = []
        for term, feature in vocabulary.items():
            parts = term.split(" ")
            terms.append((parts, feature))
            for part in parts:
                token_id.setdefault(part, len(token_id))
        for word in vectorizer.get_stop_words() or ():  # dropped before n-grams, as scikit-learn does
            token_id[word] = _STOP
        self.token_id, self.radix = token_id, max(len(token_id), 1)
        # Per order n, the keys of the vocabulary's n-grams and their features. An n-gram
        # with a stop word in it can never be formed (a given vocabulary may hold one).
        self.keys: dict[int, tuple[_KeyTable, np.ndarray]] = {}
        for n in range(self.low, self.high + 1):
            known = [(parts, f) for parts, f in terms if len(parts) == n]
            keys = np.zeros(len(known), dtype=np.int64)
            formable = np.ones(len(known), dtype=bool)
            for j in range(n):
                part = np.fromiter((token_id[parts[j]] for parts, _ in known), dtype=np.int64, count=len(known))
                formable &= part >= 0
                keys = keys * self.radix + np.maximum(part, 0)
            features = np.fromiter((f for _, f in known), dtype=np.int64, count=len(known))[formable]
            if formable.any():
                self.keys[n] = (_KeyTable(keys[formable]), features)

    def _token_ids(self, split: _Split) -> tuple[np.ndarray, np.ndarray]:
        """(token id, text) of every token of the texts, in order."""
        n_docs = len(split.docs)
        if not self.by_word:
            tokens = [self.tokenize(doc) for doc in split.docs]
            lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=n_docs)
            # Each distinct token is looked up once.
            codes, distinct = _factorize(chain.from_iterable(tokens), int(lengths.sum()))
            ids = np.fromiter(map(self.token_id.get, distinct, repeat(_UNKNOWN)), dtype=np.int64, count=len(distinct))[
                codes
            ]
            return ids, np.repeat(np.arange(n_docs), lengths)
        # The default pattern's tokens never span white space, so a text's tokens are its
        # words' tokens in order: each distinct word is tokenised once.
        per_text, codes, distinct = split.words
        tokens = [self.tokenize(word) for word in distinct]
        counts = np.fromiter(map(len, tokens), dtype=np.int64, count=len(distinct))
        flat = np.fromiter(
            map(self.token_id.get, chain.from_iterable(tokens), repeat(_UNKNOWN)),
            dtype=np.int64,
            count=int(counts.sum()),
        )
        starts = np.cumsum(counts) - counts
        occurrence = counts[codes]  # tokens of each word occurrence
        first = np.cumsum(occurrence) - occurrence  # where each occurrence's tokens go
        where = np.arange(int(occurrence.sum())) + np.repeat(starts[codes] - first, occurrence)
        doc = np.repeat(np.repeat(np.arange(n_docs), per_text), occurrence)
        return flat[where], doc

    def counts(self, split: _Split) -> sp.csr_matrix:
        """Word n-gram counts of the split texts."""
        ids, doc = self._token_ids(split)
        kept = ids != _STOP
        ids, doc = ids[kept], doc[kept]
        rows, columns = [], []
        for n, (keys, features) in self.keys.items():
            if len(ids) < n:
                continue
            # The n-grams of the texts: n consecutive kept tokens of one text, none unknown.
            span = len(ids) - n + 1
            text_keys = np.zeros(span, dtype=np.int64)
            valid = doc[:span] == doc[n - 1 :]
            for j in range(n):
                part = ids[j : j + span]
                valid &= part >= 0
                text_keys = text_keys * self.radix + np.maximum(part, 0)
            where = np.full(span, -1, dtype=np.int64)
            where[valid] = keys.find(text_keys[valid])
            found = where >= 0
            rows.append(doc[:span][found])
            columns.append(features[where[found]])
        shape = (len(split.docs), self.n_features)
        if not rows:
            return sp.csr_matrix(shape, dtype=np.float32)
        return _matrix(np.concatenate(rows), np.concatenate(columns), shape)


class _CharIndex:
    """A ``char_wb`` vectorizer's vocabulary as integer keys.

    A text's character n-gram counts are the sum of its words' counts, so each distinct word
    is cut once, and the sum is one sparse product. Words of one length are cut together as
    an array of code points: each character becomes its rank in the vocabulary's alphabet
    (0 for a character the vocabulary lacks), and an n-gram becomes the ranks packed into one
    int64. When the alphabet is too large to pack ``high`` ranks, words are cut in Python.
    """

    def __init__(self, vectorizer: CountVectorizer) -> None:
        vocabulary = _vocabulary(vectorizer)
        self.vocabulary, self.n_features = vocabulary, len(vocabulary)
        self.low, self.high = vectorizer.ngram_range
        alphabet = sorted({ord(c) for term in vocabulary for c in term})
        self.alphabet = np.asarray(alphabet, dtype=np.uint32)
        self.rank = {chr(code): i + 1 for i, code in enumerate(alphabet)}
        self.bits = max(len(alphabet), 1).bit_length()
        self.packed = self.bits * self.high <= 62
        if self.packed:
            keys = np.fromiter(map(self._key, vocabulary), dtype=np.int64, count=len(vocabulary))
            self.keys = _KeyTable(keys)
            self.features = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))

    def _key(self, term: str) -> int:
        key = 0
        for c in term:
            key = (key << self.bits) | self.rank[c]
        return key

    def counts(self, split: _Split) -> sp.csr_matrix:
        """Character n-gram counts of the split texts."""
        lengths, ids, distinct = split.words
        n_docs = len(split.docs)
        text_words = _matrix(np.repeat(np.arange(n_docs), lengths), ids, (n_docs, len(distinct)))
        rows, features = self._packed_grams(distinct) if self.packed else self._cut_grams(distinct)
        word_grams = _matrix(rows, features, (len(distinct), self.n_features))
        # A product of CSR matrices holds no duplicate entries.
        return (text_words @ word_grams).tocsr().astype(np.float32, copy=False)

    def _cut_grams(self, distinct: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(word row, feature) of every known n-gram of every word, cut in Python."""
        grams: list[str] = []
        ends = np.zeros(len(distinct), dtype=np.int64)
        for row, word in enumerate(distinct):
            padded = f" {word} "
            size = len(padded)
            for n in range(self.low, self.high + 1):
                if size <= n:  # a word shorter than n counts once, whole
                    grams.append(padded)
                    break
                grams.extend([padded[i : i + n] for i in range(size - n + 1)])
            ends[row] = len(grams)
        features = np.fromiter(map(self.vocabulary.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
        rows = np.repeat(np.arange(len(distinct)), np.diff(ends, prepend=0))
        known = features >= 0
        return rows[known], features[known]

    def _packed_grams(self, distinct: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(word row, feature) of every known n-gram of every word, cut as arrays."""
        sizes = np.fromiter(map(len, distinct), dtype=np.int64, count=len(distinct)) + 2
        rows, features = [], []
        for size in np.unique(sizes):
            members = np.flatnonzero(sizes == size)
            # Padded with spaces, as scikit-learn does; a trailing space keeps numpy's fixed
            # width strings from dropping trailing NULs.
            padded = np.array([f" {distinct[i]} " for i in members], dtype=f"<U{size}")
            points = padded.view(np.uint32).reshape(len(members), size)
            rank = np.searchsorted(self.alphabet, points).clip(max=len(self.alphabet) - 1)
            rank = np.where(self.alphabet[rank] == points, rank + 1, 0).astype(np.int64)
            for n in range(self.low, self.high + 1):
                width = max(size - n + 1, 1)  # a word shorter than n counts once, whole
                keys = np.zeros((len(members), width), dtype=np.int64)
                known = np.ones((len(members), width), dtype=bool)
                for j in range(min(n, size)):
                    part = rank[:, j : j + width]
                    known &= part > 0
                    keys = (keys << self.bits) | part
                where = self.keys.find(keys[known])
                found = where >= 0
                rows.append(np.broadcast_to(members[:, None], keys.shape)[known][found])
                features.append(self.features[where[found]])
                if size <= n:
                    break
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(features)
