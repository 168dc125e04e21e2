"""Seeding participants, assignments and monthly reports with their attendance grids, by COPY.

Every live or ended offer gets one participant per place, assigned for the offer's whole period. Reports are
handed out month by month, newest first, across all offers, until the wanted number is reached: last month's
reports are drafts or submitted, older ones approved. Each report has one line per participant, filled as "Alle
Arbeitstage anwesend" fills it (working days present, holidays F, nothing outside the assignment) with a few
absences. The stored PDF document of a report (`document`) is left empty: the grid page does not read it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from bench import bulk
from bench.bulk import Row
from portal.assignments.models import EventKind
from portal.offers.models import OfferState
from portal.reports import calc
from portal.reports.models import ReportStatus
from portal.schema import metadata

if TYPE_CHECKING:
    from bench.seed import Offers, Seed, Seeded

HOLIDAY_STATE = "NW"  # the portal's default (PORTAL_HOLIDAY_STATE)
ABSENCES = ("E", "K", "U", "UE")
DROP_OUT_EVERY = 20  # one assignment in twenty ends with a drop-out event
REPORT_IDS_PER_PROVIDER = 50  # the load generator picks from these
LETTERS = "ABCDEFGHJK"


@dataclass(frozen=True)
class Period:
    offer_id: int
    organisation: int
    start: date
    end: date
    hours: Decimal
    mae_rate: Decimal
    places: int
    assignments: tuple[int, ...] = ()


def copy_reports(connection: Connection, size: Seed, seeded: Seeded, generated: Offers, rng: random.Random) -> None:
    """Participants, assignments, events, reports, report lines and the reports' audit trail."""
    periods = _periods(generated)
    participants, assignments, events = _assignments(periods, rng)
    periods = [period for period in periods if period.assignments]
    reports = list(_reports(periods, size, rng))
    first_audit = len(generated.audit) + 1
    for table, rows in (
        ("participants", participants),
        ("assignments", assignments),
        ("report_events", events),
        ("participation_reports", reports),
    ):
        bulk.copy(connection, metadata.tables[table], rows)
    by_offer = {period.offer_id: period for period in periods}
    bulk.copy(connection, metadata.tables["report_lines"], _lines(reports, by_offer, rng))
    bulk.copy(connection, metadata.tables["audit_entries"], _audit(reports, first_audit))
    for report in reversed(reports):  # the newest first, as a provider would open them
        account = seeded.providers[report["organisation"] - 1]
        if len(account.reports) < REPORT_IDS_PER_PROVIDER:
            account.reports.append(report["id"])


def _periods(generated: Offers) -> list[Period]:
    versions = {version["id"]: version for version in generated.versions}
    periods = []
    for offer in generated.offers:
        if offer["state"] not in (OfferState.LIVE, OfferState.ENDED):
            continue
        version = versions[offer["live_version_id"]]
        periods.append(
            Period(
                offer["id"],
                offer["organisation_id"],
                version["start_date"],
                version["end_date"],
                version["hours_per_week"],
                version["mae_rate"] or Decimal(0),
                version["places_total"],
            )
        )
    return periods


def _assignments(periods: list[Period], rng: random.Random) -> tuple[list[Row], list[Row], list[Row]]:
    participants: list[Row] = []
    assignments: list[Row] = []
    events: list[Row] = []
    for index, period in enumerate(periods):
        ids = []
        for _ in range(period.places):
            number = len(participants) + 1
            participants.append(_participant(number, period.organisation))
            assignments.append(_assignment(number, period))
            ids.append(number)
            if number % DROP_OUT_EVERY == 0:
                events.append(_event(len(events) + 1, number, period, rng))
        periods[index] = replace(period, assignments=tuple(ids))
    return participants, assignments, events


def _participant(number: int, organisation: int) -> Row:
    customer_number = f"{100 + number % 900:03d}{LETTERS[number // 900 % 10]}{number // 9000:06d}"
    return {"id": number, "organisation_id": organisation, "customer_number": customer_number, "initials": "A. B."}


def _assignment(number: int, period: Period) -> Row:
    return {
        "id": number,
        "offer_id": period.offer_id,
        "participant_id": number,
        "start_date": period.start,
        "end_date": period.end,
        "weekly_hours": period.hours,
        "mae_rate": period.mae_rate,
        "site": "Standort",
        "created_by_id": period.organisation,
    }


def _event(number: int, assignment: int, period: Period, rng: random.Random) -> Row:
    day = period.start + timedelta(days=rng.randint(0, max((period.end - period.start).days, 0)))
    return {
        "id": number,
        "assignment_id": assignment,
        "offer_id": period.offer_id,
        "kind": EventKind.DROP_OUT,
        "event_date": day,
        "reason": "Umzug",
        "created_by_id": period.organisation,
    }


# --- reports ---------------------------------------------------------------------------------------------------------


def _reports(periods: list[Period], size: Seed, rng: random.Random) -> Iterator[Row]:
    """Month by month, newest first, one report per offer running in that month, until there are enough."""
    months = _months_back(date.today())
    count = 0
    for age, (year, month) in enumerate(months):
        first, last = date(year, month, 1), _last_day(year, month)
        running = [period for period in periods if period.start <= last and period.end >= first]
        for period in running:
            if count == size.reports:
                return
            count += 1
            yield _report(count, period, year, month, age == 0, size.providers, rng)
        if not running and first < min(period.start for period in periods):
            return


def _months_back(today: date) -> Iterator[tuple[int, int]]:
    year, month = today.year, today.month
    while True:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        yield year, month


def _last_day(year: int, month: int) -> date:
    return date(year, month, calc.days_in_month(year, month))


def _report(
    number: int, period: Period, year: int, month: int, latest: bool, providers: int, rng: random.Random
) -> Row:
    submitted = datetime.combine(_last_day(year, month) + timedelta(days=rng.randint(1, 9)), time(10)).astimezone()
    status = rng.choice([ReportStatus.DRAFT, ReportStatus.SUBMITTED]) if latest else ReportStatus.APPROVED
    row: dict[str, Any] = {
        "id": number,
        "offer_id": period.offer_id,
        "organisation": period.organisation,  # not a column: for the load generator and the audit trail
        "year": year,
        "month": month,
        "status": status,
        "status_changed_at": submitted,
        "created_at": submitted - timedelta(days=10),
        "updated_at": submitted,
    }
    if status != ReportStatus.DRAFT:
        row |= {"submitted_at": submitted, "submitted_by_id": period.organisation}
    if status == ReportStatus.APPROVED:
        row |= {"decided_at": submitted + timedelta(days=5), "decided_by_id": providers + 1 + number % 5}
    return row


def _lines(reports: list[Row], periods: dict[int, Period], rng: random.Random) -> Iterator[Row]:
    number = 0
    for report in reports:
        period = periods[report["offer_id"]]
        cells = _filled(period.start, period.end, report["year"], report["month"], period.hours)
        for position, assignment in enumerate(period.assignments):
            number += 1
            yield {
                "id": number,
                "report_id": report["id"],
                "assignment_id": assignment,
                "position": position,
                "days": _with_absence(cells, rng) if position % 3 == 0 else cells,
            }


def _with_absence(cells: dict[str, str], rng: random.Random) -> dict[str, str]:
    working = [day for day, cell in cells.items() if cell[:1].isdigit()]
    if not working:
        return cells
    return cells | {rng.choice(working): rng.choice(ABSENCES)}


def _filled(start: date, end: date, year: int, month: int, hours: Decimal) -> dict[str, str]:
    first, last = date(year, month, 1), _last_day(year, month)
    return _month_cells(max(start, first - timedelta(days=1)), min(end, last + timedelta(days=1)), year, month, hours)


@cache
def _month_cells(start: date, end: date, year: int, month: int, hours: Decimal) -> dict[str, str]:
    entries = calc.fill_row(start, end, year, month, _holidays(year), calc.hours_per_day(hours))
    return {str(day.day): calc.format_cell(entry) for day, entry in entries.items()}


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(calc.state_holidays(year, HOLIDAY_STATE))


def _audit(reports: list[Row], first_id: int) -> Iterator[Row]:
    """report_created and, once sent, report_submit by the provider; report_approved by staff."""
    number = first_id
    for report in reports:
        provider = report["organisation"]
        common = {"object_type": "ParticipationReport", "object_id": str(report["id"])}
        actor = {"actor_id": provider, "actor_email": f"traeger{provider:03d}@bench.example", "actor_role": "provider"}
        entries = [common | actor | {"action": "report_created", "created_at": report["created_at"]}]
        if report["status"] != ReportStatus.DRAFT:
            entries.append(common | actor | {"action": "report_submit", "created_at": report["submitted_at"]})
        if report["status"] == ReportStatus.APPROVED:
            staff = {"actor_id": report["decided_by_id"], "actor_role": "staff", "created_at": report["decided_at"]}
            entries.append(common | staff | {"action": "report_approve"})
        for entry in entries:
            yield entry | {"id": number}
            number += 1
