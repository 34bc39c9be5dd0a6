"""Learning from how services went: needs a society served well are evidence for it, needs it
declined (or served poorly) count against it, for similar needs later.

Each outcome keeps its need's unit character 1–2-gram vector and its society row; a need's
``served`` prior per society is its best rating-weighted cosine with the needs that society
completed with a good rating, its ``declined`` prior the near-duplicate similarity to the
needs it declined, answered "not suitable" or served poorly (``matcher.ranking.feedback``).
Both are zero for every society of a store without outcomes, so ranking is unchanged there.
Read from the store per ranking batch (cached while the outcomes and the index version stay
the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matcher.matching import profiles
from matcher.matching.indexes import IndexState
from matcher.matching.profiles import GOOD_RATING, POOR_RATING
from matcher.models import Assignment, AssignmentStatus, LeadResponse, LeadResponseStatus, TechNeed
from matcher.ranking.feedback import outcome_priors
from matcher.ranking.rank import Query
from matcher.text.ngrams import char_unigrams_bigrams


@dataclass
class Outcomes:
    """One kind of outcome: the needs' unit vectors, their society rows and weights."""

    vectors: sp.csr_matrix  # outcomes × char 1–2-gram vocabulary
    rows: np.ndarray
    weights: np.ndarray


@dataclass
class OutcomeEvidence:
    served: Outcomes
    declined: Outcomes
    key: tuple

    def attach(self, queries: list[Query], state: IndexState) -> None:
        """Set each query's ``outcomes`` priors (per society row)."""
        if not len(self.served.rows) and not len(self.declined.rows):
            return
        q = state.evidence.char12.transform([char_unigrams_bigrams(x.text) for x in queries])
        priors = outcome_priors(
            (q @ self.served.vectors.T).toarray(),
            self.served.rows,
            self.served.weights,
            (q @ self.declined.vectors.T).toarray(),
            self.declined.rows,
            len(state.societies.ids),
            state.fusion.outcome_thresholds,
        )
        for j, query in enumerate(queries):
            query.outcomes = {name: v[:, j] for name, v in priors.items()}


def _key(session: Session, state: IndexState) -> tuple:
    """Changes whenever an outcome can have changed (cheap aggregates)."""
    a = session.execute(
        select(func.count(), func.max(Assignment.updated_at)).select_from(Assignment)
    ).one()
    r = session.execute(
        select(func.count(), func.max(LeadResponse.updated_at)).select_from(LeadResponse)
    ).one()
    return (state.version, *a, *r)


def _pairs(session: Session) -> tuple[list[tuple[int, int, float]], list[tuple[int, int]]]:
    """(society, need, weight) served well; (society, need) declined or served poorly."""
    good, bad = [], []
    done = AssignmentStatus.COMPLETED
    rows = session.execute(
        select(Assignment.society_id, Assignment.need_id, Assignment.status, Assignment.rating)
        .where(Assignment.need_id.is_not(None))
        .where(
            or_(
                Assignment.status == done,
                Assignment.declined_at.is_not(None),
            )
        )
    )
    for sid, nid, status, rating in rows:
        if status == done and rating is not None and rating >= GOOD_RATING:
            good.append((sid, nid, rating / 5))
        elif status != done or (rating is not None and rating <= POOR_RATING):
            bad.append((sid, nid))
    bad += session.execute(
        select(LeadResponse.society_id, LeadResponse.need_id).where(
            LeadResponse.status == LeadResponseStatus.NOT_SUITABLE
        )
    ).all()
    return good, bad


def _outcomes(state: IndexState, pairs, texts: dict[int, str]) -> Outcomes:
    row_of = {int(s): i for i, s in enumerate(state.societies.ids)}
    pairs = [p for p in pairs if p[0] in row_of and p[1] in texts]
    space = state.evidence.char12
    vectors = space.transform([char_unigrams_bigrams(texts[p[1]]) for p in pairs])
    return Outcomes(
        vectors,
        np.array([row_of[p[0]] for p in pairs], dtype=np.int64),
        np.array([p[2] if len(p) > 2 else 1.0 for p in pairs]),
    )


def outcome_evidence(session: Session, state: IndexState, cache: dict) -> OutcomeEvidence:
    """The outcome matrices for this index version, rebuilt only when outcomes changed."""
    key = _key(session, state)
    got = cache.get("outcomes")
    if got is not None and got.key == key:
        return got
    good, bad = _pairs(session)
    ids = {p[1] for p in good} | {p[1] for p in bad}
    texts = (
        {
            n.id: profiles.need_text(n)
            for n in session.scalars(select(TechNeed).where(TechNeed.id.in_(ids)))
        }
        if ids
        else {}
    )
    got = OutcomeEvidence(_outcomes(state, good, texts), _outcomes(state, bad, texts), key)
    cache["outcomes"] = got
    return got
