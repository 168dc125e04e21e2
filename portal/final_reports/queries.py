"""Read-only questions about interim and final reports and participant assessments: the figures of a period, the
reports an organisation owes, the assessments it still has to write, and the lists for providers and staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from portal.assignments.models import ENDS_ASSIGNMENT, Assignment, AssignmentStatus, Event, EventKind
from portal.extensions import db
from portal.final_reports import figures, schedule
from portal.final_reports.models import Assessment, FinalReport, FinalReportStatus, ReportKind
from portal.offers.models import Offer, OfferState
from portal.reports.models import ParticipationReport, ReportStatus
from portal.settlements.models import Settlement, SettlementLine, SettlementStatus

LIST_LIMIT = 200
REPORTING_STATES = (OfferState.LIVE, OfferState.ENDED)  # approved offers owe reports
RELEASED = (SettlementStatus.RELEASED, SettlementStatus.PAID)
OPEN = (FinalReportStatus.DRAFT, FinalReportStatus.CORRECTION_REQUESTED)


def due_months() -> int:
    return int(current_app.config["FINAL_REPORT_DUE_MONTHS"])


@dataclass(frozen=True)
class Figures:
    """Everything the report pre-fills for one offer and period."""

    people: figures.People
    place_months: Decimal
    months_reported: int  # months of the period with an approved monthly report
    months_total: int
    money: figures.Money
    approved_cost: Decimal  # the live version's total cost (the whole offer)


def figures_of(offer: Offer, first: date, last: date) -> Figures:
    months = figures.months_of(first, last)
    place_months = _place_months(offer.id, months)
    version = offer.live_version
    return Figures(
        people=figures.count_people(_stays(offer.id), first, last),
        place_months=sum(place_months, figures.ZERO),
        months_reported=len(place_months),
        months_total=len(months),
        money=figures.sum_money(_settled_lines(offer.id, months)),
        approved_cost=version.total_cost if version else figures.ZERO,
    )


def _stays(offer_id: int) -> list[figures.Stay]:
    query = select(Assignment).where(Assignment.offer_id == offer_id).options(selectinload(Assignment.events))
    return [_stay(assignment) for assignment in db.session.scalars(query)]


def _stay(assignment: Assignment) -> figures.Stay:
    exit_event = next((event for event in assignment.events if event.kind in ENDS_ASSIGNMENT), None)
    return figures.Stay(
        status=assignment.status,
        start=assignment.start_date,
        end=assignment.end_date,
        exit_kind=exit_event.kind if exit_event else None,
        exit_date=exit_event.event_date if exit_event else None,
    )


def _place_months(offer_id: int, months: list[tuple[int, int]]) -> list[Decimal]:
    """The place-months of each month of the period with an approved report (its latest approved version)."""
    query = (
        select(ParticipationReport.year, ParticipationReport.month, ParticipationReport.document)
        .where(
            ParticipationReport.offer_id == offer_id,
            ParticipationReport.status == ReportStatus.APPROVED,
            tuple_(ParticipationReport.year, ParticipationReport.month).in_(months),
        )
        .order_by(ParticipationReport.number)
    )
    latest = {(year, month): document for year, month, document in db.session.execute(query)}
    return [Decimal((document or {}).get("totals", {}).get("place_months", "0")) for document in latest.values()]


def _settled_lines(offer_id: int, months: list[tuple[int, int]]) -> list[figures.SettledLine]:
    query = (
        select(SettlementLine, Settlement.status)
        .join(Settlement, Settlement.id == SettlementLine.settlement_id)
        .where(SettlementLine.offer_id == offer_id, tuple_(Settlement.year, Settlement.month).in_(months))
    )
    return [
        figures.SettledLine(
            amounts={part: getattr(line, part) for part in figures.MONEY_PARTS},
            claimed=status is not SettlementStatus.DRAFT,
            released=status in RELEASED,
        )
        for line, status in db.session.execute(query)
    ]


# --- what an organisation owes -------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    """A report an offer owes and that can be written now: not begun (`report` None), a draft or to correct."""

    offer: Offer
    period: schedule.Period
    report: FinalReport | None
    overdue: bool

    @property
    def title(self) -> str:
        version = self.offer.live_version
        return f"{version.title if version else 'Angebot'} (Nr. {self.offer.id})"


def periods_of(offer: Offer) -> list[schedule.Period]:
    version = offer.live_version
    if version is None or version.start_date is None or version.end_date is None:
        return []
    return schedule.schedule(version.start_date, version.end_date, due_months())


def writable(offer: Offer, period: schedule.Period, today: date) -> bool:
    """A report can be written once its period is over; a final report also once the offer has ended early."""
    return period.end < today or (period.kind is ReportKind.FINAL and offer.state is OfferState.ENDED)


def period_of(offer: Offer, kind: ReportKind, end: date) -> schedule.Period | None:
    return next((item for item in periods_of(offer) if item.kind is kind and item.end == end), None)


def due_reports(organisation_id: int, today: date) -> list[DueReport]:
    """The organisation's reports that can be written and are not submitted yet, the earliest due first."""
    offers = db.session.scalars(
        select(Offer)
        .where(Offer.organisation_id == organisation_id, Offer.state.in_(REPORTING_STATES))
        .options(selectinload(Offer.live_version))
        .order_by(Offer.id)
    ).all()
    started = {(item.offer_id, item.kind, item.period_end): item for item in _reports_of_offers([o.id for o in offers])}
    due = []
    for offer in offers:
        for period in periods_of(offer):
            report = started.get((offer.id, period.kind, period.end))
            if writable(offer, period, today) and (report is None or report.status in OPEN):
                due.append(DueReport(offer, period, report, overdue=period.due < today))
    return sorted(due, key=lambda item: (item.period.due, item.offer.id))


def _reports_of_offers(offer_ids: list[int]) -> list[FinalReport]:
    return list(db.session.scalars(select(FinalReport).where(FinalReport.offer_id.in_(offer_ids))))


def report_of(offer_id: int, kind: ReportKind, period_end: date) -> FinalReport | None:
    query = select(FinalReport).where(
        FinalReport.offer_id == offer_id, FinalReport.kind == kind, FinalReport.period_end == period_end
    )
    return db.session.scalars(query).first()


def reports(organisation_id: int | None) -> list[FinalReport]:
    """The reports of one organisation (None: of all, for staff), the latest due first."""
    query = (
        select(FinalReport)
        .join(Offer, Offer.id == FinalReport.offer_id)
        .options(selectinload(FinalReport.offer).selectinload(Offer.organisation))
        .options(selectinload(FinalReport.offer).selectinload(Offer.live_version))
        .order_by(FinalReport.due_date.desc(), FinalReport.id.desc())
        .limit(LIST_LIMIT)
    )
    if organisation_id is not None:
        query = query.where(Offer.organisation_id == organisation_id)
    return list(db.session.scalars(query))


# --- participant assessments ---------------------------------------------------------------------------


def assessable(assignment: Assignment) -> bool:
    """An assignment is assessed once it has ended after the participant entered (not after a non-entry)."""
    return assignment.status is AssignmentStatus.ENDED and not any(
        event.kind is EventKind.NON_ENTRY for event in assignment.events
    )


def assessment_of(assignment_id: int) -> Assessment | None:
    return db.session.scalars(select(Assessment).where(Assessment.assignment_id == assignment_id)).first()


def pending_assessments(organisation_id: int) -> list[Assignment]:
    """The organisation's ended assignments without an assessment, the earliest end first."""
    non_entry = select(Event.assignment_id).where(Event.kind == EventKind.NON_ENTRY)
    query = (
        select(Assignment)
        .join(Offer, Offer.id == Assignment.offer_id)
        .where(
            Offer.organisation_id == organisation_id,
            Assignment.status == AssignmentStatus.ENDED,
            Assignment.id.not_in(non_entry),
            Assignment.id.not_in(select(Assessment.assignment_id)),
        )
        .options(selectinload(Assignment.participant), selectinload(Assignment.offer).selectinload(Offer.live_version))
        .order_by(Assignment.end_date, Assignment.id)
        .limit(LIST_LIMIT)
    )
    return list(db.session.scalars(query))


def recent_assessments(organisation_id: int | None) -> list[Assessment]:
    """Submitted assessments (of one organisation, or all for staff), the newest first."""
    query = (
        select(Assessment)
        .join(Assignment, Assignment.id == Assessment.assignment_id)
        .join(Offer, Offer.id == Assignment.offer_id)
        .options(selectinload(Assessment.assignment).selectinload(Assignment.participant))
        .options(selectinload(Assessment.assignment).selectinload(Assignment.offer).selectinload(Offer.organisation))
        .order_by(Assessment.submitted_at.desc(), Assessment.id.desc())
        .limit(LIST_LIMIT)
    )
    if organisation_id is not None:
        query = query.where(Offer.organisation_id == organisation_id)
    return list(db.session.scalars(query))
