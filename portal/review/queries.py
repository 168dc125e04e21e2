"""Read-only queries of the review: the queue with its filters and sorting, the version under review, counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import Organisation
from portal.extensions import db
from portal.models import utcnow
from portal.offers.models import REVIEWABLE, Offer, OfferType, OfferVersion, Site, VersionStatus
from portal.offers.queries import FIELD_LABELS, display
from portal.review.services import needs_four_eyes

SORTS = {
    "wartezeit": "Wartezeit (längste zuerst)",
    "eingang": "Eingang (neueste zuerst)",
    "kosten": "Kosten (höchste zuerst)",
    "titel": "Bezeichnung (A bis Z)",
}
DEFAULT_SORT = "wartezeit"
WAITING = {"7": "länger als 7 Tage", "14": "länger als 14 Tage", "28": "länger als 28 Tage"}
HOLDERS = {"ich": "von mir", "frei": "von niemandem"}
# Shown as a table of their own or as a download link, not in the list of fields.
_NOT_LISTED = ("sites", "certificate_name")


@dataclass(frozen=True)
class QueueFilter:
    status: VersionStatus | None = None
    offer_type: OfferType | None = None
    district: str | None = None
    organisation_id: int | None = None
    waiting_days: int | None = None
    holder: str | None = None  # "ich" (the current user) or "frei" (nobody)
    sort: str = DEFAULT_SORT


@dataclass(frozen=True)
class QueueItem:
    version: OfferVersion
    waiting_days: int
    four_eyes: bool

    @property
    def is_revision(self) -> bool:
        """A change to an offer that is already live."""
        return self.version.offer.live_version_id is not None


def _order(sort: str) -> list[ColumnElement[Any]]:
    columns: dict[str, ColumnElement[Any]] = {
        "wartezeit": OfferVersion.submitted_at.asc(),
        "eingang": OfferVersion.submitted_at.desc(),
        "kosten": OfferVersion.total_cost.desc(),
        "titel": func.lower(OfferVersion.title).asc(),
    }
    return [columns.get(sort, columns[DEFAULT_SORT]), OfferVersion.id.asc()]


def _conditions(criteria: QueueFilter, user_id: int, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [OfferVersion.status.in_(REVIEWABLE)]
    if criteria.status is not None:
        conditions.append(OfferVersion.status == criteria.status)
    if criteria.offer_type is not None:
        conditions.append(OfferVersion.offer_type == criteria.offer_type)
    if criteria.district:
        conditions.append(OfferVersion.sites.any(Site.district == criteria.district))
    if criteria.organisation_id is not None:
        conditions.append(Offer.organisation_id == criteria.organisation_id)
    if criteria.waiting_days is not None:
        # "longer than N days" as the queue shows whole days: at least N + 1 full days
        conditions.append(OfferVersion.submitted_at <= now - timedelta(days=criteria.waiting_days + 1))
    if criteria.holder == "ich":
        conditions.append(OfferVersion.assigned_to_id == user_id)
    elif criteria.holder == "frei":
        conditions.append(OfferVersion.assigned_to_id.is_(None))
    return conditions


def review_queue(criteria: QueueFilter, user_id: int, now: datetime | None = None) -> list[QueueItem]:
    """Every version waiting for a decision, new applications and changes to live offers alike.

    A fixed number of statements, whatever the number of rows: organisation and holder are joined,
    the sites come in one more query.
    """
    now = now or utcnow()
    query = (
        select(OfferVersion)
        .join(Offer, OfferVersion.offer_id == Offer.id)
        .where(*_conditions(criteria, user_id, now))
        .options(
            joinedload(OfferVersion.offer).joinedload(Offer.organisation),
            joinedload(OfferVersion.assigned_to),
            selectinload(OfferVersion.sites),
        )
        .order_by(*_order(criteria.sort))
    )
    return [
        QueueItem(version, waiting_days(version, now), needs_four_eyes(version))
        for version in db.session.scalars(query)
    ]


def waiting_days(version: OfferVersion, now: datetime | None = None) -> int:
    """Whole days since the version was (re)submitted."""
    since = version.submitted_at or version.status_changed_at
    return max(((now or utcnow()) - since).days, 0)


def waiting_count() -> int:
    query = select(func.count(OfferVersion.id)).where(OfferVersion.status.in_(REVIEWABLE))
    return db.session.scalar(query) or 0


def queue_providers() -> dict[str, str]:
    """The organisations with something in the queue, for the provider filter: id → name."""
    waiting = (
        select(Offer.organisation_id)
        .join(OfferVersion, OfferVersion.offer_id == Offer.id)
        .where(OfferVersion.status.in_(REVIEWABLE))
    )
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(waiting)).order_by(Organisation.name)
    return {str(organisation_id): name for organisation_id, name in db.session.execute(query)}


def version_under_review(offer: Offer) -> OfferVersion:
    """The version staff decide on; while a provider drafts a change, the live version stays in view."""
    working = offer.working_version
    if working is not None and working.status == VersionStatus.DRAFT and offer.live_version is not None:
        return offer.live_version
    return offer.current


def listed_fields(version: OfferVersion) -> list[tuple[str, str]]:
    """Label and display value of every content field, in the order of the application form."""
    return [
        (FIELD_LABELS.get(name, name), display(name, value))
        for name, value in version.content().items()
        if name not in _NOT_LISTED
    ]
