"""Read-only views on assignments for the checks of a new one: the Kundennummer's AGH history, an overlap."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.assignments.eligibility import Period
from portal.assignments.models import Assignment, Participant
from portal.extensions import db
from portal.offers.models import Offer, OfferType, OfferVersion


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
    )
    return [Period(start, end) for start, end in db.session.execute(query)]


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
