"""Monthly participation reports: one line per assignment.

A report covers one offer and one month; a correction is a new version
(`number`) of the same month, and every version keeps its rendered PDF and hash.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, enum_column, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.assignments.models import Assignment
    from portal.offers.models import Offer


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    CORRECTION_REQUESTED = "correction_requested"
    REJECTED = "rejected"


REPORT_STATUS_LABELS = {
    ReportStatus.DRAFT: "Entwurf",
    ReportStatus.SUBMITTED: "Eingereicht",
    ReportStatus.APPROVED: "Genehmigt",
    ReportStatus.CORRECTION_REQUESTED: "Korrektur erbeten",
    ReportStatus.REJECTED: "Abgelehnt",
}


class ParticipationReport(Base):
    """One version of an offer's report for one month."""

    __tablename__ = "participation_reports"
    __table_args__ = (UniqueConstraint("offer_id", "year", "month", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.DRAFT, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # The report document (plain data, schema teilnahmebericht-v1) frozen at submission; the PDF embeds it.
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    pdf_key: Mapped[str] = mapped_column(String(80), default="")
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    scan_key: Mapped[str] = mapped_column(String(80), default="")
    scan_name: Mapped[str] = mapped_column(String(200), default="")
    scan_sha256: Mapped[str] = mapped_column(String(64), default="")
    scan_uploaded_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    offer: Mapped[Offer] = relationship()
    lines: Mapped[list[ReportLine]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportLine.position"
    )
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def status_label(self) -> str:
        return REPORT_STATUS_LABELS[self.status]

    @property
    def editable(self) -> bool:
        return self.status is ReportStatus.DRAFT

    def visible_to(self, user: User) -> bool:
        return user.is_staff or user.organisation_id == self.offer.organisation_id


class ReportLine(Base):
    """One participant's row of a report: the cell of each calendar day as typed ("4", "E", "UE" …)."""

    __tablename__ = "report_lines"
    __table_args__ = (UniqueConstraint("report_id", "assignment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("participation_reports.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    days: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # day of month ("1".."31") → cell

    report: Mapped[ParticipationReport] = relationship(back_populates="lines")
    assignment: Mapped[Assignment] = relationship()


class ReportReminder(Base):
    """A reminder mail sent about a month's report, so that `portal reminders send` sends each only once."""

    __tablename__ = "report_reminders"
    __table_args__ = (UniqueConstraint("offer_id", "year", "month", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # "before" or "overdue"
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
