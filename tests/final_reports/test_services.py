"""Interim and final reports through their services: what is due, the workflow with its audit entries and mails,
the frozen figures; participant assessments once, after the exit, with a mail to the caseworker."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import OrgStatus, User
from portal.assignments.models import Assignment, AssignmentStatus
from portal.errors import ServiceError
from portal.extensions import db
from portal.final_reports import queries, services
from portal.final_reports.models import (
    Assessment,
    Attendance,
    FinalReport,
    FinalReportStatus,
    Recommendation,
    Reliability,
    ReportKind,
)
from portal.final_reports.services import AssessmentInput, Narrative
from portal.offers.models import Offer, OfferState
from portal.workflow import TransitionError
from tests.conftest import Mailbox
from tests.factories import Factories
from tests.reports.helpers import audit, body, delivered, subject

END = date(2025, 10, 31)
TEXTS = Narrative(goals_reached="Ziele erreicht", course="Gut", problems="Keine", outlook="Folgeangebot")
GOOD = AssessmentInput(Attendance.RELIABLE, Reliability.HIGH, "Sorgfältig, gut im Team", Recommendation.WORK, "Passt")


def started(provider: User, offer: Offer) -> FinalReport:
    return services.start_report(provider, offer, ReportKind.FINAL, END)


def test_what_is_due_and_what_is_overdue(factories: Factories, provider: User, ended_offer: Offer) -> None:
    """At 20 November 2025: the offer that ended on 31 October is due by 31 December; one that ended on 31 August
    was due on 31 October (overdue); a running offer owes nothing yet, unless its provider ended it early."""
    earlier = factories.live_offer(provider.organisation, end_date=date(2025, 8, 31))
    running = factories.live_offer(provider.organisation)
    due = queries.due_reports(provider.organisation_id, date(2025, 11, 20))
    assert [(item.offer.id, item.period.due, item.overdue) for item in due] == [
        (earlier.id, date(2025, 10, 31), True),
        (ended_offer.id, date(2025, 12, 31), False),
    ]
    running.state = OfferState.ENDED
    db.session.commit()
    due = queries.due_reports(provider.organisation_id, date(2025, 11, 20))
    assert [item.offer.id for item in due][-1] == running.id
    assert due[-1].period.end == date(2026, 6, 30)  # the final report covers the planned period


def test_a_report_is_written_only_after_its_period(factories: Factories, provider: User) -> None:
    running = factories.live_offer(provider.organisation)
    with pytest.raises(ServiceError, match=r"nach dem 30\.06\.2026"):
        services.start_report(provider, running, ReportKind.FINAL, date(2026, 6, 30))
    with pytest.raises(ServiceError, match="kein Bericht vorgesehen"):
        services.start_report(provider, running, ReportKind.INTERIM, date(2026, 6, 30))


def test_only_the_offers_provider_starts_its_report(stranger: User, ended_offer: Offer) -> None:
    with pytest.raises(ServiceError, match="Nur der Träger"):
        started(stranger, ended_offer)


def test_starting_twice_gives_the_same_draft(provider: User, ended_offer: Offer) -> None:
    first = started(provider, ended_offer)
    assert started(provider, ended_offer).id == first.id
    assert (first.period_start, first.period_end, first.due_date) == (date(2025, 7, 1), END, date(2025, 12, 31))
    assert len(audit("final_report_created", first)) == 1


def test_submission_needs_every_narrative_field_and_the_confirmation(provider: User, ended_offer: Offer) -> None:
    report = started(provider, ended_offer)
    with pytest.raises(ServiceError, match="Ausblick") as missing:
        services.submit(provider, report, Narrative("a", "b", "c", ""), None, confirmed=True)
    assert missing.value.field == "outlook"
    with pytest.raises(ServiceError, match="bestätigen"):
        services.submit(provider, report, TEXTS, None, confirmed=False)
    with pytest.raises(ServiceError, match="kürzer") as long:
        services.save(provider, report, Narrative(course="x" * 2001), None)
    assert long.value.field == "course"
    assert report.status is FinalReportStatus.DRAFT


def test_review_from_submission_to_approval(
    provider: User, staff: User, ended_offer: Offer, people: dict[str, Assignment], mailbox: Mailbox
) -> None:
    report = started(provider, ended_offer)
    services.save(provider, report, Narrative(goals_reached="Entwurf"), None)
    services.submit(provider, report, TEXTS, None, confirmed=True)
    assert report.status is FinalReportStatus.SUBMITTED
    assert report.document is not None
    assert report.document["people"]["entries"] == 4
    assert report.document["narrative"][0] == {
        "name": "goals_reached",
        "label": "Erreichte Ziele",
        "text": "Ziele erreicht",
    }
    assert "Sachbericht mit Verwendungsnachweis eingereicht: " + ended_offer.organisation.name in [
        subject(message)
        for message in delivered(mailbox).to(staff.email)  # the events' mails come too
    ]
    with pytest.raises(ServiceError, match="nicht mehr geändert"):
        services.save(provider, report, TEXTS, None)
    with pytest.raises(ServiceError, match="Beschäftigte der ARGE"):
        services.approve(provider, report, None)
    services.take_into_check(staff, report)
    services.take_into_check(staff, report)  # the same again changes nothing
    assert len(audit("final_report_check", report)) == 1
    with pytest.raises(ServiceError, match="was zu korrigieren") as empty:
        services.request_correction(staff, report, "  ", None)
    assert empty.value.field == "reason"
    services.request_correction(staff, report, "Bitte den Ausblick genauer.", None)
    assert report.status is FinalReportStatus.CORRECTION_REQUESTED
    mail = delivered(mailbox).to(provider.email)[-1]
    assert "Bitte den Ausblick genauer." in body(mail)
    services.submit(provider, report, TEXTS, None, confirmed=True)
    assert report.correction_reason == ""
    services.approve(staff, report, None)
    services.approve(staff, report, None)  # a double click
    assert report.status is FinalReportStatus.APPROVED
    assert report.approved_by_id == staff.id
    assert report.approved_at is not None
    assert len(audit("final_report_approve", report)) == 1
    assert [entry.action for entry in audit("final_report_submit", report)] == ["final_report_submit"] * 2
    with pytest.raises(TransitionError):
        services.request_correction(staff, report, "Zu spät", None)


def test_the_figures_are_frozen_at_submission(
    factories: Factories, provider: User, ended_offer: Offer, people: dict[str, Assignment]
) -> None:
    report = started(provider, ended_offer)
    services.submit(provider, report, TEXTS, None, confirmed=True)
    factories.assignment(ended_offer, status=AssignmentStatus.ENDED)  # a late change of the assignments
    assert services.document_of(report)["people"]["entries"] == 4
    assert services.figures_of(report).people.entries == 5  # what a resubmission would freeze


# --- participant assessments -------------------------------------------------------------------


def test_pending_assessments_are_the_ended_assignments_after_an_entry(
    provider: User, people: dict[str, Assignment]
) -> None:
    pending = queries.pending_assessments(provider.organisation_id)
    assert {item.id for item in pending} == {people[name].id for name in ("regular", "drop_out", "job", "training")}


def test_an_assessment_is_submitted_once_and_the_caseworker_is_told(
    provider: User, staff: User, factories: Factories, people: dict[str, Assignment], mailbox: Mailbox
) -> None:
    other_staff = factories.staff()
    target = people["drop_out"]
    stored = services.submit_assessment(provider, target, GOOD)
    assert services.submit_assessment(provider, target, GOOD).id == stored.id  # the same again: the same one
    with pytest.raises(ServiceError, match="bereits eingereicht"):
        services.submit_assessment(provider, target, AssessmentInput(**{**GOOD.__dict__, "strengths": "Anders"}))
    assert db.session.scalars(select(Assessment)).all() == [stored]
    assert len(audit("assessment_submitted", target)) == 1
    delivered(mailbox)
    assert [subject(item) for item in mailbox.to(staff.email)][-1].startswith("Teilnehmerbeurteilung eingereicht")
    assert mailbox.to(other_staff.email) == []  # the caseworker who made the assignment, not everyone
    text = body(mailbox.to(staff.email)[-1])
    assert target.participant.customer_number not in text
    assert "Sorgfältig" not in text
    assert f"/portal/zuweisungen/{target.id}/beurteilung" in text
    assert target.id not in {item.id for item in queries.pending_assessments(provider.organisation_id)}


def test_without_a_caseworker_every_caseworker_is_told(
    provider: User, staff: User, factories: Factories, people: dict[str, Assignment], mailbox: Mailbox
) -> None:
    target = people["regular"]
    target.created_by_id = None  # imported by the command line
    db.session.commit()
    other_staff = factories.staff()
    services.submit_assessment(provider, target, GOOD)
    delivered(mailbox)
    assert mailbox.to(staff.email)
    assert mailbox.to(other_staff.email)


def test_no_assessment_before_the_exit_or_after_a_non_entry(
    provider: User, stranger: User, factories: Factories, ended_offer: Offer, people: dict[str, Assignment]
) -> None:
    active = factories.assignment(ended_offer, end_date=date.today() + timedelta(days=30))
    for target in (active, people["non_entry"], people["not_started"]):
        with pytest.raises(ServiceError, match="sobald sie nach dem Antritt beendet ist"):
            services.submit_assessment(provider, target, GOOD)
    with pytest.raises(ServiceError, match="Nur der Träger"):
        services.submit_assessment(stranger, people["job"], GOOD)
    with pytest.raises(ServiceError, match="Stärken") as empty:
        services.submit_assessment(provider, people["job"], AssessmentInput(**{**GOOD.__dict__, "strengths": " "}))
    assert empty.value.field == "strengths"


def test_an_offer_without_an_end_date_owes_nothing_yet(factories: Factories, provider: User) -> None:
    offer = factories.live_offer(provider.organisation)
    offer.live_version.end_date = None
    db.session.commit()
    assert queries.periods_of(offer) == []


def test_a_suspended_organisation_cannot_submit(provider: User, ended_offer: Offer) -> None:
    report = started(provider, ended_offer)
    ended_offer.organisation.status = OrgStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(ServiceError, match="gesperrt"):
        services.submit(provider, report, TEXTS, None, confirmed=True)


def test_the_same_correction_request_again_changes_nothing(provider: User, staff: User, ended_offer: Offer) -> None:
    report = started(provider, ended_offer)
    services.submit(provider, report, TEXTS, None, confirmed=True)
    services.request_correction(staff, report, "Bitte genauer.", None)
    services.request_correction(staff, report, "Bitte genauer. ", 0)  # a resent form: its old version is no conflict
    assert len(audit("final_report_request_correction", report)) == 1


def test_the_assessment_texts_are_short(provider: User, people: dict[str, Assignment]) -> None:
    long = AssessmentInput(**{**GOOD.__dict__, "recommendation_note": "x" * 501})
    with pytest.raises(ServiceError, match="kürzer") as refused:
        services.submit_assessment(provider, people["job"], long)
    assert refused.value.field == "recommendation_note"
