"""Shapes of bulk assignment runs: what staff ask for, and what a run holds."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matcher.api.types import Text, UtcDatetime
from matcher.assignments.run_terms import Fair
from matcher.errors import InvalidInputError
from matcher.models import RunStatus


class QuotaDimension(StrEnum):
    city = "city"
    industry = "industry"


Max = Annotated[int, Field(ge=0, le=1_000_000)]


class RunCreate(BaseModel):
    """A bulk run's parameters (also what the CLI's options become)."""

    model_config = ConfigDict(extra="forbid")

    per_need: int = Field(1, ge=1, le=20, description="societies per need")
    min_score: float = Field(0.0, ge=0, le=100, allow_inf_nan=False, description="0–100")
    fair: Fair | None = Field(
        None, description="every city (or enterprise) gets one pair before any gets a second"
    )
    quotas: dict[QuotaDimension, dict[Text(100, 1), Max]] = Field(
        default_factory=dict, description='most pairs per group, e.g. {"city": {"郑州市": 30}}'
    )
    top_k: int = Field(20, ge=1, le=100, description="candidate societies per need")
    expert_capacity: int = Field(3, ge=0, le=1000, description="open services per lead expert")

    @classmethod
    def checked(cls, **values: Any) -> RunCreate:
        """The parameters, or ``InvalidInputError`` naming each bad one (for the CLI)."""
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ]
            text = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
            raise InvalidInputError(
                f"运行参数无效：{text}", f"invalid run parameters: {text}", details=problems
            ) from None


class PairEdit(BaseModel):
    """``pin``: keep the pair in this and every later run; ``forbid``: take it out of this
    and every later run; ``remove``: take it out of this run only; ``restore``: undo remove."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["pin", "forbid", "remove", "restore"]
    reason: Text(500) = ""


class RunOut(BaseModel):
    id: int
    status: RunStatus
    parameters: dict[str, Any]
    summary: dict[str, Any] = Field(
        description="counts, reason_counts, fairness, pins_skipped, quota groups without needs"
    )
    objective: float = Field(description="total score of the pairs (optimal)")
    greedy_objective: float = Field(description="what taking the best pair first would reach")
    solve_seconds: float
    solver: str
    fairness_cost: float | None
    created_by: str
    created_at: UtcDatetime
    committed_by: str | None
    committed_at: UtcDatetime | None


class RunPairOut(BaseModel):
    id: int
    need_id: int
    need_external_id: str
    need_title: str
    enterprise_id: int | None
    enterprise_name: str | None
    city: str | None
    society_id: int
    society_name: str
    expert_id: int | None
    expert_name: str | None
    score: float
    pinned: bool
    fixed: bool = Field(description="an active assignment, kept as it is")
    removed: bool
    removed_reason: str | None
    assignment_id: int | None


class RunUnassignedOut(BaseModel):
    need_id: int
    need_external_id: str
    need_title: str
    enterprise_name: str | None
    city: str | None
    reason: str
    reason_text: str


class RemovedOut(BaseModel):
    """A candidate the constraints took out (``expert_id``: only that lead expert)."""

    need_id: int
    need_external_id: str
    society_id: int
    society_name: str
    expert_id: int | None
    expert_name: str | None
    reason: str
    detail: str


class RunDetailOut(RunOut):
    pairs: list[RunPairOut]
    unassigned: list[RunUnassignedOut]
    removed: list[RemovedOut] = Field(description="staff only: candidates removed and why")


class CommitOut(RunOut):
    created: int = Field(description="proposed assignments created")
