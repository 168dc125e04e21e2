"""The providers' bank accounts (changed only with staff confirmation) and the payment runs that hand released
settlements to the city's treasury as one SEPA credit transfer file (pain.001)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, enum_column, utcnow
from portal.settlements.models import MONEY

if TYPE_CHECKING:
    from portal.accounts.models import Organisation, User
    from portal.settlements.models import Settlement


class BankAccountStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    REPLACED = "replaced"


BANK_ACCOUNT_STATUS_LABELS = {
    BankAccountStatus.PENDING: "Wartet auf Bestätigung",
    BankAccountStatus.CONFIRMED: "Bestätigt",
    BankAccountStatus.REFUSED: "Abgelehnt",
    BankAccountStatus.REPLACED: "Ersetzt",
}


class BankAccount(Base):
    """A provider's bank account for payments. A provider admin enters it; it is used only once staff confirmed it,
    and a confirmed one stays in use until staff confirm its successor."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    holder: Mapped[str] = mapped_column(String(70))  # SEPA allows 70 characters
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    status: Mapped[BankAccountStatus] = mapped_column(
        enum_column(BankAccountStatus), default=BankAccountStatus.PENDING, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def status_label(self) -> str:
        return BANK_ACCOUNT_STATUS_LABELS[self.status]

    @property
    def formatted_iban(self) -> str:
        """In groups of four, as printed on a bank card."""
        return " ".join(self.iban[start : start + 4] for start in range(0, len(self.iban), 4))

    @property
    def masked_iban(self) -> str:
        """For the audit log and mails: country, checksum and the last four digits."""
        return f"{self.iban[:4]} … {self.iban[-4:]}"

    def visible_to(self, user: User) -> bool:
        return user.is_staff or user.organisation_id == self.organisation_id


class PaymentRunStatus(enum.StrEnum):
    CREATED = "created"
    PAID = "paid"


PAYMENT_RUN_STATUS_LABELS = {PaymentRunStatus.CREATED: "Erstellt", PaymentRunStatus.PAID: "Bezahlt"}


class PaymentRun(Base):
    """The released settlements handed to the treasury at once: one SEPA credit transfer file (pain.001)."""

    __tablename__ = "payment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[PaymentRunStatus] = mapped_column(
        enum_column(PaymentRunStatus), default=PaymentRunStatus.CREATED, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    message_id: Mapped[str] = mapped_column(String(35), default="")  # the pain.001 MsgId
    # Payee per settlement as used in the file: bank details are frozen with the run.
    payees: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version_id: Mapped[int] = mapped_column(default=1)

    settlements: Mapped[list[Settlement]] = relationship(order_by="Settlement.id")

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def status_label(self) -> str:
        return PAYMENT_RUN_STATUS_LABELS[self.status]
