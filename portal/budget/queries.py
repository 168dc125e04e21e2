"""Read-only questions about the budget: which offers tie up a year's money, filtered and sorted for the budget
page and its export."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from portal.accounts.models import Organisation
from portal.budget.models import Commitment, Release
from portal.extensions import db
from portal.offers.models import FIELDS_OF_WORK, OFFER_STATE_LABELS, Offer, OfferState, OfferVersion

LIST_LIMIT = 500  # offers on one page; the export has them all

# Sort keys (the address line's German names) and their headings
SORTS = {
    "angebot": "Angebot",
    "traeger": "Träger",
    "gebunden": "Gebunden",
    "freigegeben": "Freigegeben",
    "offen": "Noch gebunden",
}
DEFAULT_SORT = "offen"


@dataclass(frozen=True)
class OfferFilter:
    year: int
    organisation_id: int | None = None
    field_of_work: str | None = None
    text: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = True


@dataclass(frozen=True)
class OfferMoney:
    """One offer's money in one year: committed by its approval, released by settlements, still bound."""

    offer_id: int
    title: str
    organisation_id: int
    organisation_name: str
    field_of_work: str
    state: OfferState
    committed: Decimal
    released: Decimal

    @property
    def bound(self) -> Decimal:
        return max(self.committed - self.released, Decimal(0))

    @property
    def field_label(self) -> str:
        return FIELDS_OF_WORK.get(self.field_of_work, "–")

    @property
    def state_label(self) -> str:
        return OFFER_STATE_LABELS[self.state]


def offers_in_year(criteria: OfferFilter, limit: int | None = LIST_LIMIT) -> list[OfferMoney]:
    """The offers with a commitment in the year, as the criteria filter and sort them (one statement)."""
    query = _statement(criteria)
    if limit is not None:
        query = query.limit(limit)
    return [OfferMoney(*row) for row in db.session.execute(query)]


def _statement(criteria: OfferFilter) -> Select[Any]:
    committed = (
        select(Commitment.offer_id, func.sum(Commitment.amount).label("amount"))
        .where(Commitment.year == criteria.year)
        .group_by(Commitment.offer_id)
        .subquery()
    )
    released = (
        select(Release.offer_id, func.sum(Release.amount).label("amount"))
        .where(Release.year == criteria.year)
        .group_by(Release.offer_id)
        .subquery()
    )
    released_amount = func.coalesce(released.c.amount, 0)
    columns: dict[str, ColumnElement[Any]] = {
        "angebot": func.lower(func.coalesce(OfferVersion.title, "")),
        "traeger": func.lower(Organisation.name),
        "gebunden": committed.c.amount,
        "freigegeben": released_amount,
        "offen": committed.c.amount - released_amount,
    }
    order = columns.get(criteria.sort, columns[DEFAULT_SORT])
    query = (
        select(
            Offer.id,
            func.coalesce(OfferVersion.title, ""),
            Organisation.id,
            Organisation.name,
            func.coalesce(OfferVersion.field_of_work, ""),
            Offer.state,
            committed.c.amount,
            released_amount,
        )
        .select_from(committed)
        .join(Offer, Offer.id == committed.c.offer_id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .outerjoin(OfferVersion, OfferVersion.id == Offer.live_version_id)
        .outerjoin(released, released.c.offer_id == Offer.id)
        .order_by(order.desc() if criteria.descending else order.asc(), Offer.id)
    )
    return _filtered(query, criteria)


def _filtered(query: Select[Any], criteria: OfferFilter) -> Select[Any]:
    if criteria.organisation_id is not None:
        query = query.where(Organisation.id == criteria.organisation_id)
    if criteria.field_of_work:
        query = query.where(OfferVersion.field_of_work == criteria.field_of_work)
    if criteria.text:
        pattern = "%" + criteria.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(OfferVersion.title.ilike(pattern, escape="\\"), Organisation.name.ilike(pattern, escape="\\"))
        )
    return query


def providers_in_year(year: int) -> dict[str, str]:
    """The organisations with a commitment in the year, for the provider filter: id → name."""
    query = (
        select(Organisation.id, Organisation.name)
        .join(Offer, Offer.organisation_id == Organisation.id)
        .where(Offer.id.in_(select(Commitment.offer_id).where(Commitment.year == year)))
        .distinct()
        .order_by(Organisation.name)
    )
    return {str(org_id): name for org_id, name in db.session.execute(query)}
