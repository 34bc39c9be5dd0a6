"""Prometheus metrics (one registry per app) and the ASGI middleware that feeds them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Request counts and latency by route template and status, and matching latency."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "matcher_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "matcher_http_request_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.match_latency = Histogram(
            "matcher_match_seconds",
            "Time to return a need's matches (stored or computed)",
            ["target"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    @contextmanager
    def time_match(self, target: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.match_latency.labels(target).observe(time.perf_counter() - start)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def route_template(scope: Scope) -> str:
    """The matched route's template with its router prefix (``/api/v1/needs/{need_id}``)."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    regex = getattr(route, "path_regex", None)
    if not template or regex is None:
        return "<unmatched>"
    path = scope.get("path", "")
    for i, char in enumerate(path):  # routes included under a prefix carry no prefix
        if char == "/" and regex.fullmatch(path[i:]):
            return path[:i] + template
    return template


class MetricsMiddleware:
    """Counts every HTTP request under its route template (``/needs/{need_id}``), so ids
    do not explode the label space; unmatched paths count as ``<unmatched>``."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            template = route_template(scope)
            method = scope.get("method", "")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - start)
