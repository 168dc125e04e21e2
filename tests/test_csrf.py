"""docs/security.md 12: every form is protected against cross-site request forgery (tested with protection on)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.app_helpers import declared_methods, placeholder_values, rules, url_of
from tests.factories import DEFAULT_PASSWORD

EXPIRED = "Das Formular ist abgelaufen"


def token_from(client: FlaskClient, path: str = "/portal/anmelden") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page)
    assert match, "no CSRF token in the form"
    return match.group(1)


def login_data(user, **extra: str) -> dict[str, str]:
    return {"email": user.email, "password": DEFAULT_PASSWORD, **extra}


def logins(user) -> int:
    query = select(func.count(AuditEntry.id)).where(AuditEntry.action == "login", AuditEntry.actor_id == user.id)
    return db.session.scalar(query) or 0


@pytest.fixture
def protected(app, make_app):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def admin(factories):
    user = factories.user(Role.ADMIN)
    db.session.commit()  # the protected app works in its own database sessions
    return user


def assert_refused(client: FlaskClient, path: str) -> None:
    response = client.post(path, data={"name": "x", "email": "x@example.org", "reason": "x"})
    assert response.status_code == 400, path
    assert EXPIRED in response.get_data(as_text=True), path


def post_paths(app, factories) -> list[str]:
    values = placeholder_values(factories)
    db.session.commit()
    return [url_of(rule, values) for rule in rules(app) if "POST" in declared_methods(rule)]


def test_every_post_route_refuses_a_request_without_token(protected, factories, admin):
    paths = post_paths(protected, factories)
    assert len(paths) >= 10
    anonymous = protected.test_client()
    signed_in = protected.test_client()
    signed_in.post("/portal/anmelden", data=login_data(admin, csrf_token=token_from(signed_in)))
    assert signed_in.get("/portal/").status_code == 200
    for path in paths:
        assert_refused(anonymous, path)
        assert_refused(signed_in, path)


def test_login_without_token_does_not_sign_in(protected, admin):
    client = protected.test_client()
    response = client.post("/portal/anmelden", data=login_data(admin))
    assert response.status_code == 400
    assert logins(admin) == 0
    assert client.get("/portal/").status_code == 302


def test_login_with_a_valid_token_is_accepted(protected, admin):
    client = protected.test_client()
    response = client.post("/portal/anmelden", data=login_data(admin, csrf_token=token_from(client)))
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/"
    assert logins(admin) == 1


@pytest.mark.parametrize("kind", ["other session", "tampered", "empty"])
def test_a_foreign_or_tampered_token_is_refused(protected, admin, kind):
    client = protected.test_client()
    own = token_from(client)
    tokens = {"other session": token_from(protected.test_client()), "tampered": own[:-2] + "xx", "empty": ""}
    response = client.post("/portal/anmelden", data=login_data(admin, csrf_token=tokens[kind]))
    assert response.status_code == 400
    assert logins(admin) == 0


def test_logout_needs_the_token(protected, admin):
    client = protected.test_client()
    client.post("/portal/anmelden", data=login_data(admin, csrf_token=token_from(client)))
    assert client.post("/portal/abmelden").status_code == 400
    assert client.get("/portal/").status_code == 200
    client.post("/portal/abmelden", data={"csrf_token": token_from(client, "/portal/")})
    assert client.get("/portal/").status_code == 302
