"""Fixtures of the review and budget tests: people, browsers signed in as them, offers in review."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.models import utcnow
from portal.offers.models import Offer, VersionStatus
from tests.factories import Factories


@pytest.fixture
def provider(factories: Factories) -> User:
    return factories.provider()


@pytest.fixture
def staff(factories: Factories) -> User:
    return factories.staff(name="Sachbearbeiterin Stein")


@pytest.fixture
def approver(factories: Factories) -> User:
    return factories.user(Role.APPROVER, name="Teamleiter Berg")


@pytest.fixture
def second_approver(factories: Factories) -> User:
    return factories.user(Role.APPROVER, name="Teamleiterin Wald")


@pytest.fixture
def browser(app: Flask, login: Callable[..., Any]) -> Callable[[User], FlaskClient]:
    """A browser of its own in which `user` is signed in."""

    def open_as(user: User) -> FlaskClient:
        client = app.test_client()
        login(user, test_client=client)
        return client

    return open_as


@pytest.fixture
def submitted(factories: Factories, provider: User) -> Callable[..., Offer]:
    """A new application of the provider's organisation, submitted and waiting; committed for the requests."""

    def make(
        status: VersionStatus = VersionStatus.SUBMITTED, waiting: timedelta | None = None, **content: Any
    ) -> Offer:
        offer = factories.offer(organisation=provider.organisation, status=status, **content)
        if waiting is not None:
            offer.current.submitted_at = utcnow() - waiting
        db.session.commit()
        return offer

    return make
