"""Queries per page (issue 7, item 4): the number of SQL statements a page sends does not grow with the data.

Each test counts the statements of one request to a page, adds more of what the page lists or reads (offers in
the queue, offers of the provider, entries in the offer's history, participants of the report, and unrelated rows
of other organisations), and counts again. Counting, not timing: this runs in `make test`; the timings are in
bench/ (`make bench`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from portal.accounts.models import Role, User
from portal.assignments.models import AssignmentStatus
from portal.audit.services import record
from portal.extensions import db
from portal.final_reports.models import Attendance, Recommendation, Reliability, ReportKind
from portal.final_reports.services import AssessmentInput, submit_assessment
from portal.final_reports.services import start_report as start_final_report
from portal.offers.models import Offer, VersionStatus
from portal.reports.models import ParticipationReport
from portal.reports.services import start_report
from tests.budget.helpers import committed_offer, release
from tests.factories import Factories

SignedIn = Callable[[User], FlaskClient]


@contextmanager
def counting() -> Iterator[list[str]]:
    """Collects the SQL statements sent while the block runs."""
    statements: list[str] = []

    def collect(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    assert db.engine is not None
    event.listen(db.engine, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", collect)


def statements_of(client: FlaskClient, path: str) -> int:
    """The statements of one GET of the page (after a first GET, which may warm caches)."""
    db.session.commit()  # the requests run with sessions of their own (see `signed_in`)
    client.get(path)
    with counting() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.fixture
def signed_in(make_app, login) -> SignedIn:
    """A browser in which `user` is signed in, on an app of its own: as in production, every request starts with a
    fresh database session, so nothing is counted as cached that a real request would have to load."""

    def open_as(user: User) -> FlaskClient:
        db.session.commit()
        client = make_app().test_client()
        login(user, test_client=client)
        return client

    return open_as


def other_organisations(factories: Factories, count: int) -> None:
    """Data that the page must not read: offers of other providers, live and waiting."""
    for _ in range(count):
        organisation = factories.organisation()
        factories.live_offer(organisation)
        factories.offer(organisation, status=VersionStatus.SUBMITTED)


def test_the_login_form_sends_no_statement(app, make_app) -> None:
    assert statements_of(make_app().test_client(), "/portal/anmelden") == 0


def test_review_queue(factories: Factories, signed_in: SignedIn) -> None:
    staff = factories.staff()
    factories.offer(status=VersionStatus.SUBMITTED)
    browser = signed_in(staff)
    small = statements_of(browser, "/portal/pruefung/")
    for status in (VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW, VersionStatus.FIRST_APPROVED) * 4:
        offer = factories.offer(status=status)
        offer.current.assigned_to_id = staff.id if status != VersionStatus.SUBMITTED else None
    other_organisations(factories, 3)
    assert statements_of(browser, "/portal/pruefung/") == small


@pytest.mark.parametrize("path", ["/portal/", "/portal/angebote/"])
def test_provider_start_pages(factories: Factories, signed_in: SignedIn, path: str) -> None:
    provider = factories.provider()
    factories.assignment(factories.live_offer(provider.organisation))
    factories.offer(provider.organisation, status=VersionStatus.SUBMITTED)
    browser = signed_in(provider)
    small = statements_of(browser, path)
    for _ in range(6):
        offer = factories.live_offer(provider.organisation)
        factories.assignment(offer)
        factories.offer(provider.organisation, status=VersionStatus.SUBMITTED)
    other_organisations(factories, 3)
    assert statements_of(browser, path) == small


@pytest.mark.parametrize("path", ["/portal/", f"/portal/budget/{date.today().year}"])
def test_staff_overview_and_budget_actuals(factories: Factories, signed_in: SignedIn, path: str) -> None:
    approver = factories.user(Role.APPROVER)
    factories.budget(date.today().year, 1_000_000)
    committed_offer(factories, approver, {date.today().year: 1000}, start_date=date.today())
    browser = signed_in(approver)
    small = statements_of(browser, path)
    for month in range(1, 4):
        offer = committed_offer(factories, approver, {date.today().year: 2000}, start_date=date.today())
        factories.assignment(offer)
        release(offer, date.today().year, month, 500)
    other_organisations(factories, 3)
    assert statements_of(browser, path) == small


def test_offer_detail(factories: Factories, signed_in: SignedIn) -> None:
    provider = factories.provider()
    offer = factories.live_offer(provider.organisation)
    browser = signed_in(provider)
    small = statements_of(browser, f"/portal/angebote/{offer.id}")
    for action in ("offer_submit", "offer_take", "offer_approve", "offer_occupancy") * 3:
        record(action, actor=provider, obj=offer, details="mehr Verlauf")
    for _ in range(3):
        factories.assignment(offer)
    other_organisations(factories, 3)
    assert statements_of(browser, f"/portal/angebote/{offer.id}") == small


def last_month() -> tuple[int, int]:
    first = date.today().replace(day=1)
    return (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)


def report_with(factories: Factories, provider: User, offer: Offer, participants: int) -> ParticipationReport:
    """Last month's report of the offer, with a line for each of `participants` new assignments."""
    for _ in range(participants):
        factories.assignment(offer)
    return start_report(provider, offer, *last_month())


def test_report_grid_of_a_larger_database(factories: Factories, signed_in: SignedIn) -> None:
    provider = factories.provider()
    report = report_with(factories, provider, factories.live_offer(provider.organisation), 2)
    browser = signed_in(provider)
    small = statements_of(browser, f"/portal/berichte/{report.id}")
    for _ in range(3):
        report_with(factories, provider, factories.live_offer(provider.organisation), 3)
    other_organisations(factories, 3)
    assert statements_of(browser, f"/portal/berichte/{report.id}") == small


def test_report_grid_with_more_participants(factories: Factories, signed_in: SignedIn) -> None:
    provider = factories.provider()
    small_report = report_with(factories, provider, factories.live_offer(provider.organisation), 2)
    large_report = report_with(factories, provider, factories.live_offer(provider.organisation), 12)
    browser = signed_in(provider)
    small = statements_of(browser, f"/portal/berichte/{small_report.id}")
    assert statements_of(browser, f"/portal/berichte/{large_report.id}") == small


def ended_offer_with_reports(factories: Factories, provider: User) -> None:
    """An offer whose year ended two months ago, its final report begun, one assignment assessed, one not."""
    offer = factories.live_offer(provider.organisation, months_ago=14)
    start_final_report(provider, offer, ReportKind.FINAL, offer.current.end_date)
    assessed = factories.assignment(offer, status=AssignmentStatus.ENDED)
    factories.assignment(offer, status=AssignmentStatus.ENDED)
    good = AssessmentInput(Attendance.RELIABLE, Reliability.HIGH, "Sorgfältig", Recommendation.WORK)
    submit_assessment(provider, assessed, good)


@pytest.mark.parametrize("role", ["provider", "staff"])
def test_final_reports_and_assessments(factories: Factories, signed_in: SignedIn, role: str) -> None:
    provider = factories.provider()
    ended_offer_with_reports(factories, provider)
    factories.live_offer(provider.organisation, months_ago=13)  # due, not begun
    browser = signed_in(provider if role == "provider" else factories.staff())
    small = statements_of(browser, "/portal/sachberichte")
    for _ in range(4):
        ended_offer_with_reports(factories, provider)
        factories.live_offer(provider.organisation, months_ago=13)
    other_organisations(factories, 3)
    assert statements_of(browser, "/portal/sachberichte") == small
