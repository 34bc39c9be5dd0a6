"""Engine, sessions and migrations: the one place that commits or rolls back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from matcher import faults

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


SQLITE_BUSY_TIMEOUT = 5.0
"""Seconds a SQLite write waits for the write lock; then the request gets a 503."""


def make_engine(url: str, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a short busy timeout, and
    its file is created readable by this account only (0600, in a 0700 directory)."""
    if url.startswith("sqlite"):
        from matcher.private import touch_private

        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:" and not path.startswith("file:"):
            touch_private(Path(path))  # SQLite gives its -wal/-shm files the same mode
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout},
            pool_size=20,
            max_overflow=30,
            pool_timeout=10,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - driver hook
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back whole on any error."""
    session = factory()
    try:
        yield session
        if faults.ARMED:  # test-only: kill with everything written, nothing committed
            session.flush()
            faults.point("db:before_commit")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Store:
    """A migrated database: its engine and a way to run one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.factory = session_factory(engine)

    def transaction(self):  # -> ContextManager[Session]
        """``with store.transaction() as session:`` commits at the end or rolls back."""
        return transaction(self.factory)

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(
    url: str, *, upgrade: bool = True, busy_timeout: float = SQLITE_BUSY_TIMEOUT
) -> Store:
    """Connect to ``url`` and (by default) migrate it to the newest schema."""
    engine = make_engine(url, busy_timeout=busy_timeout)
    if upgrade:
        migrate(engine)
    return Store(engine)
