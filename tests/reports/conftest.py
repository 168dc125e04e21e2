"""Fixtures of the report tests: a fixed "today" (see tests/reports/helpers.py), people, a live offer with
participants, the PDF service gone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from portal.accounts.models import Role, User
from portal.assignments.models import Assignment
from portal.offers.models import Offer
from portal.reports import pdf, services
from portal.reports.models import ParticipationReport
from tests.factories import Factories
from tests.reports.helpers import NOW, OFFER_END, OFFER_START, draft, fresh


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def provider(factories: Factories, clock: time_machine.Traveller) -> User:
    return factories.provider(name="Paula Pflug")


@pytest.fixture
def colleague(factories: Factories, provider: User) -> User:
    """A second user of provider A's organisation."""
    return factories.provider(organisation=provider.organisation, name="Karl Kollege")


@pytest.fixture
def stranger(factories: Factories, clock: time_machine.Traveller) -> User:
    """A user of another provider organisation (provider B)."""
    return factories.provider(name="Berta Fremd")


@pytest.fixture
def staff(factories: Factories, clock: time_machine.Traveller) -> User:
    return factories.staff(name="Sachbearbeiterin Stein")


@pytest.fixture
def approver(factories: Factories, clock: time_machine.Traveller) -> User:
    return factories.user(Role.APPROVER, name="Teamleiter Berg")


@pytest.fixture
def pdf_service_down() -> Iterator[None]:
    """The PDF workers are gone (their pool is closed): every rendering fails until a new pool is made."""
    pdf.default_pool().close()
    yield
    pdf.close_default_pool()


@pytest.fixture
def offer(factories: Factories, provider: User) -> Offer:
    """Provider A's live AGH offer from 1 July 2025 to 30 June 2026 (MKP 180 € a place and month)."""
    made = factories.live_offer(provider.organisation)
    assert made.live_version is not None
    assert (made.live_version.start_date, made.live_version.end_date) == (OFFER_START, OFFER_END)
    return made


@pytest.fixture
def assigned(factories: Factories, offer: Offer) -> list[Assignment]:
    """Two participants for the whole offer, 20 hours a week (4 hours a day) at 1,50 € an hour."""
    return [factories.assignment(offer), factories.assignment(offer)]


@pytest.fixture
def handed_in(provider: User, offer: Offer, assigned: list[Assignment]) -> ParticipationReport:
    """Provider A's report of the month, submitted: it waits for the signed scan."""
    report = draft(provider, offer)
    services.submit_report(provider, report, None, confirmed=True)
    return fresh(report)
