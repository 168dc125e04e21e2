"""Fixtures of the offer page tests: a draft and a live offer of the signed-in provider (`provider` is in
tests/conftest.py)."""

from __future__ import annotations

import pytest

from portal.offers.models import VersionStatus


@pytest.fixture
def offer(factories, provider, client, login):
    """A complete AGH draft of the signed-in provider."""
    login(provider)
    return factories.offer(organisation=provider.organisation)


@pytest.fixture
def live(factories, provider, client, login):
    """A live offer of the signed-in provider: 10 places."""
    login(provider)
    return factories.offer(organisation=provider.organisation, status=VersionStatus.APPROVED)
