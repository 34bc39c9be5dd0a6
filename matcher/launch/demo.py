"""Loading the demo programme into an empty store: files, imports, log-ins, indexes, matches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import case, func, select

from matcher.auth.actors import SYSTEM_DEMO
from matcher.config import Settings
from matcher.db import Store
from matcher.models import MatchResult, Role, Society, TargetKind, TechNeed
from matcher.timeutil import assume_utc

IMPORT_ORDER = ("societies", "experts", "enterprises", "needs")
DEMO_PASSWORD = "demo-2026-henan"  # the password policy wants ≥ 10 characters
Echo = Callable[[str], None]


def _quiet(_line: str) -> None:
    pass


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    bound_to: str


def demo_files(settings: Settings, scale: float = 1.0) -> dict[str, Path]:
    """The generated demo import files, written once under ``data/demo`` (the services file
    is loaded after matching: ``load_demo_services``); ``scale`` shrinks the default sizes
    (e.g. 0.1 for a quick store in tests)."""
    from matcher.demo.generator import DEFAULT_SIZES, write_demo_files

    out = settings.data_dir / "demo"
    files = {kind: out / f"{kind}.csv" for kind in IMPORT_ORDER}
    if not all(p.exists() for p in [*files.values(), out / "services.csv"]):
        sizes = {kind: max(1, round(n * scale)) for kind, n in DEFAULT_SIZES.items()}
        write_demo_files(out, **sizes)
    return files


def store_is_empty(store: Store) -> bool:
    with store.transaction() as session:
        return not session.scalar(select(func.count()).select_from(Society))


def load_demo(
    store: Store, settings: Settings, *, progress: bool = True, scale: float = 1.0
) -> list[DemoLogin]:
    """Import the demo files (one transaction each, all-or-nothing) and create the log-ins."""
    from matcher.demo.programme import load_demo_programme
    from matcher.imports.service import import_file

    for kind, path in demo_files(settings, scale).items():
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
        spread_posting_dates(session)
    load_demo_programme(store)
    with store.transaction() as session:
        return create_demo_logins(session)


POSTED_FROM = date(2025, 12, 1)
POSTED_DAYS = 350


def spread_posting_dates(session) -> None:
    """The imported needs posted over a fixed year (2025-12 … 2026-11), not all at the
    import, so that charts over time have a history; deterministic (by id)."""
    from sqlalchemy import update

    ids = session.scalars(select(TechNeed.id).order_by(TechNeed.id)).all()
    rows = []
    for i, need_id in enumerate(ids):
        day = POSTED_FROM + timedelta(days=i * 7919 % POSTED_DAYS)
        posted = datetime.combine(day, time(8 + i % 10), tzinfo=UTC)
        rows.append({"id": need_id, "created_at": posted, "updated_at": posted})
    if rows:
        session.execute(update(TechNeed), rows)


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


def build_and_match(store: Store, settings: Settings, *, echo: Echo = _quiet) -> Matched:
    """Load the saved indexes (built the first time, which fits the embedded model), then
    match only what changed: the seeking needs without stored results, or whose results
    come from another index version or predate the need's last edit."""
    from matcher.matching.persist import current_name
    from matcher.matching.service import MatchingRuntime, ensure_indexes

    if current_name(settings.index_dir) is None:
        echo("首次启动：拟合嵌入模型、建立索引 first start: fitting the model, building indexes …")
    else:
        echo("加载索引 loading the saved indexes …")
    runtime = MatchingRuntime.load(settings)
    with store.transaction() as session:
        status = ensure_indexes(session=session, runtime=runtime, progress=True)
    echo(
        f"索引 index {status.action}: {status.societies} 学会 societies, "
        f"{status.experts} 专家 experts"
    )
    counts = {}
    for target in (TargetKind.SOCIETY, TargetKind.EXPERT):
        with store.transaction() as session:
            counts[target], seeking = _match_changed(session, runtime, target, settings, echo)
    return Matched(counts[TargetKind.SOCIETY], counts[TargetKind.EXPERT], seeking)


@dataclass(frozen=True)
class Matched:
    """Needs (re-)matched to societies and to experts, of the seeking needs."""

    societies: int
    experts: int
    seeking: int


def _match_changed(
    session, runtime, target: TargetKind, settings: Settings, echo: Echo
) -> tuple[int, int]:
    """(needs matched now, seeking needs): only those without current results."""
    from matcher.matching.service import SEEKING, rank_needs, store_ranked

    version = runtime.state.version
    seeking = list(
        session.scalars(select(TechNeed).where(TechNeed.status.in_(SEEKING)).order_by(TechNeed.id))
    )
    current = _current_results(session, target, version)
    needs = [n for n in seeking if not _is_current(n, current.get(n.id))]
    if needs:
        echo(f"匹配 matching {len(needs)}/{len(seeking)} 条需求 needs → {target.value}")
        ranked = rank_needs(
            session=session,
            runtime=runtime,
            needs=needs,
            target=target,
            top_k=settings.default_top_k,
            progress=True,
        )
        store_ranked(session=session, needs=needs, ranked=ranked, actor=SYSTEM_DEMO)
    return len(needs), len(seeking)


def _current_results(session, target: TargetKind, version: str) -> dict[int, tuple]:
    """need id → (oldest stored result, whether every stored result has ``version``)."""
    rows = session.execute(
        select(
            MatchResult.need_id,
            func.min(MatchResult.created_at),
            func.count(),
            func.sum(case((MatchResult.model_id == version, 1), else_=0)),
        )
        .where(MatchResult.target_kind == target)
        .group_by(MatchResult.need_id)
    )
    return {need_id: (oldest, total == same) for need_id, oldest, total, same in rows}


def _is_current(need: TechNeed, stored: tuple | None) -> bool:
    if stored is None:
        return False
    oldest, same_version = stored
    return same_version and assume_utc(oldest) >= assume_utc(need.updated_at)


def load_demo_services(store: Store, settings: Settings) -> int:
    """The demo's completed, rated services (``services.csv``) as completed assignments,
    their needs resolved; once, into a store without assignments. Loaded after matching, as
    in real life a need is matched before it is served. The number loaded."""
    import csv

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
            need.created_at = started - timedelta(days=21)  # posted before it was served
        record(
            session=session,
            actor=SYSTEM_DEMO,
            action="demo_services_loaded",
            target_type="assignment",
            count=len(rows),
        )
    return len(rows)
