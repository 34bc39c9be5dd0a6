"""bulk assignment runs, pins and forbids, conflicts of interest, the assignment life cycle

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('proposed', 'confirmed', 'in_service')")
TIMESTAMPS = ("confirmed_at", "started_at", "completed_at", "cancelled_at", "declined_at")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _fk(owner: str, column: str, table: str, ondelete: str, nullable: bool = True) -> sa.Column:
    """An integer column of ``owner`` referencing ``table.id`` (named by the convention)."""
    name = op.f(f"fk_{owner}_{column}_{table}")
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{table}.id", name=name, ondelete=ondelete),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "assignment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("greedy_objective", sa.Float(), nullable=False),
        sa.Column("solve_seconds", sa.Float(), nullable=False),
        sa.Column("solver", sa.String(length=30), nullable=False),
        sa.Column("fairness_cost", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("committed_by", sa.String(length=100), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_runs")),
    )
    op.create_index(op.f("ix_assignment_runs_status"), "assignment_runs", ["status"])

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expert_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        for name in TIMESTAMPS:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_assignments_run_id_assignment_runs"),
            "assignment_runs",
            ["run_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_assignments_expert_id_experts"),
            "experts",
            ["expert_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_assignments_rating_range"),
            "rating IS NULL OR (rating >= 1 AND rating <= 5)",
        )
        batch_op.create_index(batch_op.f("ix_assignments_run_id"), ["run_id"])
        batch_op.create_index(batch_op.f("ix_assignments_expert_id"), ["expert_id"])
        batch_op.create_index(
            "uq_assignments_active_need_society",
            ["need_id", "society_id"],
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        )

    op.create_table(
        "assignment_run_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        _fk("assignment_run_pairs", "run_id", "assignment_runs", "CASCADE", nullable=False),
        _fk("assignment_run_pairs", "need_id", "tech_needs", "CASCADE", nullable=False),
        _fk("assignment_run_pairs", "society_id", "societies", "CASCADE", nullable=False),
        _fk("assignment_run_pairs", "expert_id", "experts", "SET NULL"),
        _fk("assignment_run_pairs", "enterprise_id", "enterprises", "SET NULL"),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        _fk("assignment_run_pairs", "assignment_id", "assignments", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_run_pairs")),
        sa.UniqueConstraint("run_id", "need_id", "society_id", name="uq_assignment_run_pairs_pair"),
    )
    op.create_index(op.f("ix_assignment_run_pairs_run_id"), "assignment_run_pairs", ["run_id"])
    op.create_table(
        "assignment_run_unassigned",
        sa.Column("id", sa.Integer(), nullable=False),
        _fk("assignment_run_unassigned", "run_id", "assignment_runs", "CASCADE", nullable=False),
        _fk("assignment_run_unassigned", "need_id", "tech_needs", "CASCADE", nullable=False),
        sa.Column("reason", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_run_unassigned")),
        sa.UniqueConstraint("run_id", "need_id", name="uq_assignment_run_unassigned_need"),
    )
    op.create_table(
        "assignment_run_removed",
        sa.Column("id", sa.Integer(), nullable=False),
        _fk("assignment_run_removed", "run_id", "assignment_runs", "CASCADE", nullable=False),
        _fk("assignment_run_removed", "need_id", "tech_needs", "CASCADE", nullable=False),
        _fk("assignment_run_removed", "society_id", "societies", "CASCADE", nullable=False),
        _fk("assignment_run_removed", "expert_id", "experts", "SET NULL"),
        sa.Column("reason", sa.String(length=50), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_run_removed")),
    )
    op.create_index(
        "ix_assignment_run_removed_run_need", "assignment_run_removed", ["run_id", "need_id"]
    )

    op.create_table(
        "assignment_constraints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _fk("assignment_constraints", "need_id", "tech_needs", "CASCADE"),
        _fk("assignment_constraints", "enterprise_id", "enterprises", "CASCADE"),
        _fk("assignment_constraints", "society_id", "societies", "CASCADE", nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "(need_id IS NULL) <> (enterprise_id IS NULL)",
            name=op.f("ck_assignment_constraints_one_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_constraints")),
        sa.UniqueConstraint("kind", "need_id", "society_id", name="uq_assignment_constraints_need"),
        sa.UniqueConstraint(
            "kind", "enterprise_id", "society_id", name="uq_assignment_constraints_enterprise"
        ),
    )
    for column in ("kind", "need_id", "enterprise_id"):
        op.create_index(
            op.f(f"ix_assignment_constraints_{column}"), "assignment_constraints", [column]
        )

    op.create_table(
        "conflicts_of_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        _fk("conflicts_of_interest", "enterprise_id", "enterprises", "CASCADE", nullable=False),
        _fk("conflicts_of_interest", "expert_id", "experts", "CASCADE"),
        _fk("conflicts_of_interest", "society_id", "societies", "CASCADE"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "(expert_id IS NULL) <> (society_id IS NULL)",
            name=op.f("ck_conflicts_of_interest_one_party"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts_of_interest")),
        sa.UniqueConstraint("enterprise_id", "expert_id", name="uq_conflicts_of_interest_expert"),
        sa.UniqueConstraint("enterprise_id", "society_id", name="uq_conflicts_of_interest_society"),
    )
    op.create_index(
        op.f("ix_conflicts_of_interest_enterprise_id"), "conflicts_of_interest", ["enterprise_id"]
    )


def downgrade() -> None:
    op.drop_table("conflicts_of_interest")
    op.drop_table("assignment_constraints")
    op.drop_table("assignment_run_removed")
    op.drop_table("assignment_run_unassigned")
    op.drop_table("assignment_run_pairs")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("uq_assignments_active_need_society")
        batch_op.drop_index(batch_op.f("ix_assignments_expert_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_run_id"))
        batch_op.drop_constraint(batch_op.f("ck_assignments_rating_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_assignments_expert_id_experts"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_assignments_run_id_assignment_runs"), type_="foreignkey"
        )
        for name in reversed(TIMESTAMPS):
            batch_op.drop_column(name)
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("expert_id")
        batch_op.drop_column("run_id")
    op.drop_index(op.f("ix_assignment_runs_status"), table_name="assignment_runs")
    op.drop_table("assignment_runs")
