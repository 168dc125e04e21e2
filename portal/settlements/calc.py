"""The money rules of a monthly settlement: pure functions on Decimal amounts in euro (no ORM, no Flask).

A settlement line settles one offer's month from its approved participation report:
- **MAE refund**: the report's MAE payable (hours actually worked on scheduled days × each assignment's rate);
- **MKP base**: the report's MKP claim (supervision and administration per filled place, pro rata by calendar days,
  less the reduction for unexcused days, none for a non-entry);
- **material and social-work parts on proof** (`proof_claim`): the receipts' actual costs less third-party funds,
  capped by the offer's approved rate per place-month × the place-months the report counts.
Amounts are rounded to the cent with ROUND_HALF_UP, as the payment office does.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def proof_cap(rate_per_place_month: Decimal, place_months: Decimal) -> Decimal:
    """The most a part paid on proof can bring in a month: the approved rate per place-month × the place-months."""
    if rate_per_place_month < ZERO or place_months < ZERO:
        raise ValueError("rate and place-months cannot be negative")
    return cents(rate_per_place_month * place_months)


def proof_claim(
    receipts: Iterable[Decimal], third_party: Decimal, rate_per_place_month: Decimal, place_months: Decimal
) -> Decimal:
    """The claim of a part paid on proof: the receipts' sum less the third-party funds for the same costs (never
    below 0), at most the cap (`proof_cap`)."""
    amounts = list(receipts)
    if any(amount < ZERO for amount in amounts) or third_party < ZERO:
        raise ValueError("receipts and third-party funds cannot be negative")
    eligible = max(cents(sum(amounts, ZERO)) - cents(third_party), ZERO)
    return min(eligible, proof_cap(rate_per_place_month, place_months))


def due_date(year: int, month: int) -> date:
    """The settlement of a month is due by the last day of the following month (its report is due on the 10th)."""
    following_year, following = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(following_year, following, calendar.monthrange(following_year, following)[1])
