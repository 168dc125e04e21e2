"""Deletion after the retention periods (`portal retention purge [--dry-run]`).

Participant data (social data) is kept `RETENTION_PARTICIPANT_MONTHS` months: reports of older months with all their
versions, lines and files; assignments that ended before the cutoff and that no remaining report line needs, with
their events, change requests, extensions and assessments; participants left without assignments. Ended, withdrawn
and rejected offers are kept `RETENTION_OFFER_YEARS` years after their funding ended, then deleted with everything
that belongs to them (their interim and final reports too).
Uploaded assignment files that were previewed but never imported (`portal.assignments.views.upload`) go after a day,
and so do stored files that no row refers to (`REFERENCES`; a change that fails or replaces a file deletes it itself,
this catches what a crash left). Sign-in attempts, with their IP addresses, go after `RETENTION_LOGIN_ATTEMPTS_DAYS`.

The plan is worked out first, so a dry run reports exactly what a purge would delete. Database rows go in one
transaction with one audit entry (counts only); the files are deleted once that transaction has committed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from portal import storage
from portal.accounts.models import LoginAttempt
from portal.assignments.models import AghExtension, Assignment, AssignmentMessage, Event, Participant
from portal.audit.services import record
from portal.budget.models import Commitment, Release
from portal.extensions import db
from portal.final_reports.models import Assessment, FinalReport
from portal.offers.models import Offer, OfferState, OfferVersion, ReviewNote, Site
from portal.reports import calc
from portal.reports.models import ParticipationReport, ReportLine, ReportReminder
from portal.settlements.models import Receipt, Settlement, SettlementLine
from portal.transactions import transactional

CLOSED_STATES = (OfferState.ENDED, OfferState.WITHDRAWN, OfferState.REJECTED)
CHUNK = 500  # ids per statement, well below every database's limit of bound parameters
# Rows that refer to an expired offer or one of its versions, deleted with it. Participant data (assignments, reports,
# events) goes its own way; a test checks these lists against every foreign key to `offers` and `offer_versions`.
BY_VERSION = (Commitment.offer_version_id, Site.version_id)
BY_OFFER = (
    Commitment.offer_id,
    FinalReport.offer_id,
    ReportReminder.offer_id,
    ReviewNote.offer_id,
    Receipt.offer_id,
    Release.offer_id,
    SettlementLine.offer_id,
)
# The columns that hold the keys of each storage area's files (uploads awaiting import have none: they go after a day).
REFERENCES: dict[str, tuple[InstrumentedAttribute[str], ...]] = {
    "certificates": (OfferVersion.certificate_key,),
    "reports": (ParticipationReport.pdf_key,),
    "scans": (ParticipationReport.scan_key,),
    "receipts": (Receipt.file_key, Settlement.payout_proof_key),
    "settlements": (Settlement.pdf_key,),
}


@dataclass(frozen=True)
class Cutoffs:
    participant_data: date  # participant data of months and assignments ending before this day goes
    offers: date  # closed offers whose funding ended before this day go
    uploads: datetime  # uploads awaiting import, and files no row refers to, stored before this moment go
    login_attempts: datetime  # sign-in attempts before this moment go

    @classmethod
    def configured(cls, today: date) -> Cutoffs:
        config = current_app.config
        midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
        return cls(
            participant_data=months_before(today, config["RETENTION_PARTICIPANT_MONTHS"]),
            offers=calc.years_before(today, config["RETENTION_OFFER_YEARS"]),
            uploads=midnight - timedelta(days=1),
            login_attempts=midnight - timedelta(days=config["RETENTION_LOGIN_ATTEMPTS_DAYS"]),
        )


@dataclass
class Plan:
    """What a purge deletes: row ids per kind and the stored files as (area, key)."""

    offer_ids: list[int] = field(default_factory=list)
    version_ids: list[int] = field(default_factory=list)
    report_ids: list[int] = field(default_factory=list)
    assignment_ids: list[int] = field(default_factory=list)
    participant_ids: list[int] = field(default_factory=list)
    settlement_ids: list[int] = field(default_factory=list)  # whose every line belongs to an expired offer
    files: list[tuple[str, str]] = field(default_factory=list)
    login_attempts_before: datetime | None = None  # set by plan_purge: the attempts before it go
    login_attempts: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "Teilnahmeberichte": len(self.report_ids),
            "Zuweisungen": len(self.assignment_ids),
            "Teilnehmende": len(self.participant_ids),
            "Angebote": len(self.offer_ids),
            "Dateien": len(self.files),
            "Anmeldeversuche": self.login_attempts,
        }

    def summary(self) -> str:
        return ", ".join(f"{label}: {count}" for label, count in self.counts().items())


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clipped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calc.days_in_month(year, month + 1)))


def plan_purge(cutoffs: Cutoffs) -> Plan:
    plan = Plan()
    plan.offer_ids, plan.version_ids = _expired_offers(cutoffs.offers)
    report_gone = _report_condition(cutoffs.participant_data, plan.offer_ids)
    assignment_gone = _assignment_condition(cutoffs.participant_data, plan.offer_ids, report_gone)
    reports = db.session.execute(
        select(ParticipationReport.id, ParticipationReport.pdf_key, ParticipationReport.scan_key)
        .where(report_gone)
        .order_by(ParticipationReport.id)
    ).all()
    plan.report_ids = [report_id for report_id, _pdf, _scan in reports]
    plan.assignment_ids = list(db.session.scalars(select(Assignment.id).where(assignment_gone).order_by(Assignment.id)))
    participant_gone = _participant_condition(cutoffs.participant_data, assignment_gone)
    plan.participant_ids = list(db.session.scalars(select(Participant.id).where(participant_gone)))
    keys = [("reports", pdf) for _id, pdf, _scan in reports] + [("scans", scan) for _id, _pdf, scan in reports]
    keys += _certificate_keys(plan.version_ids)
    plan.settlement_ids, settlement_keys = _expired_settlements(plan.offer_ids)
    keys += settlement_keys
    keys += [("imports", key) for key in storage.stored_before("imports", cutoffs.uploads)]
    keys += _unreferenced_keys(cutoffs.uploads)
    plan.files = [(area, key) for area, key in dict.fromkeys(keys) if storage.path_of(area, key) is not None]
    plan.login_attempts_before = cutoffs.login_attempts
    plan.login_attempts = (
        db.session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.created_at < cutoffs.login_attempts)
        )
        or 0
    )
    return plan


def _expired_settlements(offer_ids: Sequence[int]) -> tuple[list[int], list[tuple[str, str]]]:
    """The settlements (payment records) that go with the expired offers, and the files of their receipts and
    payout proofs: a settlement goes once every offer it settles has."""
    other_offer = exists().where(
        SettlementLine.settlement_id == Settlement.id, SettlementLine.offer_id.not_in(offer_ids)
    )
    gone = db.session.execute(
        select(Settlement.id, Settlement.payout_proof_key, Settlement.pdf_key).where(
            Settlement.lines.any(), ~other_offer
        )
    ).all()
    receipts = db.session.scalars(select(Receipt.file_key).where(Receipt.offer_id.in_(offer_ids))).all()
    files = [("receipts", key) for key in receipts] + [("receipts", proof) for _id, proof, _pdf in gone if proof]
    files += [("settlements", pdf) for _id, _proof, pdf in gone if pdf]
    return [settlement_id for settlement_id, _proof, _pdf in gone], files


def _unreferenced_keys(before: datetime) -> list[tuple[str, str]]:
    """The files of each area, stored before the moment, whose key no row holds."""
    keys: list[tuple[str, str]] = []
    for area, columns in REFERENCES.items():
        referenced = {key for column in columns for key in db.session.scalars(select(column).distinct())}
        keys += [(area, key) for key in storage.stored_before(area, before) if key not in referenced]
    return keys


def _expired_offers(cutoff: date) -> tuple[list[int], list[int]]:
    """Closed offers whose last version ended (or, without an end date, that last changed) before the cutoff."""
    offers = db.session.scalars(
        select(Offer).where(Offer.state.in_(CLOSED_STATES)).options(selectinload(Offer.versions)).order_by(Offer.id)
    ).all()
    expired = [offer for offer in offers if _funding_end(offer) < cutoff]
    return [offer.id for offer in expired], [version.id for offer in expired for version in offer.versions]


def _funding_end(offer: Offer) -> date:
    last = offer.versions[-1] if offer.versions else None
    if last is not None and last.end_date is not None:
        return last.end_date
    return offer.updated_at.date()


def _report_condition(cutoff: date, offer_ids: Sequence[int]) -> ColumnElement[bool]:
    """Every version of the reports of months that ended before the cutoff day, and all reports of expired offers."""
    month_index = ParticipationReport.year * 12 + ParticipationReport.month
    return or_(month_index < cutoff.year * 12 + cutoff.month, ParticipationReport.offer_id.in_(offer_ids))


def _assignment_condition(
    cutoff: date, offer_ids: Sequence[int], report_gone: ColumnElement[bool]
) -> ColumnElement[bool]:
    """Assignments that ended before the cutoff (or belong to an expired offer) and no remaining report needs."""
    still_needed = exists().where(
        ReportLine.assignment_id == Assignment.id, ReportLine.report_id == ParticipationReport.id, ~report_gone
    )
    return and_(or_(Assignment.end_date < cutoff, Assignment.offer_id.in_(offer_ids)), ~still_needed)


def _participant_condition(cutoff: date, assignment_gone: ColumnElement[bool]) -> ColumnElement[bool]:
    """Participants whose assignments all go, and those never assigned that were recorded before the cutoff."""
    keeps_one = exists().where(Assignment.participant_id == Participant.id, ~assignment_gone)
    has_one = exists().where(Assignment.participant_id == Participant.id)
    recorded_before = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=UTC)
    return and_(~keeps_one, or_(has_one, Participant.created_at < recorded_before))


def _certificate_keys(version_ids: Sequence[int]) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for chunk in _chunks(version_ids):
        query = select(OfferVersion.certificate_key).where(OfferVersion.id.in_(chunk))
        keys += [("certificates", key) for key in db.session.scalars(query)]
    return keys


@transactional
def execute_purge(plan: Plan) -> None:
    """Delete the rows the plan names and record it, in one transaction; the files go once it has committed."""
    _delete(ReportLine.report_id, plan.report_ids)
    _delete(ParticipationReport.id, plan.report_ids)
    _delete(Event.assignment_id, plan.assignment_ids)
    _delete(Event.offer_id, plan.offer_ids)
    _delete(AssignmentMessage.assignment_id, plan.assignment_ids)
    _delete(AghExtension.assignment_id, plan.assignment_ids)
    _delete(Assessment.assignment_id, plan.assignment_ids)
    _delete(Assignment.id, plan.assignment_ids)
    _delete(Participant.id, plan.participant_ids)
    _delete_offers(plan.offer_ids, plan.version_ids)
    _delete(Settlement.id, plan.settlement_ids)
    if plan.login_attempts_before is not None:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < plan.login_attempts_before))
    for area, key in plan.files:
        storage.discard(area, key)
    record("retention_purge", details=plan.summary(), actor_email="cli")


def _delete_offers(offer_ids: Sequence[int], version_ids: Sequence[int]) -> None:
    for chunk in _chunks(offer_ids):
        db.session.execute(
            update(Offer)
            .where(Offer.id.in_(chunk))
            .values(live_version_id=None, working_version_id=None)
            .execution_options(synchronize_session=False)
        )
    for column in BY_VERSION:
        _delete(column, version_ids)
    for column in BY_OFFER:
        _delete(column, offer_ids)
    _delete(OfferVersion.id, version_ids)
    _delete(Offer.id, offer_ids)


def _delete(column: InstrumentedAttribute[int], ids: Sequence[int]) -> None:
    for chunk in _chunks(ids):
        statement = delete(column.class_).where(column.in_(chunk)).execution_options(synchronize_session=False)
        db.session.execute(statement)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def purge(today: date, dry_run: bool) -> tuple[Plan, Cutoffs]:
    """Work out the plan for today and, unless it is a dry run, carry it out."""
    cutoffs = Cutoffs.configured(today)
    plan = plan_purge(cutoffs)
    if not dry_run:
        execute_purge(plan)
    return plan, cutoffs


def result_lines(plan: Plan, cutoffs: Cutoffs, dry_run: bool) -> list[str]:
    """The command's output: one line per kind, then what was (or would be) deleted."""
    scope = (
        f"Stichtage: Teilnahmedaten vor dem {cutoffs.participant_data:%d.%m.%Y}, "
        f"Angebote mit Förderende vor dem {cutoffs.offers:%d.%m.%Y}, "
        f"Anmeldeversuche vor dem {cutoffs.login_attempts:%d.%m.%Y}."
    )
    final = f"Probelauf, nichts wurde gelöscht. {scope}" if dry_run else f"Löschung abgeschlossen. {scope}"
    return [f"{label}: {count}" for label, count in plan.counts().items()] + [final]
