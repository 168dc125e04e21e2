"""When an offer's interim and final reports are due: pure functions on dates (no ORM, no Flask).

- An offer longer than 12 months has an **interim report** for each full 12 months of its period after which it
  still runs: a 30-month offer from 1 July 2025 has interim reports for 1 July 2025 – 30 June 2026 and 1 July 2026
  – 30 June 2027. Each covers its own 12 months.
- Every offer has a **final report** (Sachbericht mit Verwendungsnachweis) over its whole period.
- Each is due `due_months` calendar months (`PORTAL_FINAL_REPORT_DUE_MONTHS`, 2 by default) after the last day of
  its period; it can be written from the day after that last day (a final report also once the offer has ended early).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from portal.final_reports.models import REPORT_KIND_LABELS, ReportKind

INTERIM_MONTHS = 12


@dataclass(frozen=True)
class Period:
    """One report an offer owes: its kind, the period it covers and its due date."""

    kind: ReportKind
    start: date
    end: date
    due: date

    @property
    def kind_label(self) -> str:
        return REPORT_KIND_LABELS[self.kind]


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (clipped to the month's last day: 31 Jan + 1 → 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def schedule(start: date, end: date, due_months: int) -> list[Period]:
    """The reports of an offer running from `start` to `end` (both included), in the order they fall due."""
    periods = []
    number = 1
    while (last := add_months(start, INTERIM_MONTHS * number) - timedelta(days=1)) < end:
        first = add_months(start, INTERIM_MONTHS * (number - 1))
        periods.append(Period(ReportKind.INTERIM, first, last, add_months(last, due_months)))
        number += 1
    periods.append(Period(ReportKind.FINAL, start, end, add_months(end, due_months)))
    return periods
