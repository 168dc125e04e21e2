"""organisation_changes: a provider's change of its public data, waiting for staff to confirm it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 13:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("public_contact", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "confirmed", "refused", "withdrawn", name="changestatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_changes_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_organisation_changes_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_organisation_changes_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_changes")),
    )
    with op.batch_alter_table("organisation_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_changes_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(
            "uq_organisation_changes_open",
            ["organisation_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation_changes", schema=None) as batch_op:
        batch_op.drop_index("uq_organisation_changes_open")
        batch_op.drop_index(batch_op.f("ix_organisation_changes_organisation_id"))
    op.drop_table("organisation_changes")
