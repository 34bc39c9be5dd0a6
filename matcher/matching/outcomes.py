"""Learning from how services went: needs a society served well are evidence for it, needs it
declined (or served poorly) count against it, for similar needs later.

Per society, the rating-weighted sum of the unit character 1–2-gram vectors of the needs it
completed with a good rating (``served``) and of those it declined, answered "not suitable"
or served poorly (``declined``), each normalised; a need's ``served`` / ``declined`` priors
are its cosines with them. Both are zero for every society of a store without outcomes, so
ranking is unchanged there. Read from the store per ranking batch (cached while the outcomes
and the index version stay the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matcher.matching import profiles
from matcher.matching.indexes import IndexState
from matcher.models import Assignment, AssignmentStatus, LeadResponse, LeadResponseStatus, TechNeed
from matcher.ranking.rank import Query
from matcher.text.ngrams import char_unigrams_bigrams

GOOD_RATING = 4
"""A completed service rated at least this is evidence for its society."""
POOR_RATING = 2
"""…rated at most this counts against it, like a decline."""


@dataclass
class OutcomeEvidence:
    served: sp.csr_matrix  # societies (index rows) × char 1–2-gram vocabulary
    declined: sp.csr_matrix
    key: tuple

    def attach(self, queries: list[Query], state: IndexState) -> None:
        """Set each query's ``outcomes`` priors (cosines per society row)."""
        if not self.served.nnz and not self.declined.nnz:
            return
        q = state.evidence.char12.transform([char_unigrams_bigrams(x.text) for x in queries])
        served = np.asarray((self.served @ q.T).todense())
        declined = np.asarray((self.declined @ q.T).todense())
        for j, query in enumerate(queries):
            query.outcomes = {"served": served[:, j], "declined": declined[:, j]}


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


def _matrix(state: IndexState, pairs, texts: dict[int, str]) -> sp.csr_matrix:
    row_of = {int(s): i for i, s in enumerate(state.societies.ids)}
    pairs = [p for p in pairs if p[0] in row_of and p[1] in texts]
    space = state.evidence.char12
    n = len(state.societies.ids)
    if not pairs:
        return sp.csr_matrix((n, len(space.vocab) or 1), dtype=np.float32)
    vecs = space.transform([char_unigrams_bigrams(texts[p[1]]) for p in pairs])
    weights = [p[2] if len(p) > 2 else 1.0 for p in pairs]
    assign = sp.csr_matrix(
        (weights, ([row_of[p[0]] for p in pairs], range(len(pairs)))), shape=(n, len(pairs))
    )
    total = sp.csr_matrix(assign @ vecs)
    norms = np.sqrt(np.asarray(total.multiply(total).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1 / np.maximum(norms, 1e-12)) @ total).astype(np.float32)


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
    got = OutcomeEvidence(_matrix(state, good, texts), _matrix(state, bad, texts), key)
    cache["outcomes"] = got
    return got
