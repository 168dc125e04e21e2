"""submissions: the one-time form tokens of creating forms (portal.submissions)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 10:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "token", name=op.f("pk_submissions")),
    )


def downgrade() -> None:
    op.drop_table("submissions")
