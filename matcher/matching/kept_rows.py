"""A refresh's expert rows without reading every profile: the rows changed since the
previous index was read (their per-row profile revision, stamped by the store's triggers,
migration 0012) come from the store with every row's short columns; every other row's fit
text and text hash (in place of its text, which only a changed row needs) are the previous
state's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.matching import persist
from matcher.matching.indexes import IndexState
from matcher.matching.profiles import Row, expert_rows, read_at, short_expert_rows


@dataclass
class Since:
    """What the store says since a revision: the changed rows by id, and every expert's id,
    external id, name and city (by id)."""

    changed: dict[int, Row]
    short: list[tuple[int, str, str, str | None]]


def read_since(session: Session, previous: IndexState, signature: str) -> Since | None:
    """The store's side (no part of ``previous`` but its signature is read: the caller may
    read its parts meanwhile); None when ``previous`` is another store's, or the store's
    revision is behind it (a file restored by hand)."""
    try:
        store_id, revision = read_at(previous.signature)
        now_id, now = read_at(signature)
        if store_id != now_id or revision > now:
            return None
    except ValueError:
        return None
    changed = {r.id: r for r in expert_rows(session, since=revision)}
    return Since(changed, short_expert_rows(session))


def merged(previous: IndexState, since: Since) -> list[Row] | None:
    """The store's expert rows (ordered by id, as ``profiles.expert_rows``), those unchanged
    taken from ``previous``; None when it cannot tell (a part unreadable, a row neither
    changed nor in it): read them all."""
    try:
        corpus, hashes = previous.experts, previous.e_hashes
    except persist.UNREADABLE:
        return None
    at = {i: p for p, i in enumerate(corpus.ids.tolist())}
    fit_texts, changed = corpus.fit_texts, since.changed
    rows = []
    for i, external_id, name, city in since.short:
        row = changed.get(i)
        if row is None:
            p = at.get(i)
            if p is None:
                return None
            row = Row(i, external_id, name, "", city, fit_texts[p], hash=hashes[p])
        rows.append(row)
    return rows
