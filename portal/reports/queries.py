"""Read-only views on participants and reports: which months are due, a report's versions, the lists per offer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, Label, Select, Subquery, and_, bindparam, func, or_, select, union_all
from sqlalchemy.orm import aliased, defer, joinedload, selectinload
from sqlalchemy.types import TypeEngine

from portal.accounts.models import Organisation
from portal.assignments.models import Assignment, Event
from portal.assignments.queries import fills_a_place
from portal.extensions import db
from portal.offers.models import Offer, OfferVersion
from portal.queries import built_once
from portal.reports import calc
from portal.reports.models import REPORT_STATUS_LABELS, ParticipationReport, ReportLine, ReportStatus

DUE_WINDOW_MONTHS = 12  # months looked back for missing reports
DONE = frozenset({ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.REJECTED})


@dataclass(frozen=True)
class DueReport:
    """A month whose report is not yet submitted: no report at all, a draft, or a correction to make."""

    offer_id: int
    organisation_id: int
    organisation_name: str
    offer_title: str
    year: int
    month: int
    due_date: date
    overdue: bool
    report_id: int | None
    status_label: str

    @property
    def month_label(self) -> str:
        return month_label(self.year, self.month)


MONTH_NAMES = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def month_label(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1]} {year}"


def months_back(today: date, count: int) -> list[tuple[int, int]]:
    """The `count` months before today's month, oldest first."""
    index = today.year * 12 + today.month - 1
    return [divmod(value, 12) for value in range(index - count, index)]


def _as_year_month(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(year, month + 1) for year, month in pairs]


def recent_months(today: date, count: int) -> list[tuple[int, int]]:
    """The `count` months before today's month as (year, month), oldest first."""
    return _as_year_month(months_back(today, count))


def latest_reports(
    offer_ids: Iterable[int], since: tuple[int, int] = (2000, 1)
) -> dict[tuple[int, int, int], ParticipationReport]:
    """The newest version of each (offer, year, month) report of the given offers, from the month `since` on
    (without the frozen document, which lists need not load)."""
    ids = list(offer_ids)
    if not ids:
        return {}
    month_index = ParticipationReport.year * 12 + ParticipationReport.month
    newest = (
        select(func.max(ParticipationReport.id))
        .where(ParticipationReport.offer_id.in_(ids), month_index >= since[0] * 12 + since[1])
        .group_by(ParticipationReport.offer_id, ParticipationReport.year, ParticipationReport.month)
    )
    query = select(ParticipationReport).where(ParticipationReport.id.in_(newest))
    reports = db.session.scalars(query.options(defer(ParticipationReport.document)))
    return {(report.offer_id, report.year, report.month): report for report in reports}


def due_reports(today: date, organisation_id: int | None = None) -> list[DueReport]:
    """Months of the last year in which an offer had participants and whose report is not yet submitted.

    A month counts once it has ended; it is overdue after the 10th of the following month. Providers pass their
    organisation; staff see every provider. The database finds the months: only the open ones leave it.
    """
    params = _window(recent_months(today, DUE_WINDOW_MONTHS)) | {"organisation_id": organisation_id}
    rows = db.session.execute(_due_query(per_organisation=organisation_id is not None), params)
    result = [_due(today, *row) for row in rows]
    return sorted(result, key=lambda due: (due.due_date, due.organisation_name, due.offer_title))


@built_once
def _due_query(per_organisation: bool) -> Select[Any]:
    """(offer, organisation, title, year, month, newest report's id and status) of each month of the window in
    which the offer had at least one assigned day and whose newest report is missing or not yet handed in.

    Built once: building it costs more than running it. The months (`_window`) and the organisation are parameters.
    """
    assigned = _assigned_months(per_organisation)
    newest = aliased(ParticipationReport)
    newest_id = (
        select(func.max(newest.id))
        .where(newest.offer_id == assigned.c.offer_id, newest.year == assigned.c.year, newest.month == assigned.c.month)
        .scalar_subquery()
    )
    return (
        select(Offer.id, Organisation.id, Organisation.name, func.coalesce(OfferVersion.title, ""))
        .add_columns(assigned.c.year, assigned.c.month, ParticipationReport.id, ParticipationReport.status)
        .select_from(assigned)
        .join(Offer, Offer.id == assigned.c.offer_id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .outerjoin(OfferVersion, OfferVersion.id == Offer.live_version_id)
        .outerjoin(ParticipationReport, ParticipationReport.id == newest_id)
        .where(or_(ParticipationReport.id.is_(None), ParticipationReport.status.not_in(DONE)))
        .order_by(assigned.c.year, assigned.c.month, Offer.id)
    )


def _assigned_months(per_organisation: bool) -> Subquery:
    """(offer_id, year, month) of each month of the window with at least one day inside an assignment of the
    offer (of the organisation `:organisation_id`, if `per_organisation`). Participants often share their period:
    each period is matched with the months once."""
    window, periods = _window_table(), _periods(per_organisation)
    first, last = window.c.first_day, window.c.last_day
    return (
        select(periods.c.offer_id, window.c.year, window.c.month)
        .distinct()
        .join(window, and_(periods.c.start_date <= last, periods.c.end_date >= first))
        .subquery("assigned")
    )


def _periods(per_organisation: bool) -> Subquery:
    """The distinct assignment periods that reach into the window (`:window_first` to `:window_last`)."""
    query = (
        select(Assignment.offer_id, Assignment.start_date, Assignment.end_date)
        .distinct()
        .where(
            Assignment.start_date <= Assignment.end_date,
            Assignment.start_date <= bindparam("window_last", type_=Date()),
            Assignment.end_date >= bindparam("window_first", type_=Date()),
        )
    )
    if per_organisation:
        query = query.join(Offer, Offer.id == Assignment.offer_id)
        query = query.where(Offer.organisation_id == bindparam("organisation_id", type_=Integer))
    return query.subquery("periods")


WINDOW_COLUMNS: dict[str, TypeEngine[Any]] = {
    "year": Integer(),
    "month": Integer(),
    "first_day": Date(),
    "last_day": Date(),
}


def _window_table() -> Subquery:
    """The months of the window as rows (year, month, first_day, last_day): a UNION of parameter rows, as every
    database has it; `_window` gives the values. Year and month are written into the statement when it is sent
    (they are numbers): with fewer than 50 parameters, psycopg keeps the converted statement in its cache."""
    rows: list[Select[Any]] = [
        select(*(_window_value(name, kind, index) for name, kind in WINDOW_COLUMNS.items()))
        for index in range(DUE_WINDOW_MONTHS)
    ]
    return union_all(*rows).subquery("months")


def _window_value(name: str, kind: TypeEngine[Any], index: int) -> Label[Any]:
    inline = isinstance(kind, Integer)
    return bindparam(f"{name}_{index}", type_=kind, literal_execute=inline).label(name)


def _window(months: list[tuple[int, int]]) -> dict[str, object]:
    """The parameters of `_window_table` and `_periods` for these months."""
    params: dict[str, object] = {}
    for index, (year, month) in enumerate(months):
        last = date(year, month, calc.days_in_month(year, month))
        params |= {f"year_{index}": year, f"month_{index}": month, f"first_day_{index}": last.replace(day=1)}
        params[f"last_day_{index}"] = last
    return params | {"window_first": params["first_day_0"], "window_last": params[f"last_day_{len(months) - 1}"]}


def _overlaps(period: tuple[date, date], year: int, month: int) -> bool:
    return calc.assigned_days(period[0], period[1], year, month) > 0


def _due(
    today: date,
    offer_id: int,
    org_id: int,
    org_name: str,
    title: str,
    year: int,
    month: int,
    report_id: int | None,
    status: ReportStatus | None,
) -> DueReport:
    return DueReport(
        offer_id=offer_id,
        organisation_id=org_id,
        organisation_name=org_name,
        offer_title=title,
        year=year,
        month=month,
        due_date=calc.due_date(year, month),
        overdue=calc.is_overdue(year, month, today),
        report_id=report_id,
        status_label=REPORT_STATUS_LABELS[status] if status is not None else "Noch nicht begonnen",
    )


def assignments_of_offer(offer_id: int) -> list[Assignment]:
    query = (
        select(Assignment)
        .where(Assignment.offer_id == offer_id)
        .options(selectinload(Assignment.participant), selectinload(Assignment.events))
        .order_by(Assignment.start_date, Assignment.id)
    )
    return list(db.session.scalars(query))


def assignments_in_month(offer_id: int, year: int, month: int) -> list[Assignment]:
    """The assignments a new report of the month lists: those that fill a place (accepted) and overlap the month."""
    first, last = date(year, month, 1), date(year, month, calc.days_in_month(year, month))
    query = (
        select(Assignment)
        .where(Assignment.offer_id == offer_id, Assignment.start_date <= last, Assignment.end_date >= first)
        .where(fills_a_place())
        .order_by(Assignment.start_date, Assignment.id)
    )
    return list(db.session.scalars(query))


# What the report pages and the report document read of the offer's version; its long texts are not loaded.
REPORT_VERSION_COLUMNS = (
    OfferVersion.title,
    OfferVersion.offer_type,
    OfferVersion.mkp_supervision,
)


def report_with_lines(report_id: int) -> ParticipationReport | None:
    """The report with its offer (live version, provider), lines, assignments and participants in one statement, and
    the assignments' events (a non-entry earns no MKP) in a second, whatever its size; the frozen document only when
    it is read."""
    return db.session.execute(_report_statement(), {"report_id": report_id}).unique().scalar_one_or_none()


@built_once
def _report_statement() -> Select[ParticipationReport]:
    """Built once: building the eager loads costs more than running the statement."""
    offer = joinedload(ParticipationReport.offer)
    lines = joinedload(ParticipationReport.lines).joinedload(ReportLine.assignment)
    return (
        select(ParticipationReport)
        .where(ParticipationReport.id == bindparam("report_id"))
        .options(
            offer.joinedload(Offer.live_version).load_only(*REPORT_VERSION_COLUMNS),
            offer.joinedload(Offer.organisation),
            lines.joinedload(Assignment.participant),
            lines.selectinload(Assignment.events),
            defer(ParticipationReport.document),
        )
    )


def versions_of(offer_id: int, year: int, month: int) -> list[ParticipationReport]:
    """Every version of the month, the first first (without the frozen documents, which are read only one by one)."""
    return list(db.session.scalars(_versions_statement(), {"offer_id": offer_id, "year": year, "month": month}))


def versions_of_report(report: ParticipationReport) -> list[ParticipationReport]:
    """Every version of the report's month. A first version that is not waiting for a correction is the only one
    (a new version starts only after a correction was requested): it needs no lookup."""
    if report.number == 1 and report.status is not ReportStatus.CORRECTION_REQUESTED:
        return [report]
    return versions_of(report.offer_id, report.year, report.month)


@built_once
def _versions_statement() -> Select[ParticipationReport]:
    return (
        select(ParticipationReport)
        .options(defer(ParticipationReport.document))
        .where(
            ParticipationReport.offer_id == bindparam("offer_id"),
            ParticipationReport.year == bindparam("year"),
            ParticipationReport.month == bindparam("month"),
        )
        .order_by(ParticipationReport.number)
    )


def reports_of_offer(offer_id: int) -> list[ParticipationReport]:
    query = (
        select(ParticipationReport)
        .where(ParticipationReport.offer_id == offer_id)
        .order_by(ParticipationReport.year.desc(), ParticipationReport.month.desc(), ParticipationReport.number.desc())
    )
    return list(db.session.scalars(query))


def events_in_month(offer_id: int, year: int, month: int) -> list[Event]:
    first, last = date(year, month, 1), date(year, month, calc.days_in_month(year, month))
    return list(db.session.scalars(_events_statement(), {"offer_id": offer_id, "first": first, "last": last}))


@built_once
def _events_statement() -> Select[Event]:
    return (
        select(Event)
        .where(
            Event.offer_id == bindparam("offer_id"),
            Event.event_date >= bindparam("first"),
            Event.event_date <= bindparam("last"),
        )
        .options(selectinload(Event.assignment).joinedload(Assignment.participant))
        .order_by(Event.event_date, Event.id)
    )


def submitted_reports() -> list[ParticipationReport]:
    """The staff's review queue: submitted reports, oldest first."""
    query = (
        select(ParticipationReport)
        .where(ParticipationReport.status == ReportStatus.SUBMITTED)
        .options(selectinload(ParticipationReport.offer).selectinload(Offer.organisation))
        .options(defer(ParticipationReport.document))
        .order_by(ParticipationReport.submitted_at)
    )
    return list(db.session.scalars(query))


def approved_documents(year: int, month: int) -> list[dict[str, object]]:
    """The frozen documents of the month's approved reports, for the payment exports."""
    query = (
        select(ParticipationReport.document)
        .where(
            ParticipationReport.year == year,
            ParticipationReport.month == month,
            ParticipationReport.status == ReportStatus.APPROVED,
        )
        .order_by(ParticipationReport.offer_id)
    )
    return [document for document in db.session.scalars(query) if document]


@dataclass(frozen=True)
class MonthEntry:
    """A month of an offer on its participants page: its report, if any, or the button to start one."""

    year: int
    month: int
    report: ParticipationReport | None

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def startable(self) -> bool:
        return self.report is None or self.report.status in (ReportStatus.DRAFT, ReportStatus.CORRECTION_REQUESTED)


def startable_months(offer: Offer, today: date) -> list[MonthEntry]:
    """The offer's months with participants, from the current month back a year, newest first."""
    months = [*recent_months(today, DUE_WINDOW_MONTHS), (today.year, today.month)]
    periods = [(item.start_date, item.end_date) for item in assignments_of_offer(offer.id)]
    latest = latest_reports([offer.id], since=months[0])
    return [
        MonthEntry(year, month, latest.get((offer.id, year, month)))
        for year, month in reversed(months)
        if any(_overlaps(period, year, month) for period in periods)
    ]


def recent_reports(organisation_id: int | None, limit: int = 50) -> list[ParticipationReport]:
    """The last changed reports: of one provider, or (staff) of all."""
    query = (
        select(ParticipationReport)
        .options(selectinload(ParticipationReport.offer).selectinload(Offer.organisation))
        .options(defer(ParticipationReport.document))
        .order_by(ParticipationReport.updated_at.desc())
        .limit(limit)
    )
    if organisation_id is not None:
        query = query.join(Offer).where(Offer.organisation_id == organisation_id)
    return list(db.session.scalars(query))
