"""Loading the demo programme into an empty store: files, imports, log-ins, indexes, matches."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from matcher.auth.actors import SYSTEM_DEMO
from matcher.config import Settings
from matcher.db import Store
from matcher.models import Role, Society, TargetKind, TechNeed

IMPORT_ORDER = ("societies", "experts", "enterprises", "needs")
DEMO_PASSWORD = "demo-2026-henan"  # the password policy wants ≥ 10 characters


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    bound_to: str


def demo_files(settings: Settings) -> dict[str, Path]:
    """The generated demo import files, written once under ``data/demo`` (the services file
    is loaded after matching: ``load_demo_services``)."""
    from matcher.demo.generator import write_demo_files

    out = settings.data_dir / "demo"
    files = {kind: out / f"{kind}.csv" for kind in IMPORT_ORDER}
    if not all(p.exists() for p in [*files.values(), out / "services.csv"]):
        write_demo_files(out)
    return files


def store_is_empty(store: Store) -> bool:
    with store.transaction() as session:
        return not session.scalar(select(func.count()).select_from(Society))


def load_demo(store: Store, settings: Settings, *, progress: bool = True) -> list[DemoLogin]:
    """Import the demo files (one transaction each, all-or-nothing) and create the log-ins."""
    from matcher.imports.service import import_file

    for kind, path in demo_files(settings).items():
        with store.transaction() as session:
            import_file(
                session=session,
                actor=SYSTEM_DEMO,
                kind=kind,
                filename=path.name,
                path=path,
                progress=progress,
            )
    with store.transaction() as session:
        return create_demo_logins(session)


def create_demo_logins(session) -> list[DemoLogin]:
    """One log-in per role; the enterprise and society ones bound to the first with needs."""
    from matcher.auth.service import create_user

    need = session.scalars(
        select(TechNeed).where(TechNeed.enterprise_id.is_not(None)).order_by(TechNeed.id)
    ).first()
    enterprise_ext = need.enterprise.external_id if need else None
    society_ext = session.scalars(select(Society.external_id).order_by(Society.id)).first()
    logins = [
        DemoLogin("enterprise_demo", Role.ENTERPRISE, enterprise_ext or ""),
        DemoLogin("society_demo", Role.SOCIETY, society_ext or ""),
        DemoLogin("staff_demo", Role.STAFF, ""),
        DemoLogin("admin_demo", Role.ADMIN, ""),
    ]
    for login in logins:
        create_user(
            session=session,
            actor=SYSTEM_DEMO,
            username=login.username,
            password=DEMO_PASSWORD,
            role=login.role,
            enterprise_external_id=login.bound_to if login.role is Role.ENTERPRISE else None,
            society_external_id=login.bound_to if login.role is Role.SOCIETY else None,
            display_name=f"演示账号（{login.role.value}）",
        )
    return logins


def build_and_match(store: Store, settings: Settings) -> int:
    """Build the indexes and match every open need to societies and experts."""
    from matcher.matching.service import MatchingRuntime, ensure_indexes, match_open_needs

    runtime = MatchingRuntime.load(settings)
    with store.transaction() as session:
        ensure_indexes(session=session, runtime=runtime)
    matched = 0
    for target in (TargetKind.SOCIETY, TargetKind.EXPERT):
        with store.transaction() as session:
            results = match_open_needs(
                session=session,
                runtime=runtime,
                target=target,
                top_k=settings.default_top_k,
                progress=True,
            )
            matched = max(matched, len(results))
    return matched


def load_demo_services(store: Store, settings: Settings) -> int:
    """The demo's completed, rated services (``services.csv``) as completed assignments,
    their needs resolved; once, into a store without assignments. Loaded after matching, as
    in real life a need is matched before it is served. The number loaded."""
    import csv
    from datetime import UTC, datetime, time

    from matcher.audit.service import record
    from matcher.models import Assignment, AssignmentStatus, Expert, NeedStatus

    path = settings.data_dir / "demo" / "services.csv"
    if not path.exists():
        return 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))

    def at(day: str) -> datetime:
        return datetime.combine(datetime.fromisoformat(day).date(), time(9), tzinfo=UTC)

    with store.transaction() as session:
        if session.scalar(select(func.count()).select_from(Assignment)):
            return 0
        ids = {
            model: dict(session.execute(select(model.external_id, model.id)).all())
            for model in (Society, Expert)
        }
        needs = {n.external_id: n for n in session.scalars(select(TechNeed))}
        for row in rows:
            need = needs[row["need_external_id"]]
            started, completed = at(row["started"]), at(row["completed"])
            session.add(
                Assignment(
                    society_id=ids[Society][row["society_external_id"]],
                    enterprise_id=need.enterprise_id,
                    need_id=need.id,
                    expert_id=ids[Expert].get(row["expert_external_id"]),
                    status=AssignmentStatus.COMPLETED,
                    rating=int(row["rating"]),
                    rating_comment=row["outcome"],
                    created_at=started,
                    confirmed_at=started,
                    started_at=started,
                    completed_at=completed,
                )
            )
            need.status = NeedStatus.RESOLVED
        record(
            session=session,
            actor=SYSTEM_DEMO,
            action="demo_services_loaded",
            target_type="assignment",
            count=len(rows),
        )
    return len(rows)
