"""The services of the reports domain: assignments, immediate events, monthly reports from draft to decision, scans.

Everything runs on a fixed "today" (tests/reports/helpers.py): 20 November 2025, so October 2025 is the last month.
Reports are rendered as real PDFs by the real workers; a test renders only what it needs.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from portal import pdfcheck, storage
from portal.accounts.models import Role, User
from portal.assignments import rules
from portal.assignments import services as assignments
from portal.assignments.models import (
    ENDS_ASSIGNMENT,
    AghExtension,
    Assignment,
    AssignmentStatus,
    Event,
    EventKind,
    Participant,
)
from portal.assignments.rules import AssignmentInput
from portal.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.offers.models import Offer, OfferState, OfferType, VersionStatus
from portal.reports import services
from portal.reports.calc import DayCode
from portal.reports.models import ParticipationReport, ReportStatus
from portal.reports.pdf import PdfRenderError
from portal.reports.sheet import build_sheet
from portal.submissions import new_token
from portal.transactions import transactional
from tests import pdfs
from tests.factories import Factories
from tests.reports.helpers import (
    CONFLICT,
    MONTH,
    OFFER_END,
    OFFER_START,
    TITLE,
    YEAR,
    audit,
    body,
    cell,
    complete_sheet,
    delivered,
    draft,
    fresh,
    subject,
)

NUMBER = "123A456789"
NO_EXTENSION = assignments.LimitDecision()


def data(**changes: object) -> AssignmentInput:
    """A valid assignment to the offer: October to December 2025, 20 hours a week at 1,50 €."""
    values: dict[str, object] = {
        "customer_number": NUMBER,
        "initials": "M. K.",
        "start_date": date(2025, 10, 1),
        "end_date": date(2025, 12, 31),
        "weekly_hours": Decimal(20),
        "mae_rate": Decimal("1.50"),
        "site": "Stadtteilzentrum",
    }
    values.update(changes)
    return AssignmentInput(**values)  # type: ignore[arg-type]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- Kundennummer and initials --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("123A456789", NUMBER), ("123 a 456789", NUMBER), (" 123-a-456 789 ", NUMBER), ("999z000001", "999Z000001")],
)
def test_a_kundennummer_is_normalised_then_accepted(typed, stored):
    assert rules.normalise_customer_number(typed) == stored
    assert rules.check_customer_number(stored) is None


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "123456789",
        "123A45678",
        "123A4567890",
        "12AA456789",
        "A23A456789",
        "123Ä456789",
        "١٢٣A٤٥٦٧٨٩",
        "１２３A４５６７８９",
    ],
)
def test_anything_else_is_no_kundennummer(typed):
    message = rules.check_customer_number(rules.normalise_customer_number(typed))
    assert message == (
        "Die Kundennummer hat 10 Zeichen: drei Ziffern, einen Buchstaben und sechs Ziffern, z. B. 123A456789."
    )


@pytest.mark.parametrize(
    ("typed", "stored"), [("M. K.", "M. K."), ("MK", "MK"), ("m.  k.", "M. K."), ("Ä. Ö. Ü.", "Ä. Ö. Ü.")]
)
def test_initials_are_accepted_in_capitals(typed, stored):
    assert rules.check_initials(typed) is None
    assert rules.normalise_initials(typed) == stored


@pytest.mark.parametrize("typed", ["Maria Krause", "Krause, M.", "Eva", "Max K.", "Mk", "M. K. L. P.", "M1", "", "M-K"])
def test_names_are_not_initials(typed):
    assert rules.check_initials(typed) == (
        "Bitte geben Sie nur die Anfangsbuchstaben an (ein bis drei, z. B. „M. K.“), keinen Namen."
    )


# --- assignments ----------------------------------------------------------------------------------


def test_an_assignment_inside_the_offer_is_created_with_its_participant(provider, offer, staff):
    assignment = assignments.create_assignment(new_token(), staff, offer, data(), NO_EXTENSION)
    stored = db.session.get(Assignment, assignment.id, populate_existing=True)
    assert stored is not None
    assert (stored.start_date, stored.end_date, stored.weekly_hours, stored.mae_rate, stored.site) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
        Decimal(20),
        Decimal("1.50"),
        "Stadtteilzentrum",
    )
    assert (stored.participant.customer_number, stored.participant.initials) == (NUMBER, "M. K.")
    assert stored.participant.organisation_id == provider.organisation_id
    assert stored.created_by_id == staff.id
    [entry] = audit("assignment_created", stored)
    assert (entry.actor_id, entry.details) == (staff.id, f"Angebot {offer.id}")


def test_the_same_kundennummer_is_one_participant_per_provider(factories, provider, stranger, offer, staff):
    first = assignments.create_assignment(new_token(), staff, offer, data(), NO_EXTENSION)
    second = assignments.create_assignment(
        new_token(),
        staff,
        offer,
        data(initials="M. L.", start_date=date(2026, 1, 1), end_date=date(2026, 3, 31)),
        NO_EXTENSION,
    )
    assert first.participant_id == second.participant_id
    assert fresh_participant(first).initials == "M. L."  # the provider's latest spelling
    theirs = factories.live_offer(stranger.organisation)
    other = assignments.create_assignment(new_token(), staff, theirs, data(), NO_EXTENSION)
    assert other.participant_id != first.participant_id
    assert count(Participant) == 2


def fresh_participant(assignment: Assignment) -> Participant:
    found = db.session.get(Participant, assignment.participant_id, populate_existing=True)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start_date": date(2025, 6, 30)}, "start_date", "Der Beginn muss im Zeitraum des Angebots liegen"),
        ({"end_date": date(2026, 7, 1)}, "end_date", "Das Ende muss im Zeitraum des Angebots liegen"),
        ({"end_date": date(2025, 9, 30)}, "end_date", "Das Ende muss nach dem Beginn liegen."),
        ({"weekly_hours": Decimal(0)}, "weekly_hours", "Die Wochenstunden müssen über 0 und höchstens 30 sein."),
        ({"weekly_hours": Decimal("30.5")}, "weekly_hours", "Die Wochenstunden müssen über 0 und höchstens 30 sein."),
        ({"mae_rate": Decimal("0.99")}, "mae_rate", "Die MAE je Stunde muss zwischen 1,00 € und 2,50 € liegen."),
        ({"mae_rate": Decimal("2.51")}, "mae_rate", "Die MAE je Stunde muss zwischen 1,00 € und 2,50 € liegen."),
        ({"customer_number": "123A45678"}, "customer_number", "Die Kundennummer hat 10 Zeichen"),
        ({"initials": "Maria K."}, "initials", "Bitte geben Sie nur die Anfangsbuchstaben an"),
    ],
)
def test_an_assignment_outside_the_rules_is_refused(provider, offer, changes, field, message, staff):
    with pytest.raises(ServiceError, match=message) as refused:
        assignments.create_assignment(new_token(), staff, offer, data(**changes), NO_EXTENSION)
    assert refused.value.field == field
    assert count(Assignment) == count(Participant) == 0


def test_the_period_message_names_the_offer_period(offer):
    problems = rules.assignment_problems(offer, data(start_date=date(2025, 1, 1), end_date=date(2027, 1, 1)))
    assert problems == {
        "start_date": "Der Beginn muss im Zeitraum des Angebots liegen (01.07.2025 bis 30.06.2026).",
        "end_date": "Das Ende muss im Zeitraum des Angebots liegen (01.07.2025 bis 30.06.2026).",
    }


def test_the_limits_themselves_are_allowed(offer):
    edges = [data(start_date=OFFER_START, end_date=OFFER_END, weekly_hours=Decimal(30), mae_rate=Decimal("2.50"))]
    edges.append(data(start_date=OFFER_START, end_date=OFFER_START, weekly_hours=Decimal("0.5"), mae_rate=Decimal(1)))
    assert [rules.assignment_problems(offer, item) for item in edges] == [{}, {}]


def test_an_offer_that_is_not_live_has_no_period_to_check(factories):
    unfinished = factories.offer()
    assert rules.assignment_problems(unfinished, data(end_date=date(2030, 1, 1), mae_rate=Decimal(9))) == {}
    assert list(rules.assignment_problems(unfinished, data(weekly_hours=Decimal(40)))) == ["weekly_hours"]


def test_an_offer_without_mae_takes_no_rate(factories, provider, staff):
    other = factories.live_offer(provider.organisation, offer_type=OfferType.OTHER)
    assert rules.assignment_problems(other, data(mae_rate=Decimal(99))) == {}
    assignment = assignments.create_assignment(new_token(), staff, other, data(mae_rate=Decimal(2)), NO_EXTENSION)
    assert assignment.mae_rate == Decimal(0)


@pytest.mark.parametrize("status", [VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.REJECTED])
def test_only_a_live_offer_takes_participants(factories, provider, status, staff):
    offer = factories.offer(provider.organisation, status=status)
    with pytest.raises(ServiceError, match=re.escape("nur zu genehmigten, laufenden Angeboten")):
        assignments.create_assignment(new_token(), staff, offer, data(), NO_EXTENSION)
    assert count(Assignment) == 0


def test_an_ended_offer_takes_no_participants(provider, offer, staff):
    offer.state = OfferState.ENDED
    with pytest.raises(ServiceError, match=re.escape("nur zu genehmigten, laufenden Angeboten")):
        assignments.create_assignment(new_token(), staff, offer, data(), NO_EXTENSION)


def test_only_staff_assign(provider, offer):
    with pytest.raises(ServiceError, match=re.escape("Zuweisungen legen Beschäftigte der ARGE an.")):
        assignments.create_assignment(new_token(), provider, offer, data(), NO_EXTENSION)
    assert count(Assignment) == 0


def test_an_assignment_joins_the_open_drafts_of_its_months_when_the_provider_accepts(provider, offer, assigned, staff):
    october, november = draft(provider, offer), draft(provider, offer, 2025, 11)
    september = draft(provider, offer, 2025, 9)
    september.status = ReportStatus.SUBMITTED  # a report that is handed in stays as it was
    db.session.commit()
    new = assignments.create_assignment(new_token(), staff, offer, data(start_date=date(2025, 10, 20)), NO_EXTENSION)
    assert len(fresh(october).lines) == 2  # proposed: it fills no place yet
    assignments.accept(provider, new, date(2025, 10, 22), new.version_id)
    assert [line.assignment_id for line in fresh(october).lines] == [*(item.id for item in assigned), new.id]
    assert [line.position for line in fresh(october).lines] == [0, 1, 2]
    assert fresh(october).lines[2].days == {}  # empty, as every new line
    assert [line.assignment_id for line in fresh(november).lines][-1] == new.id
    assert len(fresh(september).lines) == 2


@pytest.mark.parametrize("status", [AssignmentStatus.PROPOSED, AssignmentStatus.NOT_STARTED, AssignmentStatus.DECLINED])
def test_a_new_report_lists_only_assignments_that_fill_a_place(factories, provider, offer, status):
    active = factories.assignment(offer)
    ended = factories.assignment(offer, status=AssignmentStatus.ENDED, end_date=date(2025, 10, 10))
    factories.assignment(offer, status=status)
    factories.assignment(offer, end_date=date(2025, 9, 30))  # over before October
    assert [line.assignment_id for line in draft(provider, offer).lines] == [active.id, ended.id]


def test_an_overlapping_assignment_of_the_same_kundennummer_is_refused(provider, offer, staff):
    assignments.create_assignment(new_token(), staff, offer, data(), NO_EXTENSION)  # October to December
    with pytest.raises(
        ServiceError, match=re.escape("123A456789 ist diesem Angebot in diesem Zeitraum bereits zugewiesen.")
    ) as err:
        assignments.create_assignment(
            new_token(), staff, offer, data(start_date=date(2025, 12, 31), end_date=date(2026, 1, 31)), NO_EXTENSION
        )
    assert err.value.field == "start_date"
    assignments.create_assignment(
        new_token(), staff, offer, data(start_date=date(2026, 1, 1), end_date=date(2026, 1, 31)), NO_EXTENSION
    )
    assignments.create_assignment(new_token(), staff, offer, data(customer_number="123A456780"), NO_EXTENSION)
    assert count(Assignment) == 3


# --- the AGH limit: 24 months in five years, across providers -------------------------------------


@pytest.fixture
def twenty_months_elsewhere(factories: Factories) -> Assignment:
    """The participant spent March 2023 to October 2024 (20 months) in another provider's AGH."""
    elsewhere = factories.live_offer(start_date=date(2023, 3, 1), end_date=date(2024, 10, 31))
    return factories.assignment(elsewhere, customer_number=NUMBER)


def test_up_to_24_months_need_no_extension(provider, offer, twenty_months_elsewhere, staff):
    four_months = data(start_date=date(2025, 7, 1), end_date=date(2025, 10, 31))
    assert assignments.check_limit(staff, offer, four_months) is None
    assert assignments.create_assignment(new_token(), staff, offer, four_months, NO_EXTENSION).id


def test_more_than_24_months_in_the_frame_need_an_extension_with_a_reason(
    provider, offer, twenty_months_elsewhere, staff
):
    five_months = data(start_date=date(2025, 7, 1), end_date=date(2025, 11, 30))
    warning = assignments.check_limit(staff, offer, five_months)
    assert warning is not None
    assert "01.03.2023" in warning  # the frame starts with the first entry
    with pytest.raises(ServiceError, match=re.escape("Eine Verlängerung um bis zu 12 Monate braucht")) as refused:
        assignments.create_assignment(new_token(), staff, offer, five_months, NO_EXTENSION)
    assert refused.value.field == "extension_reason"
    assert count(Assignment) == 1  # only the one elsewhere
    extended = assignments.create_assignment(
        new_token(), staff, offer, five_months, assignments.LimitDecision("Neue Prüfung")
    )
    [entry] = audit("assignment_extended", extended)
    assert (entry.actor_id, entry.details) == (staff.id, "Neue Prüfung")
    checks = audit("participant_data_viewed", offer)
    assert [NUMBER in item.details for item in checks] == [True, True]  # the refused create left nothing


def test_an_extension_is_recorded_and_counts_in_every_later_check(provider, offer, twenty_months_elsewhere, staff):
    """20 months elsewhere + 5 (July to November 2025) = 25 > 24: extended to 36. December 2025 to June 2026 (7 more,
    32 in all) then fits without a new reason; before, only the audit log knew of the extension."""
    five_months = data(start_date=date(2025, 7, 1), end_date=date(2025, 11, 30))
    extended = assignments.create_assignment(
        new_token(), staff, offer, five_months, assignments.LimitDecision("Prüfung")
    )
    [extension] = db.session.scalars(select(AghExtension)).all()
    assert (extension.customer_number, extension.months, extension.reason) == (NUMBER, 12, "Prüfung")
    assert (extension.assignment_id, extension.created_by_id) == (extended.id, staff.id)
    seven_more = data(start_date=date(2025, 12, 1), end_date=date(2026, 6, 30))
    assert assignments.check_limit(staff, offer, seven_more) is None
    assignments.create_assignment(new_token(), staff, offer, seven_more, NO_EXTENSION)
    assert count(AghExtension) == 1


def test_no_extension_is_recorded_where_the_assignment_fits(provider, offer, twenty_months_elsewhere, staff):
    four_months = data(start_date=date(2025, 7, 1), end_date=date(2025, 10, 31))
    assignments.create_assignment(new_token(), staff, offer, four_months, assignments.LimitDecision("Vorsorglich"))
    assert count(AghExtension) == 0
    assert audit("assignment_extended") == []


def test_beyond_36_months_even_an_extension_does_not_help(factories, provider, twenty_months_elsewhere, staff):
    """20 months + July 2025 to June 2027 (24) = 44 > 24 + 12."""
    two_years = factories.live_offer(provider.organisation, start_date=date(2025, 7, 1), end_date=date(2027, 6, 30))
    long = data(start_date=date(2025, 7, 1), end_date=date(2027, 6, 30))
    with pytest.raises(ServiceError, match="Auch mit einer Verlängerung um 12 Monate") as refused:
        assignments.create_assignment(new_token(), staff, two_years, long, assignments.LimitDecision("Prüfung"))
    assert refused.value.field == "end_date"
    assert (count(Assignment), count(AghExtension)) == (1, 0)


@pytest.mark.parametrize("status", [AssignmentStatus.DECLINED, AssignmentStatus.NOT_STARTED])
def test_declined_and_not_started_assignments_are_no_agh_time(factories, provider, offer, staff, status):
    elsewhere = factories.live_offer(start_date=date(2023, 3, 1), end_date=date(2025, 2, 28))  # 24 months
    factories.assignment(elsewhere, customer_number=NUMBER, status=status)
    assert assignments.check_limit(staff, offer, data()) is None


def test_providers_cannot_run_the_check(provider, offer, twenty_months_elsewhere):
    with pytest.raises(ServiceError, match=re.escape("Beschäftigte der ARGE")):
        assignments.check_limit(provider, offer, data())


def test_assignments_older_than_five_years_do_not_count(factories, provider, offer, staff):
    long_ago = factories.live_offer(start_date=date(2018, 1, 1), end_date=date(2020, 10, 31))  # 34 months
    factories.assignment(long_ago, customer_number=NUMBER)
    assert assignments.check_limit(staff, offer, data(end_date=date(2026, 6, 30))) is None


def test_other_kinds_of_offer_do_not_count_and_are_not_limited(factories, provider, offer, staff):
    counselling = factories.live_offer(
        start_date=date(2023, 3, 1), end_date=date(2025, 6, 30), offer_type=OfferType.MUNICIPAL
    )
    factories.assignment(counselling, customer_number=NUMBER)
    assert assignments.check_limit(staff, offer, data(end_date=date(2026, 6, 30))) is None
    own_counselling = factories.live_offer(provider.organisation, offer_type=OfferType.MUNICIPAL)
    assert assignments.check_limit(staff, own_counselling, data(start_date=OFFER_START, end_date=OFFER_END)) is None


# --- immediate events -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_event_is_recorded_and_mailed_to_staff_at_once(
    factories, provider, staff, approver, offer, assigned, mailbox, kind
):
    admin = factories.user(Role.ADMIN)
    absent = factories.staff(active=False)
    assignment = assigned[0]
    event = assignments.record_event(new_token(), provider, assignment, kind, date(2025, 10, 15), "  Umzug  ")
    stored = db.session.get(Event, event.id, populate_existing=True)
    assert stored is not None
    assert (stored.kind, stored.event_date, stored.reason, stored.offer_id) == (
        kind,
        date(2025, 10, 15),
        "Umzug",
        offer.id,
    )
    assert stored.created_by_id == provider.id
    [entry] = audit(f"event_{kind.value}", assignment)
    assert entry.details == f"{stored.kind_label} am 15.10.2025"
    expected_end = {EventKind.NON_ENTRY: date(2025, 10, 14)}.get(kind, date(2025, 10, 15))
    assert fresh_assignment(assignment).end_date == (expected_end if kind in ENDS_ASSIGNMENT else OFFER_END)
    box = delivered(mailbox)
    for member in (staff, approver):
        [message] = box.to(member.email)
        assert subject(message) == f"Sofortmeldung: {stored.kind_label} ({TITLE})"
        text = body(message)
        assert f"{provider.organisation.name} meldet für „{TITLE}“: {stored.kind_label} am 15.10.2025" in text
        assert assignment.participant.customer_number not in text  # social data stays in the portal
        assert "Umzug" not in text
        assert f"http://localhost/portal/angebote/{offer.id}/teilnehmende" in text
    assert [box.to(person.email) for person in (provider, admin, absent)] == [[], [], []]


def fresh_assignment(assignment: Assignment) -> Assignment:
    found = db.session.get(Assignment, assignment.id, populate_existing=True)
    assert found is not None
    return found


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_drop_out_needs_a_reason(provider, offer, assigned, mailbox, reason):
    with pytest.raises(
        ServiceError, match=r"Bitte nennen Sie den Grund des Abbruchs \(ohne Gesundheitsdaten\)."
    ) as err:
        assignments.record_event(new_token(), provider, assigned[0], EventKind.DROP_OUT, date(2025, 10, 15), reason)
    assert err.value.field == "reason"
    assert count(Event) == 0
    assert fresh_assignment(assigned[0]).end_date == OFFER_END
    assert delivered(mailbox).messages == []


def test_the_same_event_is_reported_once(provider, staff, offer, assigned, mailbox):
    assignments.record_event(new_token(), provider, assigned[0], EventKind.LONG_SICKNESS, date(2025, 10, 15), "")
    with pytest.raises(
        ServiceError, match=r"Diese Meldung \(Krankheit länger als 15 Arbeitstage am 15.10.2025\) liegt"
    ):
        assignments.record_event(
            new_token(), provider, assigned[0], EventKind.LONG_SICKNESS, date(2025, 10, 15), "nochmal"
        )
    assignments.record_event(new_token(), provider, assigned[0], EventKind.LONG_SICKNESS, date(2025, 11, 3), "")
    assignments.record_event(new_token(), provider, assigned[1], EventKind.LONG_SICKNESS, date(2025, 10, 15), "")
    assert count(Event) == 3
    assert len(delivered(mailbox).to(staff.email)) == 3


def test_other_events_need_no_reason(provider, offer, assigned):
    event = assignments.record_event(new_token(), provider, assigned[0], EventKind.JOB, date(2025, 10, 15), "")
    assert event.reason == ""


@pytest.mark.parametrize("day", [date(2025, 6, 30), date(2026, 7, 1)])
def test_an_event_lies_inside_the_assignment(provider, offer, assigned, day):
    with pytest.raises(
        ServiceError, match=r"Das Datum muss in der Zuweisung liegen \(01.07.2025 bis 30.06.2026\)."
    ) as err:
        assignments.record_event(new_token(), provider, assigned[0], EventKind.JOB, day, "")
    assert err.value.field == "event_date"
    assert count(Event) == 0


def test_only_the_own_provider_reports_events(stranger, staff, assigned):
    for person in (stranger, staff):
        with pytest.raises(ServiceError, match=re.escape("Nur der Träger des Angebots kann das tun.")):
            assignments.record_event(new_token(), person, assigned[0], EventKind.JOB, date(2025, 10, 15), "")
    assert count(Event) == 0


def test_an_exit_drops_the_later_days_of_open_drafts(provider, offer, assigned):
    october, november = draft(provider, offer), draft(provider, offer, 2025, 11)
    september = draft(provider, offer, 2025, 9)
    september.status = ReportStatus.SUBMITTED
    db.session.commit()
    services.save_grid(provider, october, {(fresh(october).lines[0].id, 24): "E"}, None)
    before = dict(fresh(september).lines[0].days)
    assignments.record_event(new_token(), provider, assigned[0], EventKind.DROP_OUT, date(2025, 10, 15), "Umzug")
    days = fresh(october).lines[0].days
    assert [days[str(day)] for day in (14, 15)] == ["4", "4"]
    assert max(int(day) for day in days) == 15  # nothing is stored for the days after the exit
    assert fresh(november).lines[0].days == {}
    assert cell(october, 1, 20) == "4"
    assert fresh(september).lines[0].days == before
    assert complete_sheet(october)
    assert complete_sheet(november)


def test_a_non_entry_ends_the_assignment_before_its_first_day(factories, provider, offer):
    later = factories.assignment(offer, start_date=date(2025, 12, 1))
    assignments.record_event(new_token(), provider, later, EventKind.NON_ENTRY, date(2025, 12, 1), "")
    assert fresh_assignment(later).end_date == date(2025, 11, 30)
    assert draft(provider, offer, 2025, 11).lines == []


# --- starting a month's report --------------------------------------------------------------------


def test_a_new_report_starts_empty(factories, provider, offer, assigned):
    report = draft(provider, offer, filled=False)
    assert [line.days for line in report.lines] == [{}, {}]
    sheet = build_sheet(report)
    assert not sheet.complete  # nothing can be certified without an entry
    assert sheet.hours_worked == sheet.mae_payable == 0


def test_all_present_fills_the_scheduled_days_inside_the_assignment(factories, provider, offer, assigned):
    late = factories.assignment(offer, start_date=date(2025, 10, 15), weekly_hours=Decimal(19))
    report = draft(provider, offer)
    assert (report.year, report.month, report.number, report.status) == (YEAR, MONTH, 1, ReportStatus.DRAFT)
    assert [line.assignment_id for line in report.lines] == [assigned[0].id, assigned[1].id, late.id]
    days = report.lines[0].days
    assert days["3"] == "F"  # Tag der Deutschen Einheit, a Friday
    assert {days[str(day)] for day in (1, 2, 6, 10, 31)} == {"4"}  # 20 hours on five days
    assert not {"4", "5", "11", "12", "18", "19", "25", "26"} & set(days)  # weekends stay empty
    assert len(days) == 23
    late_days = report.lines[2].days
    assert min(int(day) for day in late_days) == 15  # nothing before the assignment
    assert {late_days[str(day)] for day in (15, 16, 31)} == {"3,5"}  # 19 h ÷ 5 = 3,8 h, down to the half hour
    sheet = build_sheet(report)
    assert sheet.complete
    assert [row.totals.days_present for row in sheet.rows] == [22, 22, 13]
    # 22 days × 4 h = 88 h × 1,50 € = 132,00 €; the late one: 13 days × 3,5 h = 45,5 h × 1,50 € = 68,25 €
    assert sheet.rows[0].totals.hours_worked == Decimal(88)
    assert sheet.rows[0].totals.mae_payable == Decimal("132.00")
    assert sheet.rows[2].totals.mae_payable == Decimal("68.25")
    [entry] = audit("report_created", report)
    assert (entry.actor_id, entry.details) == (provider.id, "2025-10 Fassung 1")


def test_a_month_without_participants_gives_an_empty_report(provider, offer, assigned):
    report = draft(provider, offer, 2025, 6)  # before the offer began
    assert report.lines == []
    assert build_sheet(report).problems == [
        "Der Bericht enthält keine Teilnehmenden. Bitte legen Sie zuerst Zuweisungen an."
    ]


def test_the_open_draft_is_returned_again(provider, colleague, offer, assigned):
    first = draft(provider, offer)
    assert draft(colleague, offer).id == first.id
    assert count(ParticipationReport) == 1
    assert len(audit("report_created")) == 1


def test_the_current_month_may_be_started_but_no_future_one(provider, offer, assigned):
    assert draft(provider, offer, 2025, 11).month == 11
    for year, month in ((2025, 12), (2026, 1)):
        with pytest.raises(
            ServiceError, match=re.escape("Berichte für künftige Monate können Sie noch nicht anlegen.")
        ):
            draft(provider, offer, year, month)
    assert count(ParticipationReport) == 1


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.REJECTED])
def test_no_new_report_once_the_month_is_handed_in(provider, offer, assigned, status):
    report = draft(provider, offer)
    report.status = status
    db.session.commit()
    with pytest.raises(ServiceError, match=re.escape("Der Bericht für Oktober 2025 ist bereits eingereicht.")):
        draft(provider, offer)
    assert count(ParticipationReport) == 1


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.STAFF, Role.APPROVER])
def test_only_the_own_provider_starts_a_report(factories, offer, assigned, role):
    with pytest.raises(ServiceError, match=re.escape("Nur der Träger des Angebots kann das tun.")):
        draft(factories.user(role), offer)
    assert count(ParticipationReport) == 0


# --- the grid -------------------------------------------------------------------------------------


def test_invalid_input_is_kept_and_flagged(provider, offer, assigned):
    report = draft(provider, offer)
    first, second = (line.id for line in report.lines)
    typed = {(first, 6): " abc ", (first, 7): "A", (first, 8): "10,5", (first, 9): "3,555", (second, 6): "e"}
    typed |= {(second, 7): "3,5", (second, 8): "", (second, 9): "UE", (first, 10): "lang" * 10}
    services.save_grid(provider, report, typed, report.version_id)
    assert [cell(report, 0, day) for day in (6, 7, 8, 9, 10)] == ["abc", "A", "10,5", "3,555", "langlangla"]
    assert [cell(report, 1, day) for day in (6, 7, 8, 9)] == ["e", "3,5", "", "UE"]
    sheet = build_sheet(fresh(report))
    assert not sheet.complete
    errors = {(row.line_id, entry.day.number): entry.error for row, entry in sheet.cell_errors}
    hours = (
        "Die Stunden eines Tages müssen größer als 0 und höchstens 10 sein (Arbeitszeitgesetz), mit höchstens zwei "
        "Nachkommastellen."
    )
    assert errors == {
        (first, 6): "„abc“ verstehen wir nicht. Erlaubt sind: Stunden (z. B. 4 oder 3,5) oder E, UE, K, KK, U, F, -.",
        (first, 7): "Bitte tragen Sie bei Anwesenheit die Stunden ein (z. B. 4 oder 3,5), nicht „A“.",
        (first, 8): hours,
        (first, 9): hours,
        (first, 10): "„langlangla“ verstehen wir nicht. Erlaubt sind: Stunden (z. B. 4 oder 3,5) oder E, UE, K, KK, U, "
        "F, -.",
        (second, 8): "Bitte tragen Sie für diesen Tag Stunden oder ein Kürzel ein.",
    }
    assert sheet.rows[1].totals.counts[DayCode.E] == 1  # typed in small letters, read as the code


def test_misplaced_codes_are_flagged(factories, provider, offer):
    late = factories.assignment(offer, start_date=date(2025, 10, 15))
    report = draft(provider, offer)
    line = report.lines[0].id
    services.save_grid(provider, report, {(line, 1): "4", (line, 16): "-", (line, 18): "2"}, None)
    assert "1" not in fresh(report).lines[0].days  # outside the assignment: not stored
    errors = {entry.day.number: entry.error for _row, entry in build_sheet(fresh(report)).cell_errors}
    assert errors == {
        16: "Dieser Tag liegt in der Zuweisung. Bitte tragen Sie Stunden oder ein Kürzel ein.",
        18: "Die Zuweisung sieht am Samstag keine Arbeit vor. Bitte lassen Sie das Feld leer.",
    }
    assert late.id == report.lines[0].assignment_id
    totals = build_sheet(fresh(report)).rows[0].totals
    assert totals.hours_worked == Decimal(48)  # 12 days × 4 h from the 15th; the Saturday's 2 h do not count


def test_a_week_above_the_weekly_hours_is_an_error_naming_the_week(factories, provider, offer):
    factories.assignment(offer, weekly_hours=Decimal(30))
    report = draft(provider, offer)
    line = report.lines[0].id
    # Monday 6 to Friday 10 October 2025: 6 h a day as filled, 8 h on two days → 34 h in KW 41.
    services.save_grid(provider, report, {(line, 6): "8", (line, 7): "8"}, None)
    sheet = build_sheet(fresh(report))
    [(_row, entry)] = sheet.cell_errors
    assert entry.day.number == 10  # the week's last day with hours
    assert entry.error == (
        "In der Woche vom 6. bis 12. Oktober (KW 41) sind 34 Stunden eingetragen; zugewiesen sind 30 Stunden je Woche."
    )


def test_saturday_work_counts_where_the_assignment_schedules_it(factories, provider, offer):
    factories.assignment(offer, weekdays="0000011", weekly_hours=Decimal(16))  # Saturday and Sunday, 8 h each
    report = draft(provider, offer)
    sheet = build_sheet(fresh(report))
    assert sheet.complete
    # October 2025 has 4 Saturdays and 4 Sundays: 8 days × 8 h = 64 h × 1,50 € = 96,00 €
    assert sheet.rows[0].totals.hours_worked == Decimal(64)
    assert sheet.rows[0].totals.mae_payable == Decimal("96.00")


def test_cells_of_other_reports_and_days_the_month_lacks_are_ignored(provider, offer, assigned):
    october, september = draft(provider, offer), draft(provider, offer, 2025, 9)
    before = dict(fresh(september).lines[0].days)
    own, foreign = october.lines[0].id, september.lines[0].id
    services.save_grid(provider, october, {(own, 6): "E", (foreign, 1): "UE", (foreign, 2): "K"}, None)
    assert cell(october, 0, 6) == "E"
    assert fresh(september).lines[0].days == before
    services.save_grid(provider, september, {(foreign, 31): "4", (foreign, 0): "4", (foreign, 1): "U"}, None)
    assert cell(september, 0, 1) == "U"
    assert not {"0", "31"} & set(fresh(september).lines[0].days)


def test_all_present_fills_one_line_again(provider, offer, assigned):
    report = draft(provider, offer)
    first, second = (line.id for line in report.lines)
    services.save_grid(provider, report, {(first, 6): "K", (first, 3): "x", (second, 6): "U"}, None)
    services.save_grid(provider, report, {(first, 7): "E"}, None, fill_line=first)
    assert [cell(report, 0, day) for day in (3, 6, 7)] == ["F", "4", "4"]
    assert cell(report, 1, 6) == "U"
    services.save_grid(provider, report, {}, None, fill_line=10**9)  # no line of this report
    assert cell(report, 1, 6) == "U"


def test_each_save_counts_the_version_and_a_stale_one_is_a_conflict(provider, colleague, offer, assigned):
    report = draft(provider, offer)
    line = report.lines[0].id
    shown = report.version_id
    services.save_grid(colleague, report, {(line, 6): "K"}, shown)
    assert fresh(report).version_id == shown + 1
    with pytest.raises(ConflictError, match=CONFLICT):
        services.save_grid(provider, report, {(line, 6): "E", (line, 7): "U"}, shown)
    assert [cell(report, 0, day) for day in (6, 7)] == ["K", "4"]
    services.save_grid(provider, fresh(report), {(line, 6): "E"}, shown + 1)
    assert cell(report, 0, 6) == "E"


def test_only_the_own_provider_edits_the_grid(stranger, staff, provider, offer, assigned):
    report = draft(provider, offer)
    line = report.lines[0].id
    for person in (stranger, staff):
        with pytest.raises(ServiceError, match=re.escape("Nur der Träger des Angebots kann das tun.")):
            services.save_grid(person, report, {(line, 6): "UE"}, None)
    assert cell(report, 0, 6) == "4"


@pytest.mark.parametrize(
    ("status", "word"),
    [
        (ReportStatus.SUBMITTED, "eingereicht"),
        (ReportStatus.APPROVED, "genehmigt"),
        (ReportStatus.CORRECTION_REQUESTED, "korrektur erbeten"),
        (ReportStatus.REJECTED, "abgelehnt"),
    ],
)
def test_a_handed_in_report_is_locked(provider, offer, assigned, status, word):
    report = draft(provider, offer)
    report.status = status
    db.session.commit()
    with pytest.raises(ServiceError, match=f"Dieser Bericht ist {word} und gesperrt."):
        services.save_grid(provider, report, {(report.lines[0].id, 6): "UE"}, None)
    with pytest.raises(ServiceError, match=f"Dieser Bericht ist {word} und gesperrt."):
        services.submit_report(provider, report, None, confirmed=True)
    assert cell(report, 0, 6) == "4"


# --- submission -----------------------------------------------------------------------------------


def test_an_incomplete_report_is_not_submitted(provider, offer, assigned, mailbox):
    report = draft(provider, offer)
    services.save_grid(provider, report, {(report.lines[0].id, 6): "?"}, None)
    with pytest.raises(ServiceError, match=re.escape("Der Bericht ist noch nicht vollständig.")):
        services.submit_report(provider, fresh(report), None, confirmed=True)
    empty = draft(provider, offer, 2025, 6)
    with pytest.raises(ServiceError, match=re.escape("Der Bericht ist noch nicht vollständig.")):
        services.submit_report(provider, empty, None, confirmed=True)
    assert_not_submitted(report, empty)
    assert delivered(mailbox).messages == []


def assert_not_submitted(*reports: ParticipationReport) -> None:
    for report in reports:
        stored = fresh(report)
        assert (stored.status, stored.document, stored.pdf_key, stored.submitted_at) == (
            ReportStatus.DRAFT,
            None,
            "",
            None,
        )
    assert audit("report_submit") == audit("report_pdf_stored") == []


def test_the_declaration_is_required(provider, offer, assigned):
    report = draft(provider, offer)
    with pytest.raises(
        ServiceError, match=re.escape("Bitte bestätigen Sie, dass die Angaben vollständig und richtig sind.")
    ) as err:
        services.submit_report(provider, report, report.version_id, confirmed=False)
    assert err.value.field == "confirm"
    assert_not_submitted(report)


def test_the_current_month_is_submitted_once_it_has_ended(provider, offer, assigned):
    report = draft(provider, offer, 2025, 11)
    with pytest.raises(
        ServiceError, match=re.escape("Den Bericht für November 2025 können Sie einreichen, sobald der Monat")
    ):
        services.submit_report(provider, report, None, confirmed=True)
    assert_not_submitted(report)


def test_a_stale_submission_is_a_conflict(provider, colleague, offer, assigned):
    report = draft(provider, offer)
    shown = report.version_id
    services.save_grid(colleague, report, {(report.lines[0].id, 6): "K"}, shown)
    with pytest.raises(ConflictError):
        services.submit_report(provider, fresh(report), shown, confirmed=True)
    assert_not_submitted(report)


def test_only_the_own_provider_submits(stranger, provider, offer, assigned):
    report = draft(provider, offer)
    with pytest.raises(ServiceError, match=re.escape("Nur der Träger des Angebots kann das tun.")):
        services.submit_report(stranger, report, None, confirmed=True)
    assert_not_submitted(report)


def test_submission_freezes_the_document_and_stores_the_pdf(
    app: Flask, provider, staff, approver, offer, assigned, mailbox
):
    report = draft(provider, offer)
    first, second = (line.id for line in report.lines)
    services.save_grid(
        provider, report, {(first, 6): "UE", (first, 7): "K", (second, 8): "3,5", (second, 9): "U"}, None
    )
    assignments.record_event(
        new_token(), provider, assigned[1], EventKind.LONG_SICKNESS, date(2025, 10, 20), "seit drei Wochen"
    )
    sheet = build_sheet(fresh(report))
    services.submit_report(provider, fresh(report), fresh(report).version_id, confirmed=True)

    report = fresh(report)
    assert (report.status, report.submitted_by_id) == (ReportStatus.SUBMITTED, provider.id)
    assert report.submitted_at == report.status_changed_at
    document = report.document
    assert document is not None
    assert document["totals"] == {
        "participants": 2,
        "days_present": sheet.days_present,
        "hours_worked": f"{sheet.hours_worked:.2f}",
        "mae_payable": f"{sheet.mae_payable:.2f}",
        "place_months": f"{sheet.totals.place_months:.2f}",
        "mkp_per_place_month": "130.00",  # the base only: the factory's 50 € material are paid on proof
        "mkp_gross": f"{sheet.totals.mkp_gross:.2f}",
        "mkp_reduction": f"{sheet.totals.mkp_reduction:.2f}",
        "mkp_claim": f"{sheet.totals.mkp_claim:.2f}",
    }
    assert (sheet.days_present, sheet.hours_worked, sheet.mae_payable) == (41, Decimal("163.5"), Decimal("245.25"))
    assert (sheet.totals.mkp_gross, sheet.totals.mkp_reduction, sheet.totals.mkp_claim) == (
        Decimal("260.00"),  # 2 × 130 €
        Decimal("4.33"),  # 1 unexcused day × 130 € ÷ 30
        Decimal("255.67"),
    )
    assert [row["totals"]["mkp_claim"] for row in document["participants"]] == ["125.67", "130.00"]
    assert document["participants"][0]["days"][5:9] == ["UE", "K", "4", "4"]
    assert [event["reason"] for event in document["events"]] == ["seit drei Wochen"]
    assert (document["report"]["version"], document["report"]["status"]) == (1, "Eingereicht")
    assert document["confirmed_by"] == provider.name

    path = storage.path_of("reports", report.pdf_key)
    assert path is not None
    stored = path.read_bytes()
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == report.pdf_sha256
    assert_outside_served_folders(app, path)
    assert len(report.pdf_key) == 32
    attached = PdfReader(BytesIO(stored)).attachments["teilnahmebericht.json"][0]
    assert json.loads(attached) == document
    [pdf_entry] = audit("report_pdf_stored", report)
    assert pdf_entry.details == f"Eingereicht, SHA-256 {report.pdf_sha256}"
    [entry] = audit("report_submit", report)
    assert entry.details == "draft → submitted (Fassung 1)"

    box = delivered(mailbox)
    for member in (staff, approver):
        [_event, message] = box.to(member.email)
        assert subject(message) == f"Teilnahmebericht eingereicht: {TITLE}, Oktober 2025"
        assert f"http://localhost/portal/berichte/{report.id}" in body(message)
    assert box.to(provider.email) == []


def test_a_decision_prints_the_new_status_on_a_new_pdf_of_the_same_document(provider, staff, offer, assigned):
    report = draft(provider, offer)
    services.submit_report(provider, report, None, confirmed=True)
    submitted_key, document = report.pdf_key, report.document
    services.decide(staff, report, "approve", "", None)
    assert report.pdf_key != submitted_key
    assert storage.path_of("reports", submitted_key) is None  # the replaced PDF is gone after the commit
    path = storage.path_of("reports", report.pdf_key)
    assert path is not None
    stored = path.read_bytes()
    assert hashlib.sha256(stored).hexdigest() == report.pdf_sha256
    reader = PdfReader(BytesIO(stored))
    approved_on = f"Genehmigt am {report.status_changed_at:%d.%m.%Y}"
    assert all(f"Stand: {approved_on}" in page.extract_text() for page in reader.pages)
    assert json.loads(reader.attachments["teilnahmebericht.json"][0]) == document  # frozen: still "Eingereicht"
    first, second = (entry.details for entry in audit("report_pdf_stored", report))
    assert first.startswith("Eingereicht, SHA-256 ")
    assert second == f"Genehmigt, SHA-256 {report.pdf_sha256}"


def assert_outside_served_folders(app: Flask, path: Path) -> None:
    resolved = path.resolve()
    storage_dir = Path(app.config["STORAGE_DIR"]).resolve()
    assert resolved.is_relative_to(storage_dir)
    for served in (app.static_folder, app.config["SITE_DIR"], Path(app.root_path) / "templates"):
        assert not resolved.is_relative_to(Path(str(served)).resolve())


def test_a_failed_rendering_leaves_the_draft_as_it_was(provider, offer, assigned, mailbox, pdf_service_down):
    report = draft(provider, offer)
    with pytest.raises(PdfRenderError, match=re.escape("Der Bericht konnte nicht als PDF erzeugt werden.")):
        services.submit_report(provider, report, report.version_id, confirmed=True)
    db.session.commit()  # whatever commits next in the same session must not hand in the report
    assert_not_submitted(report)
    assert delivered(mailbox).messages == []
    assert storage.path_of("reports", fresh(report).pdf_key) is None


# --- decisions ------------------------------------------------------------------------------------


def submitted(provider: User, offer: Offer, year: int = YEAR, month: int = MONTH) -> ParticipationReport:
    report = draft(provider, offer, year, month)
    services.submit_report(provider, report, None, confirmed=True)
    return fresh(report)


def test_no_decision_on_a_draft(staff, provider, offer, assigned):
    report = draft(provider, offer)
    for decision in ("approve", "request_correction", "reject"):
        with pytest.raises(ServiceError, match=re.escape("Das ist im Status „Entwurf“ nicht möglich.")):
            services.decide(staff, report, decision, "Grund", None)
    assert fresh(report).status is ReportStatus.DRAFT
    assert fresh(report).decided_by_id is None


def test_a_correction_keeps_version_1_and_opens_version_2(staff, provider, offer, assigned, mailbox):
    report = submitted(provider, offer)
    first_pdf = report.pdf_key
    with pytest.raises(ServiceError, match=re.escape("Bitte begründen Sie die Entscheidung für den Träger.")) as err:
        services.decide(staff, report, "request_correction", "  ", report.version_id)
    assert err.value.field == "reason"
    with pytest.raises(ServiceError, match=re.escape("Bitte wählen Sie eine Entscheidung.")):
        services.decide(staff, report, "publish", "", report.version_id)
    with pytest.raises(ServiceError, match=re.escape("Nur Beschäftigte der ARGE")):
        services.decide(provider, report, "approve", "", report.version_id)
    shown = report.version_id
    services.decide(staff, report, "request_correction", " Bitte prüfen Sie den 6. Oktober. ", shown)

    first = fresh(report)
    assert (first.status, first.decided_by_id, first.decision_reason) == (
        ReportStatus.CORRECTION_REQUESTED,
        staff.id,
        "Bitte prüfen Sie den 6. Oktober.",
    )
    # Version 1 keeps its document; its PDF is made again from it and says "Korrektur erbeten".
    assert first.document == report.document
    assert first.pdf_key != first_pdf
    path = storage.path_of("reports", first.pdf_key)
    assert path is not None
    assert "Stand: Korrektur erbeten am" in PdfReader(BytesIO(path.read_bytes())).pages[0].extract_text()
    [entry] = audit("report_request_correction", first)
    assert entry.details == "submitted → correction_requested (Fassung 1): Bitte prüfen Sie den 6. Oktober."
    [message] = delivered(mailbox).to(provider.email)
    assert subject(message) == "Teilnahmebericht Oktober 2025: Korrektur erbeten"
    assert "braucht eine Korrektur. Begründung: Bitte prüfen Sie den 6. Oktober." in body(message)
    with pytest.raises(ConflictError):
        services.decide(staff, first, "approve", "", shown)  # the form shown before the decision

    second = draft(provider, offer)
    assert (second.number, second.status) == (2, ReportStatus.DRAFT)
    assert [(line.assignment_id, line.position, line.days) for line in second.lines] == [
        (line.assignment_id, line.position, line.days) for line in first.lines
    ]
    assert (second.pdf_key, second.document) == ("", None)
    with pytest.raises(ServiceError, match=re.escape("Dieser Bericht ist korrektur erbeten und gesperrt.")):
        services.save_grid(provider, first, {(first.lines[0].id, 6): "E"}, None)
    services.save_grid(provider, second, {(second.lines[0].id, 6): "E"}, None)
    services.submit_report(provider, fresh(second), None, confirmed=True)
    second = fresh(second)
    assert second.pdf_sha256 != first.pdf_sha256
    assert second.document is not None
    assert second.document["report"]["version"] == 2
    assert fresh(report).pdf_sha256 == first.pdf_sha256  # version 1 untouched by version 2

    services.decide(staff, second, "approve", "", second.version_id)
    second = fresh(second)
    assert (second.status, second.decision_reason) == (ReportStatus.APPROVED, "")
    with pytest.raises(ServiceError, match=re.escape("Dieser Bericht ist genehmigt und gesperrt.")):
        services.save_grid(provider, second, {(second.lines[0].id, 7): "E"}, None)
    with pytest.raises(ServiceError, match=re.escape("Das ist im Status „Genehmigt“ nicht möglich.")):
        services.decide(staff, second, "reject", "Doch nicht", None)
    with pytest.raises(ServiceError, match=re.escape("Der Bericht für Oktober 2025 ist bereits eingereicht.")):
        draft(provider, offer)
    assert subject(delivered(mailbox).to(provider.email)[-1]) == "Teilnahmebericht Oktober 2025: Genehmigt"


def test_a_rejection_is_final(staff, provider, colleague, offer, assigned, mailbox):
    report = submitted(provider, offer)
    services.decide(staff, report, "reject", "Die Maßnahme hat im Oktober nicht stattgefunden.", report.version_id)
    report = fresh(report)
    assert (report.status, report.decided_by_id) == (ReportStatus.REJECTED, staff.id)
    assert count(ParticipationReport) == 1  # no new draft
    with pytest.raises(ServiceError, match=re.escape("bereits eingereicht")):
        draft(provider, offer)
    for person in (provider, colleague):
        [message] = delivered(mailbox).to(person.email)
        assert subject(message) == "Teilnahmebericht Oktober 2025: Abgelehnt"
        assert "wurde abgelehnt. Begründung: Die Maßnahme hat im Oktober nicht stattgefunden." in body(message)


# --- signed scans ---------------------------------------------------------------------------------


def test_a_draft_takes_no_scan(provider, offer, assigned):
    report = draft(provider, offer)
    with pytest.raises(ServiceError, match=re.escape("Bitte reichen Sie den Bericht zuerst ein")):
        services.store_scan(new_token(), provider, report, "scan.pdf", pdfs.clean_pdf())
    assert fresh(report).scan_key == ""


REFUSED = [
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, pdfcheck.NOT_PDF),  # a JPEG named .pdf
    (b"", pdfcheck.NOT_PDF),
    (pdfs.with_document_javascript(), pdfcheck.ACTIVE_CONTENT),
    (pdfs.hex_escaped_javascript(), pdfcheck.ACTIVE_CONTENT),
    (pdfs.with_open_action(), pdfcheck.ACTIVE_CONTENT),
    (pdfs.with_page_action(), pdfcheck.ACTIVE_CONTENT),
    (pdfs.encrypted(), pdfcheck.ENCRYPTED),
    (pdfs.with_attachment(), pdfcheck.EMBEDDED_FILES),
    (pdfs.with_xfa(), pdfcheck.MEDIA_OR_XFA),
    (pdfs.with_rich_media(), pdfcheck.MEDIA_OR_XFA),
    (pdfs.with_zip_appended(), pdfcheck.POLYGLOT),
    (b"%PDF-1.7\n" + b"kaputt " * 100, pdfcheck.BROKEN),
    (pdfs.clean_pdf(pages=201), "Die Datei hat mehr als 200 Seiten."),
]


def test_scans_are_checked_and_stored_byte_exact(app: Flask, provider, stranger, offer, assigned):
    report = submitted(provider, offer)
    for sample, reason in REFUSED:
        with pytest.raises(ServiceError) as refused:
            services.store_scan(new_token(), provider, report, "scan.pdf", sample)
        assert (refused.value.message, refused.value.field) == (reason, "scan")
    assert fresh(report).scan_key == ""
    assert audit("report_scan_stored") == []
    clean = pdfs.clean_pdf(pages=2)
    with pytest.raises(ServiceError, match=re.escape("Nur der Träger des Angebots kann das tun.")):
        services.store_scan(new_token(), stranger, report, "scan.pdf", clean)

    services.store_scan(new_token(), provider, report, "../../Unterschrift <Oktober>.PDF", clean)
    report = fresh(report)
    path = storage.path_of("scans", report.scan_key)
    assert path is not None
    assert path.read_bytes() == clean
    assert report.scan_sha256 == hashlib.sha256(clean).hexdigest()
    assert report.scan_name == "Unterschrift Oktober.PDF"
    assert report.scan_uploaded_at is not None
    assert_outside_served_folders(app, path)
    [entry] = audit("report_scan_stored", report)
    assert entry.details == f"SHA-256 {report.scan_sha256}"
    assert report.status is ReportStatus.SUBMITTED


def scan_files(app: Flask) -> set[str]:
    return {path.name for path in (Path(app.config["STORAGE_DIR"]) / "scans").glob("*")}


def test_a_scan_replaced_14_times_leaves_one_file(app: Flask, provider, offer, assigned):
    report = submitted(provider, offer)
    before = scan_files(app)
    for number in range(15):
        services.store_scan(new_token(), provider, report, f"scan {number}.pdf", pdfs.clean_pdf())
    assert scan_files(app) - before == {fresh(report).scan_key}


def test_a_replacement_rolled_back_keeps_the_old_scan_and_drops_the_new(app: Flask, provider, offer, assigned):
    report = submitted(provider, offer)
    services.store_scan(new_token(), provider, report, "erste.pdf", pdfs.clean_pdf())
    first, before = fresh(report).scan_key, scan_files(app)

    @transactional
    def replace_then_fail() -> None:
        services.store_scan(new_token(), provider, report, "zweite.pdf", pdfs.clean_pdf(2))
        assert scan_files(app) - before != set()  # the new file is written ...
        assert first in scan_files(app)  # ... the old one stays until the commit
        raise ServiceError("Abbruch")

    with pytest.raises(ServiceError, match="Abbruch"):
        replace_then_fail()
    assert (fresh(report).scan_key, scan_files(app)) == (first, before)


def test_the_scan_of_an_approved_report_is_kept(provider, staff, offer, assigned):
    report = submitted(provider, offer)
    services.decide(staff, report, "approve", "", None)
    services.store_scan(
        new_token(), provider, report, "unterschrieben.pdf", pdfs.clean_pdf()
    )  # may come after the approval
    first = fresh(report).scan_key
    with pytest.raises(ServiceError, match="kann nicht mehr ersetzt werden"):
        services.store_scan(new_token(), provider, report, "andere.pdf", pdfs.clean_pdf(pages=2))
    assert fresh(report).scan_key == first


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("bericht.pdf", "bericht.pdf"),
        ("Bericht Oktober", "Bericht Oktober.pdf"),
        ("", "unterschriebener-bericht.pdf"),
        ("<>:*?|", "unterschriebener-bericht.pdf"),
        ('a"b\r\nc.pdf', "abc.pdf"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
        ("bericht.pdf.exe", "bericht.pdf.exe.pdf"),
    ],
)
def test_download_names_are_safe(name, safe):
    assert storage.safe_download_name(name, "unterschriebener-bericht") == safe


def test_storage_refuses_unknown_areas_and_odd_keys(app):
    with pytest.raises(ValueError, match=re.escape("unknown storage area")):
        storage.store("static", b"x")
    stored = storage.store("scans", b"%PDF-1.4")
    assert [storage.path_of("scans", key) for key in ("", "../reports", stored.key.upper(), "0" * 32)] == [None] * 4
    assert storage.delete("scans", stored.key) is True
    assert storage.delete("scans", stored.key) is False
    assert not any(path.name.endswith(".partial") for path in (Path(app.config["STORAGE_DIR"]) / "scans").iterdir())
