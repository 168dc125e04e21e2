"""Budget actuals: released money beside the commitments, and an offer ending early giving back the rest of its
commitment (hand-computed figures)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from portal.accounts.models import Role
from portal.budget.models import Commitment
from portal.budget.services import kept_after_end, overview
from portal.extensions import db
from portal.offers.services import end_offer
from tests.accounts.helpers import audit
from tests.budget.helpers import committed_offer, release

START, END = date(2026, 1, 1), date(2026, 12, 31)


def commitments(offer_id: int) -> dict[int, Decimal]:
    query = select(Commitment.year, Commitment.amount).where(Commitment.offer_id == offer_id)
    return dict(db.session.execute(query).all())


@pytest.mark.parametrize(
    ("released", "ended_on", "kept"),
    [
        # 12.000 € for twelve months: 1.000 € a month; three months ran
        (Decimal(0), date(2026, 3, 31), Decimal("3000.00")),
        (Decimal("2500.00"), date(2026, 3, 31), Decimal("3000.00")),
        # more already released than the months ran: the released money stays bound
        (Decimal("3500.00"), date(2026, 3, 31), Decimal("3500.00")),
        # settlements released more than the estimate: the commitment rises to it (released ≤ committed)
        (Decimal("12500.00"), date(2026, 3, 31), Decimal("12500.00")),
        # January and 15 of February's 28 days: 1.000 + 535,714… = 1.535,71 €
        (Decimal(0), date(2026, 2, 15), Decimal("1535.71")),
        # ended on the last day or later: nothing to give back
        (Decimal(0), date(2026, 12, 31), Decimal("12000.00")),
        (Decimal(0), date(2027, 2, 1), Decimal("12000.00")),
        # ended before it began: nothing stays bound
        (Decimal(0), date(2025, 12, 1), Decimal("0.00")),
    ],
)
def test_kept_after_end(released, ended_on, kept):
    assert kept_after_end(Decimal("12000.00"), released, 2026, START, END, ended_on) == kept


def test_kept_after_end_over_two_years():
    """1 July 2026 to 30 June 2027, 6.000 € in each year, ended on 30 September 2026: three of 2026's six months
    stay bound (3.000 €), 2027 is given back entirely."""
    start, end, ended_on = date(2026, 7, 1), date(2027, 6, 30), date(2026, 9, 30)
    assert kept_after_end(Decimal(6000), Decimal(0), 2026, start, end, ended_on) == Decimal("3000.00")
    assert kept_after_end(Decimal(6000), Decimal(0), 2027, start, end, ended_on) == Decimal("0.00")


def test_ending_an_offer_early_gives_back_the_rest(factories, provider):
    """Ended on 31 March 2026 with 2.500 € released: 3.000 € of 12.000 € stay committed; the budget of 100.000 €
    has 97.000 € free again."""
    factories.budget(2026, 100_000)
    admin = factories.user(Role.ADMIN)
    offer = committed_offer(factories, admin, {2026: 12_000}, provider.organisation)
    release(offer, 2026, 1, 1000)
    release(offer, 2026, 2, 1500)
    assert overview()[0].remaining == Decimal("88000.00")
    with time_machine.travel(date(2026, 3, 31)):
        end_offer(provider, offer, offer.version_id)
    assert commitments(offer.id) == {2026: Decimal("3000.00")}
    (row,) = overview()
    assert (row.total, row.committed, row.released, row.bound) == (
        Decimal("100000.00"),
        Decimal("3000.00"),
        Decimal("2500.00"),
        Decimal("500.00"),
    )
    assert row.remaining == row.total - row.committed == Decimal("97000.00")
    assert row.released <= row.committed
    (entry,) = audit("budget_released")
    assert entry.details == "beendet am 31.03.2026; 2026: 12.000,00 € → 3.000,00 €"


def test_ending_keeps_what_settlements_released(factories, provider):
    """Ended on 31 January 2026 (1.000 € of the months ran) with 1.800 € released: 1.800 € stay committed."""
    offer = committed_offer(factories, factories.user(Role.ADMIN), {2026: 12_000}, provider.organisation)
    release(offer, 2026, 1, 1800)
    with time_machine.travel(date(2026, 1, 31)):
        end_offer(provider, offer, offer.version_id)
    assert commitments(offer.id) == {2026: Decimal("1800.00")}
    (row,) = overview()
    assert row.released == row.committed == Decimal("1800.00")


def test_ending_on_the_last_day_changes_nothing(factories, provider):
    offer = committed_offer(factories, factories.user(Role.ADMIN), {2026: 12_000}, provider.organisation)
    with time_machine.travel(date(2026, 12, 31)):
        end_offer(provider, offer, offer.version_id)
    assert commitments(offer.id) == {2026: Decimal("12000.00")}
    assert audit("budget_released") == []


def test_the_provider_ends_an_offer_on_its_page_and_the_budget_page_shows_it(factories, browser, provider, staff):
    """The end button of the offer page, on 30 June 2026: six of twelve months ran, 6.000 € of 12.000 € stay."""
    factories.budget(2026, 50_000)
    offer = committed_offer(factories, factories.user(Role.ADMIN), {2026: 12_000}, provider.organisation)
    with time_machine.travel(date(2026, 6, 30)):
        client = browser(provider)
        response = client.post(f"/portal/angebote/{offer.id}/beenden", data={"version_id": str(offer.version_id)})
        assert response.status_code == 302
    assert commitments(offer.id) == {2026: Decimal("6000.00")}
    page = browser(staff).get("/portal/budget/2026").get_data(as_text=True)
    assert "44.000,00 €" in page  # free: 50.000 − 6.000
    assert "Beendet" in page
