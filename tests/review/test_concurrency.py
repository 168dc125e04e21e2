"""Two members of staff approve the same application at the same moment: exactly one decision takes effect.

PostgreSQL only: the threads need real, separately committed transactions and row locks. The data is created
through an engine of its own (the test's rolled-back transaction is invisible to other connections) and deleted
again afterwards; the audit entries stay, as the audit log is append-only.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update

from portal.accounts.models import Organisation, User
from portal.audit.models import AuditEntry
from portal.budget.models import BudgetYear, Commitment
from portal.errors import ConflictError, ServiceError
from portal.extensions import db, make_engine
from portal.notifications.models import DigestItem, QueuedMail
from portal.offers.models import Offer, OfferVersion, ReviewNote, Site, VersionStatus
from portal.review import services
from tests.factories import Factories

URL = os.environ.get("TEST_DATABASE_URL", "")
YEAR = 2091  # far from any year the other tests budget for
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not URL.startswith("postgresql"), reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]


@dataclass(frozen=True)
class Setup:
    offer_id: int
    version_id: int
    staff_ids: tuple[int, int]
    user_ids: tuple[int, ...]
    organisation_id: int


@pytest.fixture
def committed(app: Flask, request: pytest.FixtureRequest) -> Iterator[Setup]:
    engine = make_engine(URL)
    db.session.remove()
    db.session.configure(bind=engine)
    setup = _create()
    try:
        yield setup
    finally:
        db.session.remove()
        _delete(setup)
        db.session.remove()
        engine.dispose()
        db.session.configure(bind=request.node.db_connection)


def _create() -> Setup:
    factories = Factories()
    provider = factories.provider()
    first, second = factories.staff(), factories.staff()
    offer = factories.offer(
        organisation=provider.organisation,
        status=VersionStatus.SUBMITTED,
        title="Gleichzeitig geprüft",
        start_date=date(YEAR, 3, 1),
        end_date=date(YEAR, 8, 31),
    )
    db.session.add(BudgetYear(year=YEAR, amount=Decimal(10_000_000)))
    db.session.commit()
    return Setup(
        offer.id, offer.current.id, (first.id, second.id), (provider.id, first.id, second.id), provider.organisation_id
    )


def _delete(setup: Setup) -> None:
    users = list(setup.user_ids)
    versions = select(OfferVersion.id).where(OfferVersion.offer_id == setup.offer_id)
    emails = select(User.email).where(User.id.in_(users))
    for statement in (
        delete(QueuedMail).where(QueuedMail.recipient.in_(emails)),
        delete(DigestItem).where(DigestItem.user_id.in_(users)),
        delete(ReviewNote).where(ReviewNote.offer_id == setup.offer_id),
        delete(Commitment).where(Commitment.offer_id == setup.offer_id),
        update(Offer).where(Offer.id == setup.offer_id).values(live_version_id=None, working_version_id=None),
        delete(Site).where(Site.version_id.in_(versions)),
        delete(OfferVersion).where(OfferVersion.offer_id == setup.offer_id),
        delete(Offer).where(Offer.id == setup.offer_id),
        delete(User).where(User.id.in_(users)),
        delete(Organisation).where(Organisation.id == setup.organisation_id),
        delete(BudgetYear).where(BudgetYear.year == YEAR),
    ):
        db.session.execute(statement)
    db.session.commit()


def _approve(app: Flask, staff_id: int, version_id: int, start: threading.Barrier, outcomes: list[str]) -> None:
    """One member of staff: load the page's state, wait for the other, then approve."""
    with app.app_context():
        actor = db.session.get(User, staff_id)
        version = db.session.get(OfferVersion, version_id)
        assert actor is not None
        assert version is not None
        expected = version.version_id
        start.wait(timeout=10)
        try:
            services.approve(actor, version, expected)
        except ConflictError:
            outcomes.append("conflict")
        except ServiceError:
            outcomes.append("refused")  # the status had already changed when this one read it
        except Exception as error:  # anything else shows in the assertion, not as a lost thread warning
            outcomes.append(f"error: {error!r}")
        else:
            outcomes.append("approved")


def test_only_one_of_two_simultaneous_approvals_takes_effect(app: Flask, committed: Setup) -> None:
    start = threading.Barrier(2)
    outcomes: list[str] = []
    threads = [
        threading.Thread(target=_approve, args=(app, staff_id, committed.version_id, start, outcomes))
        for staff_id in committed.staff_ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) in (["approved", "conflict"], ["approved", "refused"])
    db.session.remove()
    version = db.session.get(OfferVersion, committed.version_id)
    assert version is not None
    assert version.status == VersionStatus.APPROVED
    approvals = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "offer_approve",
        AuditEntry.object_type == "Offer",
        AuditEntry.object_id == str(committed.offer_id),
    )
    assert db.session.scalar(approvals) == 1
    commitments = select(func.count(Commitment.id)).where(Commitment.offer_id == committed.offer_id)
    assert db.session.scalar(commitments) == 1  # one year, bound once
