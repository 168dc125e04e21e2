"""Routes of the assignments domain: ARGE staff assign participants to live offers.

GET       /portal/zuweisungen                                assignments.index        staff: every assignment, filtered
GET POST  /portal/angebote/<offer_id>/zuweisungen/neu        assignments.new          staff: a single assignment
GET POST  /portal/zuweisungen/hochladen                      assignments.upload       staff: a file, its preview
POST      /portal/zuweisungen/hochladen/import               assignments.import_upload  staff: import the preview
GET POST  /portal/zuweisungen/<assignment_id>/antwort        assignments.answer       provider: accept or refuse
GET POST  /portal/zuweisungen/<assignment_id>/aenderung      assignments.change       provider: ask staff for a change

The provider sees the assignments of its offers on the participants page (`reports.participants`) and reports
events there; it never creates one.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import storage
from portal.access import Access, access, blocked_while_suspended
from portal.assignments import forms, importer, queries, rules, services
from portal.assignments.eligibility import Period
from portal.assignments.models import Assignment
from portal.assignments.weekdays import format_weekdays
from portal.errors import ServiceError
from portal.extensions import db
from portal.offers.models import Offer, OfferState
from portal.views import load_or_deny, show_error

bp = Blueprint("assignments", __name__, url_prefix="/portal")


@bp.get("/zuweisungen")
@access(Access.STAFF)
def index() -> str:
    form = forms.ListFilterForm(formdata=request.args)
    form.set_offers(queries.assigned_offers())
    found = queries.staff_list(form.criteria())
    services.log_access(current_user, None, "Liste der Zuweisungen angesehen")
    return render_template(
        "assignments/index.html", form=form, assignments=found, limit=queries.LIST_LIMIT, live=queries.live_offers()
    )


@bp.route("/angebote/<int:offer_id>/zuweisungen/neu", methods=["GET", "POST"])
@access(Access.STAFF)
def new(offer_id: int) -> str | Response:
    offer = load_or_deny(Offer, offer_id)
    if offer.state != OfferState.LIVE:
        flash("Zuweisungen sind nur zu genehmigten, laufenden Angeboten möglich.", "info")
        return redirect(url_for("reports.participants", offer_id=offer.id))
    form = forms.AssignmentForm()
    form.site.choices = forms.site_choices(offer)
    warning = overbooked = None
    if form.validate_on_submit():
        data, decision = form.data_input(), services.LimitDecision(form.extension_reason.data or "")
        problems = rules.assignment_problems(offer, data)
        for name, message in problems.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        if not problems:
            warning = services.check_limit(current_user, offer, data)
            overbooked = queries.overbooking_warning(offer, data.site, Period(data.start_date, data.end_date))
        limit_ok = warning is None or decision.extension_reason.strip()
        if not problems and limit_ok and (overbooked is None or form.confirm_overbooking.data):
            try:
                services.create_assignment(form.token(), current_user, offer, data, decision)
            except ServiceError as error:
                show_error(form, error)
            else:
                flash(f"{data.customer_number} ist dem Angebot zugewiesen.", "success")
                return redirect(url_for("reports.participants", offer_id=offer.id))
    elif not form.is_submitted():
        form.prefill(offer)
    return render_template("assignments/new.html", offer=offer, form=form, warning=warning, overbooked=overbooked)


@bp.route("/zuweisungen/hochladen", methods=["GET", "POST"])
@access(Access.STAFF)
def upload() -> str:
    """The file is read and checked; every row is shown, or every error, and nothing is stored in the portal yet."""
    form = forms.UploadForm()
    if not form.validate_on_submit():
        return render_template("assignments/upload.html", form=form, errors=())
    filename = form.upload.data.filename or ""
    content = form.upload.data.read(importer.MAX_BYTES + 1)
    checked = services.check_upload(current_user, filename, content)
    if not checked.result.ok:
        return render_template("assignments/upload.html", form=form, errors=checked.result.errors)
    stored = storage.store("imports", content)
    return _preview(forms.ImportForm(formdata=None, key=stored.key, sha256=stored.sha256, filename=filename), checked)


def _preview(form: forms.ImportForm, checked: services.UploadCheck) -> str:
    rows = checked.result.rows
    offers = {row.offer_id: db.session.get_one(Offer, row.offer_id) for row in rows}
    return render_template(
        "assignments/preview.html",
        form=form,
        rows=rows,
        offers=offers,
        warnings=checked.warnings,
        weekdays=format_weekdays,
    )


@bp.post("/zuweisungen/hochladen/import")
@access(Access.STAFF)
def import_upload() -> str | Response:
    """Import the previewed file: exactly the bytes shown (their SHA-256), once however often it is sent; beyond the
    places only when staff confirmed the warnings."""
    form = forms.ImportForm()
    path = storage.path_of("imports", form.key.data or "") if form.validate_on_submit() else None
    content = path.read_bytes() if path else b""
    if services.content_token(content) != form.sha256.data:
        if services.imported(form.sha256.data or ""):
            flash("Diese Datei ist bereits importiert.", "info")
        else:
            flash("Die hochgeladene Datei liegt nicht mehr vor. Bitte laden Sie sie erneut hoch.", "danger")
        return redirect(url_for("assignments.upload"))
    checked = services.check_upload(current_user, form.filename.data or "", content)
    if checked.warnings and not form.confirm_overbooking.data:
        form.confirm_overbooking.errors = ["Bitte bestätigen Sie, dass Sie trotz der Warnungen importieren möchten."]
        return _preview(form, checked)
    try:
        services.import_assignments(current_user, form.filename.data or "", content)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        storage.delete("imports", form.key.data or "")
        flash(f"Die Zuweisungen aus „{form.filename.data}“ sind angelegt und den Trägern vorgeschlagen.", "success")
    return redirect(url_for("assignments.upload"))


def own_assignment(assignment_id: int) -> Assignment:
    """An assignment of one of the provider's own offers; anything else is denied (and logged)."""
    return load_or_deny(
        Assignment, assignment_id, visible=lambda found: current_user.organisation_id == found.offer.organisation_id
    )


@bp.route("/zuweisungen/<int:assignment_id>/antwort", methods=["GET", "POST"])
@access(Access.PROVIDER)
@blocked_while_suspended
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


@bp.route("/zuweisungen/<int:assignment_id>/aenderung", methods=["GET", "POST"])
@access(Access.PROVIDER)
@blocked_while_suspended
def change(assignment_id: int) -> str | Response:
    assignment = own_assignment(assignment_id)
    form = forms.ChangeRequestForm()
    if form.validate_on_submit():
        try:
            services.request_change(form.token(), current_user, assignment, form.text.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Ihre Bitte um Änderung ist an die ARGE gegangen.", "success")
            return redirect(url_for("reports.participants", offer_id=assignment.offer_id))
    services.log_access(current_user, assignment, "Zuweisung für eine Bitte um Änderung angesehen")
    return render_template("assignments/change.html", assignment=assignment, form=form)
