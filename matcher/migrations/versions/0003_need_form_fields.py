"""the need-collection form's structured need fields

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    ("start_year", sa.Integer()),
    ("end_year", sa.Integer()),
    ("budget", sa.Float()),
    ("solution_mode", sa.String(length=20)),
    ("partner", sa.String(length=200)),
    ("activity_type", sa.String(length=50)),
    ("discipline", sa.String(length=100)),
    ("fields", sa.JSON()),
    ("application_industry", sa.String(length=100)),
)


def upgrade() -> None:
    with op.batch_alter_table("tech_needs", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tech_needs", schema=None) as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
