"""The attendance sheet of one report: the grid as typed, checked cell by cell, with every total computed.

`build_sheet` turns a report and its lines into plain values (no ORM objects leave it except the assignment ids),
so the grid page, the check page and the PDF document all show the very same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from flask import current_app

from portal.assignments.models import Assignment
from portal.offers.models import OfferVersion
from portal.reports import calc
from portal.reports.calc import DayCode, DayEntry, DayInfo
from portal.reports.models import ParticipationReport

WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
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
    inside: bool  # inside the assignment period
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


def prefilled_days(assignment: Assignment, year: int, month: int) -> dict[str, str]:
    """The cells of a new line: working days present with the daily hours, holidays F, outside the period "-"."""
    names = holidays_of(year)
    per_day = calc.hours_per_day(assignment.weekly_hours)
    entries = calc.prefill(assignment.start_date, assignment.end_date, year, month, names, per_day)
    return {str(day.day): calc.format_cell(entry) for day, entry in entries.items()}


def mkp_per_place_month(version: OfferVersion | None) -> Decimal:
    if version is None:
        return calc.ZERO
    parts = (version.mkp_supervision, version.mkp_material, version.mkp_social_work)
    return sum((part or calc.ZERO for part in parts), calc.ZERO)


def build_sheet(report: ParticipationReport) -> Sheet:
    days = calendar_of(report.year, report.month)
    holidays = {day.day for day in days if day.holiday}
    rows = [_row(line.id, line.assignment, line.days, days, holidays) for line in report.lines]
    rate = mkp_per_place_month(report.offer.live_version)
    totals = calc.offer_totals(
        [_place_month(row, report.year, report.month) for row in rows],
        rate,
        current_app.config["MKP_REDUCTION_PER_UNEXCUSED_DAY"],
        days_in_month=len(days),
    )
    for row, share in zip(rows, totals.shares, strict=True):
        row.mkp = share
    problems = [] if rows else ["Der Bericht enthält keine Teilnehmenden. Bitte legen Sie zuerst Zuweisungen an."]
    return Sheet(report.year, report.month, tuple(days), rows, totals, rate, problems)


def _row(line_id: int, assignment: Assignment, typed: dict[str, str], days: list[Day], holidays: set[date]) -> Row:
    period = (assignment.start_date, assignment.end_date)
    cells = [_cell(day, typed.get(str(day.number), ""), period) for day in days]
    entries = {cell.day.day: cell.entry for cell in cells if cell.entry is not None}
    totals = calc.participant_totals(entries, assignment.mae_rate, holidays)
    return Row(line_id, assignment, cells, totals)


def _cell(day: Day, text: str, period: tuple[date, date]) -> Cell:
    inside = period[0] <= day.day <= period[1]
    cell = Cell(day=day, text=text[:MAX_CELL_LENGTH], inside=inside)
    try:
        entry = _parse(cell.text)
    except calc.CellError as error:
        cell.error = str(error)
        return cell
    cell.error = _misplaced(entry, day, inside)
    cell.entry = None if cell.error else entry
    return cell


# A grid repeats few texts ("4", "-", "F", ""): each is parsed once per process. The entries are immutable.
_parse = lru_cache(maxsize=1024)(calc.parse_cell)


def _misplaced(entry: DayEntry | None, day: Day, inside: bool) -> str:
    if not inside:
        if entry is None or entry.code is DayCode.NOT_ASSIGNED:
            return ""
        return "Dieser Tag liegt außerhalb der Zuweisung. Bitte tragen Sie „-“ ein."
    if entry is not None and entry.code is DayCode.NOT_ASSIGNED:
        return "Dieser Tag liegt in der Zuweisung. Bitte tragen Sie Stunden oder ein Kürzel ein."
    if entry is None and not day.weekend:
        return "Bitte tragen Sie für diesen Tag Stunden oder ein Kürzel ein."
    return ""


def _place_month(row: Row, year: int, month: int) -> calc.PlaceMonth:
    assigned = calc.assigned_days(row.assignment.start_date, row.assignment.end_date, year, month)
    return calc.PlaceMonth(assigned_days=assigned, unexcused_days=min(row.totals.unexcused_days, assigned))
