"""The offer's two tables: the review workflow of a version, and the state of the offer as a whole."""

from __future__ import annotations

from typing import Any

from blinker import Namespace

from portal.offers.models import OFFER_STATE_LABELS, VERSION_STATUS_LABELS, OfferState
from portal.offers.models import VersionStatus as S
from portal.workflow import Move, Workflow, path_and_reason

# Sent with the acting user as sender after an approval made a version live and was committed. The publishing
# layer, above review, listens (connected in the app factory), so review need not know it.
went_live = Namespace().signal("went-live")
# Sent with the acting user as sender, inside the transaction of ending a live offer early, with `offer` and the day
# it ended (`on`). The budget, above offers, gives back the rest of the offer's commitment in the same transaction.
ended_early = Namespace().signal("ended-early")

TRANSITIONS: dict[tuple[str, S], S] = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("submit", S.CHANGES_REQUESTED): S.RESUBMITTED,
    ("take", S.SUBMITTED): S.IN_REVIEW,
    ("take", S.RESUBMITTED): S.IN_REVIEW,
    ("take", S.IN_REVIEW): S.IN_REVIEW,
    ("take", S.FIRST_APPROVED): S.FIRST_APPROVED,
    ("request_changes", S.SUBMITTED): S.CHANGES_REQUESTED,
    ("request_changes", S.RESUBMITTED): S.CHANGES_REQUESTED,
    ("request_changes", S.IN_REVIEW): S.CHANGES_REQUESTED,
    ("request_changes", S.FIRST_APPROVED): S.CHANGES_REQUESTED,
    ("first_approve", S.SUBMITTED): S.FIRST_APPROVED,
    ("first_approve", S.RESUBMITTED): S.FIRST_APPROVED,
    ("first_approve", S.IN_REVIEW): S.FIRST_APPROVED,
    ("approve", S.SUBMITTED): S.APPROVED,
    ("approve", S.RESUBMITTED): S.APPROVED,
    ("approve", S.IN_REVIEW): S.APPROVED,
    ("approve", S.FIRST_APPROVED): S.APPROVED,
    ("reject", S.SUBMITTED): S.REJECTED,
    ("reject", S.RESUBMITTED): S.REJECTED,
    ("reject", S.IN_REVIEW): S.REJECTED,
    ("reject", S.FIRST_APPROVED): S.REJECTED,
    ("withdraw", S.DRAFT): S.WITHDRAWN,
    ("withdraw", S.SUBMITTED): S.WITHDRAWN,
    ("withdraw", S.RESUBMITTED): S.WITHDRAWN,
    ("withdraw", S.IN_REVIEW): S.WITHDRAWN,
    ("withdraw", S.CHANGES_REQUESTED): S.WITHDRAWN,
    ("withdraw", S.FIRST_APPROVED): S.WITHDRAWN,
    ("supersede", S.APPROVED): S.SUPERSEDED,
}


def _with_number(version: Any, move: Move[S]) -> str:
    return f"{path_and_reason(version, move)} (Fassung {version.number})"


VERSIONS = Workflow(
    TRANSITIONS,
    VERSION_STATUS_LABELS,
    audit="offer_{}".format,
    subject=lambda version: version.offer,
    describe=_with_number,
    changed_at="status_changed_at",
    stamps={S.SUBMITTED: "submitted_at", S.RESUBMITTED: "submitted_at"},
)

# The version's move records why; only ending a live offer writes an entry of its own.
STATES = Workflow(
    {
        ("go_live", OfferState.OPEN): OfferState.LIVE,
        ("go_live", OfferState.LIVE): OfferState.LIVE,  # a change of a live offer approved
        ("go_live", OfferState.ENDED): OfferState.LIVE,  # a change approved after the provider ended the offer
        ("reject", OfferState.OPEN): OfferState.REJECTED,
        ("withdraw", OfferState.OPEN): OfferState.WITHDRAWN,
        ("end", OfferState.LIVE): OfferState.ENDED,
    },
    OFFER_STATE_LABELS,
    audit={"end": "offer_ended"}.get,
    attribute="state",
)


def status_text(status: S) -> str:
    return VERSION_STATUS_LABELS[status]
