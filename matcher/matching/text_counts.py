"""Per-text term counts of a store: the character 1–2-grams, character bigrams and jieba words
of every expert text and every society's own text, over one growing vocabulary per space.
Society documents, TF-IDF spaces and BM25 are sums and weights of these rows
(``matcher.matching.indexes``); kept with each index version, they let a refresh count only
the texts that changed (``matcher.matching.incremental``). A version saved after a patch
links its base's count files and adds only the rows counted since (``counts.delta.*``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.matching import persist, row_delta
from matcher.text.char_counts import char_gram_counts
from matcher.text.counts import (
    SPACES,
    RowGather,
    Rows,
    count_vocab,
    gather_rows,
    stacked_blocks,
    take_rows,
    widen,
)

PARTS = ("experts", "own")
DEFERRED = {"experts": ("char12", "char")}
"""Count matrices a patch leaves ungathered (``Gathered``: their sources and each row's row
there): a patched refresh reads only a few of their rows (the society documents it patches,
the rows it saves, the rows it weighs anew) and which rows hold some terms (``rows``), so
copying every row (six sevenths of the counts of 10^5 experts) would be wasted; a full save
or a recount gathers them when first read."""
MAX_SOURCES = 64
"""A deferred matrix is gathered by the patch that would give it more sources than this:
each patch adds one (its new rows, maybe none), and rows no longer used stay in them, so a
long-running refresher would otherwise read through ever more of them."""


@dataclass
class TextCounts:
    """``experts[space]`` (experts × vocabulary) and ``own[space]`` (societies × vocabulary)
    count rows aligned with the state's rows; ``vocab[space]``: term → column. Terms no
    text uses any more keep their (empty) column: every consumer drops unused columns."""

    vocab: dict[str, dict[str, int]]
    experts: dict[str, sp.csr_matrix]
    own: dict[str, sp.csr_matrix]
    base: str = ""  # the version whose count files hold the base of these (once saved)
    base_rows: dict[str, np.ndarray] = field(default_factory=dict)  # per part: base row or -1
    base_width: dict[str, int] = field(default_factory=dict)  # per space: base vocabulary size
    docs: dict[str, sp.csr_matrix] | None = None  # society documents (set when assembled)
    docs_src: np.ndarray | None = None  # per society row, its previous row when patched alike

    @classmethod
    def count(
        cls,
        *,
        e_texts: Sequence[str],
        s_texts: Sequence[str],
        e_tokens: Sequence[Sequence[str]],
        s_tokens: Sequence[Sequence[str]],
        chars: CharCounts | None = None,
    ) -> TextCounts:
        """Count every text (societies first, then experts: the vocabulary's order); the
        character spaces may be counted already (``count_chars`` of the same texts: they
        need no tokens, so a build counts them while the texts are cut)."""
        return cls({k: {} for k in SPACES}, {}, {}).patched(
            e_src=np.full(len(e_texts), -1, np.int64),
            s_src=np.full(len(s_texts), -1, np.int64),
            e_new=(e_texts, e_tokens),
            s_new=(s_texts, s_tokens),
            chars=chars,
        )

    def patched(
        self,
        *,
        e_src: np.ndarray,
        s_src: np.ndarray,
        e_new: tuple[Sequence[str], Sequence[Sequence[str]]],
        s_new: tuple[Sequence[str], Sequence[Sequence[str]]],
        chars: CharCounts | None = None,
    ) -> TextCounts:
        """The counts of new rows: row ``i`` is this one's row ``src[i]``, or (``src[i] < 0``)
        the next of the new texts and tokens (``*_new``), which alone are counted (their
        character spaces may be given: ``count_chars`` from this object's vocabularies).
        This object is left as it was (readers may hold it)."""
        if chars is None:
            chars = count_chars(self.vocab, e_texts=e_new[0], s_texts=s_new[0])
        vocab = {k: dict(v) for k, v in self.vocab.items() if k not in chars.vocab}
        vocab |= chars.vocab  # (``count_chars`` grew copies of the character spaces')
        fresh = {part: dict(m) for part, m in chars.fresh.items()}
        for part, (_, tokens) in (("own", s_new), ("experts", e_new)):
            fresh[part]["word"], _ = count_vocab(tokens, vocab["word"])
        out = TextCounts(vocab, {}, {}, self.base, {}, dict(self.base_width))
        for part, src in (("own", s_src), ("experts", e_src)):
            if part in self.base_rows:
                out.base_rows[part] = np.where(src >= 0, self.base_rows[part][src], -1)
        for part, src in (("own", s_src), ("experts", e_src)):
            old, held = getattr(self, part), Gathered(len(src))
            setattr(out, part, held)
            for key in SPACES:
                width, new = max(len(vocab[key]), 1), fresh[part][key]
                defer = key in DEFERRED.get(part, ()) and _held(old, key) and (src >= 0).any()
                if defer or (isinstance(old, Gathered) and key not in old):
                    got = _sources(old, key, new, src, width)
                    if defer and len(got[0]) <= MAX_SOURCES:
                        held.sources[key] = got
                    else:  # one gather from the sources
                        held[key] = gather_rows(*got)
                else:
                    held[key] = take_rows(old.get(key), new, src, width)
        return out

    def n_rows(self, part: str) -> int:
        """Rows of ``part`` (its matrices are not gathered for it)."""
        held = getattr(self, part)
        return held.n if isinstance(held, Gathered) else held["word"].shape[0]

    def take(self, part: str, key: str, rows: np.ndarray) -> sp.csr_matrix:
        """``getattr(self, part)[key][rows]``, without gathering the whole matrix."""
        held = getattr(self, part)
        if isinstance(held, Gathered) and key not in held:
            return held.take(key, rows)
        return held[key][rows]

    def rows(self, part: str) -> dict[str, Rows]:
        """``part``'s matrices by space, those not gathered yet left so (``RowGather``)."""
        held = getattr(self, part)
        if not isinstance(held, Gathered):
            return dict(held)
        return {k: held[k] if k in held else RowGather(*held.sources[k]) for k in SPACES}

    def counted_since_base(self) -> int | None:
        """Rows counted since the base was saved (None: no base)."""
        if not self.base or set(self.base_rows) != set(PARTS):
            return None
        return sum(int((r < 0).sum()) for r in self.base_rows.values())

    def put(self, arrays: dict, docs: dict, *, delta: bool = False) -> None:
        """Save whole, or (``delta``) only the rows counted since the base, with each row's
        base row: the base's files are linked (``base_files``). The society documents are
        put whole here; a patched save replaces them by their delta (``row_delta``)."""
        for key, docs_m in (self.docs or {}).items():
            persist.put_sparse(arrays, f"counts.docs.{key}", docs_m)
        if not delta:
            for key in SPACES:
                docs[f"vocab.counts.{key}"] = list(self.vocab[key])
                for part in PARTS:
                    persist.put_sparse(arrays, f"counts.{part}.{key}", getattr(self, part)[key])
            return
        for part in PARTS:
            rows = self.base_rows[part]
            arrays[f"counts.delta.{part}.rows"] = rows
            for key in SPACES:
                since = self.take(part, key, np.flatnonzero(rows < 0))
                persist.put_sparse(arrays, f"counts.delta.{part}.{key}", since)
        for key in SPACES:
            docs[f"vocab.counts.delta.{key}"] = list(self.vocab[key])[self.base_width[key] :]

    def saved(self, name: str, *, delta: bool) -> None:
        """Record that version ``name`` holds these counts (whole: they are its base)."""
        self.base = name
        if not delta:
            self.base_rows = {p: np.arange(getattr(self, p)["word"].shape[0]) for p in PARTS}
            self.base_width = {k: len(self.vocab[k]) for k in SPACES}

    @classmethod
    def get(cls, version: persist.Version) -> TextCounts:
        """The counts saved with ``version``; the base's large arrays are mapped (read-only:
        a refresh only gathers rows from them into new matrices)."""
        big = {f"counts.{p}.{k}.{a}" for p in PARTS for k in SPACES for a in ("data", "indices")}
        arrays = version.arrays("counts.", mapped=big)
        delta = "counts.delta.own.rows" in arrays
        base = {k: version.json(f"vocab.counts.{k}") for k in SPACES}
        words = {
            k: base[k] + (version.json(f"vocab.counts.delta.{k}") if delta else []) for k in SPACES
        }
        out = cls({k: {t: i for i, t in enumerate(v)} for k, v in words.items()}, {}, {})
        out.base_width = {k: len(v) for k, v in base.items()}
        for part in PARTS:
            n = persist.get_sparse(arrays, f"counts.{part}.word").shape[0]
            rows = arrays[f"counts.delta.{part}.rows"] if delta else np.arange(n)
            if len(rows) and (rows.max() >= n or rows.min() < -1):
                raise persist.Refused(f"counts.delta.{part}.rows: out of range")
            out.base_rows[part] = rows
            held = Gathered(len(rows)) if delta else {}
            setattr(out, part, held)
            for key in SPACES:
                m = persist.get_sparse(arrays, f"counts.{part}.{key}")
                if m.shape != (n, max(out.base_width[key], 1)):
                    raise persist.Refused(f"counts.{part}.{key}: not its vocabulary's width")
                if not delta:
                    held[key] = m
                    continue
                since = persist.get_sparse(arrays, f"counts.delta.{part}.{key}")
                if since.shape[0] != int((rows < 0).sum()):
                    raise persist.Refused(f"counts.delta.{part}.{key}: not one row per new row")
                held.sources[key] = ([m, since], _stacked(rows, n), max(len(words[key]), 1))
        out.base = version.name
        if "counts.docs.word.shape" in arrays:
            out.docs = {k: row_delta.get(arrays, f"counts.docs.{k}", sparse=True) for k in SPACES}
            n_s = len(out.base_rows["own"])
            if any(m.shape != (n_s, max(len(words[k]), 1)) for k, m in out.docs.items()):
                raise persist.Refused("counts.docs: not the societies' or vocabulary's shape")
        return out


@dataclass
class CharCounts:
    """The character spaces' counts of new texts (``fresh[part][space]``) and the
    vocabularies they grew (``vocab[space]``)."""

    vocab: dict[str, dict[str, int]]
    fresh: dict[str, dict[str, sp.csr_matrix]]


CHAR_SPACES = (("char12", True), ("char", False))  # the spaces counted without tokens


def count_chars(
    vocab: dict[str, dict[str, int]], *, e_texts: Sequence[str], s_texts: Sequence[str]
) -> CharCounts:
    """The character 1–2-gram and bigram counts of these texts, societies first (the order
    ``TextCounts.patched`` grows its vocabularies in), over copies of ``vocab``."""
    grown = {key: dict(vocab.get(key, {})) for key, _ in CHAR_SPACES}
    fresh: dict[str, dict[str, sp.csr_matrix]] = {"own": {}, "experts": {}}
    for part, texts in (("own", s_texts), ("experts", e_texts)):
        for key, unigrams in CHAR_SPACES:
            fresh[part][key] = char_gram_counts(texts, grown[key], unigrams=unigrams)
    return CharCounts(grown, fresh)


def embedding_counts_of(counts: TextCounts) -> tuple[sp.csr_matrix, list[str]]:
    """``char_counts.embedding_counts`` of the experts' texts then the societies' own (jieba
    words plus character bigrams; a word that is also a bigram is one term), read off their
    counts: every text's count of every term is the same, only the terms' order differs
    (words, then the other bigrams, in the counts' order), which neither the embedded fit
    nor encoding depends on (``tests/matching/test_text_counts_shared.py``)."""
    words, blocks = embedding_blocks(counts)
    return stacked_blocks(blocks(EMBEDDING_ROWS)), words


EMBEDDING_ROWS = 1 << 16
"""Rows of ``embedding_counts_of`` made at once (at a million texts, about 70 MB)."""


def embedding_blocks(
    counts: TextCounts,
) -> tuple[list[str], Callable[[int], Iterator[sp.csr_matrix]]]:
    """The terms of ``embedding_counts_of`` and its rows, given ``n``, in blocks of at most
    ``n``, made as they are read."""
    terms = dict(counts.vocab["word"])
    grams = counts.vocab["char"]
    move = np.fromiter((terms.setdefault(g, len(terms)) for g in grams), np.int64, len(grams))
    width = max(len(terms), 1)

    def both(word: sp.csr_matrix, char: sp.csr_matrix) -> sp.csr_matrix:
        moved = (char.data, move[char.indices], char.indptr)
        moved = sp.csr_matrix(moved, shape=(char.shape[0], width))
        return sp.csr_matrix(widen(word, width) + moved)

    def blocks(n: int) -> Iterator[sp.csr_matrix]:
        for part in (counts.experts, counts.own):
            rows = part["word"].shape[0]
            for lo in range(0, rows, n) if rows else [0]:  # (an empty part: one empty block)
                yield both(part["word"][lo : lo + n], part["char"][lo : lo + n])

    return list(terms), blocks


class Gathered(dict):
    """The count matrices of one part, each gathered from its sources when first read
    (``sources[key]``: matrices, each row's row in them stacked, the width): a version saved
    as a delta holds its base and the rows since, a patch leaves ``DEFERRED`` ones so. A
    patch (``TextCounts.patched``) or a read of a few rows (``take``) reads those sources
    directly; once gathered, a matrix's sources are let go (they may hold a previous
    state's whole matrix)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.sources: dict[str, tuple[list[sp.csr_matrix], np.ndarray, int]] = {}

    def __missing__(self, key: str) -> sp.csr_matrix:
        held = self.sources.get(key)
        if held is None:  # (gathered meanwhile by another thread, or never held)
            if key in self:
                return dict.get(self, key)
            raise KeyError(key)
        self[key] = got = gather_rows(*held)
        self.sources.pop(key, None)
        return got

    def get(self, key: str, default=None):
        return self[key] if key in self or key in self.sources else default

    def take(self, key: str, rows: np.ndarray) -> sp.csr_matrix:
        held = self.sources.get(key)
        if held is None:
            return self[key][rows]
        sources, pick, width = held
        return gather_rows(sources, pick[rows], width)


def _held(counts: dict, key: str) -> bool:
    """Whether ``counts`` holds matrix ``key`` (gathered or not; none gathered here)."""
    return key in counts or key in getattr(counts, "sources", {})


def _sources(old: dict, key: str, fresh: sp.csr_matrix, src: np.ndarray, width: int):
    """The sources of ``take_rows(old[key], fresh, src, width)`` and each row's row in them
    stacked (``Gathered.sources``): ``old``'s own sources when it has not gathered ``key``."""
    new = np.flatnonzero(src < 0)
    if len(new) != fresh.shape[0]:
        raise ValueError("one new row of counts per row without a source")
    if isinstance(old, Gathered) and key not in old:
        sources, pick, _ = old.sources[key]
    else:
        sources, pick = [old[key]], np.arange(old[key].shape[0])
    at = np.where(src >= 0, pick[np.maximum(src, 0)], 0)
    at[new] = sum(m.shape[0] for m in sources) + np.arange(len(new))
    return [*sources, sp.csr_matrix(fresh, dtype=np.float32)], at, width


def _stacked(rows: np.ndarray, n_base: int) -> np.ndarray:
    """Per row, its row in the base stacked over the rows since (``rows``: base row or -1)."""
    out = np.array(rows, np.int64, copy=True)
    new = out < 0
    out[new] = n_base + np.arange(int(new.sum()))
    return out


def base_files(version: persist.Version) -> list[str]:
    """The files of ``version``'s counts base (what a version patched from it links)."""
    return [
        f
        for f in version.files
        if (f.startswith("counts.") or f.startswith("vocab.counts."))
        and not f.startswith(("counts.delta.", "vocab.counts.delta.", "counts.docs."))
    ]
