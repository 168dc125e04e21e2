"""Routes of the review domain (staff side): the queue, the review page and the decisions.

Views only read forms and call one service each; the services decide what is allowed (status table,
four-eyes, budget) and refuse stale forms (optimistic locking).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.access import Access, access
from portal.accounts.models import User
from portal.budget.services import may_override, shortfalls
from portal.errors import ConflictError, ServiceError
from portal.forms import PortalForm
from portal.offers.models import Offer, OfferVersion, VersionStatus
from portal.offers.queries import diff, timeline
from portal.offers.services import costs_of
from portal.offers.workflow import VERSIONS
from portal.review import services
from portal.review.forms import ApproveForm, ChangesForm, NoteForm, QueueFilterForm, RejectForm, TakeForm
from portal.review.models import ChangeReason
from portal.review.queries import (
    listed_fields,
    needs_four_eyes,
    queue_providers,
    review_queue,
    version_under_review,
)
from portal.views import load_or_deny, show_error

bp = Blueprint("review", __name__, url_prefix="/portal/pruefung")
ACTIONS = ("take", "approve", "request_changes", "reject")


@bp.get("/")
@access(Access.STAFF)
def queue() -> str:
    form = QueueFilterForm(formdata=request.args)
    form.set_providers(queue_providers())
    page = review_queue(form.criteria(), current_user.id, request.args.get("seite", 1, type=int))
    return render_template("review/queue.html", form=form, page=page, query=form.query())


@bp.get("/<int:offer_id>")
@access(Access.STAFF)
def detail(offer_id: int) -> ResponseReturnValue:
    return _render_detail(load_or_deny(Offer, offer_id))


@bp.post("/<int:offer_id>/uebernehmen")
@access(Access.STAFF)
def take(offer_id: int) -> ResponseReturnValue:
    offer = load_or_deny(Offer, offer_id)
    form = TakeForm(prefix="take")
    version = version_under_review(offer)
    return _decide(
        offer,
        "take_form",
        form,
        lambda: services.take_over(_actor(), version, form.expected()),
        "Sie bearbeiten diesen Antrag jetzt. Ihre Kolleginnen und Kollegen sehen das in der Liste.",
    )


@bp.post("/<int:offer_id>/genehmigen")
@access(Access.STAFF)
def approve(offer_id: int) -> ResponseReturnValue:
    offer = load_or_deny(Offer, offer_id)
    form = _approve_form()
    version = version_under_review(offer)
    reason = form.override_reason.data if "override_reason" in form else ""
    return _decide(
        offer,
        "approve_form",
        form,
        lambda: services.approve(_actor(), version, form.expected(), reason or ""),
        "Das Angebot ist genehmigt. Der Träger wird benachrichtigt; die Website zeigt es nach der nächsten "
        "Veröffentlichung.",
        pending="Ihre Freigabe ist erteilt. Wegen der Höhe der Kosten gibt eine andere Person aus der Teamleitung "
        "die zweite Freigabe; sie wird benachrichtigt.",
    )


@bp.post("/<int:offer_id>/aenderungen")
@access(Access.STAFF)
def request_changes(offer_id: int) -> ResponseReturnValue:
    offer = load_or_deny(Offer, offer_id)
    form = ChangesForm(prefix="changes")
    version = version_under_review(offer)
    return _decide(
        offer,
        "changes_form",
        form,
        lambda: services.request_changes(
            _actor(), version, form.expected(), ChangeReason(form.reason.data), form.comment.data or ""
        ),
        "Der Antrag ist an den Träger zurückgegeben. Er erhält Ihre Nachricht per E-Mail.",
    )


@bp.post("/<int:offer_id>/ablehnen")
@access(Access.STAFF)
def reject(offer_id: int) -> ResponseReturnValue:
    offer = load_or_deny(Offer, offer_id)
    form = RejectForm(prefix="reject")
    version = version_under_review(offer)
    return _decide(
        offer,
        "reject_form",
        form,
        lambda: services.reject(_actor(), version, form.expected(), form.reason.data or ""),
        "Der Antrag ist abgelehnt. Der Träger erhält die Begründung per E-Mail.",
    )


@bp.post("/<int:offer_id>/notiz")
@access(Access.STAFF)
def note(offer_id: int) -> ResponseReturnValue:
    offer = load_or_deny(Offer, offer_id)
    form = NoteForm(prefix="note")
    return _decide(
        offer,
        "note_form",
        form,
        lambda: services.add_note(form.token(), _actor(), offer, form.body.data or ""),
        "Die interne Notiz ist gespeichert. Der Träger sieht sie nicht.",
    )


# --- helpers --------------------------------------------------------------------------------------


def _actor() -> User:
    user: User = current_user._get_current_object()
    return user


def _approve_form(**values: Any) -> ApproveForm:
    """The approval form; the field for overriding the budget only for those who may do it."""
    form = ApproveForm(prefix="approve", **values)
    if not may_override(_actor()):
        del form.override_reason
    return form


def _decide(
    offer: Offer,
    name: str,
    form: PortalForm,
    action: Callable[[], object],
    done: str,
    pending: str = "",
) -> ResponseReturnValue:
    """Run one decision; on success back to the review page, otherwise the page with the message."""
    if not form.validate_on_submit():
        return _render_detail(offer, **{name: form})
    try:
        result = action()
    except ServiceError as error:  # the service rolled back: nothing of a refused decision stays
        show_error(form, error)
        return _render_detail(offer, 409 if isinstance(error, ConflictError) else 200, **{name: form})
    flash(pending if result is False else done, "success")
    return redirect(url_for("review.detail", offer_id=offer.id))


def _forms(version: OfferVersion) -> dict[str, PortalForm]:
    counter = {"version": version.version_id}
    return {
        "take_form": TakeForm(prefix="take", **counter),
        "approve_form": _approve_form(**counter),
        "changes_form": ChangesForm(prefix="changes", **counter),
        "reject_form": RejectForm(prefix="reject", **counter),
        "note_form": NoteForm(prefix="note"),
    }


def _render_detail(offer: Offer, code: int = 200, **given: PortalForm) -> ResponseReturnValue:
    version = version_under_review(offer)
    live = offer.live_version
    costs = costs_of(version)
    can = {action: VERSIONS.allowed(action, version) for action in ACTIONS}
    page = render_template(
        "review/detail.html",
        offer=offer,
        version=version,
        fields=listed_fields(version),
        changes=diff(live, version) if live is not None and live.id != version.id else None,
        costs=costs,
        shortfalls=shortfalls(offer, costs.per_year) if costs and can["approve"] else [],
        entries=timeline(offer, include_internal=True),
        can=can,
        four_eyes=needs_four_eyes(version.total_cost),
        second_problem=services.second_approval_problem(_actor(), version)
        if version.status == VersionStatus.FIRST_APPROVED
        else None,
        may_override=may_override(_actor()),
        **{**_forms(version), **given},
    )
    return page, code
