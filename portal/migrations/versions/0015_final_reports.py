"""final_reports and participant_assessments: interim and final reports per offer, the assessment at exit

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 16:10:58.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "final_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("interim", "final", name="reportkind", native_enum=False, length=30), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "in_check",
                "correction_requested",
                "approved",
                name="finalreportstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("goals_reached", sa.Text(), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("outlook", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name=op.f("fk_final_reports_approved_by_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_final_reports_created_by_id_users")),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_final_reports_offer_id_offers")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["users.id"], name=op.f("fk_final_reports_submitted_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_reports")),
        sa.UniqueConstraint("offer_id", "kind", "period_end", name=op.f("uq_final_reports_offer_id")),
    )
    with op.batch_alter_table("final_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_final_reports_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_final_reports_status"), ["status"], unique=False)

    op.create_table(
        "participant_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column(
            "attendance",
            sa.Enum("reliable", "mostly", "irregular", name="attendance", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column(
            "reliability",
            sa.Enum("high", "medium", "low", name="reliability", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("strengths", sa.String(length=500), nullable=False),
        sa.Column(
            "recommendation",
            sa.Enum(
                "work",
                "training",
                "further_measure",
                "stabilisation",
                "none",
                name="recommendation",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("recommendation_note", sa.String(length=500), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_participant_assessments_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_participant_assessments_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_assessments")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_participant_assessments_assignment_id")),
    )


def downgrade() -> None:
    op.drop_table("participant_assessments")
    with op.batch_alter_table("final_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_final_reports_status"))
        batch_op.drop_index(batch_op.f("ix_final_reports_offer_id"))

    op.drop_table("final_reports")
