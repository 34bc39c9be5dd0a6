"""Every error as JSON ``{"code", "message", "details"}`` with a stable code; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.api.messages import field_name, translate
from matcher.errors import MatcherError, ServiceBusyError

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "busy",
}


class ErrorOut(BaseModel):
    """The body of every error response."""

    code: str
    message: str
    details: Any = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": HTTP_CODES.get(status, "error")}
    for status in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}
"""Documented on every API route so that clients (and schema tests) know the error shape."""


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details}


async def _matcher_error(_request: Request, exc: MatcherError) -> JSONResponse:
    headers = {}
    if exc.status in (429, 503) and isinstance(exc.details, dict) and "retry_after" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after"])
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details), status_code=exc.status, headers=headers
    )


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {"field": field_name(e.get("loc", ())), "message": translate(e), "type": e.get("type")}
        for e in exc.errors()
    ]
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:3])
    return JSONResponse(
        error_body("validation_error", f"输入无效 invalid input: {summary}", details),
        status_code=422,
    )


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return JSONResponse(
        error_body(code, str(exc.detail)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _integrity_error(_request: Request, _exc: IntegrityError) -> JSONResponse:
    return JSONResponse(
        error_body("conflict", "与已有数据冲突 conflicts with existing data"), status_code=409
    )


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    """A write lock held too long, no free connection, a deadlock or a lost connection:
    the request did nothing (its transaction rolled back); the client may retry."""
    log.warning("store busy: %s", str(exc).splitlines()[0][:200])
    return await _matcher_error(request, ServiceBusyError())


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "服务器内部错误 internal server error"), status_code=500
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(MatcherError, _matcher_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(PoolTimeoutError, _busy)
    app.add_exception_handler(Exception, _unexpected)
