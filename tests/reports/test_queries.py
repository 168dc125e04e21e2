"""The due and overdue months (`due_reports`), computed by the database, against a plain day-by-day reckoning.

The reference below walks every calendar day of every month of the window, so it shares no arithmetic with the
query: assignments starting or ending mid-month, gaps between assignments, corrections (a newer version of the
month decides), ended offers, offers without a live version, other providers.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.accounts.models import Organisation
from portal.assignments.models import Assignment, Participant
from portal.extensions import db
from portal.offers.models import Offer, OfferState, VersionStatus
from portal.reports import calc
from portal.reports.models import REPORT_STATUS_LABELS, ParticipationReport, ReportStatus
from portal.reports.queries import DONE, DUE_WINDOW_MONTHS, DueReport, due_reports, recent_months
from tests.factories import Factories

START, END = date(2025, 1, 1), date(2026, 12, 31)  # the offers' period, around every window below


def assign(offer: Offer, first: date, last: date) -> None:
    participant = Participant(
        organisation_id=offer.organisation_id, customer_number=f"{offer.id:03d}A{first.toordinal():06d}", initials="A."
    )
    db.session.add(participant)
    db.session.flush()
    values = {"weekly_hours": Decimal(20), "mae_rate": Decimal("1.50")}
    db.session.add(
        Assignment(offer_id=offer.id, participant_id=participant.id, start_date=first, end_date=last, **values)
    )
    db.session.flush()


def report(offer: Offer, year: int, month: int, *statuses: ReportStatus) -> None:
    """The month's versions 1, 2 … with these statuses (the last is the newest)."""
    for number, status in enumerate(statuses, start=1):
        db.session.add(ParticipationReport(offer_id=offer.id, year=year, month=month, number=number, status=status))
    db.session.flush()


def offer_of(factories: Factories, organisation: Organisation, title: str, live: bool = True) -> Offer:
    status = VersionStatus.APPROVED if live else VersionStatus.SUBMITTED
    return factories.offer(organisation, status=status, title=title, start_date=START, end_date=END)


@pytest.fixture
def organisations(factories: Factories) -> tuple[Organisation, Organisation]:
    """Two providers with offers of every shape that matters to the due list."""
    own, other = factories.organisation(name="Alpha e. V."), factories.organisation(name="Beta gGmbH")
    gaps = offer_of(factories, own, "Lücken")
    assign(gaps, date(2025, 3, 15), date(2025, 8, 10))  # starts and ends mid-month
    assign(gaps, date(2025, 10, 31), date(2025, 11, 1))  # one day at the end of one month and one at the start
    assign(gaps, date(2026, 2, 1), date(2026, 2, 28))  # a whole month after a gap (December, January)
    assign(gaps, date(2025, 9, 20), date(2025, 9, 19))  # ends before it starts: no day at all
    report(gaps, 2025, 4, ReportStatus.DRAFT)
    report(gaps, 2025, 5, ReportStatus.SUBMITTED)
    report(gaps, 2025, 6, ReportStatus.CORRECTION_REQUESTED, ReportStatus.DRAFT)
    report(gaps, 2025, 7, ReportStatus.CORRECTION_REQUESTED, ReportStatus.SUBMITTED)
    report(gaps, 2025, 8, ReportStatus.REJECTED)
    report(gaps, 2025, 10, ReportStatus.APPROVED)
    report(gaps, 2025, 11, ReportStatus.CORRECTION_REQUESTED)
    report(gaps, 2026, 1, ReportStatus.DRAFT)  # a report of a month without participants: not due
    ended = offer_of(factories, own, "Beendet")
    ended.state = OfferState.ENDED
    assign(ended, date(2025, 2, 3), date(2025, 12, 12))
    report(ended, 2025, 9, ReportStatus.APPROVED)
    outside = offer_of(factories, own, "Außerhalb")
    assign(outside, date(2024, 1, 1), date(2024, 6, 30))
    not_live = offer_of(factories, own, "Nicht genehmigt", live=False)
    assign(not_live, date(2025, 7, 1), date(2025, 7, 1))
    others = offer_of(factories, other, "Fremd")
    assign(others, date(2025, 1, 1), date(2026, 12, 31))
    report(others, 2025, 12, ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.APPROVED)
    offer_of(factories, own, "Ohne Teilnehmende")
    return own, other


def reckoned(today: date, organisation_id: int | None) -> set[DueReport]:
    """The due months as the rules say, day by day and version by version."""
    months = recent_months(today, DUE_WINDOW_MONTHS)
    offers = [item for item in db.session.scalars(select(Offer)) if organisation_id in (None, item.organisation_id)]
    found = (reckoned_month(offer, year, month, today) for offer in offers for year, month in months)
    return {due for due in found if due is not None}


def reckoned_month(offer: Offer, year: int, month: int, today: date) -> DueReport | None:
    if not assigned_on_a_day(offer, year, month):
        return None
    versions = db.session.scalars(select(ParticipationReport).filter_by(offer_id=offer.id, year=year, month=month))
    newest = max(versions, key=lambda version: version.id, default=None)
    if newest is not None and newest.status in DONE:
        return None
    return DueReport(
        offer_id=offer.id,
        organisation_id=offer.organisation_id,
        organisation_name=offer.organisation.name,
        offer_title=offer.live_version.title if offer.live_version else "",
        year=year,
        month=month,
        due_date=calc.due_date(year, month),
        overdue=today > calc.due_date(year, month),
        report_id=newest.id if newest else None,
        status_label=REPORT_STATUS_LABELS[newest.status] if newest else "Noch nicht begonnen",
    )


def assigned_on_a_day(offer: Offer, year: int, month: int) -> bool:
    periods = [
        (item.start_date, item.end_date) for item in db.session.scalars(select(Assignment).filter_by(offer=offer))
    ]
    days = [date(year, month, 1) + timedelta(days=n) for n in range(calc.days_in_month(year, month))]
    return any(first <= day <= last for day in days for first, last in periods)


TODAYS = [date(2025, 12, 10), date(2025, 12, 11), date(2026, 1, 5), date(2026, 3, 31), date(2026, 11, 30)]


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_due_months_follow_the_rules(organisations: tuple[Organisation, Organisation], today: date) -> None:
    own, other = organisations
    for organisation_id in (own.id, other.id, None):
        due = due_reports(today, organisation_id)
        assert len(due) == len(set(due))
        assert set(due) == reckoned(today, organisation_id)
        order = [(item.due_date, item.organisation_name, item.offer_title) for item in due]
        assert order == sorted(order)


def test_due_months_in_detail(organisations: tuple[Organisation, Organisation]) -> None:
    own, _ = organisations
    due = due_reports(date(2025, 12, 11), own.id)
    gaps = {item.month_label: item for item in due if item.offer_title == "Lücken"}
    assert {label: item.status_label for label, item in gaps.items()} == {
        "März 2025": "Noch nicht begonnen",  # assigned from the 15th
        "April 2025": "Entwurf",
        "Juni 2025": "Entwurf",  # the correction's second version
        "November 2025": "Korrektur erbeten",  # assigned on the 1st only
    }
    june = db.session.scalars(select(ParticipationReport).filter_by(year=2025, month=6, number=2)).one()
    assert gaps["Juni 2025"].report_id == june.id
    assert gaps["November 2025"].overdue
    assert not due_reports(date(2025, 12, 10), own.id)[-1].overdue  # November, due on the 10th
    ended = [item.month_label for item in due if item.offer_title == "Beendet"]
    assert ended == [f"{month} 2025" for month in ("Februar", "März", "April", "Mai", "Juni", "Juli", "August")] + [
        "Oktober 2025",  # September is approved
        "November 2025",  # the offer has ended, but November had participants
    ]
    assert [item.month_label for item in due if item.offer_title == ""] == ["Juli 2025"]  # no live version
