"""Read-only questions about assignments: occupancy (Belegung) of offers and sites, the over-booking warning, and
for the checks of a new assignment the Kundennummer's AGH history and an overlap.

Occupancy is never typed in: it is the number of assignments that fill a place on a day, per offer and per offer
and site. The portal's offer pages, the open data and the public offer pages all count with `occupied_places`.
Staff's list of all assignments (`staff_list`) is capped at `LIST_LIMIT` rows, the most recently changed first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import Organisation
from portal.assignments.eligibility import Extension, Period
from portal.assignments.models import AghExtension, Assignment, AssignmentStatus, Participant
from portal.extensions import db
from portal.offers.models import Offer, OfferState, OfferType, OfferVersion


def fills_a_place() -> ColumnElement[bool]:
    """The state filter of occupancy, the one place that decides which assignments fill a place: an accepted one
    (active, or ended: its period then stops at the exit). Proposed, declined and not started ones fill none."""
    return Assignment.status.in_((AssignmentStatus.ACTIVE, AssignmentStatus.ENDED))


def holds_a_place() -> ColumnElement[bool]:
    """What the over-booking warning counts: the places filled and those proposed to a provider still unanswered."""
    return Assignment.status.in_((AssignmentStatus.PROPOSED, AssignmentStatus.ACTIVE, AssignmentStatus.ENDED))


@dataclass(frozen=True)
class Occupancy:
    """Occupied places on one day: per offer, and per offer and site name (`Assignment.site`)."""

    offers: dict[int, int]
    sites: dict[tuple[int, str], int]

    def of_offer(self, offer_id: int) -> int:
        return self.offers.get(offer_id, 0)

    def of_site(self, offer_id: int, site: str) -> int:
        return self.sites.get((offer_id, site), 0)

    def free(self, offer_id: int, places: int | None) -> int:
        return free_places(places or 0, self.of_offer(offer_id))


def free_places(places: int, occupied: int) -> int:
    """Free places: the places less the occupied ones, never below 0 (an over-booked offer has none)."""
    return max(places - occupied, 0)


def occupied_places(offer_ids: Iterable[int], on: date, session: Session | None = None) -> Occupancy:
    """The places filled on day `on` by the offers' assignments whose period covers that day. One query."""
    ids = list(offer_ids)
    if not ids:
        return Occupancy({}, {})
    query = (
        select(Assignment.offer_id, Assignment.site, func.count())
        .where(Assignment.offer_id.in_(ids), Assignment.start_date <= on, Assignment.end_date >= on)
        .where(fills_a_place())
        .group_by(Assignment.offer_id, Assignment.site)
    )
    offers: Counter[int] = Counter()
    sites: dict[tuple[int, str], int] = {}
    for offer_id, site, count in (session or db.session).execute(query):
        offers[offer_id] += count
        sites[(offer_id, site)] = count
    return Occupancy(dict(offers), sites)


def overbooking_warning(
    offer: Offer, site: str, period: Period, planned: Iterable[tuple[str, Period]] = ()
) -> str | None:
    """A warning for staff when one more assignment in `period` would fill more places than the offer (or the site)
    has on some day of the period; None if it fits. Counts the offer's other assignments as `occupied_places` does,
    and the `planned` ones not stored yet (site and period: the earlier rows of an upload)."""
    version = offer.live_version or offer.current
    stored = db.session.execute(
        select(Assignment.start_date, Assignment.end_date, Assignment.site)
        .where(
            Assignment.offer_id == offer.id, Assignment.start_date <= period.end, Assignment.end_date >= period.start
        )
        .where(holds_a_place())
    ).all()
    others = [(name, Period(start, end)) for start, end, name in stored] + list(planned)
    site_places = next((each.places for each in version.sites if each.name == site), None)
    with_this = 1 + _most_at_once([each for _name, each in others], period)
    at_site = 1 + _most_at_once([each for name, each in others if name == site], period)
    places = version.places_total or 0
    if with_this > places:
        return f"Das Angebot hat {_places(places)}; mit dieser Zuweisung wären {with_this} belegt."
    if site_places is not None and at_site > site_places:
        return f"Die Einsatzstelle „{site}“ hat {_places(site_places)}; mit dieser Zuweisung wären {at_site} belegt."
    return None


def _most_at_once(periods: list[Period], within: Period) -> int:
    """The most of `periods` that run at once on a day of `within`: the count peaks on the day one of them starts
    (or on the first day of `within`)."""
    days = {within.start} | {each.start for each in periods if within.start <= each.start <= within.end}
    return max(sum(1 for each in periods if each.start <= day <= each.end) for day in days)


def _places(count: int) -> str:
    return "1 Platz" if count == 1 else f"{count} Plätze"


def agh_history(customer_number: str) -> list[Period]:
    """Every AGH assignment the portal knows for this Kundennummer, across all providers: for staff only."""
    query = (
        select(Assignment.start_date, Assignment.end_date)
        .join(Participant, Participant.id == Assignment.participant_id)
        .join(Offer, Offer.id == Assignment.offer_id)
        .join(OfferVersion, OfferVersion.id == Offer.live_version_id)
        .where(
            Participant.customer_number == customer_number,
            OfferVersion.offer_type == OfferType.AGH_MAE,
            Assignment.end_date >= Assignment.start_date,  # a non-entry on the first day is no time at all
        )
        .where(holds_a_place())  # declined and not started ones are no time at all
    )
    return [Period(start, end) for start, end in db.session.execute(query)]


def agh_extensions(customer_number: str) -> list[Extension]:
    """Every extension of the Kundennummer's AGH limit recorded so far, at any provider: for staff only."""
    query = select(AghExtension).where(AghExtension.customer_number == customer_number).order_by(AghExtension.id)
    return [Extension(item.granted_on, item.reason, item.months) for item in db.session.scalars(query)]


def due_to_end(on: date) -> list[Assignment]:
    """The active assignments whose planned end lies before `on`, their rows locked (PostgreSQL): a parallel run
    waits and then no longer finds them active."""
    query = (
        select(Assignment)
        .where(Assignment.status == AssignmentStatus.ACTIVE, Assignment.end_date < on)
        .order_by(Assignment.id)
        .with_for_update()
    )
    return list(db.session.scalars(query))


def overlapping_assignment(offer_id: int, customer_number: str, first: date, last: date) -> Assignment | None:
    """An assignment of the Kundennummer to the offer that overlaps the period: also what a resent form made."""
    query = (
        select(Assignment)
        .join(Participant, Participant.id == Assignment.participant_id)
        .where(
            Assignment.offer_id == offer_id,
            Participant.customer_number == customer_number,
            Assignment.start_date <= last,
            Assignment.end_date >= first,
        )
        .order_by(Assignment.id)
    )
    return db.session.scalars(query).first()


LIST_LIMIT = 200  # rows of staff's list; the filters narrow it down


@dataclass(frozen=True)
class ListFilter:
    offer_id: int | None = None
    status: AssignmentStatus | None = None


def last_change() -> ColumnElement[datetime]:
    return func.coalesce(Assignment.status_changed_at, Assignment.created_at)


def staff_list(criteria: ListFilter, limit: int = LIST_LIMIT) -> list[Assignment]:
    """Assignments of every provider for staff, most recently changed first, at most `limit` of them."""
    query = (
        select(Assignment)
        .options(
            selectinload(Assignment.participant),
            selectinload(Assignment.messages),
            selectinload(Assignment.offer).joinedload(Offer.live_version),
        )
        .order_by(last_change().desc(), Assignment.id.desc())
        .limit(limit)
    )
    if criteria.offer_id is not None:
        query = query.where(Assignment.offer_id == criteria.offer_id)
    if criteria.status is not None:
        query = query.where(Assignment.status == criteria.status)
    return list(db.session.scalars(query))


def assigned_offers() -> dict[int, str]:
    """The offers with at least one assignment, as "title (provider)", for the list's filter."""
    return _offer_titles(Offer.id.in_(select(Assignment.offer_id)))


def live_offers() -> dict[int, str]:
    """The live offers, as "title (provider)": where staff can assign someone."""
    return _offer_titles(Offer.state == OfferState.LIVE)


def _offer_titles(condition: ColumnElement[bool]) -> dict[int, str]:
    query = (
        select(Offer.id, OfferVersion.title, Organisation.name)
        .join(OfferVersion, OfferVersion.id == Offer.live_version_id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(condition)
        .order_by(OfferVersion.title, Offer.id)
    )
    return {offer_id: f"{title} ({name})" for offer_id, title, name in db.session.execute(query)}
