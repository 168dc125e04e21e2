"""Every state change of participants, assignments, events and reports; each one commits with its audit entry.

Participant data is shown only to the provider's own users and to staff, and every view or download of it is
written to the audit log (`log_access`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from portal import storage
from portal.accounts.models import User
from portal.assignments.models import ENDS_ASSIGNMENT, EVENT_KIND_LABELS, Assignment, Event, EventKind, Participant
from portal.audit.services import record, record_now
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.services import absolute_url, notify, notify_staff
from portal.offers.models import Offer, OfferState
from portal.reports import calc, pdf, queries
from portal.reports.document import build_document
from portal.reports.models import REPORT_STATUS_LABELS, ParticipationReport, ReportLine, ReportStatus
from portal.reports.pdfcheck import check_pdf
from portal.reports.sheet import MAX_CELL_LENGTH, build_sheet, filled_days
from portal.submissions import once
from portal.transactions import RETRY, check_version, transactional
from portal.workflow import Move, Workflow

CUSTOMER_NUMBER = re.compile(r"^\d{3}[A-Z]\d{6}$", re.ASCII)  # ASCII: "١٢٣" are digits to Python, not to the jobcentre
INITIALS = re.compile(r"^[A-ZÄÖÜ]\.?(?: ?[A-ZÄÖÜ]\.?){0,2}$")
NAME_LIKE = re.compile(r"[^\W\d_][a-zäöüß]")  # a letter followed by a small one: "Eva" and "Mk" are names
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


@transactional
def log_access(user: User, obj: object, what: str) -> None:
    """Write one access-log entry for a view or download of participant data (who, when, what)."""
    record_now("participant_data_viewed", user, obj, what)


def _require_own_offer(user: User, offer: Offer) -> None:
    if user.organisation_id != offer.organisation_id:
        raise ServiceError("Nur der Träger des Angebots kann das tun.")


# --- participants and assignments -----------------------------------------------------------------


def normalise_customer_number(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def normalise_initials(text: str) -> str:
    return " ".join(text.upper().split())


def check_customer_number(value: str) -> str | None:
    if CUSTOMER_NUMBER.match(value):
        return None
    return "Die Kundennummer hat 10 Zeichen: drei Ziffern, einen Buchstaben und sechs Ziffern, z. B. 123A456789."


def check_initials(value: str) -> str | None:
    """Initials as typed: "M. K.", "mk" is ambiguous and "Eva" a name, although both look like initials in capitals."""
    if INITIALS.match(normalise_initials(value)) and not NAME_LIKE.search(value):
        return None
    return "Bitte geben Sie nur die Anfangsbuchstaben an (ein bis drei, z. B. „M. K.“), keinen Namen."


@dataclass(frozen=True)
class AssignmentInput:
    customer_number: str
    initials: str
    start_date: date
    end_date: date
    weekly_hours: Decimal
    mae_rate: Decimal
    site: str


def assignment_problems(offer: Offer, data: AssignmentInput) -> dict[str, str]:
    """Field errors of a new assignment: the pseudonym's format, the period inside the offer's, hours and rate within
    the limits."""
    version, limits = offer.live_version, current_app.config["OFFER_LIMITS"]
    formats = {
        "customer_number": check_customer_number(data.customer_number),
        "initials": check_initials(data.initials),
    }
    errors = {name: message for name, message in formats.items() if message}
    if data.end_date < data.start_date:
        errors["end_date"] = "Das Ende muss nach dem Beginn liegen."
    if version and version.start_date and version.end_date:
        if not version.start_date <= data.start_date <= version.end_date:
            errors["start_date"] = (
                f"Der Beginn muss im Zeitraum des Angebots liegen ({_period(version.start_date, version.end_date)})."
            )
        if not version.start_date <= data.end_date <= version.end_date:
            errors["end_date"] = (
                f"Das Ende muss im Zeitraum des Angebots liegen ({_period(version.start_date, version.end_date)})."
            )
    if not Decimal(0) < data.weekly_hours <= limits.weekly_hours_cap:
        errors["weekly_hours"] = (
            f"Die Wochenstunden müssen über 0 und höchstens {_german(limits.weekly_hours_cap, 'g')} sein."
        )
    if version and version.is_agh and not limits.mae_min <= data.mae_rate <= limits.mae_max:
        errors["mae_rate"] = (
            f"Die MAE je Stunde muss zwischen {_german(limits.mae_min, '.2f')} € und "
            f"{_german(limits.mae_max, '.2f')} € liegen."
        )
    return errors


def _period(start: date, end: date) -> str:
    return f"{start:%d.%m.%Y} bis {end:%d.%m.%Y}"


def _german(value: Decimal, spec: str) -> str:
    """A number with a decimal comma, as every German text writes it."""
    return format(value, spec).replace(".", ",")


def agh_warning(offer: Offer, data: AssignmentInput) -> str | None:
    """The 24-in-5-years warning for AGH assignments, counted over every assignment the portal knows."""
    if not (offer.live_version and offer.live_version.is_agh):
        return None
    periods = [*queries.agh_periods(data.customer_number), (data.start_date, data.end_date)]
    months = calc.months_assigned_within(periods, data.end_date)
    if months <= calc.AGH_LIMIT_MONTHS:
        return None
    return (
        f"Mit dieser Zuweisung wäre die Kundennummer {data.customer_number} in den letzten fünf Jahren "
        f"{_german(months, '.1f')} Monate in Arbeitsgelegenheiten (erlaubt sind 24 Monate, mit "
        "Verlängerung bis zu 36). Bitte klären Sie das mit dem Jobcenter, bevor Sie die Zuweisung speichern."
    )


@transactional
def create_assignment(user: User, offer: Offer, data: AssignmentInput, limit_confirmed: bool) -> Assignment:
    _require_own_offer(user, offer)
    if offer.state != OfferState.LIVE:
        raise ServiceError("Teilnehmende können nur bei genehmigten, laufenden Angeboten eingetragen werden.")
    for field, message in assignment_problems(offer, data).items():
        raise ServiceError(message, field=field)
    if _assigned_already(offer, data):
        raise ServiceError(
            f"{data.customer_number} ist diesem Angebot in diesem Zeitraum bereits zugewiesen.", field="start_date"
        )
    if limit_confirmed is False and agh_warning(offer, data):
        raise ServiceError("Bitte bestätigen Sie, dass Sie die Höchstdauer geprüft haben.", field="confirm_limit")
    assignment = Assignment(
        offer=offer,
        participant=_participant(offer.organisation_id, data),
        start_date=data.start_date,
        end_date=data.end_date,
        weekly_hours=data.weekly_hours,
        mae_rate=data.mae_rate if offer.live_version and offer.live_version.is_agh else Decimal(0),
        site=data.site,
        created_by_id=user.id,
    )
    db.session.add(assignment)
    db.session.flush()
    _add_to_drafts(assignment)
    record("assignment_created", actor=user, obj=assignment, details=f"Angebot {offer.id}")
    return assignment


def _assigned_already(offer: Offer, data: AssignmentInput) -> bool:
    """An overlapping assignment of the same Kundennummer to the offer: also what a resent form would make."""
    return any(
        item.participant.customer_number == data.customer_number and item.overlaps(data.start_date, data.end_date)
        for item in queries.assignments_of_offer(offer.id)
    )


def _participant(organisation_id: int, data: AssignmentInput) -> Participant:
    found = db.session.scalars(
        select(Participant).where(
            Participant.organisation_id == organisation_id, Participant.customer_number == data.customer_number
        )
    ).first()
    if found is None:
        found = Participant(organisation_id=organisation_id, customer_number=data.customer_number)
        db.session.add(found)
    found.initials = data.initials
    return found


def _add_to_drafts(assignment: Assignment) -> None:
    """A new assignment appears at once in the drafts of the months it covers."""
    drafts = db.session.scalars(
        select(ParticipationReport).where(
            ParticipationReport.offer_id == assignment.offer_id, ParticipationReport.status == ReportStatus.DRAFT
        )
    )
    for report in drafts:
        if calc.assigned_days(assignment.start_date, assignment.end_date, report.year, report.month):
            report.lines.append(_new_line(assignment, report, len(report.lines)))


def _new_line(assignment: Assignment, report: ParticipationReport, position: int) -> ReportLine:
    """An empty line: the provider enters the month, or fills it on purpose ("Alle Arbeitstage anwesend")."""
    return ReportLine(assignment=assignment, position=position, days={})


# --- immediate events -----------------------------------------------------------------------------


@once(Event)
def record_event(user: User, assignment: Assignment, kind: EventKind, event_date: date, reason: str) -> Event:
    """Report an event at once: staff are told by mail; an exit ends the assignment on the event's date."""
    _require_own_offer(user, assignment.offer)
    if any(item.kind is kind and item.event_date == event_date for item in assignment.events):
        raise ServiceError(f"Diese Meldung ({EVENT_KIND_LABELS[kind]} am {event_date:%d.%m.%Y}) liegt bereits vor.")
    if not assignment.start_date <= event_date <= assignment.end_date:
        raise ServiceError(
            f"Das Datum muss in der Zuweisung liegen ({assignment.start_date:%d.%m.%Y} bis "
            f"{assignment.end_date:%d.%m.%Y}).",
            field="event_date",
        )
    if kind is EventKind.DROP_OUT and not reason.strip():
        raise ServiceError("Bitte nennen Sie den Grund des Abbruchs (ohne Gesundheitsdaten).", field="reason")
    event = Event(assignment=assignment, offer_id=assignment.offer_id, kind=kind, event_date=event_date)
    event.reason = reason.strip()
    event.created_by_id = user.id
    db.session.add(event)
    if kind in ENDS_ASSIGNMENT:
        _end_assignment(assignment, event_date - timedelta(days=1) if kind is EventKind.NON_ENTRY else event_date)
    record(f"event_{kind.value}", actor=user, obj=assignment, details=f"{event.kind_label} am {event_date:%d.%m.%Y}")
    _notify_event(event)
    return event


def _end_assignment(assignment: Assignment, last_day: date) -> None:
    """End the assignment; in open drafts, what was entered after it goes (those days are not assigned)."""
    assignment.end_date = last_day
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


def _notify_event(event: Event) -> None:
    offer = event.assignment.offer
    title = offer.live_version.title if offer.live_version else f"Angebot {offer.id}"
    notify_staff(
        "participant_event",
        organisation_name=offer.organisation.name,
        title=title,
        kind_label=event.kind_label,
        event_date=event.event_date,
        customer_number=event.assignment.participant.customer_number,
        link=absolute_url("reports.participants", offer_id=offer.id),
    )


# --- monthly reports ------------------------------------------------------------------------------


@transactional(on_duplicate=RETRY)  # the parallel twin finds the draft the first one opened
def start_report(user: User, offer: Offer, year: int, month: int) -> ParticipationReport:
    """The month's report to work on: the open draft if there is one, else a new, empty draft."""
    _require_own_offer(user, offer)
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
    _require_own_offer(user, report.offer)
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
    stored = storage.store("reports", pdf.render_report(report.document))  # PdfRenderError: it stays a draft
    report.pdf_key, report.pdf_sha256 = stored.key, stored.sha256
    record("report_pdf_stored", actor=user, obj=report, details=f"SHA-256 {stored.sha256}")
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
    """Keep the signed scan of a submitted report after the same checks as `portal check-pdf`."""
    _require_own_offer(user, report.offer)
    if report.status is ReportStatus.DRAFT:
        raise ServiceError(
            "Bitte reichen Sie den Bericht zuerst ein und laden Sie dann die unterschriebene Fassung hoch."
        )
    if report.status is ReportStatus.APPROVED and report.scan_key:
        raise ServiceError("Der Bericht ist genehmigt; die unterschriebene Fassung kann nicht mehr ersetzt werden.")
    reason = check_pdf(data)
    if reason is not None:
        raise ServiceError(reason, field="scan")
    stored = storage.store("scans", data)
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
    _notify_provider(report)


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
