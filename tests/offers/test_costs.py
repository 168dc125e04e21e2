"""The cost of an offer: examples computed by hand and properties that hold for any period and figures."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.offers.costs import CostInput, compute_costs, months_between, months_per_year


def costs(start, end, places=1, hours=0, rate="0", mkp="0"):
    return compute_costs(
        CostInput(
            places=places,
            start=start,
            end=end,
            hours_per_week=Decimal(hours),
            mae_rate=Decimal(rate),
            mkp_per_place_month=Decimal(mkp),
        )
    )


def test_six_full_months_computed_by_hand():
    # MKP: 10 places × 6 months × 180 € = 10,800 €; MAE: 10 × 20 h × 13/3 × 6 months × 1.50 €/h = 7,800 €
    result = costs(date(2026, 1, 1), date(2026, 6, 30), places=10, hours=20, rate="1.50", mkp="180")
    assert result.months == Decimal("6.00")
    assert result.mkp_total == Decimal("10800.00")
    assert result.mae_total == Decimal("7800.00")
    assert result.total == Decimal("18600.00")
    assert result.per_year == {2026: Decimal("18600.00")}


def test_partial_months_are_prorated_by_days():
    # 16 of 31 days in January plus all of February (2026 is no leap year)
    assert months_per_year(date(2026, 1, 16), date(2026, 2, 28)) == {2026: 1 + Decimal(16) / Decimal(31)}
    # 310 € per month: 16/31 of it is 160 €
    result = costs(date(2026, 1, 16), date(2026, 2, 28), mkp="310")
    assert result.mkp_total == Decimal("470.00")
    assert result.months == Decimal("1.52")


def test_february_of_a_leap_year_has_29_days():
    assert months_between(date(2028, 2, 1), date(2028, 2, 14)) == Decimal(14) / Decimal(29)
    assert months_between(date(2028, 2, 1), date(2028, 2, 29)) == 1


def test_a_single_day():
    assert months_between(date(2026, 4, 10), date(2026, 4, 10)) == Decimal(1) / Decimal(30)


def test_months_are_counted_per_calendar_year():
    assert months_per_year(date(2025, 11, 1), date(2026, 2, 28)) == {2025: 2, 2026: 2}
    result = costs(date(2025, 11, 1), date(2026, 2, 28), places=2, mkp="100")
    assert result.per_year == {2025: Decimal("400.00"), 2026: Decimal("400.00")}


def test_the_last_year_takes_the_rounding_rest():
    # 14 months (1 + 12 + 1), total 14.00 € MKP + 0.61 € MAE (1 h × 13/3 × 14 × 0.01 € = 0.6066…)
    result = costs(date(2025, 12, 1), date(2027, 1, 31), hours=1, rate="0.01", mkp="1")
    assert result.total == Decimal("14.61")
    assert result.per_year == {2025: Decimal("1.04"), 2026: Decimal("12.52"), 2027: Decimal("1.05")}


def test_no_mae_for_a_rate_of_zero():
    result = costs(date(2026, 1, 1), date(2026, 12, 31), places=5, hours=30, rate="0", mkp="100")
    assert result.mae_total == 0
    assert result.total == result.mkp_total == Decimal("6000.00")


def test_an_empty_period_costs_nothing():
    result = costs(date(2026, 5, 2), date(2026, 5, 1), places=3, hours=20, rate="1.50", mkp="180")
    assert (result.months, result.total, result.per_year) == (0, 0, {})


# --- properties -----------------------------------------------------------------------------------

starts = st.dates(min_value=date(2009, 1, 1), max_value=date(2040, 12, 31))
durations = st.integers(min_value=0, max_value=3 * 366)
cents = st.integers(min_value=0, max_value=50_000).map(lambda value: Decimal(value) / 100)
hours = st.integers(min_value=0, max_value=80).map(lambda value: Decimal(value) / 2)
places = st.integers(min_value=0, max_value=60)


@given(start=starts, days=durations, places=places, hours=hours, rate=cents, mkp=cents)
def test_per_year_parts_add_up_to_the_total(start, days, places, hours, rate, mkp):
    end = start + timedelta(days=days)
    result = costs(start, end, places=places, hours=hours, rate=rate, mkp=mkp)
    assert sum(result.per_year.values()) == result.total == result.mkp_total + result.mae_total
    assert list(result.per_year) == list(range(start.year, end.year + 1))
    assert all(part >= 0 for part in result.per_year.values())


@given(year=st.integers(min_value=1990, max_value=2100), month=st.integers(min_value=1, max_value=12))
def test_twelve_months_from_the_first_of_a_month_are_twelve(year, month):
    start = date(year, month, 1)
    assert months_between(start, date(year + 1, month, 1) - timedelta(days=1)) == 12


@given(start=starts, days=durations, cut=st.integers(min_value=0, max_value=3 * 366))
def test_months_add_up_over_adjacent_periods(start, days, cut):
    end = start + timedelta(days=days)
    middle = start + timedelta(days=min(cut, days))
    if middle == end:
        return
    whole = months_between(start, end)
    parts = months_between(start, middle) + months_between(middle + timedelta(days=1), end)
    assert abs(whole - parts) < Decimal("1e-20")


@given(start=starts, days=durations, places=places, hours=hours, rate=cents, mkp=cents)
def test_total_grows_with_places(start, days, places, hours, rate, mkp):
    end = start + timedelta(days=days)
    fewer = costs(start, end, places=places, hours=hours, rate=rate, mkp=mkp)
    more = costs(start, end, places=places + 1, hours=hours, rate=rate, mkp=mkp)
    assert more.total >= fewer.total
    if mkp >= 1:  # one more place for one day is then worth at least a cent
        assert more.total > fewer.total
