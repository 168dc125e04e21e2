"""assignment_messages: the provider's change requests on an assignment (extension, other hours), sent to staff

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 11:45:00.000000
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
        "assignment_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_assignment_messages_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_assignment_messages_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_messages")),
    )
    with op.batch_alter_table("assignment_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_messages_assignment_id"), ["assignment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assignment_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_messages_assignment_id"))
    op.drop_table("assignment_messages")
