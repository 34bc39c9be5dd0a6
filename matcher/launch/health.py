"""Servers started as child processes: a free port to start one on, and waiting for them to
answer their health checks."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port() -> int:
    """A loopback port free now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether ``url`` answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_answering(
    urls: list[str], procs: list[subprocess.Popen], *, timeout: float = 300.0, poll: float = 0.2
) -> bool:
    """Block until every URL answers (True), or a process exits or ``timeout`` passes (False)."""
    pending = list(urls)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        pending = [url for url in pending if not answers(url)]
        if pending:
            time.sleep(poll)
    return not pending
