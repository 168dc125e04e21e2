"""Read-only questions about settlements: which approved reports a month settles, which months a provider can
settle, and the lists of settlements for providers and staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from portal.accounts.models import Organisation
from portal.extensions import db
from portal.offers.models import Offer
from portal.reports.models import ParticipationReport, ReportStatus
from portal.reports.queries import month_label
from portal.settlements import calc
from portal.settlements.models import Settlement, SettlementLine, SettlementStatus

LIST_LIMIT = 200


def approved_reports(organisation_id: int, year: int, month: int) -> list[ParticipationReport]:
    """Per offer of the organisation, the month's approved report (of several approved versions the latest)."""
    latest = (
        select(ParticipationReport.offer_id, func.max(ParticipationReport.number).label("number"))
        .join(Offer, Offer.id == ParticipationReport.offer_id)
        .where(
            Offer.organisation_id == organisation_id,
            ParticipationReport.year == year,
            ParticipationReport.month == month,
            ParticipationReport.status == ReportStatus.APPROVED,
        )
        .group_by(ParticipationReport.offer_id)
        .subquery()
    )
    query = (
        select(ParticipationReport)
        .join(
            latest,
            (latest.c.offer_id == ParticipationReport.offer_id) & (latest.c.number == ParticipationReport.number),
        )
        .where(ParticipationReport.year == year, ParticipationReport.month == month)
        .options(selectinload(ParticipationReport.offer).selectinload(Offer.live_version))
        .order_by(ParticipationReport.offer_id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class OpenMonth:
    """A month with approved reports and no settlement yet."""

    year: int
    month: int

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)


def open_months(organisation_id: int) -> list[OpenMonth]:
    """The months the organisation can start a settlement for, oldest first."""
    settled = select(Settlement.year, Settlement.month).where(Settlement.organisation_id == organisation_id)
    query = (
        select(ParticipationReport.year, ParticipationReport.month)
        .join(Offer, Offer.id == ParticipationReport.offer_id)
        .where(Offer.organisation_id == organisation_id, ParticipationReport.status == ReportStatus.APPROVED)
        .where(tuple_(ParticipationReport.year, ParticipationReport.month).not_in(settled))
        .distinct()
        .order_by(ParticipationReport.year, ParticipationReport.month)
    )
    return [OpenMonth(year, month) for year, month in db.session.execute(query)]


def settlement_of(organisation_id: int, year: int, month: int) -> Settlement | None:
    query = select(Settlement).where(
        Settlement.organisation_id == organisation_id, Settlement.year == year, Settlement.month == month
    )
    return db.session.scalars(query).first()


def settlements(organisation_id: int | None, status: SettlementStatus | None = None) -> list[Settlement]:
    """The settlements of one organisation (None: of all, for staff), the newest month first."""
    query = (
        select(Settlement)
        .options(selectinload(Settlement.organisation))
        .order_by(Settlement.year.desc(), Settlement.month.desc(), Settlement.id.desc())
        .limit(LIST_LIMIT)
    )
    if organisation_id is not None:
        query = query.where(Settlement.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Settlement.status == status)
    return list(db.session.scalars(query))


def line_of(settlement: Settlement, offer_id: int) -> SettlementLine | None:
    return next((line for line in settlement.lines if line.offer_id == offer_id), None)


# A settlement the provider still has to hand in: no settlement yet for an approved month, a draft, a correction
PROVIDER_TO_DO = (SettlementStatus.DRAFT, SettlementStatus.CORRECTION_REQUESTED)


@dataclass(frozen=True)
class DueSettlement:
    """A month a provider has to settle (approved reports) and has not handed in; due by the end of the next month."""

    organisation_id: int
    organisation_name: str
    year: int
    month: int

    def overdue(self, today: date) -> bool:
        return today > calc.due_date(self.year, self.month)


def due_settlements() -> list[DueSettlement]:
    """Of every provider, the months with approved reports and no settlement, and the settlements in draft or sent
    back for a correction (two statements), oldest first."""
    settled = select(Settlement.id).where(
        Settlement.organisation_id == Offer.organisation_id,
        Settlement.year == ParticipationReport.year,
        Settlement.month == ParticipationReport.month,
    )
    unsettled = (
        select(Organisation.id, Organisation.name, ParticipationReport.year, ParticipationReport.month)
        .join(Offer, Offer.id == ParticipationReport.offer_id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(ParticipationReport.status == ReportStatus.APPROVED, ~settled.exists())
        .distinct()
    )
    open_ones = (
        select(Organisation.id, Organisation.name, Settlement.year, Settlement.month)
        .join(Organisation, Organisation.id == Settlement.organisation_id)
        .where(Settlement.status.in_(PROVIDER_TO_DO))
    )
    rows = {DueSettlement(*row) for query in (unsettled, open_ones) for row in db.session.execute(query)}
    return sorted(rows, key=lambda due: (due.year, due.month, due.organisation_name))
