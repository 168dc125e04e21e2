"""The calculations of the monthly participation report, against examples computed by hand and properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.reports.calc import (
    LABELS,
    DayCode,
    DayEntry,
    PlaceMonth,
    assigned_days,
    days_in_month,
    due_date,
    fill_row,
    hours_per_day,
    is_overdue,
    month_days,
    offer_totals,
    participant_totals,
    place_share,
    state_holidays,
    week_overruns,
    years_before,
)

PROPERTIES = settings(max_examples=100, deadline=None)
NO_HOLIDAYS: frozenset[date] = frozenset()


def present(hours: str) -> DayEntry:
    return DayEntry(DayCode.PRESENT, Decimal(hours))


# --- codes ---------------------------------------------------------------------------------------------------


def test_every_code_has_a_german_label() -> None:
    assert set(LABELS) == set(DayCode)
    assert LABELS[DayCode.UE] == "unentschuldigt"
    assert LABELS[DayCode.K] == "krank mit Attest"
    assert LABELS[DayCode.KK] == "Kind krank"
    assert DayCode("UE") is DayCode.UE


@pytest.mark.parametrize("hours", ["0", "-1", "10.01", "24"])
def test_a_present_day_needs_sensible_hours(hours: str) -> None:
    with pytest.raises(ValueError, match="present day"):
        present(hours)


def test_only_a_present_day_has_hours() -> None:
    with pytest.raises(ValueError, match="only a present day"):
        DayEntry(DayCode.K, Decimal(4))
    assert DayEntry(DayCode.K).hours == 0


# --- calendar ------------------------------------------------------------------------------------------------


def test_december_in_nrw_has_christmas_and_no_christmas_eve() -> None:
    holidays = state_holidays(2024)  # NW by default
    december = month_days(2024, 12, holidays)
    assert len(december) == 31
    marked = [info.day.day for info in december if info.holiday]
    assert marked == [25, 26]  # Heiligabend and Silvester are no public holidays
    assert holidays[date(2024, 12, 25)] == "Erster Weihnachtstag"
    assert [info.day.day for info in december if info.weekend] == [1, 7, 8, 14, 15, 21, 22, 28, 29]
    assert sum(info.working_day for info in december) == 31 - 9 - 2


def test_holidays_differ_by_state() -> None:
    assert date(2024, 11, 1) in state_holidays(2024, "NW")  # Allerheiligen
    assert date(2024, 11, 1) not in state_holidays(2024, "BE")
    assert date(2024, 10, 31) in state_holidays(2024, "NI")  # Reformationstag


def test_february_in_a_leap_year() -> None:
    days = month_days(2024, 2, NO_HOLIDAYS)
    assert len(days) == days_in_month(2024, 2) == 29
    assert days[-1].day == date(2024, 2, 29)
    assert not days[-1].weekend  # a Thursday
    assert sum(info.working_day for info in days) == 21
    assert len(month_days(2023, 2, NO_HOLIDAYS)) == 28


def test_hours_per_day() -> None:
    assert hours_per_day(Decimal(20)) == Decimal(4)
    assert hours_per_day(Decimal(30)) == Decimal(6)
    assert hours_per_day(Decimal(19)) == Decimal("3.5")  # 3.8 h rounded down to the half hour
    assert hours_per_day(Decimal(20), days_per_week=3) == Decimal("6.5")  # 6.67 h → 6.5 h: 19.5 h ≤ 20 h a week
    assert hours_per_day(Decimal(30), days_per_week=2) == Decimal(10)  # 15 h a day: at most 10 (working-time law)
    with pytest.raises(ValueError, match="weekday"):
        hours_per_day(Decimal(20), days_per_week=0)


# --- "Alle Arbeitstage anwesend" -------------------------------------------------------------------------------


def test_fill_a_full_december_in_nrw() -> None:
    codes = fill_row(date(2024, 1, 1), date(2025, 6, 30), 2024, 12, state_holidays(2024), Decimal(4))
    assert len(codes) == 22  # weekdays only
    assert codes[date(2024, 12, 2)] == present("4")
    assert codes[date(2024, 12, 25)] == DayEntry(DayCode.F)
    assert codes[date(2024, 12, 26)] == DayEntry(DayCode.F)
    assert codes[date(2024, 12, 24)] == present("4")
    assert date(2024, 12, 1) not in codes  # Sunday
    totals = participant_totals(codes, Decimal("1.50"))
    # 22 weekdays − 2 holidays = 20 days × 4 h = 80 h × 1,50 € = 120,00 €
    assert totals.days_present == 20
    assert totals.hours_worked == Decimal(80)
    assert totals.mae_payable == Decimal("120.00")
    assert totals.counts[DayCode.F] == 2


def test_fill_a_partial_month_leaves_the_days_outside_empty() -> None:
    # Assigned from Wednesday 14 to Tuesday 27 February 2024: only those ten weekdays are filled.
    codes = fill_row(date(2024, 2, 14), date(2024, 2, 27), 2024, 2, NO_HOLIDAYS, Decimal(6))
    assert [day.day for day in codes] == [14, 15, 16, 19, 20, 21, 22, 23, 26, 27]
    # 10 days × 6 h = 60 h × 2,00 € = 120,00 €
    assert participant_totals(codes, Decimal(2)).mae_payable == Decimal("120.00")


def test_fill_only_the_scheduled_weekdays() -> None:
    # Tuesday, Thursday and Saturday in November 2026 (1 November is a Sunday; All Saints' Day falls on it).
    scheduled = frozenset({1, 3, 5})
    codes = fill_row(date(2026, 1, 1), date(2026, 12, 31), 2026, 11, state_holidays(2026), Decimal("6.5"), scheduled)
    assert {day.weekday() for day in codes} == scheduled
    assert len(codes) == 12  # 4 Tuesdays, 4 Thursdays, 4 Saturdays
    totals = participant_totals(codes, Decimal(2), scheduled)
    # 12 days × 6,5 h = 78 h × 2,00 € = 156,00 € (the Saturdays are scheduled, so they are paid)
    assert totals.hours_worked == Decimal(78)
    assert totals.mae_payable == Decimal("156.00")


def test_a_holiday_outside_the_assignment_is_left_empty() -> None:
    codes = fill_row(date(2025, 1, 2), date(2025, 6, 30), 2025, 1, state_holidays(2025), Decimal(4))
    assert date(2025, 1, 1) not in codes


# --- calendar weeks ------------------------------------------------------------------------------------------


def test_a_week_above_the_weekly_hours() -> None:
    # 2 to 8 November 2026 (KW 45): 5 × 8 h = 40 h on a 30 h assignment; the week after: 5 × 6 h = 30 h, fine.
    week = {date(2026, 11, 2) + timedelta(days=offset): present("8") for offset in range(5)}
    after = {date(2026, 11, 9) + timedelta(days=offset): present("6") for offset in range(5)}
    assert week_overruns(week | after, Decimal(30)) == [(date(2026, 11, 2), Decimal(40))]
    assert week_overruns(week, Decimal(40)) == []


def test_absences_carry_no_hours_in_the_week() -> None:
    codes = {date(2026, 11, 2): present("10"), date(2026, 11, 3): DayEntry(DayCode.K)}
    assert week_overruns(codes, Decimal(10)) == []


# --- participant totals --------------------------------------------------------------------------------------


def test_twenty_hours_a_week_eighteen_days_present() -> None:
    # 20 h/week = 4 h/day; 18 days present, 1 sick, 1 unexcused, 1 leave, 1 holiday → 72 h × 1.50 € = 108,00 €.
    days = [info.day for info in month_days(2025, 4, NO_HOLIDAYS) if info.working_day]
    assert len(days) == 22
    codes = {day: present("4") for day in days[:18]}
    codes |= {
        days[18]: DayEntry(DayCode.K),
        days[19]: DayEntry(DayCode.UE),
        days[20]: DayEntry(DayCode.U),
        days[21]: DayEntry(DayCode.F),
    }
    totals = participant_totals(codes, Decimal("1.50"))
    assert totals.days_present == 18
    assert totals.hours_worked == Decimal(72)
    assert totals.unexcused_days == 1
    assert totals.mae_payable == Decimal("108.00")
    assert totals.counts[DayCode.K] == totals.counts[DayCode.U] == 1
    assert totals.unpaid_present_days == ()


def test_mae_is_rounded_half_up_to_the_cent() -> None:
    codes = {date(2025, 4, 1): present("3.5"), date(2025, 4, 2): present("0.25")}
    # 3.75 h × 1.25 € = 4.6875 € → 4,69 €; 0.25 h × 1.10 € = 0.275 € → 0,28 €
    assert participant_totals(codes, Decimal("1.25")).mae_payable == Decimal("4.69")
    assert participant_totals({date(2025, 4, 2): present("0.25")}, Decimal("1.10")).mae_payable == Decimal("0.28")


def test_no_mae_for_hours_on_weekdays_the_assignment_does_not_schedule() -> None:
    codes = {
        date(2024, 12, 23): present("4"),  # Monday
        date(2024, 12, 25): present("4"),  # Christmas, a Wednesday
        date(2024, 12, 28): present("4"),  # Saturday
    }
    monday_to_friday = participant_totals(codes, Decimal(2))
    # Monday and Christmas (a scheduled Wednesday): 8 h × 2,00 € = 16,00 €; the Saturday is counted apart
    assert monday_to_friday.hours_worked == Decimal(8)
    assert monday_to_friday.mae_payable == Decimal("16.00")
    assert monday_to_friday.unpaid_present_days == (date(2024, 12, 28),)
    monday_and_saturday = participant_totals(codes, Decimal(2), frozenset({0, 5}))
    # Monday and Saturday scheduled: 8 h × 2,00 € = 16,00 €; the Wednesday is not scheduled
    assert monday_and_saturday.mae_payable == Decimal("16.00")
    assert monday_and_saturday.unpaid_present_days == (date(2024, 12, 25),)


def test_no_mae_without_presence() -> None:
    absent = [code for code in DayCode if code is not DayCode.PRESENT]
    codes = {date(2025, 4, day): DayEntry(code) for day, code in enumerate(absent, start=1)}
    totals = participant_totals(codes, Decimal("2.50"))
    assert totals.mae_payable == Decimal("0.00")
    assert totals.hours_worked == 0


def test_a_negative_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        participant_totals({}, Decimal("-0.01"))


# --- offer totals --------------------------------------------------------------------------------------------


def test_one_full_place_month_and_one_unexcused_day() -> None:
    full = offer_totals([PlaceMonth(30)], Decimal(130), days_in_month=30)
    assert full.place_months == Decimal("1.00")
    assert full.mkp_claim == Decimal("130.00")
    reduced = offer_totals([PlaceMonth(30, unexcused_days=1)], Decimal(130), days_in_month=30)
    assert reduced.mkp_reduction == Decimal("4.33")  # 130 € ÷ 30
    assert reduced.mkp_claim == Decimal("125.67")
    assert reduced.mkp_gross == Decimal("130.00")


def test_partial_months_are_prorated_by_calendar_days() -> None:
    # February 2024 has 29 days: one participant all month, one from the 15th (15 days), one for 10 days with 2 UE.
    participants = [PlaceMonth(29), PlaceMonth(15), PlaceMonth(10, unexcused_days=2)]
    totals = offer_totals(participants, Decimal(290), Decimal(1) / 30, days_in_month=29)
    assert [share.gross for share in totals.shares] == [Decimal("290.00"), Decimal("150.00"), Decimal("100.00")]
    assert totals.shares[2].reduction == Decimal("19.33")  # 2 × 290 € ÷ 30
    assert totals.place_months == Decimal("1.86")  # 54 ÷ 29
    assert totals.mkp_gross == Decimal("540.00")
    assert totals.mkp_claim == Decimal("520.67")


def test_the_claim_never_falls_below_zero() -> None:
    totals = offer_totals([PlaceMonth(31, unexcused_days=31)], Decimal(100), days_in_month=31)
    assert totals.mkp_claim == Decimal("0.00")
    assert totals.mkp_reduction == totals.mkp_gross == Decimal("100.00")


def test_the_reduction_is_configurable() -> None:
    totals = offer_totals([PlaceMonth(30, 3)], Decimal(100), Decimal(0), days_in_month=30)
    assert totals.mkp_claim == Decimal("100.00")
    half = offer_totals([PlaceMonth(30, 1)], Decimal(100), Decimal("0.5"), days_in_month=30)
    assert half.mkp_claim == Decimal("50.00")


def test_the_thirty_day_month_convention() -> None:
    # 10 days of a 31-day month: 10 ÷ 31 × 130 € = 41,94 € by calendar days; 10 ÷ 30 × 130 € = 43,33 € by 30 days.
    assert offer_totals([PlaceMonth(10)], Decimal(130), days_in_month=31).mkp_claim == Decimal("41.94")
    thirty = offer_totals([PlaceMonth(10)], Decimal(130), days_in_month=31, pro_rata="30_day_month")
    assert thirty.mkp_claim == Decimal("43.33")
    # A whole February is a whole place-month (130,00 €); 28 days of March are 28 ÷ 30 × 130 € = 121,33 €.
    assert offer_totals([PlaceMonth(28)], Decimal(130), days_in_month=28, pro_rata="30_day_month").mkp_claim == 130
    march = offer_totals([PlaceMonth(28)], Decimal(130), days_in_month=31, pro_rata="30_day_month")
    assert march.mkp_claim == Decimal("121.33")
    assert place_share(30, 31, "30_day_month") == 1  # 30 of 31 days: never more than one place
    with pytest.raises(ValueError, match="convention"):
        place_share(10, 31, "weeks")  # type: ignore[arg-type]


def test_no_participants_no_claim() -> None:
    totals = offer_totals([], Decimal(130), days_in_month=31)
    assert totals.place_months == totals.mkp_claim == Decimal(0)


@pytest.mark.parametrize(
    ("participants", "mkp", "reduction", "days", "message"),
    [
        ([PlaceMonth(31)], Decimal(-1), Decimal(0), 31, "negative"),
        ([PlaceMonth(31)], Decimal(1), Decimal(-1), 31, "negative"),
        ([PlaceMonth(27)], Decimal(1), Decimal(0), 27, "28 to 31"),
        ([PlaceMonth(32)], Decimal(1), Decimal(0), 31, "assigned days"),
        ([PlaceMonth(-1)], Decimal(1), Decimal(0), 31, "assigned days"),
        ([PlaceMonth(3, 4)], Decimal(1), Decimal(0), 31, "unexcused"),
        ([PlaceMonth(3, -1)], Decimal(1), Decimal(0), 31, "unexcused"),
    ],
)
def test_offer_totals_refuse_impossible_input(
    participants: list[PlaceMonth], mkp: Decimal, reduction: Decimal, days: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        offer_totals(participants, mkp, reduction, days_in_month=days)


def test_assigned_days() -> None:
    assert assigned_days(date(2024, 2, 15), date(2024, 8, 14), 2024, 2) == 15
    assert assigned_days(date(2024, 1, 1), date(2024, 2, 10), 2024, 2) == 10
    assert assigned_days(date(2023, 1, 1), date(2025, 1, 1), 2024, 2) == 29
    assert assigned_days(date(2024, 3, 1), date(2024, 8, 31), 2024, 2) == 0
    assert assigned_days(date(2023, 3, 1), date(2024, 1, 31), 2024, 2) == 0


# --- due dates -----------------------------------------------------------------------------------------------


def test_due_on_the_tenth_of_the_next_month() -> None:
    assert due_date(2025, 3) == date(2025, 4, 10)
    assert due_date(2024, 12) == date(2025, 1, 10)  # across the year end
    assert due_date(2024, 1) == date(2024, 2, 10)


def test_overdue_from_the_eleventh() -> None:
    assert not is_overdue(2024, 12, date(2025, 1, 10))
    assert is_overdue(2024, 12, date(2025, 1, 11))
    assert not is_overdue(2024, 12, date(2024, 12, 31))


# --- 24 months within 5 years --------------------------------------------------------------------------------


def test_years_before_a_leap_day() -> None:
    assert years_before(date(2024, 2, 29), 5) == date(2019, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)
    assert years_before(date(2025, 6, 30), 5) == date(2020, 6, 30)


# --- properties ----------------------------------------------------------------------------------------------

months = st.tuples(st.integers(min_value=2000, max_value=2100), st.integers(min_value=1, max_value=12))
some_dates = st.dates(min_value=date(1999, 1, 1), max_value=date(2101, 12, 31))
hours = st.decimals(min_value=Decimal("0.25"), max_value=Decimal(10), places=2)
rates = st.decimals(min_value=Decimal(0), max_value=Decimal("2.50"), places=2)
entries = st.one_of(
    hours.map(lambda value: DayEntry(DayCode.PRESENT, value)),
    st.sampled_from([code for code in DayCode if code is not DayCode.PRESENT]).map(DayEntry),
)


@st.composite
def month_codes(draw: st.DrawFn) -> tuple[int, int, dict[date, DayEntry]]:
    year, month = draw(months)
    days = [info.day for info in month_days(year, month, NO_HOLIDAYS)]
    chosen = draw(st.lists(st.sampled_from(days), unique=True))
    return year, month, {day: draw(entries) for day in chosen}


@PROPERTIES
@given(month=months, start=some_dates, end=some_dates, per_day=hours)
def test_fill_stays_inside_the_assignment(month: tuple[int, int], start: date, end: date, per_day: Decimal) -> None:
    year, number = month
    codes = fill_row(start, end, year, number, NO_HOLIDAYS, per_day)
    assert all(day.weekday() < 5 and start <= day <= end for day in codes)
    assert len(codes) <= assigned_days(start, end, year, number)


@PROPERTIES
@given(data=month_codes(), rate=rates)
def test_mae_never_negative_and_totals_add_up(data: tuple[int, int, dict[date, DayEntry]], rate: Decimal) -> None:
    _, _, codes = data
    totals = participant_totals(codes, rate)
    assert totals.mae_payable >= 0
    assert sum(totals.counts.values()) + len(totals.unpaid_present_days) == len(codes)
    paid = [entry for day, entry in codes.items() if entry.code is DayCode.PRESENT and day.weekday() < 5]
    assert totals.days_present == len(paid)
    assert totals.hours_worked == sum((entry.hours for entry in paid), Decimal(0))
    assert abs(totals.mae_payable - totals.hours_worked * rate) <= Decimal("0.005")


@st.composite
def offers(draw: st.DrawFn) -> tuple[int, list[PlaceMonth]]:
    days = draw(st.integers(min_value=28, max_value=31))
    assigned = st.integers(min_value=0, max_value=days)
    participants = draw(
        st.lists(assigned.flatmap(lambda n: st.builds(PlaceMonth, st.just(n), st.integers(0, n))), max_size=12)
    )
    return days, participants


@PROPERTIES
@given(offer=offers(), mkp=st.decimals(min_value=0, max_value=1000, places=2), reduction=rates)
def test_mkp_claim_is_the_sum_of_shares_and_never_negative(
    offer: tuple[int, list[PlaceMonth]], mkp: Decimal, reduction: Decimal
) -> None:
    days, participants = offer
    totals = offer_totals(participants, mkp, reduction, days_in_month=days)
    assert totals.mkp_claim >= 0
    assert all(share.claim >= 0 for share in totals.shares)
    assert totals.mkp_claim == totals.mkp_gross - totals.mkp_reduction
    assert totals.mkp_claim == sum((share.claim for share in totals.shares), Decimal(0))
    assert totals.place_months <= len(participants)
    assert totals.mkp_gross <= mkp * len(participants)
