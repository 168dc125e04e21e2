"""Revision 0009: assignments made before it (entered by their provider) become active, with nothing lost.

Runs on the test database itself (SQLite or PostgreSQL), inside the test's transaction: both undo DDL on rollback.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from portal.cli import alembic_config
from tests.factories import Factories

COLUMNS = "offer_id, participant_id, start_date, end_date, weekly_hours, mae_rate, site, weekdays"
BEFORE = text("SELECT " + COLUMNS + " FROM assignments WHERE id = :id")  # noqa: S608 (constant text)
AFTER = text("SELECT " + COLUMNS + ", status, answer_reason FROM assignments WHERE id = :id")  # noqa: S608


def migrate(connection, action, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    action(config, revision)


def test_provider_made_assignments_become_active_without_losing_data(request, factories: Factories):
    offer = factories.live_offer()
    assignment = factories.assignment(offer, customer_number="123A456789", weekdays="1111110")
    connection = request.node.db_connection
    migrate(connection, command.downgrade, "0008")
    before = connection.execute(BEFORE, {"id": assignment.id}).one()
    migrate(connection, command.upgrade, "head")
    after = connection.execute(AFTER, {"id": assignment.id}).one()
    assert tuple(after)[:-2] == tuple(before)
    assert tuple(after)[-2:] == ("active", "")
