"""docs/security.md 13 and 14: security headers on every response, HSTS in production, hardened session cookie."""

from __future__ import annotations

import secrets
import string

import pytest
from werkzeug.test import TestResponse

from portal.accounts.models import Role
from portal.config import PASSWORD_HASH_PARAMETERS
from portal.extensions import db
from tests.app_helpers import FAILING_PATH, app_with_failing_route

CSP_PARTS = (
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)
STRONG_KEY = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(48))


def production_app(make_app, **config):
    return make_app(
        PORTAL_ENV="production", SECRET_KEY=STRONG_KEY, PASSWORD_HASH_PARAMETERS=PASSWORD_HASH_PARAMETERS, **config
    )


def assert_security_headers(response: TestResponse) -> None:
    directives = {part.strip() for part in response.headers["Content-Security-Policy"].split(";")}
    assert set(CSP_PARTS) <= directives
    assert not any("unsafe" in directive for directive in directives)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert response.headers["X-Frame-Options"] == "DENY"


def set_cookie_attributes(response: TestResponse, name: str) -> set[str]:
    """The attributes of one Set-Cookie header, lower-cased, without the value."""
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{name}="))
    return {part.strip().lower() for part in header.split(";")[1:]}


@pytest.fixture
def responses(client, factories, login, make_app):
    """One response of each kind the app can give."""
    provider = factories.provider()
    found = {
        "placeholder": client.get("/"),
        "login page": client.get("/portal/anmelden"),
        "static file": client.get("/portal/static/portal.css"),
        "design system": client.get("/portal/static/kern/kern.min.css"),
        "404": client.get("/portal/gibt-es-nicht"),
        "405": client.post("/portal/konto"),
        "redirect": client.get("/portal/konto"),
    }
    found["login"] = login(provider)
    found["start page"] = client.get("/portal/")
    found["403"] = client.get("/portal/protokoll")
    found["413"] = make_app(MAX_CONTENT_LENGTH=1024).test_client().post("/portal/anmelden", data={"x": "a" * 4096})
    found["500"] = app_with_failing_route(make_app).test_client().get(FAILING_PATH)
    for response in found.values():
        response.close()  # static files are streamed from an open file
    return found


def test_every_kind_of_response_carries_the_headers(responses):
    expected = {
        "placeholder": 200,
        "login page": 200,
        "static file": 200,
        "design system": 200,
        "404": 404,
        "405": 405,
        "redirect": 302,
        "login": 302,
        "start page": 200,
        "403": 403,
        "413": 413,
        "500": 500,
    }
    assert {name: response.status_code for name, response in responses.items()} == expected
    for response in responses.values():
        assert_security_headers(response)


def test_no_hsts_in_development(responses):
    assert all("Strict-Transport-Security" not in response.headers for response in responses.values())


def test_hsts_in_production(app, make_app):
    client = production_app(make_app).test_client()
    for path in ("/portal/anmelden", "/portal/gibt-es-nicht", "/portal/static/portal.css"):
        hsts = client.get(path, buffered=True).headers["Strict-Transport-Security"]
        assert "max-age=31536000" in hsts
        assert "includeSubDomains" in hsts


def test_portal_pages_are_not_cached_but_static_files_are(responses):
    for name in ("login page", "start page", "403", "404", "redirect", "login"):
        assert "no-store" in responses[name].headers["Cache-Control"], name
    for name in ("static file", "design system"):
        assert "no-store" not in responses[name].headers.get("Cache-Control", ""), name


def test_session_cookie_in_development_is_httponly_and_lax(responses):
    attributes = set_cookie_attributes(responses["login"], "portal_session")
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes


def test_session_cookie_in_production_is_secure_and_host_only(app, make_app, factories, login):
    provider = factories.provider()
    staff = factories.user(Role.STAFF)
    db.session.commit()  # the production app works in its own database sessions
    client = production_app(make_app).test_client()
    for user in (provider, staff):
        attributes = set_cookie_attributes(login(user, test_client=client), "__Host-portal")
        assert {"secure", "httponly", "samesite=lax", "path=/"} <= attributes
        assert not any(attribute.startswith("domain=") for attribute in attributes)
        client.post("/portal/abmelden")
