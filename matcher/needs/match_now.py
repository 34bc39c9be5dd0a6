"""Staff's "match now" (立即匹配): rank chosen needs, or every unmatched one, against the
societies in chunks (so a page can show progress) and store the results in one go; and, for
a need without matches, the reason in words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.auth import policy
from matcher.models import NeedStatus, TargetKind, TechNeed, User
from matcher.needs.schemas import NeedOut
from matcher.needs.service import DETAIL_HINT

CHUNK = 64
"""Needs ranked per step of the progress bar."""
Progress = Callable[[int, int], None]
"""Called with (needs ranked so far, needs to rank) after each chunk."""


@dataclass
class MatchNowReport:
    matched: int = 0  # now ``matched``: leads for their top societies
    needs_detail: int = 0  # too vague to route: marked ``needs_detail`` with the hint
    skipped: list[str] = field(default_factory=list)  # chosen but no longer seeking help

    @property
    def ranked(self) -> int:
        return self.matched + self.needs_detail


@policy.staff_only
def match_now(
    *,
    session: Session,
    runtime: Any,
    actor: User,
    need_ids: Sequence[int] | None = None,
    on_progress: Progress | None = None,
) -> MatchNowReport:
    """Rank ``need_ids`` (those still seeking help; the rest are reported as skipped), or
    every open need when ``None``, against the societies, and store their top results."""
    from matcher.matching.results import SEEKING, rank_needs, store_ranked

    stmt = select(TechNeed).order_by(TechNeed.id)
    if need_ids is None:
        stmt = stmt.where(TechNeed.status == NeedStatus.OPEN)
    else:
        stmt = stmt.where(TechNeed.id.in_(list(need_ids)))
    chosen = list(session.scalars(stmt.with_for_update(key_share=True, skip_locked=True)))
    needs = [n for n in chosen if n.status in SEEKING]
    report = MatchNowReport(skipped=[n.external_id for n in chosen if n.status not in SEEKING])
    if needs:
        ranked = rank_needs(
            session=session,
            runtime=runtime,
            needs=needs,
            target=TargetKind.SOCIETY,
            batch_size=CHUNK,
            on_progress=on_progress,
        )
        store_ranked(session=session, needs=needs, ranked=ranked, actor=actor)
    report.needs_detail = sum(n.status is NeedStatus.NEEDS_DETAIL for n in needs)
    report.matched = len(needs) - report.needs_detail
    return report


NOT_RANKED = "尚未匹配：可点「立即匹配」/ not matched yet: use “match now”"
NOT_SEEKING = "已不再寻求对接（{status}），不再匹配 / no longer seeking help ({status})"
NO_SOCIETY = (
    "已匹配，但没有学会得分：学会档案可能为空或索引未建 / ranked, but no society scored: "
    "society profiles may be empty or the index not built"
)


def why_no_matches(need: NeedOut) -> str | None:
    """Why a need has no society matches, in words (``None`` when it has some): not ranked
    yet, too vague to route (with what to add), or no longer seeking help."""
    if need.status is NeedStatus.NEEDS_DETAIL:
        return DETAIL_HINT
    if need.best_score is not None:
        return None
    if need.status is NeedStatus.OPEN:
        return NOT_RANKED
    if need.status is NeedStatus.MATCHED:
        return NO_SOCIETY
    return NOT_SEEKING.format(status=need.status.value)
