"""Budget years and commitments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models import Base, utcnow


class BudgetYear(Base):
    __tablename__ = "budget_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)


class Commitment(Base):
    """Money bound by an approved offer version in one year; replaced when a revision is approved."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    offer_version_id: Mapped[int] = mapped_column(ForeignKey("offer_versions.id"))
    year: Mapped[int] = mapped_column(index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    override_reason: Mapped[str] = mapped_column(Text, default="")


class Release(Base):
    """Money released for one offer in one year by a settlement (the budget's actuals, beside the commitments)."""

    __tablename__ = "budget_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
