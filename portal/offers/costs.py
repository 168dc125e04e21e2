"""Cost of an offer: pure functions on plain values (unit-tested, also used by the budget)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WEEKS_PER_MONTH = Decimal(13) / Decimal(3)  # monthly hours = weekly hours × 13 ÷ 3


def months_per_year(start: date, end: date) -> dict[int, Decimal]:
    """Calendar months covered by start..end (inclusive), each partial month prorated by its days."""
    result: dict[int, Decimal] = {}
    day = start
    while day <= end:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        last = min(date(day.year, day.month, days_in_month), end)
        share = Decimal((last - day).days + 1) / Decimal(days_in_month)
        result[day.year] = result.get(day.year, Decimal(0)) + share
        if last == end:
            break  # also when `end` is the last day a date can have
        day = last + timedelta(days=1)
    return result


def months_between(start: date, end: date) -> Decimal:
    return sum(months_per_year(start, end).values(), Decimal(0))


@dataclass(frozen=True)
class CostInput:
    places: int
    start: date
    end: date
    hours_per_week: Decimal
    mae_rate: Decimal  # 0 for offers without Mehraufwandsentschädigung
    mkp_per_place_month: Decimal


@dataclass(frozen=True)
class Costs:
    months: Decimal
    mkp_total: Decimal
    mae_total: Decimal
    total: Decimal
    per_year: dict[int, Decimal] = field(default_factory=dict)


def compute_costs(data: CostInput) -> Costs:
    """places × months × MKP, plus the estimated MAE: places × weekly hours × 13/3 × months × rate."""
    per_year_months = months_per_year(data.start, data.end)
    months = sum(per_year_months.values(), Decimal(0))
    mkp_total = _cents(data.places * months * data.mkp_per_place_month)
    mae_total = _cents(data.places * data.hours_per_week * WEEKS_PER_MONTH * months * data.mae_rate)
    total = mkp_total + mae_total
    return Costs(
        months=months.quantize(CENT),
        mkp_total=mkp_total,
        mae_total=mae_total,
        total=total,
        per_year=_split_by_year(total, per_year_months, months),
    )


def _split_by_year(total: Decimal, per_year_months: dict[int, Decimal], months: Decimal) -> dict[int, Decimal]:
    """Share the total by months per year; the last year takes the rounding rest, so the parts add up."""
    years = sorted(per_year_months)
    if not years:  # an empty period (end before start) costs nothing
        return {}
    shares = {year: _cents(total * per_year_months[year] / months) for year in years[:-1]}
    shares[years[-1]] = total - sum(shares.values(), Decimal(0))
    return shares


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
