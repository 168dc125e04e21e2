"""The reasons a reviewer gives when asking for changes (the notes themselves are `offers.models.ReviewNote`)."""

from __future__ import annotations

import enum


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
