"""`portal demo-data` also makes participants, immediate events and monthly reports in every state.

The clock stands on 20 November 2025 (tests/reports/helpers.py), so every month of the demo has ended. The demo
renders real PDFs, so one test looks at all of it.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from portal import storage
from portal.assignments.eligibility import Period
from portal.assignments.models import Assignment, AssignmentStatus, Event, EventKind, Participant
from portal.assignments.queries import occupied_places, overbooking_warning
from portal.extensions import db
from portal.reports.models import ParticipationReport, ReportStatus
from portal.reports.queries import due_reports
from portal.reports.sheet import build_sheet
from tests.reports.helpers import NOW


def demo_data(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_has_participants_events_and_reports_in_every_state(app, clock):
    assert "Demo-Teilnahmeberichte angelegt." in demo_data(app)

    assignments = db.session.scalars(select(Assignment)).all()
    offers = sorted({assignment.offer for assignment in assignments}, key=lambda offer: offer.organisation_id)
    assert len(offers) == 2
    assert db.session.scalar(select(func.count(Participant.id))) == len(assignments)
    places = [offer.live_version.places_total for offer in offers]
    occupied = occupied_places([offer.id for offer in offers], NOW.date())
    assert [occupied.of_offer(offer.id) for offer in offers] == places  # both are full
    today = Period(NOW.date(), NOW.date())
    for offer, count in zip(offers, places, strict=True):
        warning = overbooking_warning(offer, offer.live_version.sites[0].name, today)
        assert warning == f"Das Angebot hat {count} Plätze; mit dieser Zuweisung wären {count + 1} belegt."
    states = [assignment.status for assignment in assignments]
    assert {status: states.count(status) for status in set(states)} == {
        AssignmentStatus.ACTIVE: places[0] + places[1],  # the second provider's drop-out was replaced
        AssignmentStatus.ENDED: 1,  # the drop-out
        AssignmentStatus.PROPOSED: 1,
        AssignmentStatus.NOT_STARTED: 1,
        AssignmentStatus.DECLINED: 1,
    }
    assert set(states) == set(AssignmentStatus)  # every state
    [waiting] = [assignment for assignment in assignments if assignment.status is AssignmentStatus.PROPOSED]
    assert waiting.offer.organisation.users[0].email == "admin@caritas.example"
    events = {event.kind: event for event in db.session.scalars(select(Event))}
    assert set(events) >= {EventKind.DROP_OUT, EventKind.LONG_SICKNESS}
    drop_out = events[EventKind.DROP_OUT]
    assert drop_out.reason
    assert drop_out.assignment.end_date == drop_out.event_date

    reports = db.session.scalars(select(ParticipationReport).order_by(ParticipationReport.id)).all()
    by_status = {status: [report for report in reports if report.status is status] for status in ReportStatus}
    assert {status for status, found in by_status.items() if found} == {
        ReportStatus.APPROVED,
        ReportStatus.CORRECTION_REQUESTED,
        ReportStatus.SUBMITTED,
        ReportStatus.DRAFT,
    }
    for report in reports:
        assert build_sheet(report).complete, (report.year, report.month, report.status)
        if report.status is ReportStatus.DRAFT:
            continue
        path = storage.path_of("reports", report.pdf_key)
        assert path is not None
        assert path.read_bytes().startswith(b"%PDF-")
        assert report.document is not None
        assert report.document["totals"]["participants"] == len(report.lines)
    [corrected] = by_status[ReportStatus.CORRECTION_REQUESTED]
    assert corrected.decision_reason
    [second] = [report for report in reports if (report.offer_id, report.number) == (corrected.offer_id, 2)]
    assert ((second.year, second.month), second.status) == ((corrected.year, corrected.month), ReportStatus.DRAFT)

    due = due_reports(NOW.date())
    assert [item for item in due if item.overdue and item.report_id is None]  # not even begun
    assert [item for item in due if item.overdue and item.status_label == "Entwurf"]

    assert "Demo-Teilnahmeberichte angelegt." not in demo_data(app)  # made once
    assert db.session.scalar(select(func.count(ParticipationReport.id))) == len(reports)
