"""expert workstations: proposals' life cycle, snapshot and document; workstations

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BLOCKING = sa.text("status IN ('draft', 'submitted', 'approved')")
# NOT NULL columns added to a table that may hold rows: (name, type, default for those rows)
FILLED = (
    ("by_hand", sa.Boolean(), sa.false()),
    ("expert_ids", sa.JSON(), sa.text("'[]'")),
    ("snapshot", sa.JSON(), sa.text("'{}'")),
    ("created_by", sa.String(length=100), sa.text("''")),
)
OPTIONAL = (
    ("document_sha256", sa.String(length=64)),
    ("status_note", sa.Text()),
    ("submitted_at", sa.DateTime(timezone=True)),
    ("decided_by", sa.String(length=100)),
    ("decided_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("workstation_proposals", schema=None) as batch_op:
        for name, type_, default in FILLED:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        for name, type_ in OPTIONAL:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("workstation_proposals", schema=None) as batch_op:
        for name, type_, _default in FILLED:
            batch_op.alter_column(name, existing_type=type_, server_default=None)
        batch_op.create_index(
            "uq_workstation_proposals_open_pair",
            ["society_id", "enterprise_id"],
            unique=True,
            sqlite_where=BLOCKING,
            postgresql_where=BLOCKING,
        )

    op.create_table(
        "workstations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("society_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["society_id"],
            ["societies.id"],
            name=op.f("fk_workstations_society_id_societies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_workstations_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["workstation_proposals.id"],
            name=op.f("fk_workstations_proposal_id_workstation_proposals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workstations")),
        sa.UniqueConstraint("society_id", "enterprise_id", name=op.f("uq_workstations_society_id")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_workstations_proposal_id")),
    )
    with op.batch_alter_table("workstations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workstations_society_id"), ["society_id"])
        batch_op.create_index(batch_op.f("ix_workstations_enterprise_id"), ["enterprise_id"])

    op.create_table(
        "workstation_experts",
        sa.Column("workstation_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workstation_id"],
            ["workstations.id"],
            name=op.f("fk_workstation_experts_workstation_id_workstations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_workstation_experts_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workstation_id", "expert_id", name=op.f("pk_workstation_experts")),
    )
    with op.batch_alter_table("workstation_experts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workstation_experts_expert_id"), ["expert_id"])


def downgrade() -> None:
    op.drop_table("workstation_experts")
    op.drop_table("workstations")
    with op.batch_alter_table("workstation_proposals", schema=None) as batch_op:
        batch_op.drop_index("uq_workstation_proposals_open_pair")
        for name, _type in reversed(OPTIONAL):
            batch_op.drop_column(name)
        for name, _type, _default in reversed(FILLED):
            batch_op.drop_column(name)
