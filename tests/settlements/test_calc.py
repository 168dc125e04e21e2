"""The money rules of a settlement, each with a figure computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.settlements.calc import due_date, proof_cap, proof_claim

D = Decimal


def test_the_cap_is_the_rate_per_place_month_times_the_place_months() -> None:
    # 100 € material per place-month, 7.52 place-months (7 full places and one for 16 of 31 days: 0.516 → 0.52)
    assert proof_cap(D(100), D("7.52")) == D("752.00")
    # 160 € social work for 0.33 place-months: 52.80 €
    assert proof_cap(D(160), D("0.33")) == D("52.80")


def test_receipts_below_the_cap_are_paid_in_full() -> None:
    # 120.50 + 79.49 = 199.99 € of receipts, cap 100 € × 3 place-months = 300 €
    assert proof_claim([D("120.50"), D("79.49")], D(0), D(100), D(3)) == D("199.99")


def test_receipts_above_the_cap_are_paid_up_to_the_cap() -> None:
    # 250 + 180 = 430 € of receipts, cap 100 € × 3.5 place-months = 350 €
    assert proof_claim([D(250), D(180)], D(0), D(100), D("3.5")) == D("350.00")


def test_third_party_funds_are_deducted_before_the_cap() -> None:
    # 430 € of receipts less 200 € from a foundation = 230 €, below the cap of 350 €
    assert proof_claim([D(250), D(180)], D(200), D(100), D("3.5")) == D("230.00")
    # 430 € less 50 € = 380 €, above the cap: 350 €
    assert proof_claim([D(250), D(180)], D(50), D(100), D("3.5")) == D("350.00")


def test_third_party_funds_above_the_costs_leave_nothing_and_never_a_negative_claim() -> None:
    assert proof_claim([D(80)], D(120), D(100), D(2)) == D("0.00")


def test_no_receipts_no_claim_and_no_places_no_claim() -> None:
    assert proof_claim([], D(0), D(100), D(2)) == D("0.00")
    assert proof_claim([D(90)], D(0), D(100), D(0)) == D("0.00")  # a month with only a non-entry fills no place


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        proof_claim([D(-1)], D(0), D(100), D(1))
    with pytest.raises(ValueError, match="negative"):
        proof_cap(D(100), D(-1))


@pytest.mark.parametrize(
    ("year", "month", "due"),
    [(2026, 11, date(2026, 12, 31)), (2026, 12, date(2027, 1, 31)), (2027, 1, date(2027, 2, 28))],
)
def test_a_settlement_is_due_by_the_end_of_the_following_month(year: int, month: int, due: date) -> None:
    assert due_date(year, month) == due
