"""Routes of the final reports domain: interim and final reports per offer, staff's review, participant assessments.

GET       /portal/sachberichte                                 final_reports.index       due reports, assessments
POST      /portal/sachberichte/neu                             final_reports.start       provider: begin a report
GET       /portal/sachberichte/<id>                            final_reports.show        the report and its figures
POST      /portal/sachberichte/<id>/speichern                  final_reports.save        provider: save or submit
POST      /portal/sachberichte/<id>/pruefung                   final_reports.take        staff: start the check
POST      /portal/sachberichte/<id>/korrektur                  final_reports.correction  staff: ask for a correction
POST      /portal/sachberichte/<id>/genehmigung                final_reports.approve     staff: approve
GET       /portal/zuweisungen/<assignment_id>/beurteilung      final_reports.assessment  the assessment (or its form)
POST      /portal/zuweisungen/<assignment_id>/beurteilung      final_reports.assess      provider: submit it

An assessment is participant data: every view of it is logged, as are the lists that name participants.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.access import Access, access, blocked_while_suspended
from portal.assignments.models import Assignment
from portal.assignments.services import log_access
from portal.errors import ServiceError
from portal.final_reports import forms, queries, services
from portal.final_reports.document import DECLARATION
from portal.final_reports.models import FinalReport
from portal.offers.models import Offer
from portal.views import load_or_deny, show_error

bp = Blueprint("final_reports", __name__, url_prefix="/portal")


def _report(report_id: int) -> FinalReport:
    return load_or_deny(FinalReport, report_id)


def _to_report(report: FinalReport) -> Response:
    return redirect(url_for("final_reports.show", report_id=report.id))


@bp.get("/sachberichte")
@access(Access.USER)
@blocked_while_suspended  # it names participants (pending and submitted assessments)
def index() -> str:
    organisation = None if current_user.is_staff else current_user.organisation_id
    pending = queries.pending_assessments(organisation) if organisation else []
    assessed = queries.recent_assessments(organisation)
    if pending or assessed:
        log_access(current_user, None, "Liste der Teilnehmerbeurteilungen angesehen")
    return render_template(
        "final_reports/index.html",
        due=queries.due_reports(organisation, services.today()) if organisation else [],
        reports=queries.reports(organisation),
        pending=pending,
        assessed=assessed,
        start_form=forms.StartForm(formdata=None),
        today=services.today(),
    )


@bp.post("/sachberichte/neu")
@access(Access.PROVIDER)
@blocked_while_suspended
def start() -> Response:
    form = forms.StartForm()
    if not form.validate():
        abort(400)  # only a changed page gets here: the form's fields are hidden
    offer = load_or_deny(Offer, form.offer_id.data or 0)
    try:
        report = services.start_report(current_user, offer, form.report_kind(), form.end())
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("final_reports.index"))
    return _to_report(report)


@bp.get("/sachberichte/<int:report_id>")
@access(Access.USER)
@blocked_while_suspended
def show(report_id: int) -> str:
    return _render(_report(report_id))


def _render(report: FinalReport, **given: Any) -> str:
    """The report page with its forms: those given (with their errors) and fresh ones for the rest."""
    version = {"version_id": report.version_id}
    narrative = {name: getattr(report, name) for name in ("goals_reached", "course", "problems", "outlook")}
    return render_template(
        "final_reports/show.html",
        report=report,
        document=services.document_of(report),
        declaration=DECLARATION,
        narrative_form=given.get("narrative_form") or forms.NarrativeForm(formdata=None, data=version | narrative),
        correction_form=given.get("correction_form") or forms.CorrectionForm(formdata=None, data=version),
        approve_form=forms.ApproveForm(formdata=None, data=version),
        check_form=forms.CheckForm(formdata=None),
        today=services.today(),
    )


@bp.post("/sachberichte/<int:report_id>/speichern")
@access(Access.PROVIDER)
@blocked_while_suspended
def save(report_id: int) -> str | Response:
    """The narrative is kept ("Entwurf speichern"), or kept and submitted (the button `submit_report`)."""
    report = _report(report_id)
    form = forms.NarrativeForm()
    submitting = bool(form.submit_report.data)
    if form.validate():
        try:
            if submitting:
                services.submit(current_user, report, form.narrative(), form.expected(), bool(form.confirm.data))
            else:
                services.save(current_user, report, form.narrative(), form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Der Bericht ist eingereicht. Die ARGE prüft ihn." if submitting else "Gespeichert.", "success")
            return _to_report(report)
    return _render(report, narrative_form=form)


@bp.post("/sachberichte/<int:report_id>/pruefung")
@access(Access.STAFF)
def take(report_id: int) -> Response:
    report = _report(report_id)
    if not forms.CheckForm().validate():
        abort(400)
    try:
        services.take_into_check(current_user, report)
    except ServiceError as error:
        flash(error.message, "danger")
    return _to_report(report)


@bp.post("/sachberichte/<int:report_id>/korrektur")
@access(Access.STAFF)
def correction(report_id: int) -> str | Response:
    report = _report(report_id)
    form = forms.CorrectionForm()
    if form.validate():
        try:
            services.request_correction(current_user, report, form.reason.data or "", form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Der Träger ist um eine Korrektur gebeten.", "success")
            return _to_report(report)
    return _render(report, correction_form=form)


@bp.post("/sachberichte/<int:report_id>/genehmigung")
@access(Access.STAFF)
def approve(report_id: int) -> Response:
    report = _report(report_id)
    form = forms.ApproveForm()
    if not form.validate():
        abort(400)
    try:
        services.approve(current_user, report, form.expected())
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash("Der Bericht ist genehmigt.", "success")
    return _to_report(report)


# --- participant assessments -----------------------------------------------------------------------


def _assignment(assignment_id: int) -> Assignment:
    """An assignment staff may see, or one of the provider's own offers; anything else is denied (and logged)."""
    return load_or_deny(
        Assignment,
        assignment_id,
        visible=lambda found: current_user.is_staff or current_user.organisation_id == found.offer.organisation_id,
    )


@bp.get("/zuweisungen/<int:assignment_id>/beurteilung")
@access(Access.USER)
@blocked_while_suspended
def assessment(assignment_id: int) -> str:
    return _assessment_page(_assignment(assignment_id), forms.AssessmentForm(formdata=None))


def _assessment_page(assignment: Assignment, form: forms.AssessmentForm) -> str:
    log_access(current_user, assignment, "Teilnehmerbeurteilung angesehen")
    return render_template(
        "final_reports/assessment.html",
        assignment=assignment,
        assessment=queries.assessment_of(assignment.id),
        assessable=queries.assessable(assignment),
        form=form,
    )


@bp.post("/zuweisungen/<int:assignment_id>/beurteilung")
@access(Access.PROVIDER)
@blocked_while_suspended
def assess(assignment_id: int) -> str | Response:
    assignment = _assignment(assignment_id)
    form = forms.AssessmentForm()
    if form.validate():
        try:
            services.submit_assessment(current_user, assignment, form.data_input())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Die Beurteilung ist an die ARGE gegangen.", "success")
            return redirect(url_for("final_reports.assessment", assignment_id=assignment.id))
    return _assessment_page(assignment, form)
