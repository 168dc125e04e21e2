from decimal import Decimal

from portal.offers.models import OfferState, VersionStatus
from portal.offers.services import costs_of


def test_factory_offer_is_complete_and_costed(factories):
    offer = factories.offer(status=VersionStatus.APPROVED)
    assert offer.state == OfferState.LIVE
    assert costs_of(offer.live_version).total == offer.live_version.total_cost > Decimal(0)
