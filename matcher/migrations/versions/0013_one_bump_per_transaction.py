"""(PostgreSQL) the profile revision moves once per transaction, not once per statement

0002's statement-level trigger bumped the counter row for every statement writing a ranked
table. A driver's executemany runs one statement per row (psycopg 3 does, for an INSERT with no
RETURNING: the membership links of an import), so an import of 100,000 experts updated that one
row 100,000 times in one transaction — each update walking the row's growing chain of versions:
20,000 experts imported in 9.4 s, 40,000 in 26 s, 100,000 in about 130 s. The counter now moves
on the first such statement of a transaction only; later ones see the revision it took in the
transaction-local setting 0012's row stamp reads (a rolled-back savepoint takes both back). No
other transaction can tell the difference: the counter row stays locked by the writer until it
commits, and every row it changed carries the new revision (within the writing transaction, the
revision no longer moves between its statements). SQLite (row triggers, one writer) is unchanged.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 14:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SETTING = "matcher.profile_revision"
BUMP = (
    "UPDATE profile_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision INTO r; "
    f"PERFORM set_config('{SETTING}', r::text, true)"
)
"""0012's body of ``bump_profile_revision``: bump, and leave the revision for the row stamp."""


def _bump_function(body: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION bump_profile_revision() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ DECLARE r bigint; BEGIN {body}; RETURN NULL; END $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        first = f"coalesce(current_setting('{SETTING}', true), '') = ''"  # none yet in this one
        _bump_function(f"IF {first} THEN {BUMP}; END IF")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _bump_function(BUMP)
