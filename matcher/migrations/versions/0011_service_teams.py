"""industry service teams (一业一团) and their members

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "saved", name="teamstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("size_limit", sa.Integer(), nullable=False),
        sa.Column("per_society", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("solve", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_teams")),
    )
    with op.batch_alter_table("service_teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_teams_industry"), ["industry"])

    op.create_table(
        "service_team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("society_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("leader", "member", name="teamrole", native_enum=False, length=20),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["service_teams.id"],
            name=op.f("fk_service_team_members_team_id_service_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_service_team_members_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["society_id"],
            ["societies.id"],
            name=op.f("fk_service_team_members_society_id_societies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_team_members")),
        sa.UniqueConstraint("team_id", "expert_id", name=op.f("uq_service_team_members_team_id")),
    )
    with op.batch_alter_table("service_team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_team_members_expert_id"), ["expert_id"])
        batch_op.create_index(batch_op.f("ix_service_team_members_society_id"), ["society_id"])


def downgrade() -> None:
    op.drop_table("service_team_members")
    op.drop_table("service_teams")
