"""When interim and final reports are due (`portal.final_reports.schedule`), with hand-counted dates."""

from __future__ import annotations

from datetime import date

import pytest

from portal.final_reports.models import ReportKind
from portal.final_reports.schedule import Period, add_months, schedule

INTERIM, FINAL = ReportKind.INTERIM, ReportKind.FINAL


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 10, 31), 2, date(2025, 12, 31)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),  # clipped to the shorter month
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # a leap year
        (date(2025, 7, 1), 12, date(2026, 7, 1)),
        (date(2025, 7, 1), 0, date(2025, 7, 1)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_an_offer_of_up_to_twelve_months_has_only_the_final_report() -> None:
    assert schedule(date(2025, 7, 1), date(2026, 6, 30), 2) == [
        Period(FINAL, date(2025, 7, 1), date(2026, 6, 30), date(2026, 8, 30))
    ]


def test_an_offer_of_thirteen_months_has_one_interim_report_after_twelve() -> None:
    assert schedule(date(2025, 7, 1), date(2026, 7, 31), 2) == [
        Period(INTERIM, date(2025, 7, 1), date(2026, 6, 30), date(2026, 8, 30)),
        Period(FINAL, date(2025, 7, 1), date(2026, 7, 31), date(2026, 9, 30)),
    ]


def test_an_offer_of_exactly_24_months_has_one_interim_report() -> None:
    periods = schedule(date(2025, 7, 1), date(2027, 6, 30), 2)
    assert [(item.kind, item.start, item.end) for item in periods] == [
        (INTERIM, date(2025, 7, 1), date(2026, 6, 30)),
        (FINAL, date(2025, 7, 1), date(2027, 6, 30)),
    ]


def test_an_offer_of_30_months_has_an_interim_report_for_each_of_its_first_two_years() -> None:
    periods = schedule(date(2025, 7, 15), date(2028, 1, 14), 1)
    assert periods == [
        Period(INTERIM, date(2025, 7, 15), date(2026, 7, 14), date(2026, 8, 14)),
        Period(INTERIM, date(2026, 7, 15), date(2027, 7, 14), date(2027, 8, 14)),
        Period(FINAL, date(2025, 7, 15), date(2028, 1, 14), date(2028, 2, 14)),
    ]
    assert [item.kind_label for item in periods][-1] == "Sachbericht mit Verwendungsnachweis"
