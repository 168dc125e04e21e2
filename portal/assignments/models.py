"""Participants and their assignments (Zuweisungen) to an offer, the immediate events (Sofortmeldungen) about them and
the provider's change requests (messages to staff).

Participant data is social data: a participant is known only by the jobcentre's Kundennummer and initials, and
belongs to one provider organisation.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, enum_column, utcnow

if TYPE_CHECKING:
    from portal.offers.models import Offer


class EventKind(enum.StrEnum):
    """Events the provider reports at once (names close to the agency's eM@w exchange)."""

    NON_ENTRY = "non_entry"
    DROP_OUT = "drop_out"
    JOB = "job"
    TRAINING = "training"
    UNEXCUSED_ABSENCE = "unexcused_absence"
    LONG_SICKNESS = "long_sickness"


EVENT_KIND_LABELS = {
    EventKind.NON_ENTRY: "Nichtantritt",
    EventKind.DROP_OUT: "Abbruch",
    EventKind.JOB: "Arbeitsaufnahme",
    EventKind.TRAINING: "Aufnahme einer Ausbildung",
    EventKind.UNEXCUSED_ABSENCE: "Unentschuldigtes Fehlen",
    EventKind.LONG_SICKNESS: "Krankheit länger als 15 Arbeitstage",
}


class AssignmentStatus(enum.StrEnum):
    """Staff propose; the provider answers. "Accepted" and "active" are one status: the assignment is active from
    the actual start date the provider gave, until it ends (an exit event) or its period is over."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    NOT_STARTED = "not_started"
    DECLINED = "declined"
    ENDED = "ended"


ASSIGNMENT_STATUS_LABELS = {
    AssignmentStatus.PROPOSED: "Vorgeschlagen",
    AssignmentStatus.ACTIVE: "Angetreten",
    AssignmentStatus.NOT_STARTED: "Nicht angetreten",
    AssignmentStatus.DECLINED: "Abgelehnt",
    AssignmentStatus.ENDED: "Beendet",
}
WORKWEEK = "1111100"  # Monday to Friday
# Events after which the participant no longer works in the offer: the assignment ends with them.
ENDS_ASSIGNMENT = frozenset({EventKind.NON_ENTRY, EventKind.DROP_OUT, EventKind.JOB, EventKind.TRAINING})


class Participant(Base):
    """A participant as one provider knows them: Kundennummer and initials, nothing more."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("organisation_id", "customer_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    customer_number: Mapped[str] = mapped_column(String(10), index=True)
    initials: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignments: Mapped[list[Assignment]] = relationship(back_populates="participant")

    @property
    def pseudonym(self) -> str:
        return f"{self.customer_number} ({self.initials})"


class Assignment(Base):
    """A participant's assignment (Zuweisung) to a live offer."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    weekly_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    mae_rate: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    site: Mapped[str] = mapped_column(String(200), default="")
    # The scheduled weekdays, Monday to Sunday, as seven "1"/"0" characters: "1111100" is Monday to Friday.
    weekdays: Mapped[str] = mapped_column(String(7), default=WORKWEEK, server_default=WORKWEEK)
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus), default=AssignmentStatus.PROPOSED, server_default="proposed", index=True
    )
    status_changed_at: Mapped[datetime | None]
    answer_reason: Mapped[str] = mapped_column(Text, default="", server_default="")  # non-entry or decline
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    participant: Mapped[Participant] = relationship(back_populates="assignments")
    offer: Mapped[Offer] = relationship()
    events: Mapped[list[Event]] = relationship(back_populates="assignment", order_by="Event.event_date")
    messages: Mapped[list[AssignmentMessage]] = relationship(
        back_populates="assignment", order_by="AssignmentMessage.id"
    )

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def status_label(self) -> str:
        return ASSIGNMENT_STATUS_LABELS[self.status]

    @property
    def scheduled_weekdays(self) -> frozenset[int]:
        """The scheduled weekdays as `date.weekday()` numbers (0 is Monday)."""
        return frozenset(day for day, flag in enumerate(self.weekdays) if flag == "1")

    def overlaps(self, first: date, last: date) -> bool:
        return self.start_date <= last and self.end_date >= first


class Event(Base):
    """An immediate event (Sofortmeldung) about one assignment; mailed to staff when recorded."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    event_date: Mapped[date] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="events")

    @property
    def kind_label(self) -> str:
        return EVENT_KIND_LABELS[self.kind]


class AssignmentMessage(Base):
    """The provider's request for a change of an assignment (e.g. an extension, other hours), sent to staff."""

    __tablename__ = "assignment_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="messages")


class AghExtension(Base):
    """An extension of a Kundennummer's AGH limit (24 months within five years) by up to 12 months, granted by staff
    after a fresh check, with its reason (§ 16d Abs. 6 Satz 2 SGB II). It belongs to the Kundennummer, not to one
    provider, and counts in every later check of the frame its date falls in. Staff only: providers never see it."""

    __tablename__ = "agh_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(10), index=True)
    granted_on: Mapped[date]
    months: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)  # the one it was granted for
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
