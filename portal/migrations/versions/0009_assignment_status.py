"""assignments: the status of the answer (proposed, active, not started, declined, ended)

Assignments made before this revision were entered by their provider, so they are active.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 11:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STATUSES = ("proposed", "active", "not_started", "declined", "ended")


def upgrade() -> None:
    status = sa.Enum(*STATUSES, name="assignmentstatus", native_enum=False, length=30)
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", status, nullable=False, server_default="proposed"))
        batch_op.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("answer_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_assignments_status"), ["status"], unique=False)
    op.execute("UPDATE assignments SET status = 'active'")


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_status"))
        batch_op.drop_column("answer_reason")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("status")
