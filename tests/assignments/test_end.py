"""`portal assignments end [--today]`: an active assignment whose planned period is over becomes "ended"."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.assignments import queries, services
from portal.assignments.models import Assignment, AssignmentStatus, EventKind
from portal.audit.models import AuditEntry
from portal.errors import ServiceError
from portal.extensions import db
from portal.offers.models import Offer
from portal.submissions import new_token
from tests.factories import Factories

DAY = date(2026, 7, 1)


def run(app, day: date):
    return app.test_cli_runner().invoke(args=["assignments", "end", "--today", f"{day:%Y-%m-%d}"])


def ended_entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "assignment_end")))


def test_an_active_assignment_ends_the_day_after_its_planned_end(app, factories: Factories, green: Offer) -> None:
    over = factories.assignment(green, end_date=date(2026, 6, 30))
    last_day_today = factories.assignment(green, end_date=DAY)
    unanswered = factories.assignment(green, end_date=date(2026, 6, 30), status=AssignmentStatus.PROPOSED)

    result = run(app, DAY)

    assert result.exit_code == 0, result.output
    assert result.output == "1 Zuweisung(en) beendet, deren Zeitraum abgelaufen ist.\n"
    db.session.expire_all()
    assert [over.status, last_day_today.status, unanswered.status] == [
        AssignmentStatus.ENDED,
        AssignmentStatus.ACTIVE,
        AssignmentStatus.PROPOSED,
    ]
    assert over.end_date == date(2026, 6, 30)  # the period stays as it was
    [entry] = ended_entries()
    assert (entry.object_id, entry.actor_email) == (str(over.id), "cli")
    assert entry.details == "active → ended: geplantes Ende am 30.06.2026"


def test_a_second_run_ends_nothing_more(app, factories: Factories, green: Offer) -> None:
    factories.assignment(green, end_date=date(2026, 6, 30))
    run(app, DAY)
    assert run(app, DAY).output.startswith("0 Zuweisung(en) beendet")
    assert len(ended_entries()) == 1


def test_no_event_on_an_ended_assignment_and_its_place_stays_filled_in_its_period(
    factories: Factories, green: Offer
) -> None:
    provider = factories.user(organisation=green.organisation)
    over = factories.assignment(green, end_date=date(2026, 6, 30))
    assert services.end_due(DAY) == 1
    with pytest.raises(ServiceError, match="nur zu angetretenen Zuweisungen"):
        services.record_event(new_token(), provider, over, EventKind.DROP_OUT, date(2026, 6, 30), "Umzug")
    occupied = queries.occupied_places([green.id], date(2026, 6, 30))
    assert occupied.of_offer(green.id) == 1
    assert db.session.get(Assignment, over.id).status is AssignmentStatus.ENDED
