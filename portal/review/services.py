"""Staff decisions on offer versions: take over, approve (with four-eyes and budget), request changes, reject."""

from __future__ import annotations

from typing import Any

from portal.accounts.models import Role, User
from portal.budget.services import commit_offer
from portal.errors import ServiceError
from portal.extensions import db
from portal.notifications.services import absolute_url, notify
from portal.notifications.texts import MailName
from portal.offers.models import Offer, OfferVersion, ReviewNote
from portal.offers.models import VersionStatus as S
from portal.offers.services import costs_of
from portal.offers.workflow import STATES, VERSIONS, status_text, went_live
from portal.review.models import CHANGE_REASON_LABELS, ChangeReason
from portal.review.queries import needs_four_eyes
from portal.submissions import once
from portal.templating import euro
from portal.transactions import check_version, transactional


def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise ServiceError("Nur Beschäftigte der ARGE dürfen Anträge prüfen.")


@transactional
def take_over(actor: User, version: OfferVersion, expected: int | None) -> None:
    """Assign the item to the actor, so colleagues see who holds it; a new submission goes into review."""
    _require_staff(actor)
    check_version(version, expected)
    VERSIONS.move(version, "take", actor, reason=f"bearbeitet von {actor.name}")
    version.assigned_to_id = actor.id


def approve(actor: User, version: OfferVersion, expected: int | None, override_reason: str = "") -> bool:
    """Approve; above the threshold the first approval waits for a second by another approver.

    Returns True when the version is now live (committed, then published if so configured).
    """
    live = _approve(actor, version, expected, override_reason)
    if live:
        went_live.send(actor)  # publishes with PORTAL_PUBLISH_ON_APPROVE=1
    return live


@transactional
def _approve(actor: User, version: OfferVersion, expected: int | None, override_reason: str) -> bool:
    _require_staff(actor)
    check_version(version, expected)
    if version.status == S.FIRST_APPROVED:
        _check_second_approver(actor, version)
    elif needs_four_eyes(version.total_cost):
        VERSIONS.move(version, "first_approve", actor, reason=f"Kosten {euro(version.total_cost)}")
        version.first_approved_by_id = actor.id
        _notify_approvers(version, actor)
        return False
    VERSIONS.require("approve", version)  # before the budget is touched
    costs = costs_of(version)
    if costs is None:
        raise ServiceError("Die Kosten lassen sich nicht berechnen; der Antrag ist unvollständig.")
    commit_offer(actor, version, costs.per_year, override_reason)
    VERSIONS.move(version, "approve", actor, reason=override_reason.strip())
    _make_live(version, actor)
    _notify_provider(version, "offer_approved")
    return True


def second_approval_problem(actor: User, version: OfferVersion) -> str | None:
    """Why the actor may not give the second approval (four-eyes), or None; pages use it to explain."""
    if actor.role not in (Role.APPROVER, Role.ADMIN):
        return "Die zweite Freigabe gibt die Teamleitung."
    if actor.id == version.first_approved_by_id:
        return "Die zweite Freigabe muss eine andere Person geben als die erste (Vier-Augen-Prinzip)."
    return None


def _check_second_approver(actor: User, version: OfferVersion) -> None:
    problem = second_approval_problem(actor, version)
    if problem is not None:
        raise ServiceError(problem)


def _make_live(version: OfferVersion, actor: User) -> None:
    offer = version.offer
    previous = offer.live_version
    if previous is not None and previous.id != version.id:
        VERSIONS.move(previous, "supersede", None)
    offer.live_version = version
    offer.working_version = None
    STATES.move(offer, "go_live", actor)


@transactional
def request_changes(
    actor: User, version: OfferVersion, expected: int | None, reason: ChangeReason, comment: str
) -> None:
    _require_staff(actor)
    check_version(version, expected)
    if not comment.strip():
        raise ServiceError("Bitte schreiben Sie dem Träger, was er ändern soll.", field="comment")
    label = CHANGE_REASON_LABELS[reason]
    VERSIONS.move(version, "request_changes", actor, reason=label)
    version.first_approved_by_id = None
    _note(actor, version.offer, version.number, f"{label}: {comment.strip()}", internal=False, kind="changes")
    _notify_provider(version, "offer_changes_requested", reason_label=label, comment=comment.strip())


@transactional
def reject(actor: User, version: OfferVersion, expected: int | None, reason: str) -> None:
    _require_staff(actor)
    check_version(version, expected)
    if not reason.strip():
        raise ServiceError("Bitte begründen Sie die Ablehnung.", field="reason")
    VERSIONS.move(version, "reject", actor, reason=reason.strip())
    offer = version.offer
    offer.working_version = None
    if STATES.allowed("reject", offer):  # never approved: the offer as a whole is rejected
        STATES.move(offer, "reject", actor)
    _note(actor, offer, version.number, f"Abgelehnt: {reason.strip()}", internal=False, kind="rejection")
    _notify_provider(version, "offer_rejected", reason=reason.strip())


@once(ReviewNote)
def add_note(actor: User, offer: Offer, body: str) -> ReviewNote:
    """An internal note: only ARGE staff see it. The same form again (double click, resent) gives one note."""
    if not body.strip():
        raise ServiceError("Bitte schreiben Sie eine Notiz.", field="body")
    return _note(actor, offer, offer.current.number, body.strip(), internal=True, kind="note")


def _note(actor: User, offer: Offer, number: int, body: str, internal: bool, kind: str) -> ReviewNote:
    note = ReviewNote(
        offer_id=offer.id, version_number=number, author_id=actor.id, internal=internal, kind=kind, body=body
    )
    db.session.add(note)
    db.session.flush()
    return note


def _notify_provider(version: OfferVersion, name: MailName, /, **context: Any) -> None:
    link = absolute_url("offers.detail", offer_id=version.offer_id)
    for user in version.offer.organisation.users:
        notify(user, name, title=version.title, status=status_text(version.status), link=link, **context)


def _notify_approvers(version: OfferVersion, first: User) -> None:
    link = absolute_url("review.detail", offer_id=version.offer_id)
    approvers = db.session.query(User).filter(User.role == Role.APPROVER, User.active.is_(True), User.id != first.id)
    for approver in approvers:
        notify(
            approver,
            "second_approval_needed",
            first_name=first.name,
            title=version.title,
            cost=euro(version.total_cost),
            link=link,
        )
