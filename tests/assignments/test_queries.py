"""Occupancy counted from the assignments, per offer and site, and the over-booking warning for staff."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.assignments.eligibility import Period
from portal.assignments.queries import Occupancy, free_places, occupied_places, overbooking_warning
from portal.extensions import db
from portal.offers.models import Offer, Site

DAY = date(2026, 3, 10)


def days(first: int, last: int) -> dict[str, date]:
    """An assignment's period, in days from DAY."""
    return {"start_date": DAY + timedelta(days=first), "end_date": DAY + timedelta(days=last)}


def with_second_site(offer: Offer, places: tuple[int, int]) -> Offer:
    version = offer.live_version
    version.places_total = sum(places)
    version.sites[0].places = places[0]
    version.sites.append(
        Site(
            position=1,
            name="Kleiderkammer",
            street="Hauptstraße 2",
            postal_code="50667",
            district="Nord",
            places=places[1],
        )
    )
    db.session.commit()
    return offer


@pytest.fixture
def offer(factories) -> Offer:
    return with_second_site(factories.live_offer(), (4, 2))


def test_only_assignments_whose_period_covers_the_day_fill_a_place(factories, offer):
    factories.assignment(offer, **days(-30, 0))  # ends on the day
    factories.assignment(offer, **days(0, 30))  # starts on the day
    factories.assignment(offer, **days(-30, -1))  # ended the day before
    factories.assignment(offer, **days(1, 30))  # starts the day after
    factories.assignment(offer, site="Kleiderkammer", **days(-5, 5))
    other = factories.live_offer()
    factories.assignment(other, **days(0, 0))
    lonely = factories.live_offer()
    occupancy = occupied_places([offer.id, other.id, lonely.id], DAY)
    assert occupancy == Occupancy(
        {offer.id: 3, other.id: 1},
        {(offer.id, "Stadtteilzentrum"): 2, (offer.id, "Kleiderkammer"): 1, (other.id, "Stadtteilzentrum"): 1},
    )
    assert (occupancy.of_offer(lonely.id), occupancy.of_site(offer.id, "Nirgendwo")) == (0, 0)
    assert occupied_places([offer.id], DAY + timedelta(days=31)) == Occupancy({}, {})
    assert occupied_places([], DAY) == Occupancy({}, {})


def test_free_places_never_go_below_zero(factories, offer):
    for _ in range(7):
        factories.assignment(offer, **days(0, 0))
    occupancy = occupied_places([offer.id], DAY)
    assert (occupancy.of_offer(offer.id), occupancy.free(offer.id, 6), occupancy.free(offer.id, None)) == (7, 0, 0)
    assert (free_places(6, 2), free_places(6, 6), free_places(0, 1)) == (4, 0, 0)


def period(first: int, last: int) -> Period:
    return Period(DAY + timedelta(days=first), DAY + timedelta(days=last))


def test_no_warning_while_the_places_suffice(factories, offer):
    for _ in range(3):
        factories.assignment(offer, **days(0, 30))
    assert overbooking_warning(offer, "Stadtteilzentrum", period(0, 30)) is None


def test_a_warning_when_the_offer_would_be_over_booked(factories, offer):
    for site in ["Stadtteilzentrum"] * 4 + ["Kleiderkammer"] * 2:
        factories.assignment(offer, site=site, **days(0, 30))
    assert overbooking_warning(offer, "Stadtteilzentrum", period(10, 40)) == (
        "Das Angebot hat 6 Plätze; mit dieser Zuweisung wären 7 belegt."
    )
    assert overbooking_warning(offer, "Stadtteilzentrum", period(31, 60)) is None  # after the others have ended


def test_a_warning_when_the_site_would_be_over_booked(factories, offer):
    for _ in range(2):
        factories.assignment(offer, site="Kleiderkammer", **days(0, 30))
    assert overbooking_warning(offer, "Kleiderkammer", period(30, 60)) == (
        "Die Einsatzstelle „Kleiderkammer“ hat 2 Plätze; mit dieser Zuweisung wären 3 belegt."
    )
    assert overbooking_warning(offer, "Stadtteilzentrum", period(30, 60)) is None


def test_assignments_one_after_the_other_share_a_place(factories):
    offer = factories.live_offer(places_total=1)
    factories.assignment(offer, **days(0, 9))
    factories.assignment(offer, **days(20, 29))
    assert overbooking_warning(offer, "Stadtteilzentrum", period(10, 19)) is None  # in the gap between them
    assert overbooking_warning(offer, "Stadtteilzentrum", period(5, 25)) == (
        "Das Angebot hat 1 Platz; mit dieser Zuweisung wären 2 belegt."
    )
    assert overbooking_warning(offer, "Stadtteilzentrum", period(-5, 0)) == (
        "Das Angebot hat 1 Platz; mit dieser Zuweisung wären 2 belegt."
    )
