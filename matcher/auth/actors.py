"""Who acts: a logged-in ``User``, or an explicit system actor (the CLI, the demo loader).

A missing actor is never staff: services refuse ``None``. The CLI passes ``SYSTEM_CLI``,
which has staff rights and is audited under its own label (``system:cli``).
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.models import Role, User


@dataclass(frozen=True)
class SystemActor:
    """A non-person actor with staff rights; quacks like a ``User`` for the policy checks."""

    username: str
    role: Role = Role.ADMIN
    id: None = None
    enterprise_id: None = None
    society_id: None = None
    is_active: bool = True

    @property
    def display_name(self) -> str:
        return self.username


SYSTEM_CLI = SystemActor("system:cli")
"""The ``matcher`` command line (an operator with shell access to the deployment)."""
SYSTEM_DEMO = SystemActor("system:demo")
"""The demo loader."""
SYSTEM_INDEX = SystemActor("system:index")
"""The index refresher: re-ranks needs in bulk after profiles changed."""

Actor = User | SystemActor
