"""Helpers shared by the app-wide tests: URL map walking, an app with a failing route, refused inserts."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import text
from werkzeug.routing import Rule

from portal.access import Access, access
from portal.extensions import db
from tests.factories import Factories

FAILING_PATH = "/portal/kaputt"
SECRET_IN_ERROR = "interner-fehler-7f3a"


def _fail() -> None:
    raise RuntimeError(SECRET_IN_ERROR)


def app_with_failing_route(
    make_app: Callable[..., Flask], fail: Callable[[], object] = _fail, **config: object
) -> Flask:
    """A fresh app with one public route that raises an unexpected error (the one `fail` raises)."""
    other = make_app(**config)

    @access(Access.PUBLIC)
    def broken() -> str:
        fail()
        return "nie erreicht"

    other.add_url_rule(FAILING_PATH, "broken", broken)
    return other


def file_mode(path: Path) -> int:
    """The permission bits, e.g. 0o600."""
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def refused_inserts(table: str) -> Iterator[None]:
    """Inside the test's transaction, the database refuses every INSERT into `table` (a trigger)."""
    if db.session.get_bind().dialect.name == "postgresql":
        statements = [
            "CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'insert refused by test'; END $$",
            f"CREATE TRIGGER refuse_insert BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_insert()",
        ]
        cleanup = [f"DROP TRIGGER refuse_insert ON {table}", "DROP FUNCTION refuse_insert()"]
    else:
        statements = [
            f"CREATE TRIGGER refuse_insert BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'insert refused by test'); END"
        ]
        cleanup = ["DROP TRIGGER refuse_insert"]
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    yield
    for statement in cleanup:
        db.session.execute(text(statement))
    db.session.commit()


def declared_methods(rule: Rule) -> frozenset[str]:
    return frozenset(rule.methods or ()) - {"HEAD", "OPTIONS"}


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


def url_of(rule: Rule, values: dict[str, object]) -> str:
    """The rule's path with every placeholder filled from `values` (a dummy "1" where none is given)."""
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda match: str(values.get(match.group(1), 1)), rule.rule)


def placeholder_values(factories: Factories) -> dict[str, object]:
    """Values for URL placeholders: ids of real objects, dummies for the rest."""
    colleague = factories.provider()
    return {
        "user_id": colleague.id,
        "org_id": colleague.organisation_id,
        "token": "kein-gueltiges-token",
        "status": "verified",
        "decision": "confirmed",
        "filename": "portal.css",
        "path": "impressum/",
    }
