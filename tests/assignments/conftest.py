"""The small bulk-assignment store, on both databases."""

from __future__ import annotations

import pytest

from .world import Ids, build


@pytest.fixture
def ids(store) -> Ids:
    with store.transaction() as s:
        return build(s)
