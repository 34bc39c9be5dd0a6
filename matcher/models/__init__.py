"""All ORM classes, imported together so that mappers resolve and imports stay acyclic."""

from matcher.models.assignment import ACTIVE_STATUSES, Assignment
from matcher.models.assignment_constraint import AssignmentConstraint, ConstraintKind
from matcher.models.assignment_run import (
    AssignmentRun,
    AssignmentRunPair,
    AssignmentRunRemoved,
    AssignmentRunUnassigned,
    RunStatus,
)
from matcher.models.base import (
    AssignmentStatus,
    Base,
    LeadResponseStatus,
    NeedStatus,
    ProposalStatus,
    Role,
    TargetKind,
)
from matcher.models.conflict import ConflictOfInterest, ConflictSource
from matcher.models.enterprise import Enterprise, TechNeed
from matcher.models.imports import ImportMapping
from matcher.models.inbox import InboxVisit
from matcher.models.matching import LeadResponse, MatchResult
from matcher.models.programme import (
    ConfirmationStatus,
    EnterprisePairing,
    PairingRun,
    PairingStatus,
    ProgrammeRound,
    RoundStatus,
    ServiceActivity,
    activity_experts,
)
from matcher.models.revision import ProfileRevision
from matcher.models.society import Expert, Society, expert_societies
from matcher.models.team import ServiceTeam, ServiceTeamMember, TeamRole, TeamStatus
from matcher.models.user import AuditEvent, LoginThrottle, User
from matcher.models.workstation import (
    BLOCKING_STATUSES,
    Workstation,
    WorkstationProposal,
    workstation_experts,
)

__all__ = [
    "ACTIVE_STATUSES",
    "BLOCKING_STATUSES",
    "Assignment",
    "AssignmentConstraint",
    "AssignmentRun",
    "AssignmentRunPair",
    "AssignmentRunRemoved",
    "AssignmentRunUnassigned",
    "AssignmentStatus",
    "AuditEvent",
    "Base",
    "ConfirmationStatus",
    "ConflictOfInterest",
    "ConflictSource",
    "ConstraintKind",
    "Enterprise",
    "EnterprisePairing",
    "Expert",
    "ImportMapping",
    "InboxVisit",
    "LeadResponse",
    "LeadResponseStatus",
    "LoginThrottle",
    "MatchResult",
    "NeedStatus",
    "PairingRun",
    "PairingStatus",
    "ProfileRevision",
    "ProgrammeRound",
    "ProposalStatus",
    "Role",
    "RoundStatus",
    "RunStatus",
    "ServiceActivity",
    "ServiceTeam",
    "ServiceTeamMember",
    "Society",
    "TargetKind",
    "TeamRole",
    "TeamStatus",
    "TechNeed",
    "User",
    "Workstation",
    "WorkstationProposal",
    "activity_experts",
    "expert_societies",
    "workstation_experts",
]
