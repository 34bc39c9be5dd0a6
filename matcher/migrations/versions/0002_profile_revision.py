"""profile revision counter, bumped by triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 21:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("societies", "experts", "expert_societies")
BUMP = "UPDATE profile_revision SET revision = revision + 1 WHERE id = 1"


def upgrade() -> None:
    table = op.create_table(
        "profile_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_revision")),
    )
    op.bulk_insert(table, [{"id": 1, "store_id": uuid.uuid4().hex, "revision": 0}])
    if op.get_bind().dialect.name == "postgresql":
        # statement-level: one bump per INSERT/UPDATE/DELETE statement, however many rows;
        # BEFORE: every profile writer locks the counter row before any profile row, so two
        # writers always lock in the same order (no deadlock between an import and an edit)
        op.execute(
            "CREATE FUNCTION bump_profile_revision() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for name in TABLES:
            op.execute(
                f"CREATE TRIGGER {name}_profile_revision BEFORE INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {name} FOR EACH STATEMENT "
                "EXECUTE FUNCTION bump_profile_revision()"
            )
        return
    for name in TABLES:  # SQLite has row-level triggers only
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {name}_{event.lower()}_profile_revision AFTER {event} "
                f"ON {name} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TABLES:
            op.execute(f"DROP TRIGGER {name}_profile_revision ON {name}")
        op.execute("DROP FUNCTION bump_profile_revision()")
    else:
        for name in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {name}_{event}_profile_revision")
    op.drop_table("profile_revision")
