"""A provider's monthly settlement (Abrechnung), its lines per offer and the receipts for the parts paid on proof.
The payment runs that pay released settlements are the payments domain's (`portal.payments.models`).

Amounts are exact decimals in euro to the cent. A settlement's figures are computed (`settlements.calc`) from the
approved monthly reports and the approved offers; only receipts, third-party funds and the payout confirmation are
entered by the provider.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, enum_column, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import Organisation, User
    from portal.offers.models import Offer
    from portal.reports.models import ParticipationReport

MONEY = Numeric(14, 2)


class SettlementStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_CHECK = "in_check"
    CORRECTION_REQUESTED = "correction_requested"
    AWAITING_SECOND_RELEASE = "awaiting_second_release"
    RELEASED = "released"
    PAID = "paid"


SETTLEMENT_STATUS_LABELS = {
    SettlementStatus.DRAFT: "Entwurf",
    SettlementStatus.SUBMITTED: "Eingereicht",
    SettlementStatus.IN_CHECK: "In Prüfung",
    SettlementStatus.CORRECTION_REQUESTED: "Korrektur erbeten",
    SettlementStatus.AWAITING_SECOND_RELEASE: "Zweite Freigabe ausstehend",
    SettlementStatus.RELEASED: "Freigegeben",
    SettlementStatus.PAID: "Bezahlt",
}


class ProofKind(enum.StrEnum):
    """The parts of the MKP paid on proof of actual costs, each capped by the offer's approved rate per place."""

    MATERIAL = "material"
    SOCIAL_WORK = "social_work"


PROOF_KIND_LABELS = {ProofKind.MATERIAL: "Sachkosten", ProofKind.SOCIAL_WORK: "Sozialpädagogische Begleitung"}


class Settlement(Base):
    """One provider's settlement of one month: one line per offer with an approved report of that month."""

    __tablename__ = "settlements"
    __table_args__ = (UniqueConstraint("organisation_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    status: Mapped[SettlementStatus] = mapped_column(
        enum_column(SettlementStatus), default=SettlementStatus.DRAFT, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The provider confirms it paid each participant's MAE (it claims the refund); optionally with a proof PDF.
    payout_confirmed_at: Mapped[datetime | None]
    payout_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payout_proof_key: Mapped[str] = mapped_column(String(80), default="")
    payout_proof_name: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None]
    second_released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    second_released_at: Mapped[datetime | None]
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # The settlement document (plain data, schema abrechnung-v1) frozen at submission; the PDF embeds it.
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    pdf_key: Mapped[str] = mapped_column(String(80), default="")
    # The payment run that pays it (`portal.payments`, which builds on this domain and holds the relationship).
    payment_run_id: Mapped[int | None] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    lines: Mapped[list[SettlementLine]] = relationship(
        back_populates="settlement", cascade="all, delete-orphan", order_by="SettlementLine.offer_id"
    )
    receipts: Mapped[list[Receipt]] = relationship(
        back_populates="settlement", cascade="all, delete-orphan", order_by="Receipt.id"
    )

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def status_label(self) -> str:
        return SETTLEMENT_STATUS_LABELS[self.status]

    @property
    def editable(self) -> bool:
        return self.status in (SettlementStatus.DRAFT, SettlementStatus.CORRECTION_REQUESTED)

    def visible_to(self, user: User) -> bool:
        return user.is_staff or user.organisation_id == self.organisation_id

    def receipts_for(self, offer_id: int, kind: ProofKind) -> list[Receipt]:
        return [item for item in self.receipts if item.offer_id == offer_id and item.kind is kind]


class SettlementLine(Base):
    """One offer's part of a settlement, from its approved report of the month; the provider enters the
    third-party funds of the parts paid on proof, everything else is computed."""

    __tablename__ = "settlement_lines"
    __table_args__ = (UniqueConstraint("settlement_id", "offer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    # The approved report the figures come from; the line keeps them when retention deletes the report.
    report_id: Mapped[int | None] = mapped_column(ForeignKey("participation_reports.id", ondelete="SET NULL"))
    mae_refund: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    mkp_base: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    place_months: Mapped[Decimal] = mapped_column(Numeric(8, 4), default=Decimal(0))
    material_third_party: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    social_work_third_party: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    material_claim: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    social_work_claim: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))

    settlement: Mapped[Settlement] = relationship(back_populates="lines")
    offer: Mapped[Offer] = relationship()
    report: Mapped[ParticipationReport | None] = relationship()

    def proof_rate(self, kind: ProofKind) -> Decimal:
        """The offer's approved rate per place-month for a part paid on proof (0 where it has none)."""
        version = self.offer.live_version
        rate: Decimal | None = getattr(version, f"mkp_{kind.value}") if version else None
        return rate or Decimal(0)


class Receipt(Base):
    """A receipt (PDF, checked like every upload) for actual costs of one offer's material or social-work part."""

    __tablename__ = "settlement_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    kind: Mapped[ProofKind] = mapped_column(enum_column(ProofKind))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    description: Mapped[str] = mapped_column(String(200))
    file_key: Mapped[str] = mapped_column(String(80))
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    settlement: Mapped[Settlement] = relationship(back_populates="receipts")

    @property
    def kind_label(self) -> str:
        return PROOF_KIND_LABELS[self.kind]
