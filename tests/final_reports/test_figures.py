"""The figures of a report (`portal.final_reports.figures`, `queries.figures_of`), counted by hand from fixtures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.accounts.models import User
from portal.assignments.models import Assignment, AssignmentStatus, EventKind
from portal.final_reports import figures
from portal.final_reports.figures import SettledLine, Stay, count_people, months_of, sum_money
from portal.final_reports.queries import figures_of
from portal.offers.models import Offer
from portal.reports import services as reports
from portal.settlements import services as settlements
from portal.submissions import new_token
from tests.factories import Factories
from tests.reports.helpers import draft

JULY, OCTOBER_END = date(2025, 7, 1), date(2025, 10, 31)


def test_people_over_the_whole_offer(ended_offer: Offer, people: dict[str, Assignment]) -> None:
    counted = figures_of(ended_offer, JULY, OCTOBER_END).people
    assert (counted.participants, counted.entries, counted.non_entries) == (4, 4, 2)
    assert counted.exits == {"regular": 1, "drop_out": 1, "job": 1, "training": 1}
    assert (counted.exits_total, counted.integrations, counted.integration_rate) == (4, 2, Decimal("50.0"))


def test_people_of_a_part_of_the_period(ended_offer: Offer, people: dict[str, Assignment]) -> None:
    """September: everyone entered in July; the drop-out on 15 September is its one exit. The non-entries were in
    July and August. The participants are the four who entered (the job ended on 1 October)."""
    counted = figures_of(ended_offer, date(2025, 9, 1), date(2025, 9, 30)).people
    assert (counted.participants, counted.entries, counted.non_entries) == (4, 0, 0)
    assert counted.exits == {"regular": 0, "drop_out": 1, "job": 0, "training": 0}
    assert (counted.integrations, counted.integration_rate) == (0, Decimal("0.0"))


def test_the_integration_rate_rounds_half_up_and_is_none_without_exits() -> None:
    day = date(2025, 7, 1)
    stays = [
        Stay(AssignmentStatus.ENDED, day, day, EventKind.JOB, day),
        Stay(AssignmentStatus.ENDED, day, day, EventKind.DROP_OUT, day),
        Stay(AssignmentStatus.ENDED, day, day),
    ]
    assert count_people(stays, day, day).integration_rate == Decimal("33.3")  # 1 of 3
    assert count_people(stays[:0], day, day).integration_rate is None
    two_of_three = [stays[0], Stay(AssignmentStatus.ENDED, day, day, EventKind.TRAINING, day), stays[2]]
    assert count_people(two_of_three, day, day).integration_rate == Decimal("66.7")


def test_money_counts_claimed_once_submitted_and_released_once_released() -> None:
    amounts = {"mae_refund": Decimal("132.00"), "mkp_base": Decimal("130.00")} | {
        "material_claim": Decimal("20.50"),
        "social_work_claim": Decimal(0),
    }
    found = sum_money(
        [
            SettledLine(amounts, claimed=True, released=True),
            SettledLine(amounts, claimed=True, released=False),
            SettledLine(amounts, claimed=False, released=False),  # a draft
        ]
    )
    assert found.claimed["mae_refund"] == Decimal("264.00")
    assert found.released["material_claim"] == Decimal("20.50")
    assert (found.claimed_total, found.released_total) == (Decimal("565.00"), Decimal("282.50"))


def test_months_of_a_period() -> None:
    assert months_of(date(2025, 11, 15), date(2026, 2, 1)) == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]


def test_place_months_and_money_from_approved_reports_and_settlements(
    factories: Factories, provider: User, staff: User
) -> None:
    """Two participants, 20 hours a week at 1,50 €, for the whole offer from July 2025; October approved: 22 workdays
    × 4 h = 88 h × 1,50 € = 132 € MAE each, 2 places × 130 € = 260 € MKP, 2 place-months. Claimed once submitted
    (264 € + 260 € = 524 €), released once released."""
    offer = factories.live_offer(provider.organisation)
    factories.assignment(offer)
    factories.assignment(offer)
    report = draft(provider, offer)
    reports.submit_report(provider, report, None, confirmed=True)
    reports.decide(staff, report, "approve", "", None)
    settlement = settlements.start_settlement(new_token(), provider, 2025, 10)
    settlements.confirm_payout(provider, settlement, "", None, None)
    before = figures_of(offer, JULY, OCTOBER_END)
    assert (before.place_months, before.months_reported, before.months_total) == (Decimal("2.00"), 1, 4)
    assert before.money.claimed_total == Decimal(0)  # a draft is not claimed yet
    settlements.submit(provider, settlement, None)
    claimed = figures_of(offer, JULY, OCTOBER_END).money
    assert (claimed.claimed["mae_refund"], claimed.claimed["mkp_base"]) == (Decimal("264.00"), Decimal("260.00"))
    assert (claimed.claimed_total, claimed.released_total) == (Decimal("524.00"), Decimal(0))
    settlements.take_into_check(staff, settlement)
    settlements.release(staff, settlement, None)
    released = figures_of(offer, JULY, OCTOBER_END).money
    assert released.released == {
        "mae_refund": Decimal("264.00"),
        "mkp_base": Decimal("260.00"),
        "material_claim": Decimal("0.00"),
        "social_work_claim": Decimal("0.00"),
    }
    assert figures_of(offer, date(2025, 11, 1), date(2025, 11, 30)).money.claimed_total == Decimal(0)
    assert tuple(released.released) == figures.MONEY_PARTS
