"""Helpers of the budget tests: an approved offer with a commitment, released settlements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from portal.accounts.models import Organisation, User
from portal.budget.services import commit_offer, record_release
from portal.extensions import db
from portal.offers.models import Offer, VersionStatus
from portal.settlements.models import Settlement, SettlementStatus
from tests.factories import Factories


def committed_offer(
    factories: Factories,
    actor: User,  # an approver or admin: may commit beyond the budget
    per_year: dict[int, Decimal | int],
    organisation: Organisation | None = None,
    **content: Any,
) -> Offer:
    """A live offer (1 January to 31 December 2026 unless given) with the given commitments per year."""
    period = {"start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31)}
    offer = factories.offer(organisation, status=VersionStatus.APPROVED, **{**period, **content})
    amounts = {year: Decimal(amount) for year, amount in per_year.items()}
    commit_offer(actor, offer.live_version, amounts, "Testdaten")  # beyond the budget where none is set
    db.session.commit()
    return offer


def release(offer: Offer, year: int, month: int, amount: Decimal | int) -> Settlement:
    """A released settlement of the offer's provider for the month, releasing `amount` of the offer's money."""
    settlement = Settlement(
        organisation_id=offer.organisation_id, year=year, month=month, status=SettlementStatus.RELEASED
    )
    db.session.add(settlement)
    db.session.flush()
    record_release(settlement.id, offer.id, year, Decimal(amount))
    db.session.commit()
    return settlement
