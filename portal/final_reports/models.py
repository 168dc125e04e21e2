"""The interim and final reports of an offer (Zwischenbericht, Sachbericht mit Verwendungsnachweis) and the
participant assessment at exit (Teilnehmerbeurteilung, § 61 Abs. 2 SGB II).

A report's figures are computed from assignments, events, approved monthly reports and settlements
(`final_reports.figures`), never typed; the provider writes the narrative. The figures are frozen into the
document (schema sachbericht-v1) at submission. The assessment belongs to one ended assignment: participant data,
deleted with its assignment (`portal.maintenance.retention`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, enum_column, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.assignments.models import Assignment
    from portal.offers.models import Offer


class ReportKind(enum.StrEnum):
    INTERIM = "interim"
    FINAL = "final"


REPORT_KIND_LABELS = {ReportKind.INTERIM: "Zwischenbericht", ReportKind.FINAL: "Sachbericht mit Verwendungsnachweis"}


class FinalReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_CHECK = "in_check"
    CORRECTION_REQUESTED = "correction_requested"
    APPROVED = "approved"


FINAL_REPORT_STATUS_LABELS = {
    FinalReportStatus.DRAFT: "Entwurf",
    FinalReportStatus.SUBMITTED: "Eingereicht",
    FinalReportStatus.IN_CHECK: "In Prüfung",
    FinalReportStatus.CORRECTION_REQUESTED: "Korrektur erbeten",
    FinalReportStatus.APPROVED: "Genehmigt",
}
# The narrative the provider writes: field name → German label.
NARRATIVE_LABELS = {
    "goals_reached": "Erreichte Ziele",
    "course": "Verlauf",
    "problems": "Schwierigkeiten",
    "outlook": "Ausblick",
}


class FinalReport(Base):
    """One interim or final report of an offer, for the period `period_start` to `period_end`."""

    __tablename__ = "final_reports"
    __table_args__ = (UniqueConstraint("offer_id", "kind", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_date: Mapped[date]
    status: Mapped[FinalReportStatus] = mapped_column(
        enum_column(FinalReportStatus), default=FinalReportStatus.DRAFT, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    goals_reached: Mapped[str] = mapped_column(Text, default="")
    course: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    outlook: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The document (plain data, schema sachbericht-v1) frozen at submission: figures and narrative.
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version_id: Mapped[int] = mapped_column(default=1)

    offer: Mapped[Offer] = relationship()

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def status_label(self) -> str:
        return FINAL_REPORT_STATUS_LABELS[self.status]

    @property
    def kind_label(self) -> str:
        return REPORT_KIND_LABELS[self.kind]

    @property
    def editable(self) -> bool:
        return self.status in (FinalReportStatus.DRAFT, FinalReportStatus.CORRECTION_REQUESTED)

    def visible_to(self, user: User) -> bool:
        return user.is_staff or user.organisation_id == self.offer.organisation_id


class Attendance(enum.StrEnum):
    RELIABLE = "reliable"
    MOSTLY = "mostly"
    IRREGULAR = "irregular"


class Reliability(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Recommendation(enum.StrEnum):
    WORK = "work"
    TRAINING = "training"
    FURTHER_MEASURE = "further_measure"
    STABILISATION = "stabilisation"
    NONE = "none"


ATTENDANCE_LABELS = {
    Attendance.RELIABLE: "Regelmäßig und pünktlich",
    Attendance.MOSTLY: "Überwiegend regelmäßig",
    Attendance.IRREGULAR: "Unregelmäßig",
}
RELIABILITY_LABELS = {
    Reliability.HIGH: "Sehr zuverlässig",
    Reliability.MEDIUM: "Meist zuverlässig",
    Reliability.LOW: "Wenig zuverlässig",
}
RECOMMENDATION_LABELS = {
    Recommendation.WORK: "Vermittlung in Arbeit",
    Recommendation.TRAINING: "Ausbildung oder Qualifizierung",
    Recommendation.FURTHER_MEASURE: "Weitere Arbeitsgelegenheit oder Maßnahme",
    Recommendation.STABILISATION: "Zunächst Stabilisierung (Beratung, Unterstützung)",
    Recommendation.NONE: "Keine Empfehlung",
}


class Assessment(Base):
    """The provider's short assessment of a participant at the end of an assignment, for the Jobcenter."""

    __tablename__ = "participant_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance))
    reliability: Mapped[Reliability] = mapped_column(enum_column(Reliability))
    strengths: Mapped[str] = mapped_column(String(500))
    recommendation: Mapped[Recommendation] = mapped_column(enum_column(Recommendation))
    recommendation_note: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    assignment: Mapped[Assignment] = relationship()

    @property
    def attendance_label(self) -> str:
        return ATTENDANCE_LABELS[self.attendance]

    @property
    def reliability_label(self) -> str:
        return RELIABILITY_LABELS[self.reliability]

    @property
    def recommendation_label(self) -> str:
        return RECOMMENDATION_LABELS[self.recommendation]
