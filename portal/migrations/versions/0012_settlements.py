"""settlements: monthly settlements with their lines and receipts, bank accounts, payment runs, budget releases

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:59:12.786549
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=70), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "confirmed", "refused", "replaced", name="bankaccountstatus", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_bank_accounts_decided_by_id_users")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_bank_accounts_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], name=op.f("fk_bank_accounts_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
    )
    with op.batch_alter_table("bank_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_accounts_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_accounts_status"), ["status"], unique=False)

    op.create_table(
        "payment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status", sa.Enum("created", "paid", name="paymentrunstatus", native_enum=False, length=30), nullable=False
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("paid_by_id", sa.Integer(), nullable=True),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("payees", sa.JSON(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_payment_runs_created_by_id_users")),
        sa.ForeignKeyConstraint(["paid_by_id"], ["users.id"], name=op.f("fk_payment_runs_paid_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_runs")),
    )
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_runs_status"), ["status"], unique=False)

    op.create_table(
        "settlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "in_check",
                "correction_requested",
                "awaiting_second_release",
                "released",
                "paid",
                name="settlementstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("payout_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payout_confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("payout_proof_key", sa.String(length=80), nullable=False),
        sa.Column("payout_proof_name", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("second_released_by_id", sa.Integer(), nullable=True),
        sa.Column("second_released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("pdf_key", sa.String(length=80), nullable=False),
        sa.Column("payment_run_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_settlements_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_settlements_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["payment_run_id"], ["payment_runs.id"], name=op.f("fk_settlements_payment_run_id_payment_runs")
        ),
        sa.ForeignKeyConstraint(
            ["payout_confirmed_by_id"], ["users.id"], name=op.f("fk_settlements_payout_confirmed_by_id_users")
        ),
        sa.ForeignKeyConstraint(["released_by_id"], ["users.id"], name=op.f("fk_settlements_released_by_id_users")),
        sa.ForeignKeyConstraint(
            ["second_released_by_id"], ["users.id"], name=op.f("fk_settlements_second_released_by_id_users")
        ),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["users.id"], name=op.f("fk_settlements_submitted_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
        sa.UniqueConstraint("organisation_id", "year", "month", name=op.f("uq_settlements_organisation_id")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlements_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_settlements_payment_run_id"), ["payment_run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_settlements_status"), ["status"], unique=False)

    op.create_table(
        "budget_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("settlement_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_budget_releases_offer_id_offers")),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["settlements.id"], name=op.f("fk_budget_releases_settlement_id_settlements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_releases")),
    )
    with op.batch_alter_table("budget_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_releases_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_releases_settlement_id"), ["settlement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_releases_year"), ["year"], unique=False)

    op.create_table(
        "settlement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("settlement_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("mae_refund", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("mkp_base", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("place_months", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.Column("material_third_party", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("social_work_third_party", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("material_claim", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("social_work_claim", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_settlement_lines_offer_id_offers")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["participation_reports.id"],
            name=op.f("fk_settlement_lines_report_id_participation_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_settlement_lines_settlement_id_settlements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_lines")),
        sa.UniqueConstraint("settlement_id", "offer_id", name=op.f("uq_settlement_lines_settlement_id")),
    )
    with op.batch_alter_table("settlement_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlement_lines_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_settlement_lines_settlement_id"), ["settlement_id"], unique=False)

    op.create_table(
        "settlement_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("settlement_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("material", "social_work", name="proofkind", native_enum=False, length=30), nullable=False
        ),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("file_key", sa.String(length=80), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_settlement_receipts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_settlement_receipts_offer_id_offers")),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_settlement_receipts_settlement_id_settlements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_receipts")),
    )
    with op.batch_alter_table("settlement_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlement_receipts_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_settlement_receipts_settlement_id"), ["settlement_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("settlement_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_receipts_settlement_id"))
        batch_op.drop_index(batch_op.f("ix_settlement_receipts_offer_id"))

    op.drop_table("settlement_receipts")
    with op.batch_alter_table("settlement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_lines_settlement_id"))
        batch_op.drop_index(batch_op.f("ix_settlement_lines_offer_id"))

    op.drop_table("settlement_lines")
    with op.batch_alter_table("budget_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_releases_year"))
        batch_op.drop_index(batch_op.f("ix_budget_releases_settlement_id"))
        batch_op.drop_index(batch_op.f("ix_budget_releases_offer_id"))

    op.drop_table("budget_releases")
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlements_status"))
        batch_op.drop_index(batch_op.f("ix_settlements_payment_run_id"))
        batch_op.drop_index(batch_op.f("ix_settlements_organisation_id"))

    op.drop_table("settlements")
    with op.batch_alter_table("payment_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_runs_status"))

    op.drop_table("payment_runs")
    with op.batch_alter_table("bank_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_accounts_status"))
        batch_op.drop_index(batch_op.f("ix_bank_accounts_organisation_id"))

    op.drop_table("bank_accounts")
