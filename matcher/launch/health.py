"""Servers started as child processes: free ports to start them on, waiting for them to
answer their health checks, stopping them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable


def free_ports(count: int, candidates: Iterable[int] | None = None) -> list[int]:
    """``count`` distinct loopback ports free now: from ``candidates`` in order, or any the
    OS picks (each held until all are found, so none is handed out twice)."""
    held: list[socket.socket] = []
    try:
        for port in [0] * count if candidates is None else candidates:
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            held.append(sock)
            if len(held) == count:
                return [s.getsockname()[1] for s in held]
        raise RuntimeError(f"fewer than {count} free ports among the candidates")
    finally:
        for sock in held:
            sock.close()


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


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to ``matcher serve`` (it stops its API workers), SIGKILL to its group if that
    takes more than a minute (start it with ``start_new_session=True``)."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
