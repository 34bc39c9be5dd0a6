"""What the engine reads from the store: profile texts, memberships and a cheap signature."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection, Text, cast, func, select
from sqlalchemy.orm import Session

from matcher.models import (
    Assignment,
    AssignmentStatus,
    Expert,
    ProfileRevision,
    Society,
    TechNeed,
    expert_societies,
)

OPEN_ASSIGNMENT = (
    AssignmentStatus.PROPOSED,
    AssignmentStatus.CONFIRMED,
    AssignmentStatus.IN_SERVICE,
)


GOOD_RATING = 4
"""A completed service rated at least this is evidence for its society: the need's text
joins the society as one more member text (``served_rows``)."""
POOR_RATING = 2
"""…rated at most this counts against it, like a decline (``matcher.matching.outcomes``)."""


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def signature(session: Session) -> str:
    """Changes whenever a society, an expert or a membership is added, changed or removed —
    the store's identity and its profile revision, which database triggers keep — and
    whenever a service is completed with a good rating or loses it, or the text of a need so
    served is edited (``served_rows``): one primary-key read and one aggregate, cheap enough
    for every request."""
    store_id, revision = session.execute(
        select(ProfileRevision.store_id, ProfileRevision.revision).where(ProfileRevision.id == 1)
    ).one()
    count, latest, edited = session.execute(
        select(func.count(), func.max(Assignment.updated_at), func.max(TechNeed.updated_at))
        .join(TechNeed, TechNeed.id == Assignment.need_id)
        .where(_served_well())
    ).one()
    served = f":{count}:{latest}:{edited}" if count else ""
    return f"{store_id}:{revision}{served}"


def read_at(signature_: str) -> tuple[str, int]:
    """The store id and profile revision a ``signature`` was taken at."""
    store_id, revision = signature_.split(":")[:2]
    return store_id, int(revision)


def _served_well():
    return (
        (Assignment.status == AssignmentStatus.COMPLETED)
        & (Assignment.rating >= GOOD_RATING)
        & Assignment.need_id.is_not(None)
    )


@dataclass(slots=True)  # (no per-row dict: a million rows are read at once)
class Row:
    id: int
    external_id: str
    name: str
    text: str
    city: str | None
    fit_text: str
    capacity: int = 0
    hash: str = ""  # the text's hash, when the text is not read (``kept_rows``)


def row_hash(row: Row) -> str:
    return row.hash or text_hash(row.text)


def expert_rows(session: Session, *, since: int | None = None) -> list[Row]:
    """Every expert's row by id, or those changed after profile revision ``since`` (in no
    order: found by the revision's index, not by a scan of the table in id order)."""
    stmt = select(
        Expert.id,
        Expert.external_id,
        Expert.name,
        cast(Expert.research_areas, Text),
        Expert.profile,
        Expert.city,
    )
    stmt = stmt.order_by(Expert.id) if since is None else stmt.where(Expert.revision > since)
    out: list[Row] = []
    cities: dict[str, str] = {}  # (one string per city, not one per expert)
    for rows in _core(session).execute(stmt.execution_options(yield_per=READ_ROWS)).partitions():
        areas_of = json_lists([r[3] for r in rows])
        out += [
            Row(
                i,
                ext,
                name,
                " ".join([*areas, profile or ""]),
                city and cities.setdefault(city, city),
                " ".join(areas),
            )
            for (i, ext, name, _, profile, city), areas in zip(rows, areas_of, strict=True)
        ]
    return out


READ_ROWS = 50_000
"""Experts read and made rows at once (a server-side cursor on PostgreSQL): a million
experts' fetched tuples and decoded lists are not held beside their rows."""


def short_expert_rows(session: Session) -> list[tuple[int, str, str, str | None]]:
    """Every expert's id, external id, name and city, by id."""
    stmt = select(Expert.id, Expert.external_id, Expert.name, Expert.city).order_by(Expert.id)
    return _core(session).execute(stmt).all()


def _core(session: Session) -> Connection:
    """The session's connection: a plain column select runs there without the ORM's
    per-row result processing (a third of reading 10^5 rows), in the same transaction."""
    return session.connection()


def json_lists(texts: list[str | None]) -> list[list]:
    """JSON list columns read as text, decoded in one call (a decode per row costs more than
    the whole query at 100,000 experts); a null is an empty list."""
    return [x or [] for x in json.loads("[" + ",".join(t or "null" for t in texts) + "]")]


def served_rows(session: Session) -> tuple[list[Row], dict[int, list[int]]]:
    """Learning from outcomes: each need a society completed with a good rating becomes one
    more member text of that society — evidence in its documents, centroids and member
    channels, and a labelled example for the fits — under the negative id of the
    assignment, so that it is never ranked or shown as an expert. Also their memberships."""
    rows = session.execute(
        select(Assignment.id, Assignment.society_id, TechNeed)
        .join(TechNeed, TechNeed.id == Assignment.need_id)
        .where(_served_well())
        .order_by(Assignment.id)
    )
    out, members = [], {}
    for aid, sid, need in rows:
        out.append(Row(-aid, "", "", need_text(need), need.city, ""))
        members[-aid] = [sid]
    return out, members


def society_rows(session: Session) -> list[Row]:
    rows = session.execute(
        select(
            Society.id,
            Society.external_id,
            Society.name,
            Society.disciplines,
            Society.description,
            Society.city,
            Society.capacity,
        ).order_by(Society.id)
    )
    return [
        Row(
            i,
            ext,
            name,
            " ".join([name, *(disc or []), desc or ""]),
            city,
            " ".join([name, *(disc or [])]),
            cap or 0,
        )
        for i, ext, name, disc, desc, city, cap in rows
    ]


def memberships(session: Session) -> dict[int, list[int]]:
    """Expert id → ids of its societies."""
    out: dict[int, list[int]] = {}
    for eid, sid in (
        _core(session)
        .execute(
            select(expert_societies.c.expert_id, expert_societies.c.society_id).order_by(
                expert_societies.c.expert_id, expert_societies.c.society_id
            )
        )
        .all()
    ):
        out.setdefault(eid, []).append(sid)
    return out


def open_assignments(session: Session) -> dict[int, int]:
    """Society id → number of open (proposed, confirmed, in service) assignments."""
    stmt = (
        select(Assignment.society_id, func.count())
        .where(Assignment.status.in_(OPEN_ASSIGNMENT))
        .group_by(Assignment.society_id)
    )
    return dict(session.execute(stmt).all())


def need_text(need: TechNeed) -> str:
    return " ".join([need.title or "", *(need.keywords or []), need.description or ""])
