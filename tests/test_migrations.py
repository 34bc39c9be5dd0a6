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
