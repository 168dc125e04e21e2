"""One transaction boundary for every service that changes data.

A service entry point is decorated with `@transactional` (or runs its change in `with transaction():`). The
outermost one commits; a nested one runs in a savepoint, so a refused inner change leaves nothing behind even when
its caller goes on. Any exception rolls back and is raised again; a concurrent change of a versioned row becomes a
`ConflictError`, a unique violation the domain's own answer (`on_duplicate`) or a `DuplicateError`. Helpers that a
service calls never commit.

`on_duplicate=RETRY` answers a race between two identical requests: the loser's unique violation means the winner
has committed, so the service runs once more and now takes the path of a sequential second submission (it finds
the record the first created and returns it, or raises the domain's German message). `portal.submissions` builds
the one-time form tokens on it.

What lies outside the database follows the same unit: `after_commit` runs an action once the outermost block has
committed (never when it, or the savepoint of the block that asked, rolls back), `on_rollback` runs one when the
current block rolls back. `portal.storage` deletes replaced files and the files of a failed change with them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Final, Literal, ParamSpec, Protocol, TypeVar, overload

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from portal.errors import ConflictError, DuplicateError
from portal.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

DEPTH = "transaction_depth"  # key in Session.info: how many transactional blocks are open
UNITS = "transaction_units"  # key in Session.info: the open blocks' actions, innermost last
UNIQUE_SQLSTATE = "23505"  # PostgreSQL's unique_violation
SQLITE_UNIQUE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


RETRY: Final = "retry"  # on_duplicate: run the service once more (see the module docstring)


class Versioned(Protocol):
    version_id: int


def check_version(row: Versioned, expected: int | None) -> None:
    """Optimistic locking: the form carried the version counter of the row it was rendered from."""
    if expected is not None and expected != row.version_id:
        raise ConflictError()


class IntegrityViolation(Exception):
    """A constraint refused the change. The message names the constraint, never the row's values: PostgreSQL's
    DETAIL line ("Key (customer_number)=(…)", "Failing row contains …") stays out of every log."""


logger = logging.getLogger(__name__)


@dataclass
class _Actions:
    """What to do outside the database once a block has ended."""

    committed: list[Callable[[], object]] = field(default_factory=list)
    rolled_back: list[Callable[[], object]] = field(default_factory=list)


@contextmanager
def transaction() -> Iterator[Session]:
    """Run the block as one unit: the outermost block commits, a nested one releases its savepoint."""
    session = db.session()
    depth = session.info.get(DEPTH, 0)
    session.info[DEPTH] = depth + 1
    units: list[_Actions] = session.info.setdefault(UNITS, [])
    actions = _Actions()
    units.append(actions)
    try:
        with _unit(session, session.begin_nested() if depth else None):
            yield session
    except BaseException:
        _run(actions.rolled_back)
        raise
    else:
        _ended(units[:-1], actions)
    finally:
        units.pop()
        session.info[DEPTH] = depth


def _ended(outer: list[_Actions], actions: _Actions) -> None:
    """A committed block: the outermost runs its actions, a savepoint hands them to the block around it."""
    if outer:
        outer[-1].committed += actions.committed
        outer[-1].rolled_back += actions.rolled_back
    else:
        _run(actions.committed)


def _run(actions: list[Callable[[], object]]) -> None:
    """Run every action; a failing one is logged and does not stop the others (the database has moved on)."""
    for action in actions:
        try:
            action()
        except Exception:
            logger.exception("An action after the end of a transaction failed")


def after_commit(action: Callable[[], object]) -> None:
    """Run the action once the outermost transaction has committed; at once when no transaction is open."""
    units: list[_Actions] = db.session().info.get(UNITS, [])
    if units:
        units[-1].committed.append(action)
    else:
        action()


def on_rollback(action: Callable[[], object]) -> None:
    """Run the action if the current transactional block rolls back (nothing when no transaction is open)."""
    units: list[_Actions] = db.session().info.get(UNITS, [])
    if units:
        units[-1].rolled_back.append(action)


@contextmanager
def _unit(session: Session, savepoint: SessionTransaction | None) -> Iterator[None]:
    try:
        yield
        (savepoint or session).commit()
    except StaleDataError as error:
        _undo(session, savepoint)
        raise ConflictError() from error
    except IntegrityError as error:
        _undo(session, savepoint)
        if is_unique_violation(error):
            raise DuplicateError() from None  # the DBAPI's message would carry the duplicate values
        raise IntegrityViolation(_constraint_message(error)) from None
    except BaseException:
        _undo(session, savepoint)
        raise


def _undo(session: Session, savepoint: SessionTransaction | None) -> None:
    (savepoint or session).rollback()


@overload
def transactional(change: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def transactional(
    *, on_duplicate: Callable[..., Any] | Literal["retry"] | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def transactional(change: Any = None, /, *, on_duplicate: Any = None) -> Any:
    """Make a service function one transaction (see the module docstring).

    `on_duplicate`, called with the service's own arguments after a unique violation rolled the change back,
    returns the record that exists already (the answer to a double submission) or raises the domain's message.
    `RETRY` runs the service itself once more, as one transaction of its own.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                with transaction():
                    return function(*args, **kwargs)
            except DuplicateError:
                if on_duplicate is None:
                    raise
                answer = transactional(function) if on_duplicate == RETRY else on_duplicate
                result: R = answer(*args, **kwargs)
                return result

        return run

    return decorate(change) if change is not None else decorate


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether a unique constraint (or primary key) refused the row, on PostgreSQL (psycopg) or SQLite."""
    cause = error.orig
    return getattr(cause, "sqlstate", None) == UNIQUE_SQLSTATE or getattr(cause, "sqlite_errorname", None) in (
        SQLITE_UNIQUE
    )


def _constraint_message(error: IntegrityError) -> str:
    """psycopg's primary message names table, column or constraint only; SQLite's messages carry no values."""
    diagnostics = getattr(error.orig, "diag", None)
    primary = getattr(diagnostics, "message_primary", None) or str(error.orig)
    return f"{primary} [SQL: {error.statement}]"


def abandon() -> None:
    """Roll back what a failure outside any transactional unit left open (the app's safety net before its error
    page, a failed publish run), so that the session can read and write again."""
    db.session.rollback()
