"""ASGI middleware: security headers on every response, and the write queue."""

from __future__ import annotations

import asyncio
import math

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.api.errors import error_body

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI and ReDoc: scripts and styles served by the API itself (matcher.api.offline_docs)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")  # also /docs-assets


class SecurityHeaders:
    """nosniff, no framing, a strict CSP (a looser one for the docs pages), no referrer,
    and ``Cache-Control: no-store`` on JSON and API responses (they may carry contacts)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(DOCS_PATHS) else API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                content_type = headers.get("content-type", "")
                if "json" in content_type or path.startswith("/api/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class WriteQueue:
    """Bounds the API writes running at once: a write waits on the event loop, holding no
    thread and no connection, for at most ``timeout`` seconds, then is answered 503 with
    ``Retry-After``. So a burst of writes cannot take every worker thread and connection
    (SQLite has a single write lock anyway), and log-ins and reads, which are not queued,
    are never stalled behind it."""

    def __init__(
        self, app: ASGIApp, *, limit: int, timeout: float, exempt: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.limit = max(1, limit)
        self.timeout = timeout
        self.exempt = exempt
        self._semaphores: dict[int, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        loop = id(asyncio.get_running_loop())
        sem = self._semaphores.get(loop)
        if sem is None:
            sem = self._semaphores[loop] = asyncio.Semaphore(self.limit)
        return sem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in WRITE_METHODS
            or scope.get("path", "").startswith(self.exempt)
        ):
            await self.app(scope, receive, send)
            return
        sem = self._semaphore()
        try:
            await asyncio.wait_for(sem.acquire(), self.timeout)
        except TimeoutError:
            retry = max(1, math.ceil(self.timeout / 4))
            response = JSONResponse(
                error_body(
                    "busy",
                    "系统繁忙，请稍后重试 / the service is busy, please retry shortly",
                    {"retry_after": retry},
                ),
                status_code=503,
                headers={"Retry-After": str(retry)},
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            sem.release()
