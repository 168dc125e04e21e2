"""The migrations build exactly the models' schema, can be undone, and SQLite runs with safe settings."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError

from portal.cli import alembic_config
from portal.extensions import db, make_engine
from portal.notifications.models import QueuedMail
from portal.schema import MODELS, metadata


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
    return list(compare_metadata(context, metadata))


def test_migrated_test_database_matches_the_models(app):
    assert differences(db.session.connection()) == []


def test_every_table_has_its_model_listed(app):
    assert {model.__table__ for model in MODELS} == set(metadata.tables.values())


def test_downgrade_to_base_and_upgrade_again(app, make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'migrations.db'}"
    other = make_app(DATABASE_URL=url)
    result = other.test_cli_runner().invoke(args=["db", "upgrade"])
    assert "Datenbank ist auf dem neuesten Stand." in result.output
    with other.app_context():
        config = alembic_config()
        command.downgrade(config, "base")
        engine = make_engine(url)
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
        with engine.connect() as connection:
            assert differences(connection) == []
            assert set(metadata.tables) <= set(inspect(connection).get_table_names())
        engine.dispose()


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15000
    engine.dispose()


def test_sqlite_enforces_foreign_keys(tmp_path, app, make_app):
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    with make_app(DATABASE_URL=url).app_context():
        command.upgrade(alembic_config(), "head")
    engine = make_engine(url)
    orphan = "INSERT INTO tokens (user_id, purpose, token_hash, expires_at, created_at) VALUES (999, 'x', 'h', 0, 0)"
    with engine.connect() as connection, pytest.raises(IntegrityError, match="FOREIGN KEY"):
        connection.execute(text(orphan))
    engine.dispose()


def test_postgresql_connections_are_checked_before_use():
    engine = make_engine("postgresql+psycopg://portal@127.0.0.1:1/portal")
    assert engine.pool._pre_ping
    engine.dispose()


def test_naive_datetimes_are_refused(app):
    db.session.add(QueuedMail(recipient="a@example.org", subject="s", body="b", created_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
