"""The table of a settlement's states: the provider submits, staff check and release it (a second person above
`PORTAL_FOUR_EYES_THRESHOLD`), the payment run pays it. A correction request reopens it with its reason."""

from __future__ import annotations

from portal.settlements.models import SETTLEMENT_STATUS_LABELS
from portal.settlements.models import SettlementStatus as S
from portal.workflow import Workflow

TRANSITIONS: dict[tuple[str, S], S] = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("submit", S.CORRECTION_REQUESTED): S.SUBMITTED,
    ("check", S.SUBMITTED): S.IN_CHECK,
    ("request_correction", S.SUBMITTED): S.CORRECTION_REQUESTED,
    ("request_correction", S.IN_CHECK): S.CORRECTION_REQUESTED,
    ("request_correction", S.AWAITING_SECOND_RELEASE): S.CORRECTION_REQUESTED,
    ("first_release", S.IN_CHECK): S.AWAITING_SECOND_RELEASE,
    ("release", S.IN_CHECK): S.RELEASED,
    ("release", S.AWAITING_SECOND_RELEASE): S.RELEASED,
    ("pay", S.RELEASED): S.PAID,
}

SETTLEMENTS = Workflow(
    TRANSITIONS,
    SETTLEMENT_STATUS_LABELS,
    audit="settlement_{}".format,
    changed_at="status_changed_at",
    stamps={S.SUBMITTED: "submitted_at", S.RELEASED: "released_at"},
)
