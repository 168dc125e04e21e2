"""Helpers of the review tests: posting decisions as the review page does, budgets, revisions, statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event, select
from werkzeug.test import TestResponse

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.budget.models import BudgetYear, Commitment
from portal.extensions import db
from portal.offers.models import Offer, OfferVersion
from portal.offers.services import costs_of, start_revision
from portal.offers.workflow import VERSIONS
from portal.review.queries import version_under_review

PATHS = {
    "take": "uebernehmen",
    "approve": "genehmigen",
    "changes": "aenderungen",
    "reject": "ablehnen",
    "note": "notiz",
}


def decide(client: FlaskClient, offer: Offer, form: str, version: Any = None, **fields: str) -> TestResponse:
    """Send one of the review page's forms; the version counter is the current one unless given."""
    data = {f"{form}-{name}": value for name, value in fields.items()}
    if form != "note":
        current = version_under_review(offer).version_id
        data[f"{form}-version"] = str(current if version is None else version)
    return client.post(f"/portal/pruefung/{offer.id}/{PATHS[form]}", data=data)


def budget_for(version: OfferVersion, amount: Decimal | int = 10_000_000) -> dict[int, Decimal]:
    """A budget of `amount` in every year the version's cost falls into; returns the cost per year."""
    costs = costs_of(version)
    assert costs is not None
    for year in costs.per_year:
        db.session.add(BudgetYear(year=year, amount=Decimal(amount)))
    db.session.commit()
    return costs.per_year


def revise(provider: User, offer: Offer, **changes: Any) -> OfferVersion:
    """A submitted change to a live offer, made with the provider-side service."""
    revision = start_revision(provider, offer)
    for name, value in changes.items():
        setattr(revision, name, value)
    VERSIONS.move(revision, "submit", provider)
    db.session.commit()
    return revision


def commitments_of(offer: Offer) -> list[Commitment]:
    return list(db.session.scalars(select(Commitment).where(Commitment.offer_id == offer.id)))


def audit_of(offer: Offer, action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.object_type == "Offer", AuditEntry.object_id == str(offer.id), AuditEntry.action == action
    )
    return list(db.session.scalars(query))


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The SQL statements run on the test's connection inside the block."""
    statements: list[str] = []
    connection = db.session.connection()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)
