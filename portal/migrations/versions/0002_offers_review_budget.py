"""offers review budget

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 03:20:16.091830
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "live", "ended", "withdrawn", "rejected", name="offerstate", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("live_version_id", sa.Integer(), nullable=True),
        sa.Column("working_version_id", sa.Integer(), nullable=True),
        sa.Column("occupied_places", sa.Integer(), nullable=False),
        sa.Column("form_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_offers_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("form_token", name=op.f("uq_offers_form_token")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_state"), ["state"], unique=False)

    op.create_table(
        "budget_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_budget_years_updated_by_id_users")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_budget_years")),
    )
    op.create_table(
        "digest_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digest_items_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_items")),
    )
    with op.batch_alter_table("digest_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_items_user_id"), ["user_id"], unique=False)

    op.create_table(
        "offer_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "in_review",
                "changes_requested",
                "resubmitted",
                "first_approved",
                "approved",
                "rejected",
                "withdrawn",
                "superseded",
                name="versionstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("first_approved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column(
            "offer_type",
            sa.Enum("agh_mae", "municipal", "other", name="offertype", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column(
            "municipal_kind",
            sa.Enum(
                "childcare",
                "debt_counselling",
                "psychosocial",
                "addiction",
                name="municipalkind",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("field_of_work", sa.String(length=30), nullable=False),
        sa.Column("tasks", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("hours_per_week", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("hours_distribution", sa.Text(), nullable=False),
        sa.Column("places_total", sa.Integer(), nullable=True),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("barrier_free", sa.Boolean(), nullable=True),
        sa.Column("barrier_free_notes", sa.Text(), nullable=False),
        sa.Column("supervision_ratio", sa.String(length=20), nullable=False),
        sa.Column("supervisor_qualification", sa.Text(), nullable=False),
        sa.Column("social_work_concept", sa.Text(), nullable=False),
        sa.Column("qualification_percent", sa.Integer(), nullable=True),
        sa.Column("mae_rate", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("mkp_supervision", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("mkp_material", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("mkp_social_work", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("total_cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("criteria_rules", sa.String(length=20), nullable=False),
        sa.Column("justification_additional", sa.Text(), nullable=False),
        sa.Column("justification_public_interest", sa.Text(), nullable=False),
        sa.Column("justification_competition", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("certificate_name", sa.String(length=200), nullable=False),
        sa.Column("certificate_key", sa.String(length=80), nullable=False),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["users.id"], name=op.f("fk_offer_versions_assigned_to_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_offer_versions_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["first_approved_by_id"], ["users.id"], name=op.f("fk_offer_versions_first_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_offer_versions_offer_id_offers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_versions")),
    )
    with op.batch_alter_table("offer_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_versions_assigned_to_id"), ["assigned_to_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_versions_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_versions_status"), ["status"], unique=False)

    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_review_notes_author_id_users")),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_review_notes_offer_id_offers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_notes")),
    )
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_notes_offer_id"), ["offer_id"], unique=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("offer_version_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_commitments_created_by_id_users")),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], name=op.f("fk_commitments_offer_id_offers")),
        sa.ForeignKeyConstraint(
            ["offer_version_id"], ["offer_versions.id"], name=op.f("fk_commitments_offer_version_id_offer_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitments_year"), ["year"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("district", sa.String(length=60), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["offer_versions.id"], name=op.f("fk_sites_version_id_offer_versions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        # offers and offer_versions point at each other: these keys can only follow both tables.
        batch_op.create_foreign_key("fk_offers_live_version_id", "offer_versions", ["live_version_id"], ["id"])
        batch_op.create_foreign_key("fk_offers_working_version_id", "offer_versions", ["working_version_id"], ["id"])

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_district"), ["district"], unique=False)
        batch_op.create_index(batch_op.f("ix_sites_version_id"), ["version_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notify_daily", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_constraint("fk_offers_working_version_id", type_="foreignkey")
        batch_op.drop_constraint("fk_offers_live_version_id", type_="foreignkey")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("notify_daily")

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_version_id"))
        batch_op.drop_index(batch_op.f("ix_sites_district"))

    op.drop_table("sites")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_year"))
        batch_op.drop_index(batch_op.f("ix_commitments_offer_id"))

    op.drop_table("commitments")
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_notes_offer_id"))

    op.drop_table("review_notes")
    with op.batch_alter_table("offer_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_versions_status"))
        batch_op.drop_index(batch_op.f("ix_offer_versions_offer_id"))
        batch_op.drop_index(batch_op.f("ix_offer_versions_assigned_to_id"))

    op.drop_table("offer_versions")
    with op.batch_alter_table("digest_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_items_user_id"))

    op.drop_table("digest_items")
    op.drop_table("budget_years")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_state"))
        batch_op.drop_index(batch_op.f("ix_offers_organisation_id"))

    op.drop_table("offers")
