"""The society channels of the fusion: each society's document (its description plus its
members' profiles), its centroid (the mean of its members' and its description's unit
vectors) and the evidence of its best-matching member experts, in a lexical (character
1–2-gram, character bigram and jieba word TF-IDF) and a dense form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from matcher import scratch
from matcher.ranking.lexical import TfidfSpace
from matcher.ranking.topm import Plan, top_m_means
from matcher.text.counts import (
    SPACES,
    Rows,
    csr_of,
    restrict_columns,
    rows_holding,
    rows_of,
    stacked_blocks,
    take_rows,
    value_blocks,
    whole,
)

CHANNELS = (
    "char12_doc",
    "char_doc",
    "char_centroid",
    "word_doc",
    "char_experts",
    "dense_doc",
    "dense_experts",
)


@dataclass
class SocietyEvidence:
    """Society-level matrices aligned with the society corpus rows."""

    char12: TfidfSpace
    char: TfidfSpace
    word: TfidfSpace
    char12_docs: sp.csr_matrix
    char_docs: sp.csr_matrix
    char_centroids: sp.csr_matrix
    word_docs: sp.csr_matrix
    char_experts: sp.csr_matrix
    members: list[np.ndarray]
    _by_column: dict[str, sp.csc_matrix] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _layout: tuple[np.ndarray, np.ndarray] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _member_vectors: tuple[np.ndarray, np.ndarray] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _people: tuple[np.ndarray, np.ndarray, list[bool]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _plans: dict[int, Plan] | None = field(default=None, init=False, repr=False, compare=False)
    reused: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    """Per ``char_experts`` row, the previous evidence's row it was taken from, or -1 (set
    by ``from_counts`` given a previous evidence)."""

    @classmethod
    def build(
        cls,
        *,
        society_chars12: Sequence[Sequence[str]],
        society_chars: Sequence[Sequence[str]],
        society_words: Sequence[Sequence[str]],
        expert_chars: Sequence[Sequence[str]],
        own_chars: Sequence[Sequence[str]],
        members: Sequence[Sequence[int]],
    ) -> SocietyEvidence:
        """``members[s]`` lists the expert rows of society row ``s``; ``society_*`` are the
        society documents (own text plus members' texts: character 1–2-grams, bigrams, words),
        ``own_chars`` the own texts alone."""
        char12 = TfidfSpace(society_chars12)
        char, word = TfidfSpace(society_chars), TfidfSpace(society_words)
        char_experts = char.transform(expert_chars)
        rows = [np.asarray(m, dtype=np.int64) for m in members]
        return cls(
            char12=char12,
            char=char,
            word=word,
            char12_docs=char12.transform(society_chars12),
            char_docs=char.transform(society_chars),
            char_centroids=centroids(char_experts, char.transform(own_chars), rows),
            word_docs=word.transform(society_words),
            char_experts=char_experts,
            members=rows,
        )

    @classmethod
    def from_counts(
        cls,
        *,
        own: dict[str, sp.csr_matrix],
        experts: dict[str, Rows],
        vocab: dict[str, dict[str, int]],
        members: Sequence[Sequence[int]],
        doc_counts: dict[str, sp.csr_matrix] | None = None,
        previous: Earlier | None = None,
    ) -> SocietyEvidence:
        """``build`` from count matrices (keys ``char12``, ``char``, ``word``) of the
        societies' own texts and of every expert, over one shared vocabulary per key: a
        society's document counts are its own plus its members' (``doc_counts`` when the
        caller has them, else one sparse product), so no document is ever assembled as a
        token list. ``previous``: an earlier evidence and which rows are unchanged since
        (``Earlier``): the rows of ``char_experts``, of the documents and of the centroids
        none of whose inputs or terms' weights moved are kept (``reweighed``)."""
        rows = [np.asarray(m, dtype=np.int64) for m in members]
        if doc_counts is None:
            doc_counts = document_counts(own, experts, rows)
        spaces, docs, keeps = {}, {}, {}
        for key in SPACES:
            counts = doc_counts[key]
            spaces[key], keeps[key] = TfidfSpace.fit_counts(counts, vocab[key])
            earlier = previous and previous.docs(key)
            docs[key] = reweighed(spaces[key], keeps[key], counts, earlier)[0]
        char = spaces["char"]
        earlier = previous and (previous.evidence.char, previous.evidence.expert_rows())
        char_experts, reused = reweighed(
            char, keeps["char"], experts["char"], earlier and (*earlier, previous.e_src)
        )
        own_char = restrict_columns(own["char"], keeps["char"])
        out = cls(
            char12=spaces["char12"],
            char=char,
            word=spaces["word"],
            char12_docs=docs["char12"],
            char_docs=docs["char"],
            char_centroids=patched_centroids(
                char_experts, (char, own_char), rows, previous and (previous, reused)
            ),
            word_docs=docs["word"],
            char_experts=char_experts,
            members=rows,
        )
        out.reused = reused
        return out

    def columns(self, name: str) -> sp.csc_matrix:
        """Matrix ``name`` by column (converted once): a product with queries then reads
        only the columns of the queries' terms."""
        got = self._by_column.get(name)
        if got is None:
            got = self._by_column[name] = sp.csc_matrix(getattr(self, name))
        return got

    def serve_only(self) -> None:
        """For a process that only serves (it never patches a refresh from this evidence): a
        store whose member-order copy of the experts' character rows would pass
        ``MEMBER_COPY_BYTES`` holds them by column only. Every member then reads its expert's
        column scores (``member_char``); a reader of rows converts them (``expert_rows``)."""
        m = self.char_experts
        flat = self.member_layout()[0]
        stored = int(np.diff(m.indptr)[flat].sum()) if len(flat) else 0
        if stored * (m.data.itemsize + m.indices.itemsize) > MEMBER_COPY_BYTES:
            self.char_experts = self.columns("char_experts")

    def expert_rows(self) -> sp.csr_matrix:
        """``char_experts`` by row (converted when held by column)."""
        return sp.csr_matrix(self.char_experts)

    def query_char(self, query_chars: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Queries' character-bigram vectors (computed once, read by ``expert_char`` and
        ``channels``)."""
        return self.char.transform(query_chars)

    def expert_char(self, query_char: sp.csr_matrix) -> np.ndarray:
        """Character-bigram cosines of every expert with each query (experts × queries;
        ``query_char`` from ``query_char``)."""
        return by_columns(self.columns("char_experts"), query_char)

    def member_char(self, query_char: sp.csr_matrix) -> np.ndarray:
        """``by_member`` of ``expert_char``, without the gather: the members' rows are laid
        out in that order once (queries × members)."""
        if self.char_experts.format == "csc":  # held by column only (``serve_only``)
            return self.by_member(self.expert_char(query_char))
        got = self._by_column.get("char_members")
        if got is None:
            rows = self.char_experts[self.member_layout()[0]]
            got = self._by_column["char_members"] = sp.csc_matrix(rows)
        return by_columns(got, query_char).T

    def member_vectors(self, vectors: np.ndarray) -> np.ndarray | None:
        """``vectors`` (one row per expert) in ``member_layout`` order, laid out once per
        array: ``query_vectors @ member_vectors(v).T`` is ``by_member`` of the experts'
        dense cosines. None when that copy would pass ``MEMBER_COPY_BYTES`` (the caller
        gathers each query's expert cosines instead)."""
        flat = self.member_layout()[0]
        if len(flat) * vectors[:1].nbytes > MEMBER_COPY_BYTES:
            return None
        if self._member_vectors is None or self._member_vectors[0] is not vectors:
            self._member_vectors = (vectors, np.ascontiguousarray(vectors[flat]))
        return self._member_vectors[1]

    def member_people(self, expert_ids: np.ndarray) -> tuple[np.ndarray, list[bool]]:
        """Which rows of ``member_layout`` are experts (``rank.is_expert`` of ``expert_ids``),
        and per society whether all its members are; computed once per ids array."""
        got = getattr(self, "_people", None)  # (absent on an instance made by ``__new__``)
        if got is None or got[0] is not expert_ids:
            from matcher.ranking.rank import is_expert  # (rank imports this module)

            people = is_expert(np.asarray(expert_ids)[self.member_layout()[0]])
            bounds = self.member_layout()[1].tolist()
            every = [bool(people[a:b].all()) for a, b in pairwise(bounds)]
            got = self._people = (expert_ids, people, every)
        return got[1], got[2]

    def member_layout(self) -> tuple[np.ndarray, np.ndarray]:
        """Every society's member rows concatenated, and where each society's run starts
        (one more at the end); computed once."""
        if self._layout is None:
            flat = np.concatenate([np.zeros(0, np.int64), *self.members])
            bounds = np.cumsum([0, *(len(m) for m in self.members)])
            self._layout = (flat, bounds)
        return self._layout

    def by_member(self, expert_scores: np.ndarray) -> np.ndarray:
        """Queries × every society's members in turn (``member_layout`` order) of
        ``expert_scores`` (experts × queries). Fastest when ``expert_scores`` is the
        transpose of a queries × experts array (each query's scores are then contiguous)."""
        return np.take(expert_scores.T, self.member_layout()[0], axis=1)

    def top_m_mean(
        self, expert_scores: np.ndarray, m: int, *, by_member: np.ndarray | None = None
    ) -> np.ndarray:
        """Per society (rows) and query (columns of ``expert_scores``, experts × queries), the
        mean of its ``m`` best member scores (0 without members); ``by_member``: its
        ``by_member`` when the caller has it."""
        bounds = self.member_layout()[1]
        by_query = self.by_member(expert_scores) if by_member is None else by_member
        plans = getattr(self, "_plans", None)  # (absent on an instance made by ``__new__``)
        if plans is None:
            plans = self._plans = {}
        if m not in plans:
            plans[m] = Plan.of(bounds, m)
        return top_m_means(by_query, bounds, m, plans[m])

    def channels(
        self,
        *,
        query_chars12: Sequence[Sequence[str]],
        query_char: sp.csr_matrix,
        query_words: Sequence[Sequence[str]],
        query_vectors: np.ndarray,
        society_vectors: np.ndarray,
        top_m: int,
        expert_dense: np.ndarray | None = None,
        expert_char: np.ndarray | None = None,
        member_dense: np.ndarray | None = None,
        member_char: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Raw scores of every channel, societies × queries, for a batch of queries
        (``expert_dense`` / ``expert_char``: their dense and character-bigram cosines with
        every expert row, experts × queries; ``member_*``: their ``by_member``, which replace
        them when given)."""
        qc = query_char
        qw = self.word.transform(query_words)
        q12 = self.char12.transform(query_chars12)
        return {
            "char12_doc": by_columns(self.columns("char12_docs"), q12),
            "char_doc": by_columns(self.columns("char_docs"), qc),
            "char_centroid": by_columns(self.columns("char_centroids"), qc),
            "word_doc": by_columns(self.columns("word_docs"), qw),
            "char_experts": self.top_m_mean(expert_char, top_m, by_member=member_char),
            "dense_doc": society_vectors @ query_vectors.T,
            "dense_experts": self.top_m_mean(expert_dense, top_m, by_member=member_dense),
        }


MEMBER_COPY_BYTES = 512 << 20
"""The largest member-order copy of the experts' vectors (``member_vectors``) or, in a process
that only serves, character rows (``member_char``) kept: at 100,000 experts (about 100 MiB
each) it spares a gather per query; at a million (1 GiB each) it would double their memory."""
PRODUCT_ROWS = 4096
"""Matrices with at most this many rows (the societies' documents) meet queries in sparse
products, a block of queries at a time; taller ones (every member's row) one query at a
time, since a product's sparse result would hold queries × rows entries…"""
PRODUCT_ENTRIES = 1 << 22
"""…and a block's product result at most this many (32 MiB)."""
FEW_QUERIES = 4
"""At most this many queries meet a short matrix one at a time in numpy (``add_columns``):
for one need, a sparse product's fixed cost is most of its time."""


def by_columns(matrix: sp.csc_matrix, queries: sp.csr_matrix) -> np.ndarray:
    """``matrix @ queries.T`` as a dense float32 rows × queries array, reading only the
    columns of ``matrix`` that the queries use (a need has a few dozen terms of a vocabulary
    of hundreds of thousands): each query's terms' columns, in its order, times its
    weights, added into its scores (for a short matrix: ``add_columns`` for a few queries,
    else scipy's sparse product ``queries @ matrix.T``; for a tall one, per query scipy's
    sparse × vector product of its columns: the same float32 sums in the same order). The
    array is the transpose of a queries × rows one (each query's scores contiguous)."""
    q = queries
    if not (sp.issparse(q) and q.format == "csr" and q.dtype == np.float32):
        q = sp.csr_matrix(q, dtype=np.float32)  # (a weighed query is one: no copy per call)
    n_rows = matrix.shape[0]
    out = np.zeros((q.shape[0], n_rows), np.result_type(matrix.dtype, np.float32))
    if n_rows <= PRODUCT_ROWS and q.shape[0] <= FEW_QUERIES:
        for i in np.flatnonzero(np.diff(q.indptr)).tolist():
            a, b = q.indptr[i], q.indptr[i + 1]
            add_columns(out[i], matrix, q.indices[a:b], q.data[a:b])
    elif n_rows <= PRODUCT_ROWS:
        step = max(1, PRODUCT_ENTRIES // max(n_rows, 1))
        for i in range(0, q.shape[0], step):
            out[i : i + step] = (q[i : i + step] @ matrix.T).toarray()
    else:
        for i in np.flatnonzero(np.diff(q.indptr)).tolist():
            a, b = q.indptr[i], q.indptr[i + 1]
            out[i] = matrix[:, q.indices[a:b]] @ q.data[a:b]
    return out.astype(np.float32, copy=False).T


def add_columns(
    out: np.ndarray, matrix: sp.csc_matrix, columns: np.ndarray, weights: np.ndarray
) -> None:
    """``out += matrix[:, columns] @ weights`` as scipy's sparse product of a query row with
    ``matrix.T`` sums it: per row of ``matrix``, the products ``weight · entry`` added one at
    a time in the order of ``columns`` (``np.add.at`` adds in the order given), in the
    result type of the two (the same float32 sums)."""
    starts = matrix.indptr[columns].astype(np.int64)
    lens = matrix.indptr[columns + 1] - starts
    ends = np.cumsum(lens)
    at = np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - (ends - lens), lens)
    np.add.at(out, matrix.indices[at], matrix.data[at] * np.repeat(weights, lens))


def assignment(members: Sequence[np.ndarray], n_s: int, n_e: int) -> sp.csr_matrix:
    """Societies × experts, 1 where the expert is a member."""
    empty = np.zeros(0, np.int64)
    rows = np.concatenate([empty, *(np.full(len(m), s, np.int64) for s, m in enumerate(members))])
    cols = np.concatenate([empty, *members])
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n_s, n_e))


def document_counts(
    own: dict[str, sp.csr_matrix], experts: dict[str, Rows], members: list[np.ndarray]
) -> dict[str, sp.csr_matrix]:
    """Per key, every society document's counts: its own text's plus its members'."""
    assign = assignment(members, own["char"].shape[0], experts["char"].shape[0])
    return {k: member_sums(assign, whole(experts[k]), own[k]) for k in SPACES}


def member_sums(assign: sp.csr_matrix, experts: sp.csr_matrix, own: sp.csr_matrix) -> sp.csr_matrix:
    """``assign @ experts + own`` (float32, each row's columns sorted), ``SOCIETY_BLOCK``
    societies at a time, each block to ``scratch`` files when a build spills: at a million
    experts a society's row holds most of the vocabulary, and the whole product and its sum
    (gigabytes) are not held at once. The products read the members' rows in society order
    (``by_membership``: one pass over ``experts``, however many blocks), and each row's
    numbers are those of one product: its members' rows times their weights, added in
    ascending expert order (``assign`` is canonical, as ``assignment`` makes it)."""
    if not assign.shape[0]:
        return sp.csr_matrix(own.shape, dtype=np.float32)
    grouped = by_membership(assign, experts)
    step = SOCIETY_BLOCK
    return stacked_blocks(
        _sorted(_block_sums(assign, grouped, lo, lo + step) + own[lo : lo + step])
        for lo in range(0, assign.shape[0], step)
    )


def _block_sums(assign: sp.csr_matrix, grouped: sp.csr_matrix, lo: int, hi: int) -> sp.csr_matrix:
    """``assign[lo:hi] @ experts`` from ``grouped`` (``by_membership``'s rows): one sparse
    product of each society's weights with its run of member rows."""
    hi = min(hi, assign.shape[0])
    a, b = int(assign.indptr[lo]), int(assign.indptr[hi])
    at = grouped.indptr
    weights = sp.csr_matrix(
        (assign.data[a:b], np.arange(b - a, dtype=at.dtype), assign.indptr[lo : hi + 1] - a),
        shape=(hi - lo, b - a),
    )
    rows = csr_of(
        grouped.data[at[a] : at[b]], grouped.indices[at[a] : at[b]], at[a : b + 1] - at[a],
        (b - a, grouped.shape[1]),
    )  # fmt: skip
    return weights @ rows


def by_membership(assign: sp.csr_matrix, experts: sp.csr_matrix) -> sp.csr_matrix:
    """Row ``i``: the row of ``experts`` of ``assign``'s ``i``-th stored entry (society by
    society, each society's members in its order), a ``scratch`` copy made in one pass over
    ``experts`` (CSR) ``MEMBERSHIP_VALUES`` stored values at a time: each society's products then
    read its members' rows in one run. Summing a society's members straight from ``experts``
    (its rows spread over the whole matrix) reads all of it once per block of societies: at
    a million experts, when the kernel cannot keep it cached, hundreds of gigabytes."""
    lens = np.diff(experts.indptr)[assign.indices]
    total = int(lens.sum())
    index = np.int32 if max(total, experts.shape[1]) < 2**31 else np.int64
    starts = np.zeros(len(lens) + 1, index)
    np.cumsum(lens, out=starts[1:])
    data, indices = scratch.empty(total, experts.dtype), scratch.empty(total, index)
    societies = range(assign.shape[0])
    needed = np.unique(assign.indices)  # (a refresh redoes a few societies: their rows only)
    for lo, hi in value_blocks(experts.indptr, MEMBERSHIP_VALUES):
        here = needed[np.searchsorted(needed, lo) : np.searchsorted(needed, hi)]
        if not len(here):
            continue
        chunk = experts[here]
        for s in societies:
            a, b = assign.indptr[s], assign.indptr[s + 1]
            mine = assign.indices[a:b]
            i, j = a + np.searchsorted(mine, [lo, hi])  # (each society's members ascending)
            if i < j:
                piece = chunk[np.searchsorted(here, assign.indices[i:j])]
                data[starts[i] : starts[j]] = piece.data
                indices[starts[i] : starts[j]] = piece.indices
    return csr_of(data, indices, starts, (len(lens), experts.shape[1]))


def _sorted(m: sp.spmatrix) -> sp.csr_matrix:
    m = sp.csr_matrix(m, dtype=np.float32)
    m.sort_indices()  # (in place: ``sorted_indices`` would copy the block)
    return m


SOCIETY_BLOCK = 8
"""Societies whose sums ``member_sums`` makes at once (at a million experts, a block's
product is hundreds of megabytes)."""
MEMBERSHIP_VALUES = 1 << 23
"""Stored values of ``experts`` that ``by_membership`` copies out at once (64 MiB)."""


@dataclass
class Earlier:
    """What a patched refresh keeps of an earlier evidence: per expert row, its row there
    when its counts are unchanged (else -1), and per society row, its row there when its
    own text is unchanged (``s_src``) and when its document counts are (``doc_src``;
    None: every document is weighed anew)."""

    evidence: SocietyEvidence
    e_src: np.ndarray
    s_src: np.ndarray
    doc_src: np.ndarray | None = None

    def docs(self, key: str) -> tuple[TfidfSpace, sp.csr_matrix, np.ndarray] | None:
        """The earlier space and documents of ``key``, with ``doc_src`` (for ``reweighed``)."""
        if self.doc_src is None:
            return None
        return getattr(self.evidence, key), getattr(self.evidence, f"{key}_docs"), self.doc_src


def reweighed(
    space: TfidfSpace,
    keep: np.ndarray,
    counts: Rows,
    previous: tuple[TfidfSpace, sp.csr_matrix, np.ndarray] | None,
) -> tuple[sp.csr_matrix, np.ndarray | None]:
    """``space.weigh(counts[:, keep])``, taking from ``previous`` (an earlier space, the rows
    it weighed, and per row of ``counts`` its row there with the same counts, or -1) every
    row none of whose terms changed IDF or entered the space: a row's weights depend only
    on its counts and its terms' IDF, so those rows are the very numbers a full pass gives.
    A full pass when the previous space is not a prefix of this one (a term left it). Also
    each row's row in ``previous`` it was taken from, or -1 (None: a full pass)."""
    src = None if previous is None else unmoved(space, keep, counts, previous[0], previous[2])
    old_rows = None if previous is None else previous[1]
    if (
        src is None
        or int(src.max(initial=-1)) >= old_rows.shape[0]
        or old_rows.shape[1] != len(previous[0].vocab)
    ):
        return space.weigh(restrict_columns(whole(counts), keep)), None
    redo = np.flatnonzero(src < 0)
    fresh = space.weigh(restrict_columns(rows_of(counts, redo), keep))
    return take_rows(old_rows, fresh, src, len(space.vocab)), src


def unmoved(
    space: TfidfSpace, keep: np.ndarray, counts: Rows, old: TfidfSpace, src: np.ndarray
) -> np.ndarray | None:
    """``src`` (per row of ``counts``, its earlier row with the same counts, or -1) with -1
    also for the rows holding a term whose IDF moved since ``old`` or that entered the
    space; None when ``old`` is not a prefix of ``space`` (a term left it)."""
    n_old = len(old.vocab)
    if (
        len(space.vocab) < n_old
        or len(src) != counts.shape[0]
        or list(space.vocab)[:n_old] != list(old.vocab)
    ):
        return None
    moved = np.flatnonzero(space.idf[:n_old] != old.idf)
    flag = np.zeros(counts.shape[1] + 1, bool)
    flag[keep[moved]] = True
    flag[keep[n_old:]] = True
    src = np.array(src, np.int64, copy=True)
    src[rows_holding(counts, flag)] = -1
    return src


def patched_centroids(
    experts: sp.csr_matrix,
    own: tuple[TfidfSpace, sp.csr_matrix],
    members: list[np.ndarray],
    previous: tuple[Earlier, np.ndarray | None] | None,
) -> sp.csr_matrix:
    """``centroids`` of the experts' weighed rows and the societies' own counts (weighed in
    the space given), taking from ``previous`` (an earlier evidence, and per expert row the
    row of its ``char_experts`` kept, ``reweighed``'s) every society row whose own row is
    unchanged and whose members are the very rows, in the same order, it summed then: a
    row's sum and norm depend on those alone, so it is the number a full pass gives."""
    space, own_counts = own
    if previous is None or previous[1] is None:
        return centroids(experts, space.weigh(own_counts), members)
    earlier, reused = previous
    old = earlier.evidence
    keep = np.arange(own_counts.shape[1])
    src = unmoved(space, keep, own_counts, old.char, earlier.s_src)
    if src is None or old.char_centroids.shape != (len(old.members), len(old.char.vocab)):
        return centroids(experts, space.weigh(own_counts), members)
    for s in np.flatnonzero(src >= 0).tolist():
        was = old.members[src[s]] if src[s] < len(old.members) else None
        if was is None or not np.array_equal(reused[members[s]], was):
            src[s] = -1
    redo = np.flatnonzero(src < 0)
    # (weighing is row by row: the rows redone alone are the rows of a full weighing)
    fresh = centroids(experts, space.weigh(own_counts[redo]), [members[s] for s in redo.tolist()])
    return take_rows(old.char_centroids, fresh, src, len(space.vocab))


def centroids(
    experts: sp.csr_matrix, own: sp.csr_matrix, members: Sequence[np.ndarray]
) -> sp.csr_matrix:
    """Per society, the L2-normalised sum of its members' unit rows and its own unit row (its
    description counts as one more member): every member weighs the same, however long its
    text (one document per society lets long profiles dominate)."""
    assign = assignment(members, own.shape[0], experts.shape[0])
    total = member_sums(assign, experts, own)
    total.sum_duplicates()  # (sorted: each row's sums in one order however many rows)
    # scaled in place (at a million experts a society's row holds most of the vocabulary:
    # the whole is gigabytes, and scipy's products would copy it three times)
    lens = np.diff(total.indptr)
    full = np.flatnonzero(lens)
    norms = np.zeros(total.shape[0], np.float32)
    norms[full] = np.add.reduceat(total.data * total.data, total.indptr[full])
    total.data *= np.repeat((1 / np.maximum(np.sqrt(norms), 1e-12)).astype(np.float32), lens)
    return total
