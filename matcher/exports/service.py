"""Exporting societies, experts, enterprises and needs (re-importable as they are), match
results and assignments."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.errors import InvalidInputError
from matcher.exports.formats import check_format, render
from matcher.imports.columns import KINDS, Kind
from matcher.models import (
    Assignment,
    ConflictOfInterest,
    Enterprise,
    Expert,
    MatchResult,
    Society,
    TargetKind,
    TechNeed,
    expert_societies,
)

Table = tuple[list[str], list[list[Any]]]

MATCH_HEADERS = [
    "need_external_id",
    "target_kind",
    "rank",
    "target_external_id",
    "target_name",
    "score",
    "matched_keywords",
]
ASSIGNMENT_HEADERS = [
    "society_external_id",
    "society_name",
    "enterprise_external_id",
    "enterprise_name",
    "need_external_id",
    "status",
    "score",
    "rating",
]
EXPORT_KINDS = (*KINDS, "matches", "assignments")


def export_table(*, session: Session, kind: str, path: Path) -> int:
    """Write ``kind`` to ``path`` (format from its extension: .csv, .xlsx, .jsonl), atomically;
    returns the number of rows."""
    path = Path(path)
    fmt = check_format(path.suffix or "(none)")
    headers, rows = build_table(session=session, kind=kind)
    data = render(headers, rows, fmt, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)


def export_bytes(*, session: Session, kind: str, fmt: str = "csv") -> bytes:
    """``kind`` rendered as ``fmt`` ("csv", "xlsx" or "jsonl") for a download."""
    fmt = check_format(fmt)
    headers, rows = build_table(session=session, kind=kind)
    return render(headers, rows, fmt, kind)


def build_table(*, session: Session, kind: str) -> Table:
    """The header and rows (plain Python values) of an export."""
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise InvalidInputError(
            f"未知的导出类型 {kind!r}，可选：{'、'.join(EXPORT_KINDS)}",
            f"unknown export kind {kind!r}; choose one of {', '.join(EXPORT_KINDS)}",
        )
    return builder(session)


def _entity_table(
    session: Session, kind: Kind, links: Callable[[Session], dict[int, Any]] | None = None
) -> Table:
    """An importable kind, with the columns of its import file; ``links`` fills the one
    column that is not a model attribute (by row id)."""
    headers = [c.name for c in kind.columns]
    linked = links(session) if links else {}
    rows = []
    table = kind.model.__table__
    for row in session.execute(select(table).order_by(table.c.id)):
        rows.append([getattr(row, c.attr) if c.attr else linked.get(row.id) for c in kind.columns])
    return headers, rows


def _expert_societies(session: Session) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    stmt = (
        select(expert_societies.c.expert_id, Society.external_id)
        .join(Society, Society.id == expert_societies.c.society_id)
        .order_by(expert_societies.c.expert_id, Society.external_id)
    )
    for expert_id, ext in session.execute(stmt):
        found[expert_id].append(ext)
    return found


def _need_enterprises(session: Session) -> dict[int, str]:
    stmt = select(TechNeed.id, Enterprise.external_id).join(
        Enterprise, Enterprise.id == TechNeed.enterprise_id
    )
    return dict(session.execute(stmt).all())


def _matches(session: Session) -> Table:
    results = session.execute(
        select(MatchResult, TechNeed.external_id)
        .join(TechNeed, TechNeed.id == MatchResult.need_id)
        .order_by(TechNeed.external_id, MatchResult.target_kind, MatchResult.rank)
    ).all()
    targets: dict[TargetKind, dict[int, tuple[str, str]]] = {}
    for target, model in ((TargetKind.SOCIETY, Society), (TargetKind.EXPERT, Expert)):
        ids = {m.target_id for m, _ in results if m.target_kind == target}
        targets[target] = {}
        for start in range(0, len(ids), 1000):
            part = sorted(ids)[start : start + 1000]
            stmt = select(model.id, model.external_id, model.name).where(model.id.in_(part))
            targets[target].update({i: (ext, name) for i, ext, name in session.execute(stmt)})
    rows = []
    for match, need_ext in results:
        ext, name = targets[match.target_kind].get(match.target_id, (None, None))
        rows.append(
            [
                need_ext,
                match.target_kind.value,
                match.rank,
                ext,
                name,
                round(match.score, 6),
                list(match.matched_keywords or []),
            ]
        )
    return MATCH_HEADERS, rows


def _assignments(session: Session) -> Table:
    stmt = (
        select(Assignment, Society, Enterprise, TechNeed.external_id)
        .join(Society, Society.id == Assignment.society_id)
        .join(Enterprise, Enterprise.id == Assignment.enterprise_id)
        .outerjoin(TechNeed, TechNeed.id == Assignment.need_id)
        .order_by(Assignment.id)
    )
    rows = [
        [
            society.external_id,
            society.name,
            enterprise.external_id,
            enterprise.name,
            need_ext,
            assignment.status.value,
            None if assignment.score is None else round(assignment.score, 6),
            assignment.rating,
        ]
        for assignment, society, enterprise, need_ext in session.execute(stmt)
    ]
    return ASSIGNMENT_HEADERS, rows


def _conflicts(session: Session) -> Table:
    """The ``conflicts`` import file: re-imports unchanged."""
    names = {}
    for model in (Expert, Society, Enterprise):
        names[model] = dict(session.execute(select(model.id, model.external_id)).all())
    rows = [
        [
            names[Expert].get(c.expert_id),
            names[Society].get(c.society_id),
            names[Enterprise].get(c.enterprise_id),
            c.reason,
        ]
        for c in session.scalars(select(ConflictOfInterest).order_by(ConflictOfInterest.id))
    ]
    return [c.name for c in KINDS["conflicts"].columns], rows


_BUILDERS: dict[str, Callable[[Session], Table]] = {
    "societies": lambda s: _entity_table(s, KINDS["societies"]),
    "experts": lambda s: _entity_table(s, KINDS["experts"], _expert_societies),
    "enterprises": lambda s: _entity_table(s, KINDS["enterprises"]),
    "needs": lambda s: _entity_table(s, KINDS["needs"], _need_enterprises),
    "matches": _matches,
    "assignments": _assignments,
    "conflicts": _conflicts,
}
