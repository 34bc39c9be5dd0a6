"""programme: rounds, society–enterprise pairings and pairing runs, service activities with
their experts' hours; an enterprise's priority industry (重点产业链)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "ended", name="roundstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("ended_by", sa.String(length=100), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_rounds")),
        sa.UniqueConstraint("name", name=op.f("uq_programme_rounds_name")),
    )
    op.create_table(
        "pairing_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("solve_seconds", sa.Float(), nullable=False),
        sa.Column("solver", sa.String(length=30), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("committed_by", sa.String(length=100), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_rounds.id"],
            name=op.f("fk_pairing_runs_round_id_programme_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_runs")),
    )
    with op.batch_alter_table("pairing_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairing_runs_round_id"), ["round_id"], unique=False)

    op.create_table(
        "enterprise_pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("society_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "active",
                "ended",
                "removed",
                name="pairingstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=50), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_enterprise_pairings_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_rounds.id"],
            name=op.f("fk_enterprise_pairings_round_id_programme_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["pairing_runs.id"],
            name=op.f("fk_enterprise_pairings_run_id_pairing_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["society_id"],
            ["societies.id"],
            name=op.f("fk_enterprise_pairings_society_id_societies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_pairings")),
    )
    with op.batch_alter_table("enterprise_pairings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_pairings_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            "ix_enterprise_pairings_round_status", ["round_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enterprise_pairings_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enterprise_pairings_society_id"), ["society_id"], unique=False
        )
        batch_op.create_index(
            "uq_enterprise_pairings_active",
            ["round_id", "enterprise_id", "society_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "service_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("society_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("service_type", sa.String(length=30), nullable=False),
        sa.Column("platform_kind", sa.String(length=30), nullable=True),
        sa.Column("activity_date", sa.Date(), nullable=False),
        sa.Column("volunteer_hours", sa.Float(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column(
            "confirmation",
            sa.Enum(
                "pending",
                "confirmed",
                "disputed",
                name="confirmationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("confirmation_note", sa.Text(), nullable=True),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_service_activities_assignment_id_assignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_service_activities_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["tech_needs.id"],
            name=op.f("fk_service_activities_need_id_tech_needs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["programme_rounds.id"],
            name=op.f("fk_service_activities_round_id_programme_rounds"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["society_id"],
            ["societies.id"],
            name=op.f("fk_service_activities_society_id_societies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_activities")),
        sa.UniqueConstraint("external_id", name=op.f("uq_service_activities_external_id")),
    )
    with op.batch_alter_table("service_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_activities_activity_date"), ["activity_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_activities_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_activities_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_activities_service_type"), ["service_type"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_activities_society_id"), ["society_id"], unique=False
        )

    op.create_table(
        "activity_experts",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["service_activities.id"],
            name=op.f("fk_activity_experts_activity_id_service_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_activity_experts_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "expert_id", name=op.f("pk_activity_experts")),
    )
    with op.batch_alter_table("activity_experts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_experts_expert_id"), ["expert_id"], unique=False
        )

    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority_industry", sa.String(length=50), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_enterprises_priority_industry"), ["priority_industry"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprises_priority_industry"))
        batch_op.drop_column("priority_industry")

    with op.batch_alter_table("activity_experts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_experts_expert_id"))

    op.drop_table("activity_experts")
    with op.batch_alter_table("service_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_activities_society_id"))
        batch_op.drop_index(batch_op.f("ix_service_activities_service_type"))
        batch_op.drop_index(batch_op.f("ix_service_activities_round_id"))
        batch_op.drop_index(batch_op.f("ix_service_activities_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_service_activities_activity_date"))

    op.drop_table("service_activities")
    with op.batch_alter_table("enterprise_pairings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_enterprise_pairings_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_enterprise_pairings_society_id"))
        batch_op.drop_index(batch_op.f("ix_enterprise_pairings_run_id"))
        batch_op.drop_index("ix_enterprise_pairings_round_status")
        batch_op.drop_index(batch_op.f("ix_enterprise_pairings_enterprise_id"))

    op.drop_table("enterprise_pairings")
    with op.batch_alter_table("pairing_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairing_runs_round_id"))

    op.drop_table("pairing_runs")
    op.drop_table("programme_rounds")
