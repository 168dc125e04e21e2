"""The review services called directly: the rules hold whatever a view or a script sends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from portal.accounts.models import Role
from portal.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.offers.models import Offer, VersionStatus
from portal.publishing import services as publishing
from portal.publishing.build import PublishLock
from portal.publishing.models import PublishRun
from portal.review import services
from portal.review.queries import needs_four_eyes
from tests.review.helpers import budget_for


def test_only_staff_review(app, provider, submitted):
    offer = submitted()
    for decide in (
        lambda: services.take_over(provider, offer.current, None),
        lambda: services.approve(provider, offer.current, None),
        lambda: services.reject(provider, offer.current, None, "Nein"),
    ):
        with pytest.raises(ServiceError, match="Nur Beschäftigte der ARGE"):
            decide()
    assert offer.current.status == VersionStatus.SUBMITTED


def test_an_application_without_computable_costs_cannot_be_approved(app, staff, submitted):
    offer = submitted()
    offer.current.end_date = offer.current.start_date.replace(year=offer.current.start_date.year - 1)
    with pytest.raises(ServiceError, match="Die Kosten lassen sich nicht berechnen"):
        services.approve(staff, offer.current, offer.current.version_id)


def test_a_stale_counter_is_a_conflict(app, staff, submitted):
    offer = submitted()
    with pytest.raises(ConflictError):
        services.take_over(staff, offer.current, offer.current.version_id + 1)


def test_the_threshold_is_configurable(app, submitted, monkeypatch):
    version = submitted().current
    monkeypatch.setitem(app.config, "FOUR_EYES_THRESHOLD", version.total_cost)
    assert not needs_four_eyes(version.total_cost)  # "above" the threshold: equal is not above
    monkeypatch.setitem(app.config, "FOUR_EYES_THRESHOLD", version.total_cost - Decimal("0.01"))
    assert needs_four_eyes(version.total_cost)


def test_second_approval_problems(app, factories, staff, approver, submitted):
    version = submitted(status=VersionStatus.FIRST_APPROVED, first_approved_by_id=approver.id).current
    assert services.second_approval_problem(staff, version) == "Die zweite Freigabe gibt die Teamleitung."
    assert "andere Person" in (services.second_approval_problem(approver, version) or "")
    assert services.second_approval_problem(factories.user(Role.ADMIN), version) is None


def test_a_concurrent_change_found_by_an_automatic_flush_is_a_conflict(app, staff, submitted):
    offer = submitted()
    budget_for(offer.current)
    offers = Offer.__table__
    # someone else changed the offer in the meantime: this session still holds the old version counter
    db.session.connection().execute(
        update(offers).where(offers.c.id == offer.id).values(version_id=offers.c.version_id + 1)
    )
    db.session.expire(offer.organisation, ["users"])  # loading them flushes first, before the commit
    with pytest.raises(ConflictError):
        services.approve(staff, offer.current, offer.current.version_id)
    assert db.session.get(Offer, offer.id).current.status == VersionStatus.SUBMITTED


def test_an_approval_that_makes_the_offer_live_starts_a_publish(app, staff, submitted, monkeypatch, tmp_path):
    """Review announces the live offer (`went_live`); publishing, the layer above, starts a run when switched on."""
    started: list[PublishLock] = []
    monkeypatch.setattr(publishing, "start_worker", lambda _app, _run_id, held: started.append(held))
    monkeypatch.setitem(app.config, "SITE_DIR", tmp_path / "site")
    monkeypatch.setitem(app.config, "PUBLISH_ON_APPROVE", True)
    offer = submitted()
    budget_for(offer.current)

    assert services.approve(staff, offer.current, offer.current.version_id) is True
    [held] = started
    held.release()
    assert db.session.scalars(select(PublishRun.trigger)).all() == ["approval"]
