"""Free ports for child servers: distinct, from the candidates in order, busy ones skipped."""

import socket

import pytest

from matcher.launch.health import free_ports


def test_free_ports_are_distinct_and_skip_a_busy_candidate():
    assert len(set(free_ports(5))) == 5
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        taken = busy.getsockname()[1]
        spare = free_ports(2)
        got = free_ports(2, [taken, *spare])
    assert got == spare


def test_too_few_free_candidates_is_an_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        with pytest.raises(RuntimeError, match="fewer than 1 free ports"):
            free_ports(1, [busy.getsockname()[1]])
