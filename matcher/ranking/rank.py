"""Hybrid ranking of one query against expert and society collections (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.embeddings.vector_index import VectorIndex
from matcher.ranking.bm25 import BM25
from matcher.ranking.config import RankingConfig
from matcher.ranking.evidence import SocietyEvidence
from matcher.ranking.fusion import PRIOR_FEATURES, ExpertCalibration, Fusion, design
from matcher.ranking.topm import MIN_RUN, best_in_runs
from matcher.text.ngrams import char_bigrams, char_unigrams_bigrams
from matcher.text.normalize import normalize


@dataclass
class Corpus:
    """One target collection: rows aligned with ``ids``; its dense index ``ann`` is built
    (and saved) by ``matcher.embeddings.vector_index``, its BM25 by ``BM25``."""

    ids: np.ndarray
    vectors: np.ndarray
    cities: list[str | None]
    fit_texts: list[str]
    bm25: BM25
    ann: VectorIndex
    by_id: np.ndarray = field(init=False)
    _fit_bigrams: dict[int, set[str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = np.argsort(self.ids, kind="stable")

    def fit_bigrams(self, row: int) -> set[str]:
        """Bigrams of the row's industry/discipline fields (computed when first asked)."""
        got = self._fit_bigrams.get(row)
        if got is None:
            got = self._fit_bigrams[row] = _bigrams(self.fit_texts[row])
        return got

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Row positions of these (present) ids."""
        return self.by_id[np.searchsorted(self.ids, ids, sorter=self.by_id)]


@dataclass
class Query:
    tokens: list[str]
    vector: np.ndarray
    keywords: list[str]
    city: str | None = None
    industry: str | None = None
    text: str = ""
    discipline: str | None = None  # 学科分类 stated by the enterprise
    partner: str | None = None  # 合作意向单位 stated by the enterprise
    outcomes: dict[str, np.ndarray] | None = None  # per society row: served / declined
    first: dict[int, str] | None = None  # society id → why it is listed first
    first_experts: set[int] | None = None  # expert ids listed first (workstation residents)


@dataclass
class Scored:
    id: int
    score: float
    components: dict
    matched_keywords: list[str]


def is_expert(ids: np.ndarray) -> np.ndarray:
    """Which rows of an expert corpus are experts: the needs a society served well join it
    as members under negative ids (``matcher.matching.profiles.served_rows``) — evidence for
    the society, never ranked or shown as experts."""
    return np.asarray(ids) > 0


def _bigrams(text: str) -> set[str]:
    text = normalize(text).replace(" ", "")
    return {text[i : i + 2] for i in range(len(text) - 1)}


def industry_fit(industry: str | None, fit_text: str | set[str]) -> float:
    """Dice overlap of character bigrams between the need's industry and the target's fields."""
    a = _bigrams(industry or "")
    b = fit_text if isinstance(fit_text, set) else _bigrams(fit_text)
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def candidate_rows(corpus: Corpus, vectors: np.ndarray, k: int) -> list[np.ndarray]:
    """Per query vector, the corpus rows of its ``k`` dense nearest neighbours (one ANN
    search for the whole batch)."""
    vectors = np.atleast_2d(vectors)
    if not len(corpus.ids):
        return [np.zeros(0, np.int64) for _ in vectors]
    _, found = corpus.ann.search(vectors, min(k, len(corpus.ids)))
    return [corpus.rows_of(ids[ids >= 0]) for ids in found]


def discipline_fit(discipline: str | None, fit_text: str) -> float:
    """1.0 when the stated discipline names one of the target's listed disciplines, or its
    name (either contains the other: 机械工程 ~ 河南省机械工程学会), else 0.0. Bigram
    overlap would be noise here: 化学工程 and 水利工程 share 工程. A coarse 门类 (工学)
    matches only a society that lists it."""
    want = "".join(normalize(discipline or "").split())
    if len(want) < 2:
        return 0.0
    items = normalize(fit_text).split()
    return float(any(len(d) >= 2 and (want in d or d in want) for d in items))


def prior_scores(corpus: Corpus, rows: np.ndarray, query: Query) -> dict[str, np.ndarray]:
    """Same city (0/1), industry fit and discipline fit of the given rows (zeros when the
    query states none)."""
    city = np.zeros(len(rows))
    if query.city:
        want = normalize(query.city)
        city[:] = [bool(c) and normalize(c) == want for c in (corpus.cities[r] for r in rows)]
    fit = np.zeros(len(rows))
    if query.industry:
        fit[:] = [industry_fit(query.industry, corpus.fit_bigrams(r)) for r in rows]
    disc = np.zeros(len(rows))
    if query.discipline:
        disc[:] = [discipline_fit(query.discipline, corpus.fit_texts[r]) for r in rows]
    out = {"city": city, "industry_fit": fit, "discipline_fit": disc}
    if query.outcomes:  # societies only: similarity to needs it served well / declined
        out |= {name: np.asarray(v)[rows] for name, v in query.outcomes.items()}
    return out


def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best scores, ties broken by the smaller id."""
    return np.lexsort((ids, -scores))[:k]


def rank_experts(
    query: Query,
    experts: Corpus,
    cfg: RankingConfig,
    top_k: int,
    candidates: np.ndarray | None = None,
    calibration: ExpertCalibration | None = None,
) -> list[Scored]:
    """Experts by ``dense_weight·cosine + bm25_weight·bm25/max(bm25)`` plus priors, over the
    dense candidates (``candidate_rows``, searched here unless given), joined by the BM25
    top-N when BM25 has a weight (else BM25 only explains). A result's score is the
    calibrated 0–100 chance that the expert belongs to a right society."""
    if not len(experts.ids):
        return []
    rows = candidates
    if rows is None:
        rows = candidate_rows(experts, query.vector, cfg.candidates)[0]
    if cfg.bm25_weight:
        bm = experts.bm25.scores(query.tokens)
        if bm.any():
            k = min(cfg.candidates, len(bm))
            rows = np.union1d(rows, np.argpartition(-bm, k - 1)[:k])
        bm = bm[rows]
    else:
        bm = experts.bm25.scores(query.tokens, rows)
    people = is_expert(experts.ids[rows])
    rows, bm = rows[people], bm[people]
    bm = bm / max(float(bm.max(initial=0.0)), 1e-9)
    dense = experts.vectors[rows] @ query.vector
    priors = prior_scores(experts, rows, query)
    fused = cfg.dense_weight * dense + cfg.bm25_weight * bm
    fused = fused + cfg.city_weight * priors["city"] + cfg.industry_weight * priors["industry_fit"]
    fused = fused + cfg.discipline_weight * priors["discipline_fit"]
    scores = (calibration or ExpertCalibration()).score(fused)
    out = []
    top = _top(fused, experts.ids[rows], top_k)
    matched = experts.bm25.present_each(rows[top].tolist(), query.keywords)
    for i, kws in zip(top.tolist(), matched, strict=True):
        row = int(rows[i])
        comp = {"dense": float(dense[i]), "bm25": float(bm[i])}
        comp |= {name: float(v[i]) for name, v in priors.items()} | {"fused": float(fused[i])}
        out.append(Scored(int(experts.ids[row]), round(float(scores[i]), 1), comp, kws))
    return out


def rank_societies_many(
    queries: Sequence[Query],
    societies: Corpus,
    experts: Corpus,
    evidence: SocietyEvidence,
    capacity_share: dict[int, float],
    cfg: RankingConfig,
    top_k: int,
    expert_names: dict[int, str] | None = None,
    fusion: Fusion | None = None,
) -> list[list[Scored]]:
    """Per query, societies by the fitted fusion of their channels and priors (``Fusion``);
    a result's score is the calibrated 0–100 chance that it is a right society, and it
    explains itself. The whole batch is computed together (matrix products)."""
    n = len(societies.ids)
    if not n or not queries:
        return [[] for _ in queries]
    fusion = fusion or Fusion.default(cfg)
    vectors = np.stack([q.vector for q in queries])
    # queries × every society's members in turn: what the member channels and explanations
    # read, computed in that order (no gather of experts × queries scores)
    members = evidence.member_vectors(experts.vectors)
    if members is None:  # (too many to lay out again: each query's expert cosines gathered)
        member_dense = evidence.by_member((vectors @ experts.vectors.T).T)
    elif len(queries) == 1:  # a matrix-vector product (same numbers; 4.4, not 5.2 ms at 100k)
        member_dense = (members @ vectors[0])[None, :]
    else:
        member_dense = vectors @ members.T
    query_char = evidence.query_char([char_bigrams(q.text) for q in queries])
    member_char = evidence.member_char(query_char)
    raw = evidence.channels(
        query_chars12=[char_unigrams_bigrams(q.text) for q in queries],
        query_char=query_char,
        query_words=[q.tokens for q in queries],
        query_vectors=vectors,
        society_vectors=societies.vectors,
        top_m=cfg.society_top_m,
        member_dense=member_dense,
        member_char=member_char,
    )
    priors = [prior_scores(societies, np.arange(n), q) for q in queries]
    none = np.zeros(n)
    stacked = {p: np.stack([pr.get(p, none) for pr in priors], axis=1) for p in PRIOR_FEATURES}
    fused = fusion.fused(design(raw, stacked))  # societies × queries
    probs = fusion.probabilities(fused)
    scores = fusion.calibrated(probs)
    drive = _member_weights(fusion)
    sids = societies.ids.tolist()
    capacity = np.array([capacity_share.get(int(sid), 1.0) for sid in sids])
    names = expert_names or {}
    tops = [_top(fused[:, j], societies.ids, top_k) for j in range(len(queries))]
    driving = _driving_members(
        tops, evidence, drive, member_char, member_dense, cfg.top_experts_shown, experts.ids
    )
    out = []
    for j, (query, top) in enumerate(zip(queries, tops, strict=True)):
        # the listed rows' numbers, read once per query as Python floats (``tolist``)
        chan = {c: v[top, j].tolist() for c, v in raw.items()}
        prior = {p: stacked[p][top, j].tolist() for p in PRIOR_FEATURES}
        cap, fu, pr = capacity[top].tolist(), fused[top, j].tolist(), probs[top, j].tolist()
        score = scores[top, j].tolist()
        matched = societies.bm25.present_each(top, query.keywords)
        ranked = []
        for i, (row, kws) in enumerate(zip(top.tolist(), matched, strict=True)):
            comp = {c: round(v[i], 4) for c, v in chan.items()}
            comp |= {p: v[i] for p, v in prior.items()}
            comp |= {"capacity": cap[i], "fused": round(fu[i], 4), "probability": round(pr[i], 4)}
            rows, member_scores = driving[j, row]
            comp["top_experts"] = [
                {"id": e, "name": names.get(e, ""), "score": round(v, 4)}
                for e, v in zip(experts.ids[rows].tolist(), member_scores.tolist(), strict=True)
            ]
            ranked.append(Scored(sids[row], round(score[i], 1), comp, kws))
        out.append(ranked)
    return out


def _member_weights(fusion: Fusion) -> tuple[float, float]:
    """How an explanation weighs a member's character and dense similarity: as the fusion
    weighs the member channels (both equally when it gives them none)."""
    a = max(fusion.weights.get("char_experts", 0.0), 0.0)
    b = max(fusion.weights.get("dense_experts", 0.0), 0.0)
    return (a, b) if a + b > 0 else (1.0, 1.0)


def _driving_members(
    tops: Sequence[np.ndarray],
    evidence: SocietyEvidence,
    drive: tuple[float, float],
    member_char: np.ndarray,
    member_dense: np.ndarray,
    k: int,
    expert_ids: np.ndarray,
) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
    """For each query ``j`` and society row in ``tops[j]``, the expert rows of the ``k``
    members that drove the society's score and their scores (``drive``-weighted character
    and dense cosines, ``SocietyEvidence.by_member``), best first, ties in member order.
    Only experts are shown, not the served needs among the members (``is_expert``). Pairs
    of a long society are read together (``best_in_runs``), the rest a society at a time."""
    js = np.repeat(np.arange(len(tops)), [len(t) for t in tops])
    rows = np.concatenate([np.zeros(0, np.int64), *tops]).astype(np.int64)
    bounds = evidence.member_layout()[1]
    long = bounds[rows + 1] - bounds[rows] >= MIN_RUN
    on = _Members(evidence, drive, member_char, member_dense, k, expert_ids)
    out = _driving_by_society(js[~long], rows[~long], on)
    js, rows = js[long], rows[long]
    chunk = np.cumsum(bounds[rows + 1] - bounds[rows]) // DRIVING_ENTRIES
    for part in np.split(np.arange(len(rows)), np.flatnonzero(np.diff(chunk)) + 1):
        got = _driving_in_runs(js[part], rows[part], on) if len(part) else {}
        out |= _driving_by_society(js[part], rows[part], on) if got is None else got
    return out


@dataclass(frozen=True)
class _Members:
    """What ``_driving_members`` reads the members' scores from (see there)."""

    evidence: SocietyEvidence
    drive: tuple[float, float]
    char: np.ndarray  # queries × members (``by_member`` order)
    dense: np.ndarray
    k: int
    expert_ids: np.ndarray


DRIVING_ENTRIES = 1 << 21
"""Member scores gathered at once by ``_driving_in_runs`` (bounded temporaries when a
batch lists every society)."""


def _driving_in_runs(
    js: np.ndarray, rows: np.ndarray, on: _Members
) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] | None:
    """``_driving_by_society`` of these (query, society row) pairs, every pair's members'
    scores gathered in one array (None: ``best_in_runs`` declined)."""
    bounds = on.evidence.member_layout()[1]
    people = on.evidence.member_people(on.expert_ids)[0]
    lo = bounds[rows]
    sizes = bounds[rows + 1] - lo
    within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    cols = np.repeat(lo, sizes) + within
    at = np.repeat(js * on.char.shape[1], sizes) + cols  # (flat: one index, not two)
    scores = on.drive[0] * on.char.ravel().take(at) + on.drive[1] * on.dense.ravel().take(at)
    scores[~people[cols]] = -np.inf
    best = best_in_runs(scores, sizes, on.k)
    if best is None:
        return None
    out = {}
    for j, row, picked in zip(js.tolist(), rows.tolist(), best, strict=True):
        picked = picked[people[cols[picked]]]
        out[j, row] = on.evidence.members[row][within[picked]], scores[picked]
    return out


def _driving_by_society(
    js: np.ndarray, rows: np.ndarray, on: _Members
) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
    """``_driving_members`` of these (query, society row) pairs: one vectorised pass per
    society over the queries that list it."""
    listing: dict[int, list[int]] = {}
    for j, row in zip(js.tolist(), rows.tolist(), strict=True):
        listing.setdefault(row, []).append(j)
    bounds = on.evidence.member_layout()[1].tolist()
    flat_people, all_people = on.evidence.member_people(on.expert_ids)
    drive, out = on.drive, {}
    for row, qs in listing.items():
        lo, hi = bounds[row], bounds[row + 1]
        scores = drive[0] * on.char[qs, lo:hi] + drive[1] * on.dense[qs, lo:hi]
        members = on.evidence.members[row]
        people = flat_people[lo:hi]
        if not all_people[row]:
            scores[:, ~people] = -np.inf
        for i, (j, best) in enumerate(zip(qs, _best_first(scores, on.k), strict=True)):
            best = best[people[best]]
            out[j, row] = members[best], scores[i, best]
    return out


def _best_first(scores: np.ndarray, k: int) -> list[np.ndarray]:
    """Per row of ``scores``, ``np.argsort(-row, kind="stable")[:k]`` without sorting the
    whole row: only the values at least the row's ``k``-th best are sorted (rows with ties
    at that value are done one by one)."""
    n = scores.shape[1]
    if n <= k or k <= 0:
        return list(np.argsort(-scores, axis=1, kind="stable")[:, :k])
    if len(scores) == 1:  # (one need: the rows' way below, without the batch's bookkeeping)
        row = scores[0]
        pick = np.flatnonzero(row >= np.partition(row, n - k)[n - k])
        return [pick[np.argsort(-row[pick], kind="stable")[:k]]]
    kth = np.partition(scores, n - k, axis=1)[:, n - k]
    above = scores >= kth[:, None]
    exact = above.sum(axis=1) == k
    out: list[np.ndarray] = [np.zeros(0, np.int64)] * len(scores)
    if exact.any():
        pos = np.nonzero(above[exact])[1].reshape(-1, k)  # ascending within each row
        got = np.take_along_axis(scores[exact], pos, axis=1)
        best = np.take_along_axis(pos, np.argsort(-got, axis=1, kind="stable"), axis=1)
        for i, b in zip(np.flatnonzero(exact).tolist(), best, strict=True):
            out[i] = b
    for i in np.flatnonzero(~exact).tolist():
        row = scores[i]
        pick = np.flatnonzero(above[i])
        out[i] = pick[np.argsort(-row[pick], kind="stable")[:k]]
    return out
