"""The HTTP API: ``create_app()`` wires routers, errors, metrics and the per-process state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel
from sqlalchemy import text

from matcher.api import errors, offline_docs
from matcher.api.deps import StateDep, metrics_access
from matcher.api.limits import BodySizeLimit
from matcher.api.metrics import MetricsMiddleware
from matcher.api.middleware import SecurityHeaders, WriteQueue
from matcher.api.state import AppState
from matcher.config import Settings, get_settings
from matcher.db import Store

API_PREFIX = "/api/v1"
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


class Health(BaseModel):
    status: str
    database: bool
    index: dict[str, Any] | None


ops = APIRouter(tags=["operations"])


@ops.get("/health", response_model=Health)
def health(state: StateDep) -> Health:
    """Database reachable and the matching indexes' status (no log-in needed)."""
    try:
        with state.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        db_ok = True
    except Exception:  # a broken database is what this endpoint reports
        db_ok = False
    index = _status_dict(state.index_status)
    return Health(status="ok" if db_ok else "degraded", database=db_ok, index=index)


def _status_dict(status: Any) -> dict[str, Any] | None:
    if status is None:
        return None
    if hasattr(status, "__dataclass_fields__"):
        import dataclasses

        return {k: _plain(v) for k, v in dataclasses.asdict(status).items()}
    return {"status": str(status)}


def _plain(value: Any) -> Any:
    return (
        value
        if isinstance(value, str | int | float | bool | type(None) | list | dict)
        else str(value)
    )


@ops.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {PROMETHEUS_TEXT: {}}}},
    dependencies=[Depends(metrics_access)],
)
def metrics(state: StateDep) -> Response:
    """Prometheus text: requests and latency by route template and status, match latency.

    Staff only (a bearer token, or an API key as ``X-API-Key`` or as the bearer token),
    unless ``MATCHER_METRICS_PUBLIC`` is set."""
    return Response(state.metrics.render(), media_type=PROMETHEUS_TEXT)


def _routers() -> list[APIRouter]:
    from matcher.assignments.router import router as assignments
    from matcher.audit.router import router as audit
    from matcher.auth.router import router as auth
    from matcher.dashboard.router import router as dashboard
    from matcher.enterprises.router import router as enterprises
    from matcher.experts.router import router as experts
    from matcher.exports.router import router as exports
    from matcher.imports.router import router as imports
    from matcher.matching.router import router as matching
    from matcher.needs.router import router as needs
    from matcher.programme.router import router as programme
    from matcher.proposals.router import router as proposals
    from matcher.report.router import router as reports
    from matcher.societies.router import router as societies
    from matcher.teams.router import router as teams

    return [
        *(auth, enterprises, needs, societies, experts, assignments, proposals),
        *(imports, exports, audit, matching, dashboard, ops, teams, programme, reports),
    ]


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, load_runtime: bool = True
) -> FastAPI:
    """The API. Its lifespan opens (and migrates) the store and loads the matching runtime
    once; without a lifespan both are opened lazily on first use."""
    state = AppState(settings or get_settings(), store)
    state.settings.signing_key()  # a weak configured key is refused before serving anything

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if load_runtime:
            state.start()
        try:
            yield
        finally:
            state.close()

    app = FastAPI(
        title="百会链千企 matching API",
        version="1.0",
        description="Matching enterprises' technical needs to scientific societies and experts.",
        lifespan=lifespan,
        docs_url=None,  # served by offline_docs with local assets
        redoc_url=None,
    )
    offline_docs.install(app)
    app.state.matcher = state
    errors.install(app)
    for router in _routers():
        app.include_router(router, prefix=API_PREFIX, responses=errors.ERROR_RESPONSES)
    app.add_api_route(
        "/metrics",
        metrics,
        include_in_schema=False,
        response_class=Response,
        dependencies=[Depends(metrics_access)],
    )
    _middleware(app, state.settings, state)
    return app


def _middleware(app: FastAPI, settings: Settings, state: AppState) -> None:
    """Innermost first: body limit, write queue, metrics, CORS, security headers."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(
        WriteQueue,
        limit=settings.write_concurrency,
        timeout=settings.write_queue_timeout,
        exempt=(f"{API_PREFIX}/auth/",),
    )
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    if settings.cors_origin_list:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            allow_credentials=False,
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
