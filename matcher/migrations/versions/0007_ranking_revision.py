"""only columns that affect ranking bump the profile revision

A society's contact person, phone or e-mail, an expert's title, affiliation, phone or e-mail
do not change any index: writing them no longer marks the indexes stale. Inserts, deletes
and every membership change still do.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RANKED = {
    "societies": ("external_id", "name", "disciplines", "description", "city", "capacity"),
    "experts": ("external_id", "name", "city", "research_areas", "profile"),
}
"""What the engine reads (``matcher.matching.profiles``): texts, names shown in
explanations, ids written to exports, city and capacity priors."""
BUMP = "UPDATE profile_revision SET revision = revision + 1 WHERE id = 1"


def _update_triggers(columns: dict[str, tuple[str, ...] | None]) -> None:
    """Replace the UPDATE triggers of societies and experts: on these columns only (None:
    any column, as 0002 made them)."""
    pg = op.get_bind().dialect.name == "postgresql"
    for table, cols in columns.items():
        if pg:
            op.execute(f"DROP TRIGGER {table}_profile_revision ON {table}")
            of = f"UPDATE OF {', '.join(cols)}" if cols else "UPDATE"
            op.execute(
                f"CREATE TRIGGER {table}_profile_revision BEFORE INSERT OR {of} OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION bump_profile_revision()"
            )
            continue
        op.execute(f"DROP TRIGGER {table}_update_profile_revision")
        when = ""
        if cols:  # row level: only when a ranked value really changed
            when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in cols)
        op.execute(
            f"CREATE TRIGGER {table}_update_profile_revision AFTER UPDATE ON {table}"
            f"{when} BEGIN {BUMP}; END"
        )


def upgrade() -> None:
    _update_triggers(dict(RANKED))


def downgrade() -> None:
    _update_triggers(dict.fromkeys(RANKED))
