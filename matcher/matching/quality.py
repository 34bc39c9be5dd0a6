"""What staff see of the engine itself: the fusion it uses, and profiles too thin to match."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.auth import policy
from matcher.matching import profiles
from matcher.matching.lifecycle import ready
from matcher.matching.runtime import MatchingRuntime
from matcher.models import TargetKind, User

THIN_PROFILE_WORDS = 5
"""A society or expert profile with fewer informative words than this cannot be matched
reliably (it is still indexed); staff are shown it to complete."""


@dataclass
class ThinProfile:
    kind: TargetKind
    id: int
    external_id: str
    name: str
    informative_words: int


def thin_profiles(
    *, session: Session, runtime: MatchingRuntime, actor: User, limit: int = 500
) -> list[ThinProfile]:
    """Societies, then experts, whose profile has fewer than ``THIN_PROFILE_WORDS``
    informative words (staff only)."""
    policy.require_staff(actor)
    ready(session=session, runtime=runtime)
    seg = runtime.segmenter
    cache = runtime.tokens.entries if runtime.tokens is not None else {}
    out = []
    for kind, rows in (
        (TargetKind.SOCIETY, profiles.society_rows(session)),
        (TargetKind.EXPERT, profiles.expert_rows(session)),
    ):
        for r in rows:
            tokens = cache.get(profiles.text_hash(r.text)) or seg.tokens(r.text)
            words = len({t for t in tokens if seg.informative(t)} - set(seg.tokens(r.name)))
            if words < THIN_PROFILE_WORDS:
                out.append(ThinProfile(kind, r.id, r.external_id, r.name, words))
                if len(out) >= limit:
                    return out
    return out


def fusion_report(*, session: Session, runtime: MatchingRuntime, actor: User) -> dict:
    """The society fusion in use (weights, where they come from, calibration) and the expert
    calibration (staff only)."""
    policy.require_staff(actor)
    state = ready(session=session, runtime=runtime)
    return {
        "index_version": state.version,
        "labelled_experts": state.labelled,
        "societies": state.fusion.to_dict(),
        "experts": state.expert_calibration.to_dict(),
    }
