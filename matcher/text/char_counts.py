"""Character 1–2-gram and bigram counts of many texts at once, in numpy: the same matrices
(and vocabulary growth) as ``count_vocab`` over ``char_unigrams_bigrams`` / ``char_bigrams``
token lists, without building those lists (100k profiles are tens of millions of grams)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat

import numpy as np
import scipy.sparse as sp

from matcher.text.counts import count_vocab, spilled, stacked, widen
from matcher.text.ngrams import _RUN
from matcher.text.normalize import normalize

_SHIFT = 21  # code points fit in 21 bits: a bigram is (first << 21 | second) + 2**21 offset


@lru_cache(maxsize=65_536)
def _is_word(code: int) -> bool:
    return _RUN.fullmatch(chr(code)) is not None


def embedding_counts(
    tokens: Sequence[Sequence[str]], texts: Sequence[str | None]
) -> tuple[sp.csr_matrix, list[str]]:
    """Counts of what the embedded model reads (``embedding_tokens``: the jieba words plus
    the character bigrams of each text) and their vocabulary, without the token lists."""
    vocab: dict[str, int] = {}
    words, _ = count_vocab(tokens, vocab)
    chars = char_gram_counts(texts, vocab, unigrams=False)
    return sp.csr_matrix(widen(words, len(vocab)) + chars), list(vocab)


CHUNK = 20_000
"""Texts counted together (bounds the temporary arrays: a few hundred MB at most)."""


def char_gram_counts(
    texts: Sequence[str | None], vocab: dict[str, int], *, unigrams: bool, grow: bool = True
) -> sp.csr_matrix:
    """Texts × ``vocab`` counts of their character grams — every character of a word run
    and its bigrams (``unigrams``, as ``char_unigrams_bigrams``) or the bigrams, a run of
    one character kept whole (as ``char_bigrams``); ``vocab`` grows in first-seen order
    (``count_vocab``), or with ``grow=False`` grams outside it are ignored (``count_matrix``)."""
    parts = [  # (each to a scratch file as it is made, when a build spills)
        spilled(_counts(texts[i : i + CHUNK], vocab, unigrams, grow))
        for i in range(0, len(texts), CHUNK)
    ]
    if not parts:
        return sp.csr_matrix((0, max(len(vocab), 1)), dtype=np.float32)
    for i, part in enumerate(parts):  # (to the final width; ``stacked`` lets each go)
        parts[i] = widen(part, len(vocab))
    return stacked(parts)


def _counts(
    texts: Sequence[str | None], vocab: dict[str, int], unigrams: bool, grow: bool
) -> sp.csr_matrix:
    norm = [normalize(t) for t in texts]
    if not norm:
        return sp.csr_matrix((0, max(len(vocab), 1)), dtype=np.float32)
    lengths = np.fromiter(map(len, norm), np.int64, len(norm)) + 1  # one separator each
    cp = np.frombuffer("\n".join(norm).encode("utf-32-le") + b"\n\0\0\0", np.uint32)
    cp = cp.astype(np.int64)
    doc = np.repeat(np.arange(len(norm)), lengths)
    present = np.flatnonzero(np.bincount(cp))
    table = np.zeros(int(present[-1]) + 1, bool)
    table[present] = np.fromiter(map(_is_word, present.tolist()), bool, len(present))
    word = table[cp]  # the separators are newlines: never word characters
    nxt = np.append(word[1:], False)
    starts = np.flatnonzero(word & nxt)  # a bigram starts here
    bigram = ((cp[starts] << _SHIFT) | cp[starts + 1]) + (1 << _SHIFT)
    if unigrams:  # per text: every run character, then the bigrams (token order)
        lone = np.flatnonzero(word)
        kind = np.concatenate([2 * doc[lone], 2 * doc[starts] + 1])
        order = np.argsort(kind, kind="stable")  # positions already ascend within a kind
    else:  # a run of one character is kept whole, in position order with the bigrams
        lone = np.flatnonzero(word & ~nxt & ~np.insert(word[:-1], 0, False))
        order = np.argsort(np.concatenate([lone, starts]), kind="stable")
    codes = np.concatenate([cp[lone], bigram])[order]
    rows = doc[np.concatenate([lone, starts])[order]]
    inv, uniq = first_seen(codes)
    grams = map(_gram, uniq.tolist())
    if grow:  # new grams in first-seen order
        cols = np.fromiter((vocab.setdefault(g, len(vocab)) for g in grams), np.int64, len(uniq))
    else:
        cols = np.fromiter(map(vocab.get, grams, repeat(-1)), np.int64, len(uniq))
    cols = cols[inv]
    known = cols >= 0
    m = sp.csr_matrix(
        (np.ones(int(known.sum()), np.float32), (rows[known], cols[known])),
        shape=(len(norm), max(len(vocab), 1)),
    )
    m.sum_duplicates()
    return m


FACTORIZE_FROM = 1 << 20
"""From this many codes on ``first_seen`` uses pandas' hash table (importing pandas costs
0.4 s: a refresh counting a few changed rows does not pay it)."""


def first_seen(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``inverse, uniques`` of ``codes`` with the uniques in first-seen order (for many codes
    a hash table: ``np.unique``'s stable sort was half the counting time; both tested equal)."""
    if len(codes) < FACTORIZE_FROM:
        uniques, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank[inverse.ravel()], uniques[order]
    import pandas as pd

    inverse, uniques = pd.factorize(codes, sort=False)
    return inverse, np.asarray(uniques)


def _gram(code: int) -> str:
    if code < 1 << _SHIFT:
        return chr(code)
    code -= 1 << _SHIFT
    return chr(code >> _SHIFT) + chr(code & ((1 << _SHIFT) - 1))
