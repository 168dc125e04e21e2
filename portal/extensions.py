"""Extensions, created unbound and attached to the app in create_app."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, scoped_session, sessionmaker


class Database:
    """A SQLAlchemy engine and a request-scoped session for one app."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] = scoped_session(sessionmaker(expire_on_commit=False))

    def init_app(self, app: Flask) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.session.remove()
        self.session.configure(bind=self.engine)
        app.teardown_appcontext(self._remove_session)
        app.extensions["db"] = self

    def _remove_session(self, exc: BaseException | None) -> None:
        if exc is None and self.session.registry.has() and _only_read(self.session()):
            # Ending a transaction that only read with COMMIT instead of ROLLBACK keeps the statements psycopg has
            # prepared on this connection (a rollback discards them): PostgreSQL then skips parsing and planning.
            self.session.commit()
        self.session.remove()


def _only_read(session: Session) -> bool:
    """Whether the session's transaction has written nothing, nor holds changes it could still write."""
    return not (session.info.get("wrote") or session.new or session.dirty or session.deleted)


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if not state.is_select:  # insert, update, delete or text: it may have written
        state.session.info["wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: its writes are committed or gone
        session.info.pop("wrote", None)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    options: dict[str, Any] = {"future": True, "hide_parameters": True}  # no row values in error logs
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 15}
    else:
        options["pool_pre_ping"] = True
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
    # pysqlite itself would start a transaction only before DML, so a SAVEPOINT (a nested service) could open the
    # real transaction and its RELEASE commit it. SQLAlchemy's recipe: the driver leaves transactions alone and
    # every transaction begins with an explicit BEGIN.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


db = Database()
csrf = CSRFProtect()
login_manager = LoginManager()
