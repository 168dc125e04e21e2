"""Comments on an offer: messages to the provider and internal notes the provider never sees."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import User


class ChangeReason(enum.StrEnum):
    INCOMPLETE = "incomplete"
    INCORRECT = "incorrect"
    CRITERIA = "criteria"
    OTHER = "other"


CHANGE_REASON_LABELS = {
    ChangeReason.INCOMPLETE: "Angaben unvollständig",
    ChangeReason.INCORRECT: "Angaben fehlerhaft",
    ChangeReason.CRITERIA: "Kriterien nicht erfüllt",
    ChangeReason.OTHER: "Sonstiges",
}


class ReviewNote(Base):
    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    version_number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    internal: Mapped[bool] = mapped_column(default=True)
    kind: Mapped[str] = mapped_column(String(30), default="note")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()
