"""Publish runs: who started which publish when, how it went, and its log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, enum_column, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import User


class PublishStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


PUBLISH_STATUS_LABELS = {
    PublishStatus.RUNNING: "Läuft",
    PublishStatus.SUCCEEDED: "Erfolgreich",
    PublishStatus.FAILED: "Fehlgeschlagen",
}
TRIGGER_LABELS = {"portal": "im Portal", "cli": "über die Kommandozeile", "approval": "nach einer Genehmigung"}


class PublishRun(Base):
    """One publish. `running` is True while it runs and NULL afterwards: its unique index admits one running run."""

    __tablename__ = "publish_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[PublishStatus] = mapped_column(
        enum_column(PublishStatus, 20),
        default=PublishStatus.RUNNING,
        index=True,
    )
    running: Mapped[bool | None] = mapped_column(unique=True, default=True)
    trigger: Mapped[str] = mapped_column(String(20))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    offers: Mapped[int | None]
    again: Mapped[bool] = mapped_column(default=False)  # another publish was requested while this one ran
    log: Mapped[str] = mapped_column(Text, default="")

    started_by: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return PUBLISH_STATUS_LABELS[self.status]

    @property
    def trigger_label(self) -> str:
        return TRIGGER_LABELS.get(self.trigger, self.trigger)
