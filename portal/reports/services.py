"""Every state change of monthly participation reports; each one commits with its audit entry.

Participants, assignments and their events are `portal.assignments`; the reports follow them through its signals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from portal import storage
from portal.accounts.models import User
from portal.assignments.models import Assignment
from portal.assignments.services import assignment_accepted, assignment_ended, require_own_offer
from portal.audit.services import record
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.services import absolute_url, notify, notify_staff
from portal.offers.models import Offer
from portal.reports import calc, pdf, queries
from portal.reports.document import build_document
from portal.reports.models import REPORT_STATUS_LABELS, ParticipationReport, ReportLine, ReportStatus
from portal.reports.sheet import MAX_CELL_LENGTH, build_sheet, filled_days
from portal.submissions import once
from portal.transactions import RETRY, check_version, transactional
from portal.workflow import Move, Workflow

TRANSITIONS: dict[tuple[str, ReportStatus], ReportStatus] = {
    ("submit", ReportStatus.DRAFT): ReportStatus.SUBMITTED,
    ("approve", ReportStatus.SUBMITTED): ReportStatus.APPROVED,
    ("request_correction", ReportStatus.SUBMITTED): ReportStatus.CORRECTION_REQUESTED,
    ("reject", ReportStatus.SUBMITTED): ReportStatus.REJECTED,
}


def _with_number(report: ParticipationReport, move: Move[ReportStatus]) -> str:
    return f"{move.path} (Fassung {report.number}){move.because}"


REPORTS = Workflow(
    TRANSITIONS,
    REPORT_STATUS_LABELS,
    audit="report_{}".format,
    describe=_with_number,
    changed_at="status_changed_at",
)
DECISIONS = ("approve", "request_correction", "reject")


def today() -> date:
    return date.today()


def month_ended(year: int, month: int) -> bool:
    return today() > date(year, month, calc.days_in_month(year, month))


# --- reports follow their assignments ----------------------------------------------------------------


@assignment_accepted.connect
def _add_to_drafts(assignment: Assignment) -> None:
    """An accepted assignment appears at once in the open drafts of the months it covers (from its actual start)."""
    drafts = db.session.scalars(
        select(ParticipationReport).where(
            ParticipationReport.offer_id == assignment.offer_id, ParticipationReport.status == ReportStatus.DRAFT
        )
    )
    for report in drafts:
        listed = any(line.assignment_id == assignment.id for line in report.lines)
        if not listed and calc.assigned_days(assignment.start_date, assignment.end_date, report.year, report.month):
            report.lines.append(_new_line(assignment, report, len(report.lines)))


def _new_line(assignment: Assignment, report: ParticipationReport, position: int) -> ReportLine:
    """An empty line: the provider enters the month, or fills it on purpose ("Alle Arbeitstage anwesend")."""
    return ReportLine(assignment=assignment, position=position, days={})


@assignment_ended.connect
def _close_draft_lines(assignment: Assignment, last_day: date) -> None:
    """In open drafts, what was entered after the assignment's end goes: those days are not assigned."""
    lines = db.session.scalars(
        select(ReportLine)
        .join(ParticipationReport)
        .where(ReportLine.assignment_id == assignment.id, ParticipationReport.status == ReportStatus.DRAFT)
    )
    for line in lines:
        line.days = _inside(line.days, assignment, line.report)


def _inside(days: Mapping[str, str], assignment: Assignment, report: ParticipationReport) -> dict[str, str]:
    """The cells of the days inside the assignment: nothing is stored for a day that is not assigned."""
    return {
        number: text
        for number, text in days.items()
        if assignment.start_date <= date(report.year, report.month, int(number)) <= assignment.end_date
    }


# --- monthly reports ------------------------------------------------------------------------------


@transactional(on_duplicate=RETRY)  # the parallel twin finds the draft the first one opened
def start_report(user: User, offer: Offer, year: int, month: int) -> ParticipationReport:
    """The month's report to work on: the open draft if there is one, else a new, empty draft."""
    require_own_offer(user, offer)
    versions = queries.versions_of(offer.id, year, month)
    if versions and versions[-1].status is ReportStatus.DRAFT:
        return versions[-1]
    if versions and versions[-1].status is not ReportStatus.CORRECTION_REQUESTED:
        raise ServiceError(f"Der Bericht für {queries.month_label(year, month)} ist bereits eingereicht.")
    if date(year, month, 1) > today():
        raise ServiceError("Berichte für künftige Monate können Sie noch nicht anlegen.")
    report = ParticipationReport(offer=offer, year=year, month=month, number=len(versions) + 1)
    for position, assignment in enumerate(queries.assignments_in_month(offer.id, year, month)):
        report.lines.append(_new_line(assignment, report, position))
    db.session.add(report)
    db.session.flush()
    record("report_created", actor=user, obj=report, details=f"{year}-{month:02d} Fassung {report.number}")
    return report


def _require_draft(user: User, report: ParticipationReport) -> None:
    require_own_offer(user, report.offer)
    if not report.editable:
        raise ServiceError(f"Dieser Bericht ist {REPORT_STATUS_LABELS[report.status].lower()} und gesperrt.")


@transactional
def save_grid(
    user: User,
    report: ParticipationReport,
    cells: Mapping[tuple[int, int], str],
    expected: int | None,
    fill_line: int | None = None,
) -> None:
    """Keep what was typed, also cells that are not valid yet: the draft never loses an entry.

    `fill_line` then sets that participant's row to "present on every scheduled day" (holidays F), to be followed by
    the exceptions. Cells of days outside the assignment are not stored.
    """
    _require_draft(user, report)
    check_version(report, expected)
    last_day = calc.days_in_month(report.year, report.month)
    for line in report.lines:
        typed = {
            str(day): text.strip()[:MAX_CELL_LENGTH]
            for (line_id, day), text in cells.items()
            if line_id == line.id and 1 <= day <= last_day
        }
        if line.id == fill_line:
            typed |= filled_days(line.assignment, report.year, report.month)
        typed = _inside(typed, line.assignment, report)
        if typed:
            line.days = {**line.days, **typed}
    report.updated_at = utcnow()


@transactional
def submit_report(user: User, report: ParticipationReport, expected: int | None, confirmed: bool) -> None:
    """Freeze the report: the document, its PDF/A with the data embedded, the hash; staff are told."""
    _require_draft(user, report)
    check_version(report, expected)
    sheet = build_sheet(report)
    if not sheet.complete:
        raise ServiceError("Der Bericht ist noch nicht vollständig. Bitte korrigieren Sie die markierten Felder.")
    if not month_ended(report.year, report.month):
        raise ServiceError(
            f"Den Bericht für {queries.month_label(report.year, report.month)} können Sie einreichen, sobald der "
            "Monat vorbei ist. Bis dahin bleibt er als Entwurf gespeichert."
        )
    if not confirmed:
        raise ServiceError("Bitte bestätigen Sie, dass die Angaben vollständig und richtig sind.", field="confirm")
    REPORTS.move(report, "submit", user)
    report.submitted_at, report.submitted_by_id = report.status_changed_at, user.id
    report.document = build_document(report, sheet, user, report.status_changed_at)
    _store_pdf(user, report)  # PdfRenderError: it stays a draft
    notify_staff(
        "report_submitted",
        title=report.document["offer"]["title"],
        period=report.document["period"]["label"],
        organisation_name=report.offer.organisation.name,
        number=report.number,
        link=absolute_url("reports.grid", report_id=report.id),
    )


@once(ParticipationReport)
def store_scan(user: User, report: ParticipationReport, filename: str, data: bytes) -> ParticipationReport:
    """Keep the signed scan of a submitted report after the same checks as `portal check-pdf`; the scan it
    replaces goes once this has committed."""
    require_own_offer(user, report.offer)
    if report.status is ReportStatus.DRAFT:
        raise ServiceError(
            "Bitte reichen Sie den Bericht zuerst ein und laden Sie dann die unterschriebene Fassung hoch."
        )
    if report.status is ReportStatus.APPROVED and report.scan_key:
        raise ServiceError("Der Bericht ist genehmigt; die unterschriebene Fassung kann nicht mehr ersetzt werden.")
    stored = storage.store_pdf("scans", data, field="scan")
    storage.discard("scans", report.scan_key)  # the scan it replaces
    report.scan_key, report.scan_sha256 = stored.key, stored.sha256
    report.scan_name = storage.safe_download_name(filename, "unterschriebener-bericht")
    report.scan_uploaded_at = utcnow()
    record("report_scan_stored", actor=user, obj=report, details=f"SHA-256 {stored.sha256}")
    return report


@transactional
def decide(user: User, report: ParticipationReport, decision: str, reason: str, expected: int | None) -> None:
    """Staff approve, ask for a correction (a new draft version follows at once) or reject, with a reason."""
    if not user.is_staff:
        raise ServiceError("Nur Beschäftigte der ARGE dürfen über Teilnahmeberichte entscheiden.")
    check_version(report, expected)
    if decision not in DECISIONS:
        raise ServiceError("Bitte wählen Sie eine Entscheidung.", field="decision")
    if decision != "approve" and not reason.strip():
        raise ServiceError("Bitte begründen Sie die Entscheidung für den Träger.", field="reason")
    REPORTS.move(report, decision, user, reason.strip())
    report.decided_at, report.decided_by_id, report.decision_reason = utcnow(), user.id, reason.strip()
    if decision == "request_correction":
        _correction_draft(report)
    _store_pdf(user, report)
    _notify_provider(report)


def _store_pdf(user: User, report: ParticipationReport) -> None:
    """The report's PDF with its current status, rendered from the frozen document; the PDF it replaces is deleted
    once this has committed. So the file offered for download and the SHA-256 shown with it always agree. A report
    without a frozen document (made by hand, not through `submit_report`) has nothing to print."""
    if report.document is None:
        return
    status = pdf.Status(report.status_label, report.status_changed_at)
    stored = storage.store("reports", pdf.render_report(report.document, status))
    storage.discard("reports", report.pdf_key)
    report.pdf_key, report.pdf_sha256 = stored.key, stored.sha256
    record("report_pdf_stored", actor=user, obj=report, details=f"{report.status_label}, SHA-256 {stored.sha256}")


def _correction_draft(report: ParticipationReport) -> None:
    draft = ParticipationReport(offer=report.offer, year=report.year, month=report.month, number=report.number + 1)
    for line in report.lines:
        draft.lines.append(ReportLine(assignment_id=line.assignment_id, position=line.position, days=dict(line.days)))
    db.session.add(draft)


def _notify_provider(report: ParticipationReport) -> None:
    for member in report.offer.organisation.users:
        notify(
            member,
            "report_decided",
            period=queries.month_label(report.year, report.month),
            status=report.status,
            status_label=report.status_label,
            number=report.number,
            reason=report.decision_reason,
            link=absolute_url("reports.grid", report_id=report.id),
        )
