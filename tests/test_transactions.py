"""The transaction boundary of every service: commit, rollback, conflicts, duplicates and nesting, on the real
database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import traceback
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import Organisation
from portal.assignments.models import Participant
from portal.errors import DUPLICATE_MESSAGE, ConflictError, DuplicateError, ServiceError
from portal.extensions import db
from portal.transactions import (
    RETRY,
    IntegrityViolation,
    abandon,
    after_commit,
    on_rollback,
    transaction,
    transactional,
)

CUSTOMER_NUMBER = "K4711X"  # a value that must never reach a message or a log line


@pytest.fixture
def commits() -> Iterator[list[Session]]:
    """The commits of the session's outermost transaction (a released savepoint is not one)."""
    seen: list[Session] = []

    def record(session: Session) -> None:
        if not session.in_nested_transaction():
            seen.append(session)

    event.listen(Session, "after_commit", record)
    yield seen
    event.remove(Session, "after_commit", record)


@pytest.fixture
def organisation(factories) -> Organisation:
    made = factories.organisation()
    db.session.commit()
    return made


def participants(organisation: Organisation) -> list[str]:
    query = select(Participant.customer_number).where(Participant.organisation_id == organisation.id)
    return list(db.session.scalars(query.order_by(Participant.id)))


def add(organisation: Organisation, customer_number: str = CUSTOMER_NUMBER, initials: str | None = "AB") -> None:
    db.session.add(Participant(organisation_id=organisation.id, customer_number=customer_number, initials=initials))


@transactional
def add_participant(organisation: Organisation, customer_number: str = CUSTOMER_NUMBER) -> Participant:
    participant = Participant(organisation_id=organisation.id, customer_number=customer_number, initials="AB")
    db.session.add(participant)
    db.session.flush()
    return participant


def existing(organisation: Organisation, customer_number: str = CUSTOMER_NUMBER) -> Participant:
    query = select(Participant).filter_by(organisation_id=organisation.id, customer_number=customer_number)
    return db.session.scalars(query).one()


add_or_existing = transactional(on_duplicate=existing)(add_participant.__wrapped__)


@transactional
def refuse(organisation: Organisation) -> None:
    add(organisation)
    raise ServiceError("Das geht nicht.")


def test_success_commits(organisation, commits):
    add_participant(organisation)
    assert len(commits) == 1
    db.session.rollback()
    assert participants(organisation) == [CUSTOMER_NUMBER]


def test_a_service_error_rolls_back_and_is_raised_again(organisation, commits):
    with pytest.raises(ServiceError, match="Das geht nicht"):
        refuse(organisation)
    assert commits == []
    assert participants(organisation) == []


def test_any_exception_rolls_back(organisation):
    def crash() -> None:
        with transaction():
            add(organisation)
            db.session.flush()
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        crash()
    assert participants(organisation) == []


def test_a_concurrent_change_of_a_versioned_row_is_a_conflict(organisation):
    someone_else = update(Organisation).where(Organisation.id == organisation.id)
    db.session.execute(
        someone_else.values(version_id=Organisation.version_id + 1), execution_options={"synchronize_session": False}
    )
    with pytest.raises(ConflictError), transaction():
        organisation.city = "Anderswo"
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).city == "Musterstadt"


def test_a_duplicate_is_refused_with_a_german_message(organisation):
    add_participant(organisation)
    with pytest.raises(DuplicateError) as refused:
        add_participant(organisation)
    assert refused.value.message == DUPLICATE_MESSAGE
    assert participants(organisation) == [CUSTOMER_NUMBER]


def test_a_duplicate_gets_the_existing_record(organisation):
    first = add_participant(organisation)
    assert add_or_existing(organisation) == first
    assert add_or_existing(organisation, "K0815") != first
    assert participants(organisation) == [CUSTOMER_NUMBER, "K0815"]


def test_retry_runs_the_service_again_after_a_duplicate(organisation):
    first = add_participant(organisation)
    runs: list[int] = []

    @transactional(on_duplicate=RETRY)
    def add_unless_there() -> Participant:
        runs.append(len(runs))
        if len(runs) == 1:  # the twin of a parallel request: it looked before the first one committed
            return add_participant.__wrapped__(organisation)
        return existing(organisation)

    assert add_unless_there() == first
    assert runs == [0, 1]
    assert participants(organisation) == [CUSTOMER_NUMBER]


def test_a_duplicate_inside_an_outer_service_gets_the_existing_record(organisation, commits):
    first = add_participant(organisation)

    @transactional
    def outer() -> Participant:
        organisation.city = "Neustadt"
        return add_or_existing(organisation)

    assert outer() == first
    assert len(commits) == 2
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).city == "Neustadt"


def test_messages_of_refused_rows_carry_no_values(organisation):
    add_participant(organisation)
    with pytest.raises(DuplicateError) as duplicate:
        add_participant(organisation)
    with pytest.raises(IntegrityViolation) as refused, transaction():
        add(organisation, "K4711Y", initials=None)
    for error in (duplicate.value, refused.value):
        text = "".join(traceback.format_exception(error))
        assert CUSTOMER_NUMBER not in text
        assert "K4711Y" not in text
    assert "participants" in str(refused.value)


def test_only_the_outermost_service_commits(organisation, commits):
    @transactional
    def outer() -> None:
        add_participant(organisation, "K1")
        assert commits == []
        add_participant(organisation, "K2")

    outer()
    assert len(commits) == 1
    assert participants(organisation) == ["K1", "K2"]


def test_a_refused_inner_service_leaves_nothing_behind(organisation, commits):
    @transactional
    def outer() -> None:
        add_participant(organisation, "K1")
        with pytest.raises(ServiceError):
            refuse(organisation)

    outer()
    assert len(commits) == 1
    assert participants(organisation) == ["K1"]


def test_an_inner_error_the_outer_does_not_catch_rolls_everything_back(organisation, commits):
    @transactional
    def outer() -> None:
        add_participant(organisation, "K1")
        refuse(organisation)

    with pytest.raises(ServiceError):
        outer()
    assert commits == []
    assert participants(organisation) == []


def test_after_a_failure_the_next_service_starts_afresh(organisation):
    with pytest.raises(ServiceError):
        refuse(organisation)
    add_participant(organisation, "K2")
    assert db.session.info.get("transaction_depth") == 0
    assert db.session.scalar(select(func.count(Participant.id))) == 1


def test_abandon_rolls_back_what_a_failed_request_left(organisation):
    add(organisation)
    db.session.flush()
    abandon()
    assert participants(organisation) == []


# --- actions outside the database -----------------------------------------------------------------


def test_actions_after_commit_wait_for_the_outermost_commit(app) -> None:
    done: list[str] = []
    with transaction():
        after_commit(lambda: done.append("äußere"))
        with transaction():
            after_commit(lambda: done.append("innere"))
            on_rollback(lambda: done.append("zurückgerollt"))
        assert done == []  # the savepoint is released, the transaction not yet committed
    assert done == ["äußere", "innere"]


def test_a_rollback_runs_the_rollback_actions_of_every_block_inside(app) -> None:
    done: list[str] = []

    @transactional
    def refused() -> None:
        on_rollback(lambda: done.append("äußere"))
        after_commit(lambda: done.append("nie"))
        with transaction():
            on_rollback(lambda: done.append("innere, schon freigegeben"))
        raise ServiceError("Abbruch")

    with pytest.raises(ServiceError):
        refused()
    assert sorted(done) == ["innere, schon freigegeben", "äußere"]


def test_a_savepoint_rolled_back_drops_only_its_own_actions(app) -> None:
    done: list[str] = []

    @transactional
    def refused() -> None:
        after_commit(lambda: done.append("verworfen"))
        on_rollback(lambda: done.append("aufgeräumt"))
        raise ServiceError("Abbruch")

    with transaction():
        after_commit(lambda: done.append("bleibt"))
        with pytest.raises(ServiceError):
            refused()
        assert done == ["aufgeräumt"]
    assert done == ["aufgeräumt", "bleibt"]


def test_a_failed_commit_runs_the_rollback_actions(organisation) -> None:
    add_participant(organisation)
    done: list[str] = []

    @transactional
    def duplicate() -> None:
        on_rollback(lambda: done.append("aufgeräumt"))
        after_commit(lambda: done.append("nie"))
        add(organisation)  # the unique violation comes with the flush at commit

    with pytest.raises(DuplicateError):
        duplicate()
    assert done == ["aufgeräumt"]


def test_a_failing_action_is_logged_and_the_others_run(app, caplog) -> None:
    done: list[str] = []

    def broken() -> None:
        raise OSError("Datenträger nicht bereit")

    with transaction():
        after_commit(broken)
        after_commit(lambda: done.append("trotzdem"))
    assert done == ["trotzdem"]
    assert "An action after the end of a transaction failed" in caplog.text


def test_without_a_transaction_an_action_after_commit_runs_at_once(app) -> None:
    done: list[str] = []
    after_commit(lambda: done.append("sofort"))
    on_rollback(lambda: done.append("nie"))
    assert done == ["sofort"]
