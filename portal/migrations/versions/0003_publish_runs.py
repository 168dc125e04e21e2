"""publish runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 03:41:16.843374
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publish_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("running", "succeeded", "failed", name="publishstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("running", sa.Boolean(), nullable=True),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offers", sa.Integer(), nullable=True),
        sa.Column("again", sa.Boolean(), nullable=False),
        sa.Column("log", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"], name=op.f("fk_publish_runs_started_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publish_runs")),
        sa.UniqueConstraint("running", name=op.f("uq_publish_runs_running")),
    )
    with op.batch_alter_table("publish_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publish_runs_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("publish_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publish_runs_status"))

    op.drop_table("publish_runs")
