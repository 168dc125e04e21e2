"""The audit log: one append-only row per security-relevant event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from portal.models import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    # The history of one object (an offer's timeline) is read by type and id: without this index every offer page
    # scans the whole log, which grows with every sign-in and every view of participant data.
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_email: Mapped[str] = mapped_column(String(320), default="")
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[str] = mapped_column(Text, default="")


class AppendOnlyError(RuntimeError):
    """Audit entries are never changed or deleted."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper: Mapper[AuditEntry], _connection: object, _target: AuditEntry) -> None:
    raise AppendOnlyError("audit entries are append-only")
