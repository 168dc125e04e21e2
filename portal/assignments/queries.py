"""Read-only questions about assignments: occupancy (Belegung) of offers and sites, and the over-booking warning.

Occupancy is never typed in: it is the number of assignments that fill a place on a day, per offer and per offer
and site. The portal's offer pages, the open data and the public offer pages all count with `occupied_places`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from portal.assignments.eligibility import Period
from portal.assignments.models import Assignment
from portal.extensions import db
from portal.offers.models import Offer


def fills_a_place() -> ColumnElement[bool]:
    """The state filter of occupancy, the one place that decides which assignments fill a place.

    Today every assignment does. Once assignments have states, only an active one does (proposed, declined, not
    started and ended ones do not): the condition becomes `Assignment.state == AssignmentState.ACTIVE`.
    """
    return true()


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


def overbooking_warning(offer: Offer, site: str, period: Period) -> str | None:
    """A warning for staff when one more assignment in `period` would fill more places than the offer (or the site)
    has on some day of the period; None if it fits. Counts the offer's other assignments as `occupied_places` does.
    """
    version = offer.live_version or offer.current
    others = db.session.execute(
        select(Assignment.start_date, Assignment.end_date, Assignment.site)
        .where(
            Assignment.offer_id == offer.id, Assignment.start_date <= period.end, Assignment.end_date >= period.start
        )
        .where(fills_a_place())
    ).all()
    site_places = next((each.places for each in version.sites if each.name == site), None)
    with_this = 1 + _most_at_once([Period(start, end) for start, end, _site in others], period)
    at_site = 1 + _most_at_once([Period(start, end) for start, end, name in others if name == site], period)
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
