"""Demo budget actuals: paid settlements of months before the demo reports (five to eight months ago), so that the
budget page and the staff overview show released money beside the commitments.

They stand for months settled on paper before the portal was used: built directly (one line per live offer that
ran in the month, with the flat rate for its places, no report behind it), paid already, so that no payment run
picks them up, and each recorded as released money through the budget's own `record_release`. A provider's month
that has a settlement is left alone.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.budget.models import Release
from portal.budget.services import record_release
from portal.demo.offers import demo_providers
from portal.extensions import db
from portal.models import utcnow
from portal.offers.models import Offer, OfferState
from portal.reports.queries import recent_months
from portal.settlements.document import build_document
from portal.settlements.models import Settlement, SettlementLine, SettlementStatus
from portal.transactions import transactional

REPORTED_MONTHS = 4  # the demo reports' months (portal/demo/reports.py); the releases are of the four before


@transactional
def load_demo_releases() -> int:
    """Create the demo releases once. Returns the number of settlements made."""
    if db.session.scalar(select(func.count(Release.id))):
        return 0
    staff = db.session.scalars(select(User).where(User.role == Role.STAFF).order_by(User.id)).first()
    if staff is None:
        return 0
    months = recent_months(date.today(), 2 * REPORTED_MONTHS)[:REPORTED_MONTHS]
    made = 0
    for provider in demo_providers():
        for year, month in months:
            offers = _running_offers(provider, year, month)
            if offers and _settlement_of(provider, year, month) is None:
                _paid_settlement(staff, provider, offers, year, month)
                made += 1
    return made


def _running_offers(provider: User, year: int, month: int) -> list[Offer]:
    """The provider's live offers that ran in the month."""
    query = select(Offer).where(Offer.organisation_id == provider.organisation_id, Offer.state == OfferState.LIVE)
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return [
        offer
        for offer in db.session.scalars(query.order_by(Offer.id))
        if offer.live_version
        and offer.live_version.start_date
        and offer.live_version.end_date
        and offer.live_version.start_date <= last
        and offer.live_version.end_date >= first
    ]


def _settlement_of(provider: User, year: int, month: int) -> Settlement | None:
    query = select(Settlement).where(
        Settlement.organisation_id == provider.organisation_id, Settlement.year == year, Settlement.month == month
    )
    return db.session.scalars(query).first()


def _paid_settlement(staff: User, provider: User, offers: list[Offer], year: int, month: int) -> None:
    settlement = Settlement(
        organisation_id=provider.organisation_id,
        year=year,
        month=month,
        status=SettlementStatus.PAID,
        created_by_id=provider.id,
        submitted_at=utcnow(),
        submitted_by_id=provider.id,
        released_by_id=staff.id,
        released_at=utcnow(),
    )
    for offer in offers:
        version = offer.live_version
        places = Decimal(version.places_total or 0) if version else Decimal(0)
        base = places * ((version.mkp_supervision or Decimal(0)) if version else Decimal(0))
        settlement.lines.append(SettlementLine(offer_id=offer.id, mkp_base=base, place_months=places, total=base))
    settlement.total = sum((line.total for line in settlement.lines), Decimal(0))
    db.session.add(settlement)
    db.session.flush()
    settlement.document = build_document(settlement, provider)
    for line in settlement.lines:
        record_release(settlement.id, line.offer_id, year, line.total)
