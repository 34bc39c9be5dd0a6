"""Per-text term counts of a store: the character 1–2-grams, character bigrams and jieba words
of every expert text and every society's own text, over one growing vocabulary per space.
Society documents, TF-IDF spaces and BM25 are sums and weights of these rows
(``matcher.matching.indexes``); kept with each index version, they let a refresh count only
the texts that changed (``matcher.matching.incremental``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.matching import persist
from matcher.text.char_counts import char_gram_counts
from matcher.text.counts import count_vocab, widen

SPACES = ("char12", "char", "word")
PARTS = ("experts", "own")


@dataclass
class TextCounts:
    """``experts[space]`` (experts × vocabulary) and ``own[space]`` (societies × vocabulary)
    count rows aligned with the state's rows; ``vocab[space]``: term → column. Terms no
    text uses any more keep their (empty) column: every consumer drops unused columns."""

    vocab: dict[str, dict[str, int]]
    experts: dict[str, sp.csr_matrix]
    own: dict[str, sp.csr_matrix]

    @classmethod
    def count(
        cls,
        *,
        e_texts: Sequence[str],
        s_texts: Sequence[str],
        e_tokens: Sequence[Sequence[str]],
        s_tokens: Sequence[Sequence[str]],
    ) -> TextCounts:
        """Count every text (societies first, then experts: the vocabulary's order)."""
        return cls({k: {} for k in SPACES}, {}, {}).patched(
            e_src=np.full(len(e_texts), -1, np.int64),
            s_src=np.full(len(s_texts), -1, np.int64),
            e_new=(e_texts, e_tokens),
            s_new=(s_texts, s_tokens),
        )

    def patched(
        self,
        *,
        e_src: np.ndarray,
        s_src: np.ndarray,
        e_new: tuple[Sequence[str], Sequence[Sequence[str]]],
        s_new: tuple[Sequence[str], Sequence[Sequence[str]]],
    ) -> TextCounts:
        """The counts of new rows: row ``i`` is this one's row ``src[i]``, or (``src[i] < 0``)
        the next of the new texts and tokens (``*_new``), which alone are counted. This
        object is left as it was (readers may hold it)."""
        vocab = {k: dict(v) for k, v in self.vocab.items()}
        fresh: dict[str, dict[str, sp.csr_matrix]] = {"own": {}, "experts": {}}
        for part, (texts, tokens) in (("own", s_new), ("experts", e_new)):
            for key, unigrams in (("char12", True), ("char", False)):
                fresh[part][key] = char_gram_counts(texts, vocab[key], unigrams=unigrams)
            fresh[part]["word"], _ = count_vocab(tokens, vocab["word"])
        out = TextCounts(vocab, {}, {})
        for key in SPACES:
            width = max(len(vocab[key]), 1)
            out.own[key] = take_rows(self.own.get(key), fresh["own"][key], s_src, width)
            out.experts[key] = take_rows(self.experts.get(key), fresh["experts"][key], e_src, width)
        return out

    def put(self, arrays: dict, docs: dict) -> None:
        for key in SPACES:
            docs[f"vocab.counts.{key}"] = list(self.vocab[key])
            for part in PARTS:
                persist.put_sparse(arrays, f"counts.{part}.{key}", getattr(self, part)[key])

    @classmethod
    def get(cls, version: persist.Version) -> TextCounts:
        arrays = version.arrays("counts.")
        vocab = {k: {t: i for i, t in enumerate(version.json(f"vocab.counts.{k}"))} for k in SPACES}
        out = cls(vocab, {}, {})
        for key in SPACES:
            for part in PARTS:
                m = persist.get_sparse(arrays, f"counts.{part}.{key}")
                if m.shape[1] != max(len(vocab[key]), 1):
                    raise persist.Refused(f"counts.{part}.{key}: width is not its vocabulary's")
                getattr(out, part)[key] = m
        return out


def take_rows(
    old: sp.csr_matrix | None, fresh: sp.csr_matrix, src: np.ndarray, width: int
) -> sp.csr_matrix:
    """Row ``i``: ``old[src[i]]`` when ``src[i] >= 0``, else the next row of ``fresh``."""
    new = np.flatnonzero(src < 0)
    if len(new) != fresh.shape[0]:
        raise ValueError("one new row of counts per row without a source")
    if old is None or not len(src) or len(new) == len(src):
        return widen(sp.csr_matrix(fresh, dtype=np.float32), width)
    pick = np.array(src, np.int64, copy=True)
    pick[new] = old.shape[0] + np.arange(len(new))
    both = sp.vstack([widen(old, width), widen(fresh, width)], format="csr", dtype=np.float32)
    return sp.csr_matrix(both[pick])
