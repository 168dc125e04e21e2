"""Read-only queries of the review: the queue with its filters and sorting, the version under review, counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Integer, Row, Select, bindparam, func, select

from portal.accounts.models import Organisation, User
from portal.extensions import db
from portal.models import utcnow
from portal.offers.models import (
    OFFER_TYPE_LABELS,
    REVIEWABLE,
    VERSION_STATUS_LABELS,
    Offer,
    OfferType,
    OfferVersion,
    Site,
    VersionStatus,
)
from portal.offers.queries import FIELD_LABELS, display
from portal.queries import built_once

SORTS = {
    "wartezeit": "Wartezeit (längste zuerst)",
    "eingang": "Eingang (neueste zuerst)",
    "kosten": "Kosten (höchste zuerst)",
    "titel": "Bezeichnung (A bis Z)",
}
DEFAULT_SORT = "wartezeit"
WAITING = {"7": "länger als 7 Tage", "14": "länger als 14 Tage", "28": "länger als 28 Tage"}
HOLDERS = {"ich": "von mir", "frei": "von niemandem"}
PAGE_SIZE = 25
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
    """One row of the queue as plain data: only what the list shows, no ORM objects."""

    offer_id: int
    title: str
    offer_type: OfferType | None
    status: VersionStatus
    submitted_at: datetime | None
    waiting_days: int
    total_cost: Decimal
    organisation: str
    holder: str | None  # the name of the person working on it
    is_revision: bool  # a change to an offer that is already live
    four_eyes: bool
    districts: list[str]

    @property
    def status_label(self) -> str:
        return VERSION_STATUS_LABELS[self.status]

    @property
    def type_label(self) -> str:
        return OFFER_TYPE_LABELS[self.offer_type] if self.offer_type else "–"


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its rows, its number (1-based) and the number of rows and pages in all."""

    items: list[QueueItem]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return _page_count(self.total)


def needs_four_eyes(total_cost: Decimal) -> bool:
    """Approval needs a second person (an approver) above the configured cost threshold."""
    return total_cost > current_app.config["FOUR_EYES_THRESHOLD"]


def review_queue(criteria: QueueFilter, user_id: int, page: int = 1, now: datetime | None = None) -> QueuePage:
    """One page of the versions waiting for a decision, new applications and changes to live offers alike.

    One statement, whatever the number of rows; a page number out of range shows the nearest page (one statement
    more to count the rows).
    """
    now = now or utcnow()
    values = _values(criteria, user_id, now)
    rows_of, count_of = _statements(criteria.sort, frozenset(values))
    number = max(page, 1)
    rows = _page_rows(rows_of, values, number)
    if not rows and number > 1:  # beyond the last page: the last page instead
        total = db.session.scalar(count_of, values) or 0
        number = _page_count(total)
        rows = _page_rows(rows_of, values, number) if total else []
    return QueuePage([_item(row, now) for row in rows], number, rows[0].total if rows else 0)


def _page_rows(statement: Select[Any], values: dict[str, Any], number: int) -> list[Row[Any]]:
    offset = min((number - 1) * PAGE_SIZE, _FAR)
    return list(db.session.execute(statement, {**values, "offset": offset}).all())


# The filters of the queue by name: their conditions, with the values bound when the statement runs
_FILTERS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "status": lambda: OfferVersion.status == bindparam("status"),
    "offer_type": lambda: OfferVersion.offer_type == bindparam("offer_type"),
    "district": lambda: OfferVersion.sites.any(Site.district == bindparam("district")),
    "organisation_id": lambda: OfferVersion.offer_id.in_(
        select(Offer.id).where(Offer.organisation_id == bindparam("organisation_id"))
    ),
    "submitted_before": lambda: OfferVersion.submitted_at <= bindparam("submitted_before"),
    "holder_id": lambda: OfferVersion.assigned_to_id == bindparam("holder_id"),
    "unassigned": lambda: OfferVersion.assigned_to_id.is_(None),
}


def _values(criteria: QueueFilter, user_id: int, now: datetime) -> dict[str, Any]:
    """The filters in use, by name, with their values."""
    waiting = criteria.waiting_days
    values = {
        "status": criteria.status,
        "offer_type": criteria.offer_type,
        "district": criteria.district or None,
        "organisation_id": criteria.organisation_id,
        # "longer than N days" as the queue shows whole days: at least N + 1 full days
        "submitted_before": None if waiting is None else now - timedelta(days=waiting + 1),
        "holder_id": user_id if criteria.holder == "ich" else None,
        "unassigned": True if criteria.holder == "frei" else None,
    }
    return {name: value for name, value in values.items() if value is not None}


@built_once
def _statements(sort: str, filters: frozenset[str]) -> tuple[Select[Any], Select[Any]]:
    """The statements of a page of the queue and of its number of rows, for one order and set of filters.

    Built once: building costs more than running them. The page's versions are picked from their own table
    first, with the number of all rows, and only then joined with their offer, provider, holder and sites.
    """
    conditions = [OfferVersion.status.in_(REVIEWABLE), *(_FILTERS[name]() for name in sorted(filters))]
    picked = (
        select(*(getattr(OfferVersion, name) for name in _SHOWN), func.count().over().label("total"))
        .where(*conditions)
        .order_by(*_order(sort, OfferVersion))
        .limit(PAGE_SIZE)
        .offset(bindparam("offset", type_=Integer))
        .subquery()
    )
    districts = select(func.aggregate_strings(Site.district, _SEPARATOR)).where(
        Site.version_id == picked.c.id, Site.district != ""
    )
    rows = (
        select(
            picked,
            Organisation.name.label("organisation"),
            User.name.label("holder"),
            Offer.live_version_id,
            districts.scalar_subquery().label("districts"),
        )
        .join(Offer, picked.c.offer_id == Offer.id)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .outerjoin(User, picked.c.assigned_to_id == User.id)
        .order_by(*_order(sort, picked.c))
    )
    return rows, select(func.count(OfferVersion.id)).where(*conditions)


# The columns of a version that the queue shows or needs
_SHOWN = (
    "id",
    "offer_id",
    "title",
    "offer_type",
    "status",
    "submitted_at",
    "status_changed_at",
    "total_cost",
    "assigned_to_id",
)
_FAR = 2**31 - 1  # an offset beyond any queue that every database takes
_SEPARATOR = "\n"  # between the districts of a version's sites; no single-line field may contain it


def _order(sort: str, version: Any) -> list[ColumnElement[Any]]:
    """The order of the queue; `version` has the columns of a version: the model or the columns of a subquery."""
    columns: dict[str, ColumnElement[Any]] = {
        "wartezeit": version.submitted_at.asc(),
        "eingang": version.submitted_at.desc(),
        "kosten": version.total_cost.desc(),
        "titel": func.lower(version.title).asc(),
    }
    return [columns.get(sort, columns[DEFAULT_SORT]), version.id.asc()]


def _item(row: Row[*tuple[Any, ...]], now: datetime) -> QueueItem:
    return QueueItem(
        offer_id=row.offer_id,
        title=row.title,
        offer_type=row.offer_type,
        status=row.status,
        submitted_at=row.submitted_at,
        waiting_days=_days_since(row.submitted_at or row.status_changed_at, now),
        total_cost=row.total_cost,
        organisation=row.organisation,
        holder=row.holder,
        is_revision=row.live_version_id is not None,
        four_eyes=needs_four_eyes(row.total_cost),
        districts=sorted(set(row.districts.split(_SEPARATOR))) if row.districts else [],
    )


def _page_count(total: int) -> int:
    """At least one page, also for an empty queue."""
    return max(-(-total // PAGE_SIZE), 1)


def _days_since(moment: datetime, now: datetime) -> int:
    return max((now - moment).days, 0)


def waiting_days(version: OfferVersion, now: datetime | None = None) -> int:
    """Whole days since the version was (re)submitted."""
    return _days_since(version.submitted_at or version.status_changed_at, now or utcnow())


def waiting_count() -> int:
    query = select(func.count(OfferVersion.id)).where(OfferVersion.status.in_(REVIEWABLE))
    return db.session.scalar(query) or 0


def queue_providers() -> dict[str, str]:
    """The organisations with something in the queue, for the provider filter: id → name."""
    return {str(organisation_id): name for organisation_id, name in db.session.execute(_providers_statement())}


@built_once
def _providers_statement() -> Select[int, str]:
    # The provider of each waiting version is looked up on its own and the distinct ones joined to their names: the
    # cost grows with the queue, not with the number of all offers (joined, PostgreSQL reads every offer).
    provider = select(Offer.organisation_id).where(Offer.id == OfferVersion.offer_id).scalar_subquery()
    waiting = select(provider.label("organisation_id")).where(OfferVersion.status.in_(REVIEWABLE)).distinct().subquery()
    return (
        select(Organisation.id, Organisation.name)
        .join(waiting, Organisation.id == waiting.c.organisation_id)
        .order_by(Organisation.name)
    )


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
