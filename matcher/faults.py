"""Test-only fault injection: named points where a crash-safety test kills the process.

``MATCHER_FAULT_POINT=import:after_rows`` makes the process kill itself with SIGKILL (no
clean-up, no ``finally``, no rollback: as a power cut of the process would) the first time it
reaches ``point("import:after_rows")``; ``import:after_rows@3`` the third time. The tests in
``tests/faults/`` set it on a ``matcher …`` subprocess, then check that the store and the
indexes are as they were and that the next run succeeds.

Never set it in production. Unset, ``point`` is one comparison: the variable is read once,
when this module is imported.

Points:

* ``db:before_commit`` — a command's transaction flushed, not committed (every CLI write,
  e.g. ``matcher assign commit``);
* ``import:after_rows`` — each chunk of rows an import writes; ``import:after_links`` — an
  expert import's society links written;
* ``index:model_saved`` — the embedded model written to its temp directory, not renamed;
  ``index:before_rename`` — the index file written to its temp file, not renamed.
"""

from __future__ import annotations

import os
import signal

ENV = "MATCHER_FAULT_POINT"

ARMED: str | None = os.environ.get(ENV) or None
_name, _, _nth = (ARMED or "").partition("@")
_left = int(_nth) if _nth.isdigit() and int(_nth) > 0 else 1


def point(name: str) -> None:
    """Kill this process if ``MATCHER_FAULT_POINT`` names this point (and its count is up)."""
    if ARMED is None:
        return
    _reached(name)


def _reached(name: str) -> None:
    global _left
    if name != _name:
        return
    _left -= 1
    if _left <= 0:
        os.kill(os.getpid(), signal.SIGKILL)
