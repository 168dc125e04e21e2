"""Fixtures of the assignments tests."""

from __future__ import annotations

from datetime import date

import pytest

from portal.offers.models import Offer
from tests.factories import Factories


@pytest.fixture
def green(factories: Factories) -> Offer:
    """A live AGH offer in 2026 with one site."""
    return factories.live_offer(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
