"""participation reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 06:04:12.086767
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("customer_number", sa.String(length=10), nullable=False),
        sa.Column("initials", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_participants_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("organisation_id", "customer_number", name=op.f("uq_participants_organisation_id")),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participants_customer_number"), ["customer_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_participants_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("weekly_hours", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("mae_rate", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_assignments_created_by_id_users")),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_assignments_offer_id_offers")),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name=op.f("fk_assignments_participant_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_participant_id"), ["participant_id"], unique=False)

    op.create_table(
        "participation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "correction_requested",
                "rejected",
                name="reportstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("pdf_key", sa.String(length=80), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("scan_key", sa.String(length=80), nullable=False),
        sa.Column("scan_name", sa.String(length=200), nullable=False),
        sa.Column("scan_sha256", sa.String(length=64), nullable=False),
        sa.Column("scan_uploaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_participation_reports_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_participation_reports_offer_id_offers")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_participation_reports_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation_reports")),
        sa.UniqueConstraint("offer_id", "year", "month", "number", name=op.f("uq_participation_reports_offer_id")),
    )
    with op.batch_alter_table("participation_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participation_reports_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participation_reports_status"), ["status"], unique=False)

    op.create_table(
        "report_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_report_reminders_offer_id_offers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reminders")),
        sa.UniqueConstraint("offer_id", "year", "month", "kind", name=op.f("uq_report_reminders_offer_id")),
    )
    with op.batch_alter_table("report_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_reminders_offer_id"), ["offer_id"], unique=False)

    op.create_table(
        "report_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "non_entry",
                "drop_out",
                "job",
                "training",
                "unexcused_absence",
                "long_sickness",
                name="eventkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_report_events_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_report_events_created_by_id_users")),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_report_events_offer_id_offers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
    )
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_events_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_events_event_date"), ["event_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_events_offer_id"), ["offer_id"], unique=False)

    op.create_table(
        "report_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_report_lines_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["participation_reports.id"],
            name=op.f("fk_report_lines_report_id_participation_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_lines")),
        sa.UniqueConstraint("report_id", "assignment_id", name=op.f("uq_report_lines_report_id")),
    )
    with op.batch_alter_table("report_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_lines_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_lines_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_lines_report_id"))
        batch_op.drop_index(batch_op.f("ix_report_lines_assignment_id"))

    op.drop_table("report_lines")
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_events_offer_id"))
        batch_op.drop_index(batch_op.f("ix_report_events_event_date"))
        batch_op.drop_index(batch_op.f("ix_report_events_assignment_id"))

    op.drop_table("report_events")
    with op.batch_alter_table("report_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_reminders_offer_id"))

    op.drop_table("report_reminders")
    with op.batch_alter_table("participation_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participation_reports_status"))
        batch_op.drop_index(batch_op.f("ix_participation_reports_offer_id"))

    op.drop_table("participation_reports")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_participant_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_offer_id"))

    op.drop_table("assignments")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_participants_customer_number"))

    op.drop_table("participants")
