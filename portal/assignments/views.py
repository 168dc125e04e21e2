"""Routes of the assignments domain: ARGE staff assign participants to live offers.

GET POST  /portal/angebote/<offer_id>/zuweisungen/neu        assignments.new          staff: a single assignment
GET POST  /portal/zuweisungen/<assignment_id>/antwort        assignments.answer       provider: accept or refuse

The provider sees the assignments of its offers on the participants page (`reports.participants`) and reports
events there; it never creates one.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.access import Access, access, deny
from portal.accounts.views import show_error
from portal.assignments import forms, rules, services
from portal.assignments.models import Assignment
from portal.errors import ServiceError
from portal.extensions import db
from portal.offers.models import Offer, OfferState

bp = Blueprint("assignments", __name__, url_prefix="/portal")


@bp.route("/angebote/<int:offer_id>/zuweisungen/neu", methods=["GET", "POST"])
@access(Access.STAFF)
def new(offer_id: int) -> str | Response:
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        deny(f"offer {offer_id}")
    if offer.state != OfferState.LIVE:
        flash("Zuweisungen sind nur zu genehmigten, laufenden Angeboten möglich.", "info")
        return redirect(url_for("reports.participants", offer_id=offer.id))
    form = forms.AssignmentForm()
    form.site.choices = forms.site_choices(offer)
    warning = None
    if form.validate_on_submit():
        data, decision = form.data_input(), services.LimitDecision(form.extension_reason.data or "")
        problems = rules.assignment_problems(offer, data)
        for name, message in problems.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        warning = None if problems else services.check_limit(current_user, offer, data, services.LimitDecision())
        if not problems and (warning is None or decision.extension_reason.strip()):
            try:
                services.create_assignment(current_user, offer, data, decision)
            except ServiceError as error:
                show_error(form, error)
            else:
                flash(f"{data.customer_number} ist dem Angebot zugewiesen.", "success")
                return redirect(url_for("reports.participants", offer_id=offer.id))
    elif not form.is_submitted():
        form.prefill(offer)
    return render_template("assignments/new.html", offer=offer, form=form, warning=warning)


def own_assignment(assignment_id: int) -> Assignment:
    """An assignment of one of the provider's own offers; anything else is denied (and logged)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or current_user.organisation_id != assignment.offer.organisation_id:
        deny(f"assignment {assignment_id}")
    return assignment


@bp.route("/zuweisungen/<int:assignment_id>/antwort", methods=["GET", "POST"])
@access(Access.PROVIDER)
def answer(assignment_id: int) -> str | Response:
    assignment = own_assignment(assignment_id)
    form = forms.AnswerForm(version_id=assignment.version_id)
    if form.validate_on_submit():
        try:
            if form.action.data == "accept":
                start = form.start_date.data or assignment.start_date
                services.accept(current_user, assignment, start, form.expected())
            else:
                services.refuse(current_user, assignment, form.action.data, form.reason.data or "", form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Ihre Antwort „{assignment.status_label}“ ist an die ARGE gegangen.", "success")
            return redirect(url_for("reports.participants", offer_id=assignment.offer_id))
    services.log_access(current_user, assignment, "Zuweisung zur Antwort angesehen")
    return render_template("assignments/answer.html", assignment=assignment, form=form)
