"""Two imports at once run one after the other (or the second is told to retry); neither
ends in an IntegrityError. Uploads run off the event loop."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from matcher.auth.actors import SYSTEM_CLI
from matcher.db import open_store
from matcher.errors import ServiceBusyError
from matcher.imports import guards
from matcher.imports.service import import_file
from matcher.models import Society

HEADER = "external_id,name,description\n"


def _file(first: int, last: int, text: str) -> bytes:
    rows = "".join(f"S{i},学会{i},{text}\n" for i in range(first, last))
    return (HEADER + rows).encode("utf-8")


def test_two_imports_with_overlapping_ids_serialise(store):
    results: dict[str, object] = {}
    first_in = threading.Event()

    def second() -> None:
        try:
            with store.transaction() as s:
                results["second"] = import_file(
                    session=s,
                    actor=SYSTEM_CLI,
                    kind="societies",
                    filename="b.csv",
                    data=_file(50, 150, "第二份"),
                )
        except Exception as exc:  # recorded for the assertion below
            results["second"] = exc

    with store.transaction() as s:
        report = import_file(
            session=s,
            actor=SYSTEM_CLI,
            kind="societies",
            filename="a.csv",
            data=_file(0, 100, "第一份"),
        )
        first_in.set()
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(1.0)  # the second import is now waiting for this one
        assert "second" not in results
    thread.join(timeout=60)
    assert report.created == 100
    second_report = results["second"]
    assert not isinstance(second_report, Exception), second_report
    assert second_report.created == 50 and second_report.updated == 50
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Society)) == 150


def test_an_import_that_cannot_get_the_lock_is_told_to_retry(store, settings, monkeypatch):
    monkeypatch.setattr(guards, "IMPORT_LOCK_WAIT", 0.3)
    impatient = open_store(settings.sqlalchemy_url, busy_timeout=0.3)
    try:
        with store.transaction() as s:
            guards.lock_imports(s)
            with pytest.raises(ServiceBusyError) as caught, impatient.transaction() as other:
                import_file(
                    session=other,
                    actor=SYSTEM_CLI,
                    kind="societies",
                    filename="b.csv",
                    data=_file(0, 10, "x"),
                )
        assert caught.value.code == "import_busy"
        assert "retry" in caught.value.message_en
    finally:
        impatient.dispose()
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Society)) == 0


def test_upload_route_is_a_sync_route():
    """FastAPI runs a plain ``def`` route in its thread pool, off the event loop."""
    import inspect

    from matcher.imports.router import import_upload

    assert not inspect.iscoroutinefunction(import_upload)


def test_stores_in_two_schemas_of_one_database_import_side_by_side():
    """(PostgreSQL) The import lock is one store's: an import holding it in one schema never
    makes an import into another schema of the same database wait or retry."""
    from tests.support.postgres import postgres_schema

    with postgres_schema() as first_url, postgres_schema() as second_url:
        first, second = open_store(first_url), open_store(second_url)
        try:
            with first.transaction() as s:
                guards.lock_imports(s)
                with second.transaction() as other:
                    guards.lock_imports(other, wait=0.0)  # taken at once
                with pytest.raises(ServiceBusyError), first.transaction() as again:
                    guards.lock_imports(again, wait=0.3)  # the same store still waits
        finally:
            first.dispose()
            second.dispose()
