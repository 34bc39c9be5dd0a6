"""Alembic environment: runs against the engine handed in by ``matcher.db.migrate``."""

from __future__ import annotations

from alembic import context

from matcher.db import make_engine
from matcher.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic` command line: use the configured settings
        from matcher.config import get_settings

        engine = make_engine(get_settings().sqlalchemy_url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
