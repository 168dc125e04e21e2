"""The review workflow of an offer version: one table says which action leads from which status to which."""

from __future__ import annotations

from typing import Protocol

from portal.accounts.models import User
from portal.audit.services import record
from portal.errors import ConflictError, ServiceError
from portal.models import utcnow
from portal.offers.models import VERSION_STATUS_LABELS, OfferVersion
from portal.offers.models import VersionStatus as S

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


def allowed(action: str, version: OfferVersion) -> bool:
    return (action, version.status) in TRANSITIONS


class Versioned(Protocol):
    version_id: int


def check_version(version: Versioned, expected: int | None) -> None:
    """Optimistic locking: the form carried the version it was rendered from."""
    if expected is not None and expected != version.version_id:
        raise ConflictError()


def require(action: str, version: OfferVersion) -> S:
    """The status the action leads to; refused when the table has no such move."""
    target = TRANSITIONS.get((action, version.status))
    if target is None:
        raise ServiceError(f"Das ist im Status „{version.status_label}“ nicht möglich.")
    return target


def transition(version: OfferVersion, action: str, actor: User | None, reason: str = "") -> S:
    """Move the version along the table; record who, when, from → to and why. The caller commits."""
    target = require(action, version)
    previous = version.status
    version.status = target
    version.status_changed_at = utcnow()
    if target in (S.SUBMITTED, S.RESUBMITTED):
        version.submitted_at = version.status_changed_at
    details = f"{previous.value} → {target.value}"
    record(
        f"offer_{action}",
        actor=actor,
        obj=version.offer,
        details=details + (f": {reason}" if reason else "") + f" (Fassung {version.number})",
    )
    return previous


def status_text(status: S) -> str:
    return VERSION_STATUS_LABELS[status]
