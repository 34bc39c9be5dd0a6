"""All ORM classes, imported together so that mappers resolve and imports stay acyclic."""

from matcher.models.assignment import Assignment, WorkstationProposal
from matcher.models.base import (
    AssignmentStatus,
    Base,
    LeadResponseStatus,
    NeedStatus,
    ProposalStatus,
    Role,
    TargetKind,
)
from matcher.models.enterprise import Enterprise, TechNeed
from matcher.models.imports import ImportMapping
from matcher.models.matching import LeadResponse, MatchResult
from matcher.models.revision import ProfileRevision
from matcher.models.society import Expert, Society, expert_societies
from matcher.models.user import AuditEvent, LoginThrottle, User

__all__ = [
    "Assignment",
    "AssignmentStatus",
    "AuditEvent",
    "Base",
    "Enterprise",
    "Expert",
    "ImportMapping",
    "LeadResponse",
    "LeadResponseStatus",
    "LoginThrottle",
    "MatchResult",
    "NeedStatus",
    "ProfileRevision",
    "ProposalStatus",
    "Role",
    "Society",
    "TargetKind",
    "TechNeed",
    "User",
    "WorkstationProposal",
    "expert_societies",
]
