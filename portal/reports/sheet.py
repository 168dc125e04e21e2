"""The attendance sheet of one report: the grid as typed, checked cell by cell, with every total computed.

`build_sheet` turns a report and its lines into plain values (no ORM objects leave it except the assignment ids),
so the grid page, the check page and the PDF document all show the very same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from flask import current_app

from portal.assignments.models import Assignment, EventKind
from portal.offers.models import OfferVersion
from portal.reports import calc
from portal.reports.calc import DayCode, DayEntry, DayInfo
from portal.reports.models import ParticipationReport

WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
WEEKDAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTH_NAMES = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip
MAX_CELL_LENGTH = 10


@dataclass(frozen=True)
class Day:
    number: int
    day: date
    weekday: str
    weekend: bool
    holiday: str  # the holiday's German name, or ""
    off: bool  # a weekend or a holiday: greyed in the grid


@dataclass
class Cell:
    day: Day
    text: str
    inside: bool  # inside the assignment period: only then can the cell be filled
    fill: str = ""  # what "Alle Arbeitstage anwesend" enters here ("" on days the assignment does not schedule)
    error: str = ""
    entry: DayEntry | None = None


@dataclass
class Row:
    line_id: int
    assignment: Assignment
    cells: list[Cell]
    totals: calc.ParticipantTotals
    mkp: calc.MkpShare | None = None

    @property
    def label(self) -> str:
        return self.assignment.participant.pseudonym

    @property
    def errors(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.error]


@dataclass
class Sheet:
    year: int
    month: int
    days: tuple[Day, ...]  # hashable: the page renders a month's header row once (reports.views.day_headers)
    rows: list[Row]
    totals: calc.OfferTotals
    mkp_per_place_month: Decimal
    problems: list[str] = field(default_factory=list)  # errors about the whole report

    @property
    def cell_errors(self) -> list[tuple[Row, Cell]]:
        return [(row, cell) for row in self.rows for cell in row.errors]

    @property
    def complete(self) -> bool:
        return not self.cell_errors and not self.problems

    @property
    def hours_worked(self) -> Decimal:
        return sum((row.totals.hours_worked for row in self.rows), calc.ZERO)

    @property
    def mae_payable(self) -> Decimal:
        return sum((row.totals.mae_payable for row in self.rows), calc.ZERO)

    @property
    def days_present(self) -> int:
        return sum(row.totals.days_present for row in self.rows)


def holidays_of(year: int) -> dict[date, str]:
    """The configured state's public holidays plus the extra free days from the settings."""
    found = calc.state_holidays(year, current_app.config["HOLIDAY_STATE"])
    for text in current_app.config["EXTRA_HOLIDAYS"]:
        extra = date.fromisoformat(text)
        if extra.year == year:
            found.setdefault(extra, "Zusätzlicher freier Tag")
    return found


def calendar_of(year: int, month: int) -> list[Day]:
    names = holidays_of(year)
    return [_day(info, names.get(info.day, "")) for info in calc.month_days(year, month, names)]


def _day(info: DayInfo, holiday: str) -> Day:
    return Day(
        info.day.day, info.day, WEEKDAYS[info.day.weekday()], info.weekend, holiday, info.weekend or bool(holiday)
    )


def filled_days(assignment: Assignment, year: int, month: int) -> dict[str, str]:
    """The cells "Alle Arbeitstage anwesend" fills: scheduled days in the period present with the daily hours, F on
    holidays; no other day."""
    scheduled = assignment.scheduled_weekdays
    per_day = calc.hours_per_day(assignment.weekly_hours, len(scheduled))
    entries = calc.fill_row(
        assignment.start_date, assignment.end_date, year, month, holidays_of(year), per_day, scheduled
    )
    return {str(day.day): calc.format_cell(entry) for day, entry in entries.items()}


def mkp_per_place_month(version: OfferVersion | None) -> Decimal:
    """The base (supervision and administration) per place and month; the material and social-work parts are paid
    on proof of the actual costs, never as a monthly flat amount, so they are not part of the report's claim."""
    if version is None or version.mkp_supervision is None:
        return calc.ZERO
    return version.mkp_supervision


def build_sheet(report: ParticipationReport) -> Sheet:
    days = calendar_of(report.year, report.month)
    rows = [_row(line.id, line.assignment, line.days, days) for line in report.lines]
    rate = mkp_per_place_month(report.offer.live_version)
    totals = calc.offer_totals(
        [_place_month(row, report.year, report.month) for row in rows],
        rate,
        current_app.config["MKP_REDUCTION_PER_UNEXCUSED_DAY"],
        days_in_month=len(days),
        pro_rata=current_app.config["MKP_PRO_RATA"],
    )
    for row, share in zip(rows, totals.shares, strict=True):
        row.mkp = share
    problems = [] if rows else ["Der Bericht enthält keine Teilnehmenden. Bitte legen Sie zuerst Zuweisungen an."]
    return Sheet(report.year, report.month, tuple(days), rows, totals, rate, problems)


def _row(line_id: int, assignment: Assignment, typed: dict[str, str], days: list[Day]) -> Row:
    fills = filled_days(assignment, days[0].day.year, days[0].day.month)
    scheduled = assignment.scheduled_weekdays
    period = (assignment.start_date, assignment.end_date)
    cells = [_cell(day, typed.get(str(day.number), ""), period, scheduled, fills) for day in days]
    entries = {cell.day.day: cell.entry for cell in cells if cell.entry is not None and cell.inside}
    _mark_long_weeks(cells, entries, assignment.weekly_hours)
    totals = calc.participant_totals(entries, assignment.mae_rate, scheduled)
    return Row(line_id, assignment, cells, totals)


def _cell(day: Day, text: str, period: tuple[date, date], scheduled: frozenset[int], fills: dict[str, str]) -> Cell:
    if not period[0] <= day.day <= period[1]:  # whatever was stored there once: the day is not assigned
        return Cell(day=day, text="-", inside=False, entry=DayEntry(DayCode.NOT_ASSIGNED))
    cell = Cell(day=day, text=text[:MAX_CELL_LENGTH], inside=True, fill=fills.get(str(day.number), ""))
    try:
        entry = _parse(cell.text)
    except calc.CellError as error:
        cell.error = str(error)
        return cell
    cell.error = _misplaced(entry, day, day.day.weekday() in scheduled)
    cell.entry = None if cell.error else entry
    return cell


# A grid repeats few texts ("4", "-", "F", ""): each is parsed once per process. The entries are immutable.
_parse = lru_cache(maxsize=1024)(calc.parse_cell)


def _misplaced(entry: DayEntry | None, day: Day, scheduled: bool) -> str:
    """The error of an entry on a day inside the assignment, "" when it fits."""
    if not scheduled:
        if entry is None:
            return ""
        return (
            f"Die Zuweisung sieht am {WEEKDAY_NAMES[day.day.weekday()]} keine Arbeit vor. "
            "Bitte lassen Sie das Feld leer."
        )
    if entry is not None and entry.code is DayCode.NOT_ASSIGNED:
        return "Dieser Tag liegt in der Zuweisung. Bitte tragen Sie Stunden oder ein Kürzel ein."
    if entry is None:
        return "Bitte tragen Sie für diesen Tag Stunden oder ein Kürzel ein."
    return ""


def _mark_long_weeks(cells: list[Cell], entries: dict[date, DayEntry], weekly_hours: Decimal) -> None:
    """An error on the last day with hours of each calendar week that holds more than the weekly hours."""
    for monday, hours in calc.week_overruns(entries, weekly_hours):
        sunday = monday + timedelta(days=6)
        last = max(
            (cell for cell in cells if monday <= cell.day.day <= sunday and _has_hours(cell)), key=lambda c: c.day.day
        )
        last.error = (
            f"In der Woche {week_label(monday, sunday)} sind {_hours(hours)} Stunden eingetragen; zugewiesen sind "
            f"{_hours(weekly_hours)} Stunden je Woche."
        )


def _has_hours(cell: Cell) -> bool:
    return cell.entry is not None and cell.entry.code is DayCode.PRESENT


def week_label(monday: date, sunday: date) -> str:
    """ "vom 2. bis 8. November (KW 45)", "vom 28. Oktober bis 3. November (KW 44)", across years with the year."""
    if monday.year != sunday.year:
        first = f"{monday.day}. {MONTH_NAMES[monday.month - 1]} {monday.year}"
    elif monday.month != sunday.month:
        first = f"{monday.day}. {MONTH_NAMES[monday.month - 1]}"
    else:
        first = f"{monday.day}."
    last = f"{sunday.day}. {MONTH_NAMES[sunday.month - 1]}" + (f" {sunday.year}" if monday.year != sunday.year else "")
    return f"vom {first} bis {last} (KW {monday.isocalendar().week})"


def _hours(value: Decimal) -> str:
    """40 → "40", 32.5 → "32,5"."""
    return format(value.normalize(), "f").replace(".", ",")


def _place_month(row: Row, year: int, month: int) -> calc.PlaceMonth:
    """The calendar days of the month the participant held a place; none after a non-entry (Nichtantritt)."""
    assignment = row.assignment
    if any(event.kind is EventKind.NON_ENTRY for event in assignment.events):
        return calc.PlaceMonth(assigned_days=0)
    assigned = calc.assigned_days(assignment.start_date, assignment.end_date, year, month)
    return calc.PlaceMonth(assigned_days=assigned, unexcused_days=min(row.totals.unexcused_days, assigned))
