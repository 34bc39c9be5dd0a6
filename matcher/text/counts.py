"""Sparse document × vocabulary term counts, the input of every lexical model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise, repeat

import numpy as np
import scipy.sparse as sp

from matcher import scratch

SPACES = ("char12", "char", "word")
"""The term spaces a text is counted in: character 1–2-grams, character bigrams, (jieba)
words — the keys of per-space counts, vocabularies and society documents."""


def count_matrix(
    docs: Sequence[Sequence[str]], vocab: dict[str, int], dtype: type = np.float32
) -> sp.csr_matrix:
    """Document × vocabulary term counts (tokens outside ``vocab`` ignored); the token loop
    runs in C (``map`` over ``dict.get``), which matters at 100k documents. Many documents
    are counted ``COUNT_CHUNK`` at a time (their temporaries: eight bytes per token, twice,
    and scipy's conversion), the blocks ``stacked``."""
    if len(docs) > COUNT_CHUNK:
        chunks = range(0, len(docs), COUNT_CHUNK)
        return stacked_blocks(count_matrix(docs[i : i + COUNT_CHUNK], vocab, dtype) for i in chunks)
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    cols = np.fromiter(
        map(vocab.get, chain.from_iterable(docs), repeat(-1)), dtype=np.int64, count=lengths.sum()
    )
    rows = np.repeat(np.arange(len(docs)), lengths)
    keep = cols >= 0
    shape = (len(docs), max(len(vocab), 1))
    if len(cols) <= FEW_TOKENS:
        return sorted_counts(rows[keep], cols[keep], shape, dtype)
    m = sp.csr_matrix((np.ones(int(keep.sum()), dtype), (rows[keep], cols[keep])), shape=shape)
    m.sum_duplicates()
    return m


COUNT_CHUNK = 50_000
"""Documents ``count_matrix`` counts at once."""
FEW_TOKENS = 1 << 14
"""Up to this many tokens (a need or a few) are counted by ``sorted_counts``: scipy's
conversion and summing of duplicates costs far more than counting a few dozen tokens."""


def sorted_counts(
    rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], dtype: type = np.float32
) -> sp.csr_matrix:
    """The canonical CSR matrix of one count per (row, col) pair given, by one sort of the
    pairs: the matrix (values, index arrays and their dtype) scipy's conversion of the pairs
    and ``sum_duplicates`` give."""
    index = np.int32 if max(*shape, len(cols)) < 2**31 else np.int64
    if shape[0] == 1:  # (one document: its columns are the keys)
        key, n = np.unique(cols, return_counts=True)
        indptr = np.array([0, len(key)], index)
    else:
        key, n = np.unique(rows.astype(np.int64) * shape[1] + cols, return_counts=True)
        indptr = np.zeros(shape[0] + 1, index)
        np.cumsum(np.bincount(key // shape[1], minlength=shape[0]), out=indptr[1:])
        key = key % shape[1]
    m = sp.csr_matrix((n.astype(dtype), key.astype(index), indptr), shape=shape)
    m.has_canonical_format = True
    return m


def count_vocab(
    docs: Sequence[Sequence[str]], vocab: dict[str, int] | None = None
) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Term counts and the vocabulary they grew (tokens in first-seen order), in one pass;
    ``vocab`` is extended in place when given (so several collections share columns)."""
    vocab = {} if vocab is None else vocab
    for t in dict.fromkeys(chain.from_iterable(docs)):  # unique tokens: a C pass first
        if t not in vocab:
            vocab[t] = len(vocab)
    return count_matrix(docs, vocab), vocab


def canonical(counts: sp.spmatrix, *, overwrite: bool = False) -> sp.csr_matrix:
    """``counts`` as CSR with each row's columns sorted and summed once: the very matrix
    when it is so already, else a copy (``overwrite``: the caller's CSR matrix summed in
    place; its arrays are never rewritten under another matrix sharing them)."""
    out = counts if sp.issparse(counts) and counts.format == "csr" else sp.csr_matrix(counts)
    if not out.has_canonical_format:
        if out is counts and not overwrite:
            out = out.copy()  # (the caller's arrays are not rewritten)
        out.sum_duplicates()
    return out


def widen(m: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """``m`` with more (empty) columns, up to ``width``."""
    return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], max(width, 1)))


def restrict_columns(m: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """``m[:, keep]`` (``keep`` ascending, distinct). When every stored entry's column is kept
    (documents counted over their own vocabulary, only its unused columns dropped) the
    columns are renumbered in one gather: rows keep their order, a canonical matrix stays
    canonical (no sort, the same numbers); else scipy's column selection."""
    m = sp.csr_matrix(m)
    remap = np.full(m.shape[1], -1, m.indices.dtype)  # (new columns fit the old ones' type)
    remap[keep] = np.arange(len(keep))
    cols = scratch.empty(len(m.indices), remap.dtype)
    dropped = False
    for lo in range(0, len(cols), COLUMN_BLOCK):  # (``np.take`` copies its indices to int64)
        part = cols[lo : lo + COLUMN_BLOCK]
        np.take(remap, m.indices[lo : lo + COLUMN_BLOCK], out=part, mode="clip")
        dropped = dropped or int(part.min()) < 0
    if dropped:
        return sp.csr_matrix(m[:, keep])
    out = sp.csr_matrix((m.data, cols, m.indptr), shape=(m.shape[0], len(keep)))
    if m.has_canonical_format:
        out.has_canonical_format = True
    return out


def take_rows(
    old: sp.csr_matrix | None, fresh: sp.csr_matrix, src: np.ndarray, width: int
) -> sp.csr_matrix:
    """Row ``i``: ``old[src[i]]`` when ``src[i] >= 0``, else the next row of ``fresh``. Runs
    of consecutive rows are copied as blocks: after a few edits, a few copies."""
    new = np.flatnonzero(src < 0)
    if len(new) != fresh.shape[0]:
        raise ValueError("one new row of counts per row without a source")
    fresh = sp.csr_matrix(fresh, dtype=np.float32)
    if old is None or len(new) == len(src):
        return widen(fresh, width)
    pick = np.array(src, np.int64, copy=True)
    pick[new] = old.shape[0] + np.arange(len(new))  # rows of old, then of fresh
    return gather_rows([old, fresh], pick, width)


def gather_rows(sources: Sequence[sp.csr_matrix], pick: np.ndarray, width: int) -> sp.csr_matrix:
    """Row ``i``: row ``pick[i]`` of the sources stacked in order (float32 counts over at most
    ``width`` columns). Runs of consecutive rows of one source are copied as blocks."""
    if not len(pick):
        return sp.csr_matrix((0, width), dtype=np.float32)
    sizes = np.array([m.shape[0] for m in sources], np.int64)
    first = np.concatenate([[0], np.cumsum(sizes)])  # each source's first stacked row
    ends = np.concatenate([[0], np.cumsum([int(m.indptr[-1]) for m in sources])])
    starts = np.concatenate([m.indptr[:-1] + ends[j] for j, m in enumerate(sources)])
    lengths = np.concatenate([np.diff(m.indptr) for m in sources])[pick]
    indptr = np.zeros(len(pick) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    data = np.empty(indptr[-1], np.float32)
    dtype = np.result_type(*(m.indices.dtype for m in sources))
    indices = np.empty(indptr[-1], dtype)
    which = np.searchsorted(first, pick, side="right") - 1  # the source of each row
    cuts = np.flatnonzero((np.diff(pick) != 1) | (np.diff(which) != 0)) + 1
    for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(pick)], strict=True):
        j = int(which[a])
        lo = int(starts[pick[a]] - ends[j])
        hi = lo + int(indptr[b] - indptr[a])
        data[indptr[a] : indptr[b]] = sources[j].data[lo:hi]
        indices[indptr[a] : indptr[b]] = sources[j].indices[lo:hi]
    return sp.csr_matrix((data, indices, indptr), shape=(len(pick), width))


def column_counts(m: sp.csr_matrix) -> np.ndarray:
    """Stored values per column (a canonical count matrix's document frequencies), counted
    ``COLUMN_BLOCK`` at a time: ``np.bincount`` first copies its input to int64 (at a million
    experts, half a GB of word columns)."""
    out = np.zeros(m.shape[1], np.int64)
    for lo in range(0, m.nnz, COLUMN_BLOCK):
        out += np.bincount(m.indices[lo : lo + COLUMN_BLOCK], minlength=len(out))
    return out


COLUMN_BLOCK = 1 << 22
"""Column indices ``column_counts`` counts and ``restrict_columns`` renumbers at once (32 MiB
as int64)."""


def value_blocks(indptr: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Row ranges ``(lo, hi)`` of a CSR matrix (its ``indptr``) holding about ``size`` of its
    stored values each and all of them together (a row is never cut): a large matrix is
    weighed a block at a time, its temporaries bounded."""
    starts = np.searchsorted(indptr, np.arange(0, int(indptr[-1]), size), "right") - 1
    return list(pairwise(sorted({*starts.tolist(), len(indptr) - 1})))


def row_pass_product(left: sp.csr_matrix, right: np.ndarray | sp.spmatrix) -> np.ndarray:
    """``left @ right`` as a dense float64 array (``left`` short: labels or societies ×
    rows), reading ``right`` once, in row order, about ``ROW_PASS_VALUES`` numbers at a time
    (each in float64: sums of counts exact). Each row of ``left`` picks rows spread over
    ``right``, and one product reads them in that order, row of ``left`` after row: at a
    million rows in a scratch file the kernel cannot keep cached, from disk again and again."""
    out = np.zeros((left.shape[0], right.shape[1]))
    if sp.issparse(right):
        right = sp.csr_matrix(right)
        blocks = value_blocks(right.indptr, ROW_PASS_VALUES)
    else:
        step = max(1, ROW_PASS_VALUES // max(right.shape[1], 1))
        blocks = [(lo, lo + step) for lo in range(0, right.shape[0], step)]
    for lo, hi in blocks:
        part = left[:, lo:hi] @ right[lo:hi].astype(np.float64)
        if sp.issparse(part):
            part = part.tocoo()
            out[part.row, part.col] += part.data  # (each entry once per block)
        else:
            out += part
    return out


ROW_PASS_VALUES = 1 << 23
"""Numbers of ``right`` that ``row_pass_product`` reads at once (64 MiB in float64)."""


def stacked(blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
    """``sp.vstack(blocks)`` letting each block go once copied (``blocks`` is emptied): the
    result's pages are written as the blocks' are freed, so a matrix made in blocks is not
    held twice (at a million texts, gigabytes); its arrays are ``scratch`` ones."""
    width = blocks[0].shape[1] if blocks else 1
    if any(b.shape[1] != width for b in blocks):
        raise ValueError("blocks of different widths")
    nnz, n = sum(b.nnz for b in blocks), sum(b.shape[0] for b in blocks)
    index = np.int32 if max(nnz, width) < 2**31 else np.int64
    data = scratch.empty(nnz, np.result_type(np.float32, *(b.dtype for b in blocks)))
    indices, indptr = scratch.empty(nnz, index), np.zeros(n + 1, index)
    at = row = 0
    blocks.reverse()
    while blocks:
        b = sp.csr_matrix(blocks.pop())
        data[at : at + b.nnz], indices[at : at + b.nnz] = b.data[: b.nnz], b.indices[: b.nnz]
        indptr[row + 1 : row + 1 + b.shape[0]] = b.indptr[1:].astype(index) + at
        at, row = at + b.nnz, row + b.shape[0]
    return csr_of(data, indices, indptr, (n, width))


def spilled(m: sp.csr_matrix) -> sp.csr_matrix:
    """``m`` with its values and column indices moved to ``scratch`` files when a build
    spills, whatever their size: a block of a matrix made in blocks (the blocks then
    ``stacked``), which together would fill the memory."""
    if not scratch.active():
        return m
    data, indices = scratch.spill(m.data, min_bytes=0), scratch.spill(m.indices, min_bytes=0)
    out = csr_of(data, indices, m.indptr, m.shape)
    out.has_canonical_format = m.has_canonical_format
    return out


def stacked_blocks(blocks: Iterable[sp.csr_matrix]) -> sp.csr_matrix:
    """``stacked`` of blocks made one at a time, each ``spilled`` as it is made (a matrix a
    build cannot hold twice: its blocks are not all held in memory before they are stacked)."""
    return stacked([spilled(b) for b in blocks])


def csr_of(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape) -> sp.csr_matrix:
    """A CSR matrix on these very arrays (set on an empty matrix: scipy's constructor
    copies an array that is a view of under half its base, as a block's or a shortened
    matrix's are)."""
    out = sp.csr_matrix(shape, dtype=data.dtype)
    out.data, out.indices, out.indptr = data, indices, indptr
    return out


@dataclass
class RowGather:
    """A matrix left ungathered: row ``i`` is row ``pick[i]`` of ``sources`` stacked (float32
    counts over ``width`` columns, ``gather_rows``); read by rows, or gathered whole."""

    sources: list[sp.csr_matrix]
    pick: np.ndarray
    width: int

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.pick), self.width

    def rows(self, rows: np.ndarray) -> sp.csr_matrix:
        return gather_rows(self.sources, self.pick[rows], self.width)

    def whole(self) -> sp.csr_matrix:
        return gather_rows(self.sources, self.pick, self.width)


Rows = sp.csr_matrix | RowGather


def rows_of(m: Rows, rows: np.ndarray) -> sp.csr_matrix:
    """``m[rows]``, gathered or not."""
    return m.rows(rows) if isinstance(m, RowGather) else m[rows]


def whole(m: Rows) -> sp.csr_matrix:
    return m.whole() if isinstance(m, RowGather) else m


def rows_holding(m: Rows, flag: np.ndarray) -> np.ndarray:
    """Per row of ``m``, whether it holds a column ``flag`` marks (``flag`` covers every
    column); a matrix left ungathered is read in its sources, none copied."""
    if isinstance(m, RowGather):
        return np.concatenate([rows_holding(s, flag) for s in m.sources])[m.pick]
    out = np.zeros(m.shape[0], bool)
    hits = np.flatnonzero(flag[m.indices])
    out[np.searchsorted(m.indptr, hits, side="right") - 1] = True
    return out
