"""Calculations of the monthly participation report: pure functions on plain values (no ORM, no Flask).

A report covers one offer and one calendar month. Per participant and day it holds a code (`DayEntry`); from those
codes follow days present, hours worked and the Mehraufwandsentschädigung (MAE) per participant, and per offer the
filled place-months and the claim for the Maßnahmekostenpauschale (MKP). Amounts are `Decimal`, rounded to the cent
with ROUND_HALF_UP, as the payment office does.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

from portal.assignments.weekdays import HOURS_PER_DAY_CAP

CENT = Decimal("0.01")
HALF_HOUR = Decimal("0.5")
ZERO = Decimal(0)
WORKWEEK_DAYS = frozenset(range(5))  # Monday to Friday as `date.weekday()` numbers
ProRata = Literal["calendar_days", "30_day_month"]
PRO_RATA_CONVENTIONS: tuple[ProRata, ...] = ("calendar_days", "30_day_month")
DEFAULT_REDUCTION_PER_UNEXCUSED_DAY = Decimal(1) / Decimal(30)  # of the monthly MKP per place
DUE_DAY = 10  # the report for month M is due on the 10th of M+1


class DayCode(StrEnum):
    """What a participant did on one calendar day; the value is the short code on the grid and in the PDF."""

    PRESENT = "A"  # anwesend, with hours
    E = "E"  # entschuldigt
    UE = "UE"  # unentschuldigt
    K = "K"  # krank mit Attest (never a diagnosis)
    KK = "KK"  # Kind krank
    U = "U"  # Urlaub
    F = "F"  # Feiertag
    NOT_ASSIGNED = "-"  # outside the assignment


LABELS: dict[DayCode, str] = {
    DayCode.PRESENT: "anwesend",
    DayCode.E: "entschuldigt",
    DayCode.UE: "unentschuldigt",
    DayCode.K: "krank mit Attest",
    DayCode.KK: "Kind krank",
    DayCode.U: "Urlaub",
    DayCode.F: "Feiertag",
    DayCode.NOT_ASSIGNED: "nicht zugewiesen",
}


CODE_VALUES = frozenset(code.value for code in DayCode)


@dataclass(frozen=True)
class DayEntry:
    """One participant's code on one day; hours only (and then more than zero) when present."""

    code: DayCode
    hours: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.code is DayCode.PRESENT:
            if not ZERO < self.hours <= HOURS_PER_DAY_CAP:
                raise ValueError(f"hours of a present day must be in (0, {HOURS_PER_DAY_CAP}], not {self.hours}")
        elif self.hours != ZERO:
            raise ValueError(f"only a present day has hours, not {self.code.name}")


@dataclass(frozen=True)
class DayInfo:
    day: date
    weekend: bool
    holiday: bool

    @property
    def working_day(self) -> bool:
        return not (self.weekend or self.holiday)


class CellError(ValueError):
    """A grid cell that is neither hours nor a known code; the message is German, for the form."""


CODE_HINT = "Stunden (z. B. 4 oder 3,5) oder E, UE, K, KK, U, F, -"


def parse_cell(text: str) -> DayEntry | None:
    """What a user typed into a day's cell: hours ("4", "3,5") mean present; else a code; empty means no entry."""
    value = text.strip().upper().replace(",", ".")
    if not value:
        return None
    if value in CODE_VALUES:
        if value == DayCode.PRESENT:
            raise CellError("Bitte tragen Sie bei Anwesenheit die Stunden ein (z. B. 4 oder 3,5), nicht „A“.")
        return DayEntry(DayCode(value))
    try:
        hours = Decimal(value)
    except ArithmeticError:
        raise CellError(f"„{text.strip()[:10]}“ verstehen wir nicht. Erlaubt sind: {CODE_HINT}.") from None
    if not (hours.is_finite() and ZERO < hours <= HOURS_PER_DAY_CAP) or hours != hours.quantize(CENT):
        raise CellError(
            f"Die Stunden eines Tages müssen größer als 0 und höchstens {HOURS_PER_DAY_CAP} sein (Arbeitszeitgesetz), "
            "mit höchstens zwei Nachkommastellen."
        )
    return DayEntry(DayCode.PRESENT, hours)


def format_cell(entry: DayEntry | None) -> str:
    """The inverse of `parse_cell`: the text a cell shows for an entry ("4", "3,5", "E")."""
    if entry is None:
        return ""
    if entry.code is DayCode.PRESENT:
        return format(entry.hours.normalize(), "f").replace(".", ",")
    return entry.code.value


def state_holidays(year: int, state: str = "NW") -> dict[date, str]:
    """The public holidays of a German state in a year, with their German names (offline, `holidays` package).

    A new dict each call (callers may add to it); the calendar itself is computed once per state and year.
    """
    return dict(_state_holidays(year, state))


@functools.lru_cache(maxsize=64)
def _state_holidays(year: int, state: str) -> tuple[tuple[date, str], ...]:
    import holidays  # imported here: only the report needs it, and it loads a calendar per country

    found = holidays.country_holidays("DE", subdiv=state, years=year, language="de")
    return tuple(sorted(found.items()))


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_days(year: int, month: int, holidays: Collection[date]) -> list[DayInfo]:
    """Every calendar day of the month, marking Saturdays, Sundays and the given public holidays."""
    return [
        DayInfo(day=day, weekend=day.weekday() >= 5, holiday=day in holidays)
        for day in (date(year, month, number) for number in range(1, days_in_month(year, month) + 1))
    ]


def hours_per_day(weekly_hours: Decimal, days_per_week: int = 5) -> Decimal:
    """The hours of one scheduled day: the week's hours spread evenly, rounded down to the half hour (so the filled
    days of a week never hold more than the weekly hours) and at most 10 (working-time law).

    20 h on five days → 4 h; 20 h on three days → 6.5 h (6.67 rounded down); 30 h on two days → 10 h.
    """
    if days_per_week < 1:
        raise ValueError("an assignment schedules at least one weekday")
    even = (weekly_hours / days_per_week / HALF_HOUR).to_integral_value(rounding=ROUND_FLOOR) * HALF_HOUR
    return min(even, HOURS_PER_DAY_CAP)


def fill_row(
    assignment_start: date,
    assignment_end: date,
    year: int,
    month: int,
    holidays: Collection[date],
    hours_per_day: Decimal,
    scheduled: Collection[int] = WORKWEEK_DAYS,
) -> dict[date, DayEntry]:
    """What "Alle Arbeitstage anwesend" enters for one participant: then only the exceptions are left to type.

    Scheduled weekdays (`date.weekday()` numbers) inside the assignment: present with `hours_per_day`, or F on a
    public holiday. Every other day stays without an entry (days outside the assignment are never stored).
    """
    return {
        info.day: DayEntry(DayCode.F) if info.holiday else DayEntry(DayCode.PRESENT, hours_per_day)
        for info in month_days(year, month, holidays)
        if info.day.weekday() in scheduled and assignment_start <= info.day <= assignment_end
    }


def week_overruns(codes: Mapping[date, DayEntry], weekly_hours: Decimal) -> list[tuple[date, Decimal]]:
    """The ISO calendar weeks (by their Monday) whose entered hours exceed `weekly_hours`, with those hours.

    Only the given days count: a week that runs into the previous or next month is checked with this month's days.
    """
    per_week: dict[date, Decimal] = {}
    for day, entry in codes.items():
        monday = day - timedelta(days=day.weekday())
        per_week[monday] = per_week.get(monday, ZERO) + entry.hours
    return sorted((monday, hours) for monday, hours in per_week.items() if hours > weekly_hours)


def assigned_days(assignment_start: date, assignment_end: date, year: int, month: int) -> int:
    """Calendar days (weekends included) of the month inside the assignment."""
    first = max(assignment_start, date(year, month, 1))
    last = min(assignment_end, date(year, month, days_in_month(year, month)))
    return max((last - first).days + 1, 0)


@dataclass(frozen=True)
class ParticipantTotals:
    days_present: int
    hours_worked: Decimal
    unexcused_days: int
    mae_payable: Decimal
    counts: dict[DayCode, int] = field(default_factory=dict)
    # Present days entered on a weekday the assignment does not schedule: not paid (no MAE), counted apart.
    unpaid_present_days: tuple[date, ...] = ()


def participant_totals(
    codes: Mapping[date, DayEntry], mae_rate: Decimal, scheduled: Collection[int] = WORKWEEK_DAYS
) -> ParticipantTotals:
    """Days present, hours worked, unexcused days and the MAE payable (hours × rate, to the cent).

    MAE is paid only for hours actually worked on a weekday the assignment schedules (`date.weekday()` numbers):
    never for sickness, leave, excused or unexcused absence or a public holiday off (F). Hours on a Saturday,
    Sunday or public holiday count where the assignment schedules that weekday; on any other day they are counted
    apart, not paid.
    """
    if mae_rate < ZERO:
        raise ValueError("the MAE rate cannot be negative")
    counts = dict.fromkeys(DayCode, 0)
    hours = ZERO
    unpaid: list[date] = []
    for day, entry in sorted(codes.items()):
        if entry.code is DayCode.PRESENT and day.weekday() not in scheduled:
            unpaid.append(day)
            continue
        counts[entry.code] += 1
        hours += entry.hours
    return ParticipantTotals(
        days_present=counts[DayCode.PRESENT],
        hours_worked=hours,
        unexcused_days=counts[DayCode.UE],
        mae_payable=cents(hours * mae_rate),
        counts=counts,
        unpaid_present_days=tuple(unpaid),
    )


@dataclass(frozen=True)
class PlaceMonth:
    """One participant's share of the offer's month: calendar days assigned and days of unexcused absence."""

    assigned_days: int
    unexcused_days: int = 0


@dataclass(frozen=True)
class MkpShare:
    place_months: Decimal  # exact share of a place-month (see `place_share`)
    gross: Decimal
    reduction: Decimal
    claim: Decimal


@dataclass(frozen=True)
class OfferTotals:
    place_months: Decimal  # to the hundredth, for display
    mkp_gross: Decimal
    mkp_reduction: Decimal
    mkp_claim: Decimal
    shares: tuple[MkpShare, ...] = ()  # per participant, in input order; their claims add up to mkp_claim


def offer_totals(
    participants: Sequence[PlaceMonth],
    mkp_per_place_month: Decimal,
    reduction_per_unexcused_day: Decimal = DEFAULT_REDUCTION_PER_UNEXCUSED_DAY,
    *,
    days_in_month: int,
    pro_rata: ProRata = "calendar_days",
) -> OfferTotals:
    """Filled place-months and the MKP claim of one offer and month.

    Each participant fills a share of a place (`place_share`); the gross MKP is that share × MKP, reduced by
    `reduction_per_unexcused_day` × MKP per unexcused day, never below zero. Each participant's amounts are
    rounded to the cent, and the offer's amounts are their sums, so an export per participant adds up.
    """
    if mkp_per_place_month < ZERO or reduction_per_unexcused_day < ZERO:
        raise ValueError("MKP and reduction cannot be negative")
    if not 28 <= days_in_month <= 31:
        raise ValueError(f"a month has 28 to 31 days, not {days_in_month}")
    shares = []
    for participant in participants:
        if not 0 <= participant.assigned_days <= days_in_month:
            raise ValueError(f"assigned days must be within the month, not {participant.assigned_days}")
        if not 0 <= participant.unexcused_days <= participant.assigned_days:
            raise ValueError(f"unexcused days must be within the assigned days, not {participant.unexcused_days}")
        share = place_share(participant.assigned_days, days_in_month, pro_rata)
        gross = cents(share * mkp_per_place_month)
        reduction = min(cents(participant.unexcused_days * reduction_per_unexcused_day * mkp_per_place_month), gross)
        shares.append(MkpShare(place_months=share, gross=gross, reduction=reduction, claim=gross - reduction))
    return OfferTotals(
        place_months=cents(sum((share.place_months for share in shares), ZERO)),
        mkp_gross=sum((share.gross for share in shares), ZERO),
        mkp_reduction=sum((share.reduction for share in shares), ZERO),
        mkp_claim=sum((share.claim for share in shares), ZERO),
        shares=tuple(shares),
    )


def place_share(assigned: int, days_in_month: int, pro_rata: ProRata = "calendar_days") -> Decimal:
    """The share of a place-month that `assigned` calendar days of a month fill.

    "calendar_days": assigned days ÷ days of the month (10 of 31 days = 0.3226). "30_day_month": every month counts
    as 30 days: a whole month is 1, a partial one assigned days ÷ 30, at most 1 (10 days = 0.3333 in any month).
    """
    if pro_rata == "calendar_days":
        return Decimal(assigned) / Decimal(days_in_month)
    if pro_rata == "30_day_month":
        return Decimal(1) if assigned == days_in_month else min(Decimal(assigned) / Decimal(30), Decimal(1))
    raise ValueError(f"unknown pro-rata convention: {pro_rata!r}")


def due_date(year: int, month: int) -> date:
    """The report for a month is due on the 10th of the following month."""
    return date(year + 1, 1, DUE_DAY) if month == 12 else date(year, month + 1, DUE_DAY)


def is_overdue(year: int, month: int, today: date) -> bool:
    """Overdue from the day after the due date (a report sent on the 10th is on time)."""
    return today > due_date(year, month)


def years_before(day: date, years: int) -> date:
    """The same calendar date `years` earlier; 29 February becomes 28 February in a common year."""
    target = day.year - years
    return date(target, day.month, min(day.day, days_in_month(target, day.month)))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
