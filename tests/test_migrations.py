"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from matcher.db import Store, alembic_config, migrate
from matcher.models import Base


def test_migrations_match_models(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_migrate_is_idempotent_and_creates_every_table(store: Store) -> None:
    migrate(store.engine)  # second run is a no-op
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_0012_takes_every_expert_as_changed_and_goes_back(store: Store) -> None:
    """Upgrading to 0012 stamps the experts already there with the current profile revision
    (an index read before it reads them all again); downgrading leaves 0007's triggers: an
    edit still bumps the revision."""
    config = alembic_config(store.engine)
    command.downgrade(config, "0011")
    with store.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO experts (external_id, name, research_areas, profile, created_at, "
                 "updated_at) VALUES ('E-1', '甲', '[]', '焊接', :t, :t)"),
            {"t": "2026-11-30 10:00:00"},
        )  # fmt: skip
        conn.execute(text("UPDATE experts SET profile = '焊接机器人'"))
        at = conn.execute(text("SELECT revision FROM profile_revision")).scalar_one()
    command.upgrade(config, "head")
    with store.engine.begin() as conn:
        assert conn.execute(text("SELECT revision FROM experts")).scalar_one() == at > 0
    command.downgrade(config, "0011")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE experts SET profile = '焊接'"))
        assert conn.execute(text("SELECT revision FROM profile_revision")).scalar_one() > at
        assert "revision" not in {c["name"] for c in inspect(conn).get_columns("experts")}
    command.upgrade(config, "head")


INSERT_EXPERT = text(
    "INSERT INTO experts (external_id, name, research_areas, profile, created_at, "
    "updated_at) VALUES (:e, '甲', '[]', '焊接', :t, :t)"
)


def _write_in_one_transaction(store: Store, prefix: str, n: int) -> tuple[int, set[int]]:
    """``n`` experts inserted by ``n`` statements (as an executemany without RETURNING runs)
    and one updated, in one transaction: how far the profile revision moved, and the
    revisions those rows carry."""
    with store.engine.begin() as conn:
        before = conn.execute(text("SELECT revision FROM profile_revision")).scalar_one()
        for i in range(n):
            conn.execute(INSERT_EXPERT, {"e": f"{prefix}{i}", "t": "2026-11-30 10:00:00"})
        conn.execute(
            text(f"UPDATE experts SET profile = '焊接机器人' WHERE external_id = '{prefix}0'")
        )
    with store.engine.begin() as conn:
        after = conn.execute(text("SELECT revision FROM profile_revision")).scalar_one()
        stamped = conn.execute(
            text(f"SELECT DISTINCT revision FROM experts WHERE external_id LIKE '{prefix}%'")
        ).scalars()
        return after - before, set(stamped)


def test_0013_moves_the_revision_once_per_transaction(store: Store) -> None:
    """On PostgreSQL the statements of one transaction writing ranked rows move the profile
    revision once (0012 moved it per statement: an import's per-row link inserts made it
    quadratic), each transaction moves it again, and every row written carries the revision
    its transaction took; downgrading to 0012 moves it per statement again. SQLite keeps its
    row triggers (one move per row, each row stamped with its own)."""
    pg = store.engine.dialect.name == "postgresql"
    for prefix in ("A-", "B-"):
        moved, stamped = _write_in_one_transaction(store, prefix, 5)
        assert moved == (1 if pg else 6)
        with store.engine.begin() as conn:
            now = conn.execute(text("SELECT revision FROM profile_revision")).scalar_one()
        assert stamped == {now} if pg else min(stamped) > now - moved and max(stamped) == now
    revision = text("SELECT revision FROM profile_revision")
    with store.engine.begin() as conn:  # a savepoint rolled back takes its move back with it
        before = conn.execute(revision).scalar_one()
        savepoint = conn.begin_nested()
        conn.execute(INSERT_EXPERT, {"e": "S-0", "t": "2026-11-30 10:00:00"})
        savepoint.rollback()
        conn.execute(INSERT_EXPERT, {"e": "S-1", "t": "2026-11-30 10:00:00"})
    with store.engine.begin() as conn:
        now = conn.execute(revision).scalar_one()
        row = text("SELECT revision FROM experts WHERE external_id = 'S-1'")
        assert now == before + 1 and conn.execute(row).scalar_one() == now
    config = alembic_config(store.engine)
    command.downgrade(config, "0012")
    assert _write_in_one_transaction(store, "C-", 5)[0] == 6
    command.upgrade(config, "head")
    assert _write_in_one_transaction(store, "D-", 5)[0] == (1 if pg else 6)
