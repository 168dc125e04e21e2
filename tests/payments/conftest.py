"""Fixtures of the payment tests: a provider admin and a colleague, a second provider, staff."""

from __future__ import annotations

import pytest

from portal.accounts.models import User
from tests.factories import Factories


@pytest.fixture
def admin(factories: Factories) -> User:
    return factories.provider(name="Paula Pflug", is_org_admin=True)


@pytest.fixture
def colleague(factories: Factories, admin: User) -> User:
    return factories.provider(name="Karl Kessler", organisation=admin.organisation)


@pytest.fixture
def stranger(factories: Factories) -> User:
    """The admin of another provider organisation."""
    return factories.provider(name="Berta Fremd", is_org_admin=True)
