"""Refuse request bodies larger than ``Settings.max_upload_bytes`` with a JSON 413."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.api.errors import error_body


def _too_large(limit: int) -> str:
    return f"请求体超过 {limit} 字节 request body larger than {limit} bytes"


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            too_big = length.isdigit()
            response = JSONResponse(
                error_body(
                    "payload_too_large" if too_big else "bad_request",
                    _too_large(self.max_bytes) if too_big else "invalid Content-Length",
                ),
                status_code=413 if too_big else 400,
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:  # chunked bodies without Content-Length
                    raise HTTPException(413, _too_large(self.max_bytes))
            return message

        await self.app(scope, counting_receive, send)
