"""What the staff overview reads from the domains: places per field of work, what each provider still owes
(reports, settlements) and what waits for the signed-in user. Plain data, no ORM objects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.assignments.queries import occupied_places
from portal.extensions import db
from portal.offers.models import FIELDS_OF_WORK, REVIEWABLE, Offer, OfferState, OfferVersion, VersionStatus
from portal.reports.models import ParticipationReport, ReportStatus
from portal.reports.queries import due_reports
from portal.settlements.models import Settlement, SettlementStatus
from portal.settlements.queries import due_settlements


@dataclass(frozen=True)
class FieldPlaces:
    """The places of the live offers of one field of work and how many are filled today."""

    label: str
    places: int
    filled: int

    @property
    def free(self) -> int:
        return max(self.places - self.filled, 0)


def places_per_field(today: date) -> list[FieldPlaces]:
    """Per field of work (in the order of the offer form), the live offers' places and those filled (two
    statements)."""
    query = (
        select(Offer.id, OfferVersion.field_of_work, OfferVersion.places_total)
        .join(OfferVersion, OfferVersion.id == Offer.live_version_id)
        .where(Offer.state == OfferState.LIVE)
    )
    rows = db.session.execute(query).all()
    occupancy = occupied_places([row[0] for row in rows], today)
    places: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for offer_id, field, total in rows:
        places[field][0] += total or 0
        places[field][1] += occupancy.of_offer(offer_id)
    order = [*FIELDS_OF_WORK, *sorted(set(places) - set(FIELDS_OF_WORK))]
    return [FieldPlaces(FIELDS_OF_WORK.get(field, "Ohne Angabe"), *places[field]) for field in order if field in places]


@dataclass
class ProviderDue:
    """What one provider still has to hand in: monthly reports and settlements, how many of them overdue."""

    organisation_id: int
    name: str
    reports: int = 0
    reports_overdue: int = 0
    settlements: int = 0
    settlements_overdue: int = 0


def due_per_provider(today: date) -> list[ProviderDue]:
    """The providers with a report or a settlement to hand in, by name."""
    providers: dict[int, ProviderDue] = {}
    for report in due_reports(today):
        due = providers.setdefault(
            report.organisation_id, ProviderDue(report.organisation_id, report.organisation_name)
        )
        due.reports += 1
        due.reports_overdue += report.overdue
    for settlement in due_settlements():
        due = providers.setdefault(
            settlement.organisation_id, ProviderDue(settlement.organisation_id, settlement.organisation_name)
        )
        due.settlements += 1
        due.settlements_overdue += settlement.overdue(today)
    return sorted(providers.values(), key=lambda due: (due.name.lower(), due.organisation_id))


@dataclass(frozen=True)
class Waiting:
    """Something waiting for the signed-in user: how many, and the list that shows them."""

    label: str
    count: int
    endpoint: str
    args: dict[str, Any]


def waiting_for(user: User) -> list[Waiting]:
    """The user's cases and checks; for the team lead also the second approvals and releases others await."""
    approver = user.role in (Role.APPROVER, Role.ADMIN)
    items = [
        Waiting(
            "Anträge, die Sie bearbeiten",
            _count(OfferVersion, OfferVersion.status.in_(REVIEWABLE), OfferVersion.assigned_to_id == user.id),
            "review.queue",
            {"bearbeitung": "ich"},
        ),
        Waiting(
            "Teilnahmeberichte, die auf Prüfung warten",
            _count(ParticipationReport, ParticipationReport.status == ReportStatus.SUBMITTED),
            "reports.index",
            {"_anchor": "eingereicht"},
        ),
        Waiting(
            "Eingereichte Abrechnungen",
            _count(Settlement, Settlement.status == SettlementStatus.SUBMITTED),
            "settlements.index",
            {"status": SettlementStatus.SUBMITTED.value},
        ),
    ]
    if approver:
        items += _second_steps(user)
    return items


def _second_steps(user: User) -> list[Waiting]:
    """The four-eyes steps someone else began and the user may finish."""
    return [
        Waiting(
            "Anträge, die auf Ihre zweite Freigabe warten",
            _count(
                OfferVersion,
                OfferVersion.status == VersionStatus.FIRST_APPROVED,
                OfferVersion.first_approved_by_id != user.id,
            ),
            "review.queue",
            {"status": VersionStatus.FIRST_APPROVED.value},
        ),
        Waiting(
            "Abrechnungen, die auf Ihre zweite Freigabe warten",
            _count(
                Settlement,
                Settlement.status == SettlementStatus.AWAITING_SECOND_RELEASE,
                Settlement.released_by_id != user.id,
            ),
            "settlements.index",
            {"status": SettlementStatus.AWAITING_SECOND_RELEASE.value},
        ),
    ]


def _count(model: Any, *conditions: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
