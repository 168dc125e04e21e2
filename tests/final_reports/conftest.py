"""Fixtures of the final report tests: the clock of the report tests (20 November 2025), a provider whose offer ran
from 1 July to 31 October 2025 with participants who entered, left for every reason or never started, and staff."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine

from portal.accounts.models import User
from portal.assignments import services as assignments
from portal.assignments.models import Assignment, AssignmentStatus, EventKind
from portal.offers.models import Offer
from portal.submissions import new_token
from tests.factories import Factories
from tests.reports.helpers import NOW

ENDED_ON = date(2025, 10, 31)


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
def ended_offer(factories: Factories, provider: User) -> Offer:
    """A live AGH offer from 1 July to 31 October 2025 (over at the clock's day): its final report is writable and
    due on 31 December 2025."""
    return factories.live_offer(provider.organisation, end_date=ENDED_ON)


def _exit(provider: User, assignment: Assignment, kind: EventKind, day: date) -> Assignment:
    assignments.record_event(new_token(), provider, assignment, kind, day, "Grund")
    return assignment


@pytest.fixture
def people(factories: Factories, provider: User, staff: User, ended_offer: Offer) -> dict[str, Assignment]:
    """Six assignments from 1 July 2025: one ended at its planned end, one dropped out on 15 September, one took up a
    job on 1 October and one a training on 31 October; one answered "nicht angetreten" (planned from 1 August) and
    one a non-entry event on 1 July after the provider had accepted. So: 4 entries, 2 non-entries, 4 exits (1 regular,
    1 drop-out, 1 job, 1 training), 2 integrations (50,0 % of the exits), 4 participants."""
    made = {
        "regular": factories.assignment(ended_offer, status=AssignmentStatus.ENDED, created_by_id=staff.id),
        "not_started": factories.assignment(
            ended_offer, status=AssignmentStatus.NOT_STARTED, start_date=date(2025, 8, 1)
        ),
    }
    for name, kind, day in (
        ("drop_out", EventKind.DROP_OUT, date(2025, 9, 15)),
        ("job", EventKind.JOB, date(2025, 10, 1)),
        ("training", EventKind.TRAINING, ENDED_ON),
        ("non_entry", EventKind.NON_ENTRY, date(2025, 7, 1)),
    ):
        made[name] = _exit(provider, factories.assignment(ended_offer, created_by_id=staff.id), kind, day)
    return made
