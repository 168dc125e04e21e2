"""Fixtures of the accounts tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role, User
from tests.factories import Factories

# A few seconds into a TOTP time step, so that codes computed in a test stay in their step.
START = datetime(2026, 3, 2, 9, 0, 3, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """A frozen clock; move it with clock.shift(timedelta(...))."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def other_client(app: Flask) -> FlaskClient:
    """A second browser."""
    return app.test_client()


@pytest.fixture
def admin(factories: Factories) -> User:
    return factories.user(Role.ADMIN, name="Adrian Admin")


@pytest.fixture
def admin_client(app: Flask, admin: User, login: Callable[..., object]) -> FlaskClient:
    """A browser in which `admin` is signed in."""
    browser = app.test_client()
    login(admin, test_client=browser)
    return browser


@pytest.fixture
def strict_app(make_app: Callable[..., Flask]) -> Flask:
    """The app as production runs it: second factor mandatory for ARGE roles.

    Its requests end the shared database session: tests commit their data first and reload objects after.
    """
    return make_app(REQUIRE_MFA=True)
