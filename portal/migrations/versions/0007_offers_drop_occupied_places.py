"""offers: drop the hand-typed occupied places (occupancy is counted from the assignments)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 10:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("occupied_places")


def downgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occupied_places", sa.Integer(), nullable=False, server_default="0"))
