"""A refresh's expert rows without reading every profile: the rows changed since the
previous index was read (their per-row profile revision, stamped by the store's triggers,
migration 0012) come from the store; every other row is the previous state's (its id,
external id, name, city and fit text, and its text's hash in place of the text, which only
a changed row needs)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher.matching import persist
from matcher.matching.indexes import IndexState
from matcher.matching.profiles import Row, expert_rows, read_at, short_expert_rows


def expert_rows_since(session: Session, previous: IndexState, signature: str) -> list[Row] | None:
    """The store's expert rows (ordered by id, as ``profiles.expert_rows``), those unchanged
    since ``previous`` was read taken from it (their fit text and text hash; their id,
    external id, name and city, short columns, read from the store); None when it cannot
    tell (another store's state, a part unreadable, a row neither changed nor in it): read
    them all."""
    try:
        store_id, revision = read_at(previous.signature)
        if store_id != read_at(signature)[0]:
            return None
        corpus, hashes = previous.experts, previous.e_hashes
    except (*persist.UNREADABLE, ValueError):
        return None
    changed = {r.id: r for r in expert_rows(session, since=revision)}
    at = {i: p for p, i in enumerate(corpus.ids.tolist())}
    fit_texts = corpus.fit_texts
    rows = []
    for i, external_id, name, city in short_expert_rows(session):
        row = changed.get(i)
        if row is None:
            p = at.get(i)
            if p is None:
                return None
            row = Row(i, external_id, name, "", city, fit_texts[p], hash=hashes[p])
        rows.append(row)
    return rows
