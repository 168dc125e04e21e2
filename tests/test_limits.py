"""docs/security.md 17: request bodies over the limit get 413 (German page) before they are parsed."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from portal.accounts.models import LoginAttempt
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD

LIMIT = 1024
TOO_LARGE = "Die Datei oder Eingabe ist zu groß"


@pytest.fixture
def small(app, make_app):
    return make_app(MAX_CONTENT_LENGTH=LIMIT).test_client()


@pytest.fixture
def provider(factories):
    user = factories.provider()
    db.session.commit()  # the second app works in its own database sessions
    return user


def login_body(user, padding: int) -> dict[str, str]:
    return {"email": user.email, "password": DEFAULT_PASSWORD, "padding": "x" * padding}


def attempts(user) -> int:
    return db.session.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.account == user.email)) or 0


def assert_too_large(response) -> None:
    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)


def test_a_form_over_the_limit_is_refused_before_the_login_runs(small, provider):
    assert_too_large(small.post("/portal/anmelden", data=login_body(provider, LIMIT)))
    assert attempts(provider) == 0
    assert small.get("/portal/").status_code == 302


def test_a_form_under_the_limit_is_processed(small, provider):
    response = small.post("/portal/anmelden", data=login_body(provider, 100))
    assert response.status_code == 302
    assert attempts(provider) == 1


def test_a_file_upload_over_the_limit_is_refused(small):
    data = {"datei": (io.BytesIO(b"%PDF-" + b"0" * 2 * LIMIT), "gross.pdf")}
    assert_too_large(small.post("/portal/anmelden", data=data, content_type="multipart/form-data"))


def test_the_limit_holds_with_csrf_protection_on(make_app, provider):
    client = make_app(MAX_CONTENT_LENGTH=LIMIT, WTF_CSRF_ENABLED=True).test_client()
    assert_too_large(client.post("/portal/anmelden", data=login_body(provider, LIMIT)))


def post_chunked(client, body: str):
    """A body streamed without Content-Length, as a server passes on a chunked request."""
    return client.post(
        "/portal/anmelden",
        input_stream=io.BytesIO(body.encode()),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("padding", [LIMIT, 50 * LIMIT])
def test_a_chunked_body_over_the_limit_is_refused_not_cut_off(small, provider, padding):
    """Werkzeug alone would parse the first LIMIT bytes (a complete login) and ignore the rest."""
    assert_too_large(post_chunked(small, urlencode(login_body(provider, padding))))
    assert attempts(provider) == 0


def test_a_small_chunked_body_is_processed(small, provider):
    assert post_chunked(small, urlencode(login_body(provider, 0))).status_code == 302
    assert attempts(provider) == 1
