"""Every state change of interim and final reports and of participant assessments; each commits with its audit
entry.

The provider starts a report once its period is over (`queries.writable`), writes the narrative and submits: the
figures are computed at that moment and frozen with the narrative into the document. Staff take it into check, ask
for a correction (the provider reads the reason, edits and submits again, with the figures computed afresh) or
approve it. At the end of an assignment the provider submits the participant's assessment once; the caseworker who
made the assignment (else every caseworker) gets a mail with a link, never the assessment itself.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.assignments.models import Assignment
from portal.assignments.services import require_own_offer
from portal.audit.services import record
from portal.errors import ServiceError
from portal.extensions import db
from portal.final_reports import queries
from portal.final_reports.document import build_document
from portal.final_reports.models import (
    NARRATIVE_LABELS,
    Assessment,
    Attendance,
    FinalReport,
    Recommendation,
    Reliability,
    ReportKind,
)
from portal.final_reports.models import FinalReportStatus as S
from portal.final_reports.workflow import FINAL_REPORTS
from portal.notifications.services import absolute_url, notify, notify_staff
from portal.offers.models import Offer
from portal.transactions import RETRY, check_version, transactional

MAX_TEXT = 2000  # characters of each narrative field
MAX_SHORT = 500  # characters of the assessment's texts


def today() -> date:
    return date.today()


@dataclass(frozen=True)
class Narrative:
    """What the provider writes (the fields of `NARRATIVE_LABELS`)."""

    goals_reached: str = ""
    course: str = ""
    problems: str = ""
    outlook: str = ""


def _require_editable(user: User, report: FinalReport) -> None:
    require_own_offer(user, report.offer)
    if not report.editable:
        raise ServiceError(f"Dieser Bericht ist „{report.status_label}“ und kann nicht mehr geändert werden.")


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise ServiceError("Sachberichte prüfen und genehmigen Beschäftigte der ARGE.")


def _lock(obj: Any) -> None:
    """Lock the row (PostgreSQL) and read it again: a parallel copy of a decision waits and then finds it made."""
    db.session.refresh(obj, with_for_update=True)


# --- the provider's side ---------------------------------------------------------------------------


@transactional(on_duplicate=RETRY)  # the parallel twin finds the report the first one started
def start_report(user: User, offer: Offer, kind: ReportKind, period_end: date) -> FinalReport:
    """The offer's report for the period ending on `period_end`: the one started, or a new draft."""
    require_own_offer(user, offer)
    period = queries.period_of(offer, kind, period_end)
    if period is None:
        raise ServiceError("Für diesen Zeitraum ist kein Bericht vorgesehen.")
    found = queries.report_of(offer.id, kind, period_end)
    if found is not None:
        return found
    if not queries.writable(offer, period, today()):
        raise ServiceError(f"Den Bericht können Sie nach dem {period.end:%d.%m.%Y} schreiben.")
    report = FinalReport(
        offer=offer,
        kind=kind,
        period_start=period.start,
        period_end=period.end,
        due_date=period.due,
        created_by_id=user.id,
    )
    db.session.add(report)
    db.session.flush()
    record("final_report_created", actor=user, obj=report, details=f"{report.kind_label} bis {period.end:%d.%m.%Y}")
    return report


def _set_narrative(report: FinalReport, narrative: Narrative) -> None:
    for item in fields(Narrative):
        text = getattr(narrative, item.name).strip()
        if len(text) > MAX_TEXT:
            raise ServiceError(f"Bitte fassen Sie sich kürzer (höchstens {MAX_TEXT} Zeichen).", field=item.name)
        setattr(report, item.name, text)


@transactional
def save(user: User, report: FinalReport, narrative: Narrative, expected: int | None) -> None:
    """Keep the narrative of a draft (or of a report to correct); nothing is checked for completeness yet."""
    _require_editable(user, report)
    check_version(report, expected)
    _set_narrative(report, narrative)
    record("final_report_saved", actor=user, obj=report)


@transactional
def submit(user: User, report: FinalReport, narrative: Narrative, expected: int | None, confirmed: bool) -> None:
    """Keep the narrative, compute the figures and freeze them with it; staff are told."""
    _require_editable(user, report)
    check_version(report, expected)
    if report.offer.organisation.suspended:
        raise ServiceError("Ihre Organisation ist gesperrt; Berichte können Sie erst nach der Aufhebung einreichen.")
    _set_narrative(report, narrative)
    for name, label in NARRATIVE_LABELS.items():
        if not getattr(report, name):
            raise ServiceError(f"Bitte füllen Sie „{label}“ aus.", field=name)
    if not confirmed:
        raise ServiceError("Bitte bestätigen Sie, dass die Angaben vollständig und richtig sind.", field="confirm")
    FINAL_REPORTS.move(report, "submit", user)
    report.submitted_by_id, report.correction_reason = user.id, ""
    report.document = build_document(report, figures_of(report), user)
    notify_staff(
        "final_report_submitted",
        organisation_name=report.offer.organisation.name,
        kind_label=report.kind_label,
        title=report.document["offer"]["title"],
        link=absolute_url("final_reports.show", report_id=report.id),
    )


def figures_of(report: FinalReport) -> queries.Figures:
    return queries.figures_of(report.offer, report.period_start, report.period_end)


def document_of(report: FinalReport) -> dict[str, Any]:
    """The frozen document of a submitted report, or a preview of the draft's with the figures as of now."""
    return report.document or build_document(report, figures_of(report), None)


# --- staff's side ----------------------------------------------------------------------------------


@transactional
def take_into_check(user: User, report: FinalReport) -> None:
    """Staff start checking a submitted report; the same again changes nothing."""
    _require_staff(user)
    _lock(report)
    if report.status is S.IN_CHECK:
        return
    FINAL_REPORTS.move(report, "check", user)


@transactional
def request_correction(user: User, report: FinalReport, reason: str, expected: int | None) -> None:
    """Reopen the report for the provider, with the reason it reads."""
    _require_staff(user)
    _lock(report)
    if report.status is S.CORRECTION_REQUESTED and report.correction_reason == reason.strip():
        return
    check_version(report, expected)
    if not reason.strip():
        raise ServiceError("Bitte schreiben Sie dem Träger, was zu korrigieren ist.", field="reason")
    FINAL_REPORTS.move(report, "request_correction", user, reason.strip())
    report.correction_reason = reason.strip()
    _notify_provider(report)


@transactional
def approve(user: User, report: FinalReport, expected: int | None) -> None:
    """Approve the submitted report; the same approval again changes nothing."""
    _require_staff(user)
    _lock(report)
    if report.status is S.APPROVED:
        return
    check_version(report, expected)
    FINAL_REPORTS.move(report, "approve", user)
    report.approved_by_id = user.id
    _notify_provider(report)


def _notify_provider(report: FinalReport) -> None:
    for member in report.offer.organisation.users:
        notify(
            member,
            "final_report_decided",
            kind_label=report.kind_label,
            status=report.status,
            status_label=report.status_label,
            reason=report.correction_reason,
            link=absolute_url("final_reports.show", report_id=report.id),
        )


# --- participant assessments -----------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentInput:
    attendance: Attendance
    reliability: Reliability
    strengths: str
    recommendation: Recommendation
    recommendation_note: str = ""


@transactional(on_duplicate=RETRY)  # the parallel twin finds the assessment the first one stored
def submit_assessment(user: User, assignment: Assignment, data: AssessmentInput) -> Assessment:
    """The provider's assessment of an ended assignment, once; the caseworker is told by mail (a link only)."""
    require_own_offer(user, assignment.offer)
    found = queries.assessment_of(assignment.id)
    if found is not None:
        if _same(found, data):
            return found
        raise ServiceError("Die Beurteilung ist bereits eingereicht und kann nicht mehr geändert werden.")
    if not queries.assessable(assignment):
        raise ServiceError("Beurteilen können Sie eine Zuweisung, sobald sie nach dem Antritt beendet ist.")
    _check_texts(data)
    assessment = Assessment(
        assignment=assignment,
        attendance=data.attendance,
        reliability=data.reliability,
        strengths=data.strengths.strip(),
        recommendation=data.recommendation,
        recommendation_note=data.recommendation_note.strip(),
        submitted_by_id=user.id,
    )
    db.session.add(assessment)
    db.session.flush()
    record("assessment_submitted", actor=user, obj=assignment)
    _notify_caseworker(assignment)
    return assessment


def _same(found: Assessment, data: AssessmentInput) -> bool:
    return (found.attendance, found.reliability, found.strengths, found.recommendation, found.recommendation_note) == (
        data.attendance,
        data.reliability,
        data.strengths.strip(),
        data.recommendation,
        data.recommendation_note.strip(),
    )


def _check_texts(data: AssessmentInput) -> None:
    if not data.strengths.strip():
        raise ServiceError("Bitte nennen Sie die Stärken (ohne Gesundheitsdaten).", field="strengths")
    for name in ("strengths", "recommendation_note"):
        if len(getattr(data, name).strip()) > MAX_SHORT:
            raise ServiceError(f"Bitte fassen Sie sich kürzer (höchstens {MAX_SHORT} Zeichen).", field=name)


def _notify_caseworker(assignment: Assignment) -> None:
    """The caseworker who made the assignment, if still active staff; else every caseworker."""
    offer = assignment.offer
    context = {
        "organisation_name": offer.organisation.name,
        "title": offer.live_version.title if offer.live_version else f"Angebot {offer.id}",
        "link": absolute_url("final_reports.assessment", assignment_id=assignment.id),
    }
    caseworker = db.session.scalars(
        select(User).where(
            User.id == assignment.created_by_id, User.active.is_(True), User.role.in_([Role.STAFF, Role.APPROVER])
        )
    ).first()
    if caseworker is None:
        notify_staff("assessment_submitted", **context)
    else:
        notify(caseworker, "assessment_submitted", **context)
