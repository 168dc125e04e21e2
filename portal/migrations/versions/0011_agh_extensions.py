"""agh_extensions: extensions of a Kundennummer's AGH limit by up to 12 months, with their reasons

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:10:00.000000
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
        "agh_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_number", sa.String(length=10), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_agh_extensions_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_agh_extensions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agh_extensions")),
    )
    with op.batch_alter_table("agh_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agh_extensions_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agh_extensions_customer_number"), ["customer_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agh_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agh_extensions_customer_number"))
        batch_op.drop_index(batch_op.f("ix_agh_extensions_assignment_id"))
    op.drop_table("agh_extensions")
