"""Fixtures of the review tests (the people, browsers and submitted offers they share with budget/ and offers/
are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role, User
from tests.factories import Factories


@pytest.fixture
def second_approver(factories: Factories) -> User:
    return factories.user(Role.APPROVER, name="Teamleiterin Wald")
