"""How a request's database transaction ends: COMMIT when it only read (psycopg keeps its prepared statements),
ROLLBACK whenever something was or could still be written without being committed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.extensions import db


@pytest.fixture
def commits() -> Iterator[list[Session]]:
    """The commits after the fixture started; closing the session without one rolls back."""
    seen: list[Session] = []
    record = seen.append  # one bound method, so that the same listener is removed
    event.listen(Session, "after_commit", record)
    yield seen
    event.remove(Session, "after_commit", record)


@pytest.fixture
def user(factories) -> User:
    provider = factories.provider()
    db.session.commit()
    return provider


def end_request(error: BaseException | None = None) -> None:
    db._remove_session(error)  # what Flask calls when the request's app context ends


def name_in_database(user: User) -> str:
    return db.session.scalar(select(User.name).where(User.id == user.id)) or ""


def test_a_request_that_only_read_ends_with_commit(user, commits):
    db.session.get(User, user.id, populate_existing=True)
    end_request()
    assert len(commits) == 1


def test_a_request_that_failed_ends_with_rollback(user, commits):
    db.session.get(User, user.id, populate_existing=True)
    end_request(RuntimeError("Absturz"))
    assert commits == []


def test_flushed_changes_that_were_not_committed_are_rolled_back(user, commits):
    db.session.get(User, user.id).name = "Geändert"
    db.session.flush()
    end_request()
    assert commits == []
    assert name_in_database(user) != "Geändert"


def test_a_pending_change_is_rolled_back(user, commits):
    db.session.get(User, user.id).name = "Geändert"
    end_request()
    assert commits == []
    assert name_in_database(user) != "Geändert"


def test_an_update_statement_that_was_not_committed_is_rolled_back(user, commits):
    db.session.execute(update(User).where(User.id == user.id).values(name="Geändert"))
    end_request()
    assert commits == []
    assert name_in_database(user) != "Geändert"


def test_reading_after_a_commit_ends_with_commit_again(user, commits):
    db.session.get(User, user.id).name = "Gespeichert"
    db.session.commit()
    db.session.get(User, user.id)
    end_request()
    assert len(commits) == 2
    assert name_in_database(user) == "Gespeichert"
