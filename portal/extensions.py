"""Extensions, created unbound and attached to the app in create_app."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker


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

    def _remove_session(self, _exc: BaseException | None) -> None:
        self.session.remove()


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
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


db = Database()
csrf = CSRFProtect()
login_manager = LoginManager()
