"""per-row profile revision of experts, stamped by triggers

Each expert row carries the profile revision of the last change to a column the engine ranks
by (inserted, or one of 0007's ``RANKED`` columns changed), so that a refresh of the indexes
reads from the store only the rows changed since the revision its index was read at, not
every profile (``matcher.matching.kept_rows``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

RANKED = ("external_id", "name", "city", "research_areas", "profile")
"""0007's ranked columns of ``experts``."""
BUMP = "UPDATE profile_revision SET revision = revision + 1 WHERE id = 1"
STAMP = (
    "UPDATE experts SET revision = (SELECT revision FROM profile_revision WHERE id = 1) "
    "WHERE id = NEW.id"
)
CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in RANKED)
SETTING = "matcher.profile_revision"


def _bump_function(body: str) -> None:
    """(PostgreSQL) 0002's statement-level ``bump_profile_revision`` with this body."""
    op.execute(
        "CREATE OR REPLACE FUNCTION bump_profile_revision() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ DECLARE r bigint; BEGIN {body}; RETURN NULL; END $$"
    )


def upgrade() -> None:
    op.add_column(
        "experts", sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.create_index(op.f("ix_experts_revision"), "experts", ["revision"])
    # every row as changed now: an index read before this revision reads them all again
    op.execute("UPDATE experts SET revision = (SELECT revision FROM profile_revision WHERE id = 1)")
    if op.get_bind().dialect.name == "postgresql":
        # row level, after 0002's statement-level BEFORE trigger has bumped the counter: the
        # row takes the bumped revision, which the bump leaves in a transaction-local setting
        # (a query per row made an import of 100,000 experts a quarter slower)
        _bump_function(
            f"{BUMP} RETURNING revision INTO r; PERFORM set_config('{SETTING}', r::text, true)"
        )
        op.execute(
            "CREATE FUNCTION stamp_expert_revision() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN NEW.revision := current_setting('{SETTING}')::bigint; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER experts_stamp_revision BEFORE INSERT OR UPDATE OF "
            f"{', '.join(RANKED)} ON experts FOR EACH ROW EXECUTE FUNCTION stamp_expert_revision()"
        )
        return
    # SQLite: the row triggers that bump the counter also stamp the row (the stamp changes no
    # ranked column, so it fires no trigger again)
    op.execute("DROP TRIGGER experts_insert_profile_revision")
    op.execute("DROP TRIGGER experts_update_profile_revision")
    op.execute(
        "CREATE TRIGGER experts_insert_profile_revision AFTER INSERT ON experts "
        f"BEGIN {BUMP}; {STAMP}; END"
    )
    op.execute(
        f"CREATE TRIGGER experts_update_profile_revision AFTER UPDATE ON experts WHEN {CHANGED} "
        f"BEGIN {BUMP}; {STAMP}; END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER experts_stamp_revision ON experts")
        op.execute("DROP FUNCTION stamp_expert_revision()")
        _bump_function(BUMP)
    else:
        op.execute("DROP TRIGGER experts_insert_profile_revision")
        op.execute("DROP TRIGGER experts_update_profile_revision")
        op.execute(
            "CREATE TRIGGER experts_insert_profile_revision AFTER INSERT ON experts "
            f"BEGIN {BUMP}; END"
        )
        op.execute(
            f"CREATE TRIGGER experts_update_profile_revision AFTER UPDATE ON experts "
            f"WHEN {CHANGED} BEGIN {BUMP}; END"
        )
    op.drop_index(op.f("ix_experts_revision"), table_name="experts")
    # (SQLite: in place — a batch copy of the table would drop its triggers)
    op.execute("ALTER TABLE experts DROP COLUMN revision")
