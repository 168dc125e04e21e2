"""Routes of the reports domain: participants, immediate events, monthly reports, review and payment exports.

GET       /portal/berichte/                                  reports.index            due, overdue and recent reports
POST      /portal/berichte/neu                               reports.start            open a month's report (draft)
GET POST  /portal/berichte/<id>                              reports.grid             the attendance grid
GET POST  /portal/berichte/<id>/einreichen                   reports.submit           totals and declaration
GET       /portal/berichte/<id>/pdf                          reports.pdf              the rendered PDF/A
GET       /portal/berichte/<id>/scan                         reports.scan             the signed scan
POST      /portal/berichte/<id>/scan                         reports.upload_scan
POST      /portal/berichte/<id>/entscheidung                 reports.decide           staff: approve, correction, reject
GET       /portal/berichte/zahlungen                         reports.payments         staff: a month's payments
GET       /portal/berichte/zahlungen/<year>-<month>.<fmt>    reports.payment_export   staff: CSV or XLSX
GET       /portal/angebote/<offer_id>/teilnehmende           reports.participants     assignments, events, reports
GET POST  /portal/zuweisungen/<assignment_id>/meldung        reports.new_event        immediate event

Participant data is visible to the offer's provider and to staff only; every view and download of it is logged.
A suspended organisation's users are refused every provider route here but the list (`blocked_while_suspended`).
"""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from portal import spreadsheets, storage
from portal.access import Access, access, blocked_while_suspended
from portal.assignments import services as assignments
from portal.assignments.views import own_assignment
from portal.errors import ConflictError, ServiceError
from portal.forms import PortalForm
from portal.offers.models import Offer
from portal.reports import calc, exports, forms, queries, services
from portal.reports.document import DECLARATION
from portal.reports.models import ParticipationReport, ReportStatus
from portal.reports.pdf import PdfRenderError
from portal.reports.sheet import Day, build_sheet
from portal.views import load_or_deny, show_error

bp = Blueprint("reports", __name__, url_prefix="/portal")
bp.add_app_template_global(queries.month_label, "month_label")
bp.add_app_template_global(calc.due_date, "due_date")


@bp.app_template_global()
@lru_cache(maxsize=64)
def day_headers(days: tuple[Day, ...]) -> Markup:
    """The grid's header row, the same for every report of a month: rendered once per month and process, it costs
    more than the cells of eight participants do (`BENCH cache_grid_header` of bench/caches.py: 0.67 ms saved per
    grid, a tenth of its app CPU)."""
    return Markup(render_template("reports/_day_headers.html", days=days))  # noqa: S704 (autoescaped template)


EXPORT_FORMATS = ("csv", "xlsx", "traeger.csv")


def _report(report_id: int) -> ParticipationReport:
    return load_or_deny(ParticipationReport, report_id, load=queries.report_with_lines)


def _to_grid(report: ParticipationReport) -> Response:
    return redirect(url_for("reports.grid", report_id=report.id))


# --- overview and starting a report ---------------------------------------------------------------


@bp.get("/berichte/")
@access(Access.USER)
def index() -> str:
    organisation = None if current_user.is_staff else current_user.organisation_id
    provider = request.args.get("traeger", "")  # staff: one provider's reports (links of the start page)
    if current_user.is_staff and provider.isdecimal() and len(provider) <= 9:
        organisation = int(provider)
    submitted = queries.submitted_reports() if current_user.is_staff else []
    return render_template(
        "reports/index.html",
        due=queries.due_reports(services.today(), organisation),
        submitted=[report for report in submitted if organisation in (None, report.offer.organisation_id)],
        recent=queries.recent_reports(organisation),
        start_form=forms.StartReportForm(formdata=None),
        one_provider=current_user.is_staff and organisation is not None,
    )


@bp.post("/berichte/neu")
@access(Access.PROVIDER)
@blocked_while_suspended
def start() -> Response:
    form = forms.StartReportForm()
    if not form.validate():
        abort(400)  # only a changed page gets here: the form's fields are hidden
    offer = load_or_deny(Offer, form.offer_id.data)
    try:
        report = services.start_report(current_user, offer, form.year.data, form.month.data)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("reports.participants", offer_id=offer.id))
    return _to_grid(report)


# --- the grid and the submission ------------------------------------------------------------------


@bp.route("/berichte/<int:report_id>", methods=["GET", "POST"])
@access(Access.USER)
@blocked_while_suspended
def grid(report_id: int) -> str | Response:
    report = _report(report_id)
    if request.method == "GET":
        return _render_grid(report)
    form = forms.GridForm()
    if not form.validate():
        abort(400)  # only a missing or wrong CSRF token gets here; the hidden fields have no rules
    cells = forms.grid_cells(request.form, {line.id for line in report.lines})
    try:
        services.save_grid(current_user, report, cells, form.expected(), forms.fill_line(request.form))
    except ServiceError as error:
        if form.action.data == "autosave":
            status = 409 if isinstance(error, ConflictError) else 422
            return Response(error.message, status=status, mimetype="text/plain")
        flash(error.message, "danger")
        return _to_grid(report)
    if form.action.data == "autosave":
        return Response(status=204, headers={"X-Version": str(report.version_id)})
    if form.action.data == "check" and build_sheet(report).complete:
        return redirect(url_for("reports.submit", report_id=report.id))
    flash("Ihre Eingaben sind als Entwurf gespeichert.", "success")
    return _render_grid(report, checked=True)


def _render_grid(
    report: ParticipationReport,
    checked: bool = False,
    scan_form: forms.ScanForm | None = None,
    decision_form: forms.DecisionForm | None = None,
) -> str:
    """The report page: the grid (editable for the provider's draft), totals, versions, files and decision.

    Every time it is shown, also again after a save or a refused form, its participant data is viewed: logged.
    All the page shows is read first (the report comes with its lines), so that its statements follow each other
    without a pause and the rendering needs no database.
    """
    versions = queries.versions_of_report(report)
    events = queries.events_in_month(report.offer_id, report.year, report.month)
    assignments.log_access(current_user, report, f"Bericht {report.year}-{report.month:02d} angesehen")
    own = current_user.organisation_id == report.offer.organisation_id
    return render_template(
        "reports/grid.html",
        report=report,
        sheet=build_sheet(report),
        form=forms.GridForm(formdata=None, version_id=report.version_id),
        checked=checked,
        editable=own and report.editable,
        own=own,
        versions=versions,
        events=events,
        **_side_forms(report, own, scan_form, decision_form),
    )


def _side_forms(
    report: ParticipationReport,
    own: bool,
    scan_form: forms.ScanForm | None,
    decision_form: forms.DecisionForm | None,
) -> dict[str, PortalForm | None]:
    """The forms beside the grid, each only where the page shows it (None otherwise): the signed scan for the
    provider once the PDF exists, the decision for staff while the report is submitted."""
    if own and report.pdf_key and scan_form is None:
        scan_form = forms.ScanForm(formdata=None)
    if current_user.is_staff and report.status == ReportStatus.SUBMITTED and decision_form is None:
        decision_form = forms.DecisionForm(formdata=None, version_id=report.version_id)
    return {"scan_form": scan_form, "decision_form": decision_form}


@bp.route("/berichte/<int:report_id>/einreichen", methods=["GET", "POST"])
@access(Access.PROVIDER)
@blocked_while_suspended
def submit(report_id: int) -> str | Response:
    report = _report(report_id)
    if not report.editable:
        return _to_grid(report)
    form = forms.SubmitReportForm()
    if not form.is_submitted():  # not a default: it would also fill a post that lacks the counter (no lock)
        form.version_id.data = str(report.version_id)
    if form.validate_on_submit():
        try:
            services.submit_report(current_user, report, form.expected(), form.confirm.data)
        except PdfRenderError as error:
            flash(str(error), "danger")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Der Bericht ist eingereicht. Die ARGE prüft ihn; Sie erhalten eine E-Mail.", "success")
            return _to_grid(report)
    assignments.log_access(current_user, report, f"Bericht {report.year}-{report.month:02d} vor dem Einreichen geprüft")
    sheet = build_sheet(report)
    events = queries.events_in_month(report.offer_id, report.year, report.month)
    return render_template(
        "reports/submit.html", report=report, sheet=sheet, events=events, form=form, declaration=DECLARATION
    )


# --- files ----------------------------------------------------------------------------------------


def _send(report: ParticipationReport, area: str, key: str, name: str, what: str) -> Response:
    path = storage.path_of(area, key)
    if path is None:
        abort(404)
    assignments.log_access(current_user, report, what)
    return send_file(path, as_attachment=True, download_name=name, mimetype="application/pdf")


@bp.get("/berichte/<int:report_id>/pdf")
@access(Access.USER)
@blocked_while_suspended
def pdf(report_id: int) -> Response:
    report = _report(report_id)
    name = f"teilnahmebericht-{report.offer_id}-{report.year}-{report.month:02d}-fassung-{report.number}.pdf"
    return _send(report, "reports", report.pdf_key, name, "PDF des Berichts heruntergeladen")


@bp.get("/berichte/<int:report_id>/scan")
@access(Access.USER)
@blocked_while_suspended
def scan(report_id: int) -> Response:
    report = _report(report_id)
    return _send(report, "scans", report.scan_key, report.scan_name, "Unterschriebenen Bericht heruntergeladen")


@bp.post("/berichte/<int:report_id>/scan")
@access(Access.PROVIDER)
@blocked_while_suspended
def upload_scan(report_id: int) -> str | Response:
    report = _report(report_id)
    form = forms.ScanForm()
    if form.validate_on_submit():
        upload = form.scan.data  # a file: the form requires one
        data = upload.read(forms.MAX_SCAN_BYTES + 1)
        try:
            services.store_scan(form.token(), current_user, report, upload.filename or "", data)
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Der unterschriebene Bericht ist gespeichert.", "success")
            return _to_grid(report)
    return _render_grid(report, scan_form=form)


# --- staff decision and payments ------------------------------------------------------------------


@bp.post("/berichte/<int:report_id>/entscheidung")
@access(Access.STAFF)
def decide(report_id: int) -> str | Response:
    report = _report(report_id)
    form = forms.DecisionForm()
    if form.validate():
        try:
            services.decide(current_user, report, form.decision.data, form.reason.data or "", form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Ihre Entscheidung ist gespeichert: {report.status_label}.", "success")
            return _to_grid(report)
    return _render_grid(report, decision_form=form)


@bp.get("/berichte/zahlungen")
@access(Access.STAFF)
def payments() -> str:
    year, month = _chosen_month(request.args.get("monat", ""))
    rows = exports.payment_rows(queries.approved_documents(year, month))
    return render_template(
        "reports/payments.html",
        year=year,
        month=month,
        label=queries.month_label(year, month),
        months=[(y, m, queries.month_label(y, m)) for y, m in reversed(queries.recent_months(services.today(), 24))],
        summary=exports.provider_summary(rows),
        rows=rows,
    )


def _chosen_month(text: str) -> tuple[int, int]:
    """`?monat=2026-10`; anything else means the last month."""
    try:
        chosen = date.fromisoformat(f"{text}-01")
    except ValueError:
        chosen = None
    if chosen is None or not 2000 <= chosen.year <= 2100:
        return queries.recent_months(services.today(), 1)[0]
    return chosen.year, chosen.month


@bp.get("/berichte/zahlungen/<int:year>-<int:month>.<fmt>")
@access(Access.STAFF)
def payment_export(year: int, month: int, fmt: str) -> Response:
    """The month's payment list as CSV or XLSX (with the sums per provider), or those sums alone as CSV."""
    if fmt not in EXPORT_FORMATS or not 1 <= month <= 12 or not 2000 <= year <= 2100:
        abort(404)
    rows = exports.payment_rows(queries.approved_documents(year, month))
    summary = exports.provider_summary(rows)
    assignments.log_access(current_user, None, f"Zahlungsliste {year}-{month:02d} ({fmt}) heruntergeladen")
    if fmt == "xlsx":
        data, name, mimetype = exports.to_xlsx(rows, summary, year, month), "xlsx", spreadsheets.XLSX_MIMETYPE
    elif fmt == "csv":
        data, name, mimetype = exports.to_csv(rows, summary), "csv", "text/csv"
    else:
        data, name, mimetype = exports.summary_csv(summary), "csv", "text/csv"
    filename = exports.export_filename(year, month, name, summary=fmt == "traeger.csv")
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename, mimetype=mimetype)


# --- participants and events ----------------------------------------------------------------------


@bp.get("/angebote/<int:offer_id>/teilnehmende")
@access(Access.USER)
@blocked_while_suspended
def participants(offer_id: int) -> str:
    offer = load_or_deny(Offer, offer_id)
    assignments.log_access(current_user, offer, "Teilnehmende des Angebots angesehen")
    return render_template(
        "reports/participants.html",
        offer=offer,
        assignments=queries.assignments_of_offer(offer.id),
        reports=queries.reports_of_offer(offer.id),
        months=queries.startable_months(offer, services.today()),
        own=current_user.organisation_id == offer.organisation_id,
        start_form=forms.StartReportForm(formdata=None),
    )


@bp.route("/zuweisungen/<int:assignment_id>/meldung", methods=["GET", "POST"])
@access(Access.PROVIDER)
@blocked_while_suspended
def new_event(assignment_id: int) -> str | Response:
    assignment = own_assignment(assignment_id)
    form = forms.EventForm()
    if form.validate_on_submit():
        try:
            event = assignments.record_event(
                form.token(), current_user, assignment, form.kind.data, form.event_date.data, form.reason.data or ""
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Die Meldung „{event.kind_label}“ ist an die ARGE gegangen.", "success")
            return redirect(url_for("reports.participants", offer_id=assignment.offer_id))
    assignments.log_access(current_user, assignment, "Zuweisung für eine Sofortmeldung angesehen")
    return render_template("reports/new_event.html", assignment=assignment, form=form)
