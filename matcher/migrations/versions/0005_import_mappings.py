"""saved import column mappings

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("name", name=op.f("uq_import_mappings_name")),
    )
    with op.batch_alter_table("import_mappings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_mappings_kind"), ["kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_mappings_kind"))
    op.drop_table("import_mappings")
