"""Stored results: rank needs against the current index version and store what they get.

Functions take keyword-only arguments and never commit; the caller owns the transaction.
Reads only read (``get_matches``); results are written when a need is posted or edited, and
in bulk after a new index version (``rerank_stale``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from matcher.audit.service import record
from matcher.errors import NotFoundError
from matcher.matching import profiles
from matcher.matching.indexes import IndexState
from matcher.matching.lifecycle import ready
from matcher.matching.outcomes import outcome_evidence
from matcher.matching.preferred import attach_workstations, listed_first, put_first
from matcher.matching.runtime import MatchingRuntime
from matcher.models import MatchResult, NeedStatus, TargetKind, TechNeed, User
from matcher.models.base import utcnow
from matcher.ranking.rank import (
    Query,
    Scored,
    candidate_rows,
    rank_experts,
    rank_societies_many,
)
from matcher.text.segmenter import keywords
from matcher.timeutil import assume_utc

RESIDENT_REASON = "工作站驻站专家 / resident expert"
BATCH = 512
"""Needs ranked together: one ANN search and one experts × needs product per batch."""
LISTED_IDS = 50
"""A bulk match event lists its needs' ids up to this many (its count says how many)."""


def _queries(
    runtime: MatchingRuntime, needs: list[TechNeed], state: IndexState | None = None
) -> list[Query]:
    state, seg = state or runtime.state, runtime.segmenter
    texts = [profiles.need_text(n) for n in needs]
    tokens = seg.tokens_many(texts, parallel=False)
    vectors = runtime.encoder.encode(texts, kind="query", tokens=tokens)
    bm25 = state.experts.bm25 if state.experts.bm25.idf else state.societies.bm25
    idf, top_idf = bm25.idf, bm25.max_idf
    out = []
    for need, text, toks, vec in zip(needs, texts, tokens, vectors, strict=True):
        explicit = [k for kw in need.keywords or [] for k in seg.tokens(kw)]
        found = keywords(seg.keyword_tokens(text, toks), idf, top_n=25, default=top_idf)
        kws = [k for k in dict.fromkeys(explicit + found) if seg.informative(k)][:15]
        industry = need.industry or need.application_industry
        out.append(Query(toks, vec, kws, need.city, industry, text, need.discipline, need.partner))
    return out


DENSE_BLOCK = 1 << 24
"""Bound on the experts × queries score blocks computed at once when ranking societies
(float32: 64 MiB a block)."""


def rank_queries(
    runtime: MatchingRuntime,
    queries: list[Query],
    target: TargetKind,
    top_k: int,
    load: dict[int, int] | None = None,
    state: IndexState | None = None,
) -> list[list[Scored]]:
    """Rank a batch of queries against ``state`` (default: the current indexes; ``load``:
    open assignments per society, for the capacity prior); expert candidates come from one
    ANN search."""
    state, cfg = state or runtime.state, runtime.config
    if not queries:
        return []
    if target == TargetKind.EXPERT:
        candidates = candidate_rows(
            state.experts, np.stack([q.vector for q in queries]), cfg.candidates
        )
        return [
            put_first(
                rank_experts(
                    q,
                    state.experts,
                    cfg,
                    top_k + len(q.first_experts or ()),
                    rows,
                    state.expert_calibration,
                ),
                dict.fromkeys(q.first_experts or (), RESIDENT_REASON),
                top_k,
            )
            for q, rows in zip(queries, candidates, strict=True)
        ]
    load = load or {}
    share = {
        sid: max(cap - load.get(sid, 0), 0) / cap if cap > 0 else 0.0
        for sid, cap in state.society_capacity.items()
    }
    step = max(1, DENSE_BLOCK // max(len(state.experts.ids), 1))
    names = state.names[str(TargetKind.SOCIETY)]
    first = [listed_first(q, names) for q in queries]
    out = []
    for i in range(0, len(queries), step):  # bounded memory: experts × block cosines
        block = slice(i, i + step)
        ranked = rank_societies_many(
            queries[block],
            state.societies,
            state.experts,
            state.evidence,
            share,
            cfg,
            len(names) if any(first[block]) else top_k,  # a preferred one may rank low
            state.names[str(TargetKind.EXPERT)],
            state.fusion,
        )
        out += [put_first(r, f, top_k) for r, f in zip(ranked, first[block], strict=True)]
    return out


NEEDS_DETAIL_FLOOR = 15.0
"""A need whose best society scores below this (a right society fewer than 15 times in 100
at that score) is marked ``needs_detail`` instead of being sent to societies as a lead."""
MIN_INFORMATIVE_WORDS = 2
"""…and so is one with fewer informative words than this (after stop and generic words)."""
SEEKING = (NeedStatus.OPEN, NeedStatus.MATCHED, NeedStatus.NEEDS_DETAIL)
"""Needs still looking for help: what ranking may (re)label, what ``match_open_needs``
(re)ranks by default."""


def too_vague(query: Query, scored: list[Scored]) -> bool:
    """Whether a need says too little to route: almost no informative words, or no society
    the fusion is even modestly sure of (the best score, not the first listed: a partner
    listed first may fit this need poorly)."""
    best = max((s.score for s in scored), default=0.0)
    return len(query.keywords) < MIN_INFORMATIVE_WORDS or best < NEEDS_DETAIL_FLOOR


def _rows(
    need: TechNeed, target: TargetKind, scored: list[Scored], version: str
) -> list[MatchResult]:
    """Match rows of a ranking (not added to any session)."""
    now = utcnow()
    return [
        MatchResult(
            need_id=need.id,
            target_kind=target,
            target_id=s.id,
            rank=rank,
            score=s.score,
            components=s.components,
            matched_keywords=s.matched_keywords,
            model_id=version,
            created_at=now,
        )
        for rank, s in enumerate(scored, start=1)
    ]


def _store(
    session: Session,
    need: TechNeed,
    target: TargetKind,
    scored: list[Scored],
    version,
    vague: bool = False,
):
    session.execute(
        delete(MatchResult)
        .where(MatchResult.need_id == need.id, MatchResult.target_kind == target)
        .execution_options(synchronize_session=False)
    )
    if target == TargetKind.SOCIETY and need.status in SEEKING:
        need.status = NeedStatus.NEEDS_DETAIL if vague else NeedStatus.MATCHED
        session.flush()  # the need's updated_at moves first: these rows are not older
    rows = _rows(need, target, scored, version)
    session.add_all(rows)
    session.flush()
    return rows


def match_need(
    *,
    session: Session,
    runtime: MatchingRuntime,
    need: TechNeed,
    target: TargetKind,
    top_k: int | None = None,
    actor: User | None = None,
) -> list[MatchResult]:
    """Rank now, replace the stored results of (need, target), return them by rank."""
    return _match_many(session, runtime, [need], TargetKind(target), top_k, actor)[need.id]


@dataclass
class Ranked:
    """Rankings of some needs against one index version, not stored yet."""

    target: TargetKind
    top_k: int
    version: str
    scored: list[list[Scored]]  # aligned with the needs
    vague: list[bool]  # aligned with the needs: too little to route (``too_vague``)


def rank_needs(
    *,
    session: Session,
    runtime: MatchingRuntime,
    needs: list[TechNeed],
    target: TargetKind,
    top_k: int | None = None,
    progress: bool = False,
    batch_size: int = BATCH,
    on_progress: Callable[[int, int], None] | None = None,
) -> Ranked:
    """Rank needs (stored or not yet) against the current indexes, in batches of
    ``batch_size`` (``on_progress(ranked so far, all)`` after each); writes nothing and
    never builds (``ready``)."""
    target = TargetKind(target)
    state = ready(session=session, runtime=runtime)
    top_k = top_k or runtime.settings.default_top_k
    load = profiles.open_assignments(session) if target == TargetKind.SOCIETY else {}
    scored: list[list[Scored]] = []
    vague: list[bool] = []
    bar = tqdm(total=len(needs), disable=not progress, desc="匹配 matching", unit="条")
    with bar:
        version = state.version
        for i in range(0, len(needs), batch_size):
            batch = needs[i : i + batch_size]
            queries = _queries(runtime, batch, state)
            attach_workstations(session, batch, queries)
            if target == TargetKind.SOCIETY:
                outcome_evidence(session, state, runtime.caches).attach(queries, state)
            got = rank_queries(runtime, queries, target, top_k, load, state)
            scored += got
            vague += [too_vague(q, s) for q, s in zip(queries, got, strict=True)]
            bar.update(len(batch))
            if on_progress is not None:
                on_progress(i + len(batch), len(needs))
    return Ranked(target, top_k, version, scored, vague)


def store_ranked(
    *, session: Session, needs: list[TechNeed], ranked: Ranked, actor: User | None
) -> dict[int, list[MatchResult]]:
    """Replace each need's stored results with its ranking (one audit event)."""
    out = {
        need.id: _store(session, need, ranked.target, scored, ranked.version, vague)
        for need, scored, vague in zip(needs, ranked.scored, ranked.vague, strict=True)
    }
    if needs:
        record(
            session=session,
            actor=actor,
            action="match",
            target_type="need",
            target_id=needs[0].id if len(needs) == 1 else None,
            count=len(needs),
            detail={
                "target": str(ranked.target),
                "top_k": ranked.top_k,
                "version": ranked.version,
                # which needs, when few enough to read (a bulk run says how many)
                **({"need_ids": [n.id for n in needs]} if 1 < len(needs) <= LISTED_IDS else {}),
            },
        )
    return out


def _match_many(session, runtime, needs, target, top_k, actor, progress=False):
    ranked = rank_needs(
        session=session,
        runtime=runtime,
        needs=needs,
        target=target,
        top_k=top_k,
        progress=progress,
    )
    return store_ranked(session=session, needs=needs, ranked=ranked, actor=actor)


def get_matches(
    *,
    session: Session,
    runtime: MatchingRuntime,
    need: TechNeed,
    target: TargetKind,
    top_k: int | None = None,
) -> list[MatchResult]:
    """The stored results while fresh (need unchanged, same index version, deep enough);
    else the need ranked now and returned without storing: a read never writes, so it can
    neither turn a need into leads for more societies nor race another read. Stored results
    change when the need is posted or edited, and in bulk (``rerank_stale``)."""
    target = TargetKind(target)
    state = ready(session=session, runtime=runtime)
    stored = list(
        session.scalars(
            select(MatchResult)
            .where(MatchResult.need_id == need.id, MatchResult.target_kind == target)
            .order_by(MatchResult.rank)
        )
    )
    want = top_k or runtime.settings.default_top_k
    if _fresh(state, need, stored) and (
        len(stored) >= want or len(stored) >= _collection_size(state, target)
    ):
        return stored[:want]
    ranked = rank_needs(session=session, runtime=runtime, needs=[need], target=target, top_k=want)
    return _rows(need, target, ranked.scored[0], ranked.version)


def _fresh(state: IndexState, need: TechNeed, stored: list[MatchResult]) -> bool:
    return bool(stored) and all(
        r.model_id == state.version and assume_utc(r.created_at) >= assume_utc(need.updated_at)
        for r in stored
    )


def rerank(
    *, session: Session, runtime: MatchingRuntime, needs: list[TechNeed], actor: User
) -> dict[int, list[MatchResult]]:
    """Rank these needs against societies and store the results (after a post or an edit)."""
    return _match_many(session, runtime, needs, TargetKind.SOCIETY, None, actor)


def rerank_stale(
    *,
    session: Session,
    runtime: MatchingRuntime,
    actor: User,
    progress: bool = False,
    limit: int | None = None,
) -> int:
    """Re-rank, in bulk, every seeking need whose stored society results come from another
    index version (after profiles changed), those ranked longest ago first (at most
    ``limit``); how many were re-ranked."""
    state = ready(session=session, runtime=runtime)
    society = MatchResult.target_kind == TargetKind.SOCIETY
    ranked_at = (
        select(func.max(MatchResult.created_at))
        .where(MatchResult.need_id == TechNeed.id, society)
        .scalar_subquery()
    )
    needs = list(
        session.scalars(
            select(TechNeed)
            .where(*_stale(state.version))
            .order_by(ranked_at, TechNeed.id)
            .limit(limit)
            # another process re-ranking the same needs (each API worker's refresher) holds
            # them: skip those instead of racing it to replace their rows
            .with_for_update(key_share=True, skip_locked=True)
        )
    )
    if needs:
        _match_many(session, runtime, needs, TargetKind.SOCIETY, None, actor, progress)
    return len(needs)


def stale_needs(*, session: Session, version: str) -> int:
    """How many seeking needs ``rerank_stale`` would re-rank against ``version``: their stored
    society results come from another index version."""
    return session.scalar(select(func.count()).select_from(TechNeed).where(*_stale(version)))


def _stale(version: str) -> tuple:
    """The conditions of a seeking need whose stored society results another version ranked."""
    stale = select(MatchResult.need_id).where(
        MatchResult.target_kind == TargetKind.SOCIETY, MatchResult.model_id != version
    )
    return TechNeed.status.in_(SEEKING), TechNeed.id.in_(stale)


def _collection_size(state: IndexState, target: TargetKind) -> int:
    corpus = state.experts if target == TargetKind.EXPERT else state.societies
    return len(corpus.ids)


def match_open_needs(
    *,
    session: Session,
    runtime: MatchingRuntime,
    target: TargetKind,
    top_k: int | None,
    need_external_ids: list[str] | None = None,
    progress: bool = False,
    actor: User | None = None,
) -> dict[int, list[MatchResult]]:
    """Match the named needs (unknown id → NotFoundError), else every open need."""
    stmt = select(TechNeed).order_by(TechNeed.id)
    if need_external_ids:
        needs = list(session.scalars(stmt.where(TechNeed.external_id.in_(need_external_ids))))
        missing = sorted(set(need_external_ids) - {n.external_id for n in needs})
        if missing:
            raise NotFoundError(f"需求 {', '.join(missing)} ", f"need {', '.join(missing)}")
    else:
        needs = list(session.scalars(stmt.where(TechNeed.status.in_(SEEKING))))
    return _match_many(session, runtime, needs, TargetKind(target), top_k, actor, progress)


def external_id_of(runtime: MatchingRuntime, target: TargetKind, target_id: int) -> str:
    return runtime.state.external_ids[str(TargetKind(target))].get(target_id, "")


def target_names(runtime: MatchingRuntime, target: TargetKind) -> dict[int, str]:
    """Id → name of the targets the current indexes rank (as fresh as the indexes)."""
    return runtime.state.names[str(TargetKind(target))]
