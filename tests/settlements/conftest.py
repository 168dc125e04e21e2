"""Fixtures of the settlement tests: the clock of the report tests (20 November 2025), a provider with a live offer
whose October 2025 report is approved, staff and approvers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from portal.accounts.models import Role, User
from portal.offers.models import Offer
from portal.reports import services as reports
from portal.reports.models import ParticipationReport
from tests.factories import Factories
from tests.reports.helpers import MONTH, NOW, YEAR, draft


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def provider(factories: Factories, clock: time_machine.Traveller) -> User:
    return factories.provider(name="Paula Pflug")


@pytest.fixture
def stranger(factories: Factories, clock: time_machine.Traveller) -> User:
    """A user of another provider organisation."""
    return factories.provider(name="Berta Fremd")


@pytest.fixture
def staff(factories: Factories, clock: time_machine.Traveller) -> User:
    return factories.staff(name="Sachbearbeiterin Stein")


@pytest.fixture
def approver(factories: Factories, clock: time_machine.Traveller) -> User:
    return factories.user(Role.APPROVER, name="Teamleiter Berg")


@pytest.fixture
def other_approver(factories: Factories, clock: time_machine.Traveller) -> User:
    return factories.user(Role.APPROVER, name="Teamleiterin Tal")


@pytest.fixture
def offer(factories: Factories, provider: User) -> Offer:
    """A live AGH offer from July 2025 (MKP base 130 €, material 50 € per place and month, no social work), with
    two participants for the whole offer, 20 hours a week at 1,50 € an hour."""
    made = factories.live_offer(provider.organisation)
    factories.assignment(made)
    factories.assignment(made)
    return made


def approve(provider: User, staff: User, offer: Offer, year: int = YEAR, month: int = MONTH) -> ParticipationReport:
    """The month's report, every workday present, submitted and approved."""
    report = draft(provider, offer, year, month)
    reports.submit_report(provider, report, None, confirmed=True)
    reports.decide(staff, report, "approve", "", None)
    return report


@pytest.fixture
def approved(provider: User, staff: User, offer: Offer) -> ParticipationReport:
    """October 2025 approved: 22 workdays (23 weekdays less 3 October) × 4 h = 88 h × 1,50 € = 132 € MAE for each of
    the two; two full places × 130 € = 260 € MKP base; 2 place-months."""
    return approve(provider, staff, offer)
