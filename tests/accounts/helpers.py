"""Helpers shared by the accounts tests: form data, signing in, mail links, sessions and the audit log."""

from __future__ import annotations

import re
import time
from email.header import decode_header, make_header
from typing import Any

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.accounts.models import Organisation, User
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.conftest import Mailbox
from tests.factories import DEFAULT_PASSWORD

SESSION_COOKIE = "portal_session"
NEW_PASSWORD = "ein ganz anderer Satz zum Merken"
NEW_PASSWORD_FORM = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
WRONG_PASSWORD = "das ist nicht mein Passwort"
BAD_LOGIN = "E-Mail-Adresse oder Passwort sind nicht richtig."
REGISTRANT_EMAIL = "m.lindqvist@tafel.example"
REGISTRANT_PASSWORD = "Grüne Äpfel wachsen langsam"
_LINK = re.compile(r"http://localhost(/portal/\S+)")


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def location(response: TestResponse) -> str:
    assert response.status_code == 302, text(response)
    return response.headers["Location"]


# --- forms ----------------------------------------------------------------------------------------


def organisation_data(**overrides: Any) -> dict[str, str]:
    """Valid input for the organisation fields; a value of None leaves the field out."""
    data = {
        "name": "Tafel Musterstadt e. V.",
        "legal_form": "e. V.",
        "umbrella": "caritas",
        "street": "Kirchweg 5",
        "postal_code": "50667",
        "city": "Musterstadt",
        "phone": "0221 555555",
        "org_email": "Info@Tafel.example",
        "website": "https://tafel.example",
        "public_contact": "Frau Sommer, montags 9 bis 12 Uhr",
        "non_profit": "y",
        "iban": "DE89 3704 0044 0532 0130 00",
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not None}


def registration_data(**overrides: Any) -> dict[str, str]:
    password = overrides.get("password", REGISTRANT_PASSWORD)
    account = {
        "user_name": "Mia Sommer",
        "email": REGISTRANT_EMAIL,
        "password": password,
        "password_confirm": password,
        "privacy": "y",
    }
    return organisation_data(**{**account, **overrides})


def edit_data(organisation: Organisation, **overrides: Any) -> dict[str, str]:
    """The organisation edit form as the page shows it for `organisation`, with changes."""
    current = {
        "name": organisation.name,
        "umbrella": organisation.umbrella.value,
        "street": organisation.street,
        "org_email": organisation.email,
        "iban": organisation.iban,
        "website": organisation.website,
        "public_contact": organisation.public_contact,
        "version": str(organisation.version_id),
    }
    return organisation_data(**{**current, **overrides})


def register(client: FlaskClient, **overrides: Any) -> TestResponse:
    return client.post("/portal/registrieren", data=registration_data(**overrides))


def register_and_verify(client: FlaskClient, mailbox: Mailbox, **overrides: Any) -> User:
    response = register(client, **overrides)
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in text(response)
    email = overrides.get("email", REGISTRANT_EMAIL)
    client.post(open_link(client, mailbox, email))
    user = user_by_email(email)
    assert user is not None
    assert user.email_verified_at is not None
    return user


def reload(user: User) -> User:
    """The user as the database has it now (after requests of another app ended the session)."""
    found = db.session.get(User, user.id, populate_existing=True)
    assert found is not None
    return found


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


# --- signing in -----------------------------------------------------------------------------------


def sign_in(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD, **kwargs: Any) -> TestResponse:
    return client.post("/portal/anmelden", data={"email": email, "password": password}, **kwargs)


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/portal/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def sign_in_with_code(client: FlaskClient, user: User, code: str, password: str = DEFAULT_PASSWORD) -> TestResponse:
    assert location(sign_in(client, user.email, password)) == "/portal/anmelden/code"
    return client.post("/portal/anmelden/code", data={"code": code})


def copy_session(source: FlaskClient, target: FlaskClient) -> None:
    """Put the session cookie of one browser into another, as an attacker who copied it would."""
    cookie = source.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    target.set_cookie(SESSION_COOKIE, cookie.value)


def session_value(client: FlaskClient, key: str) -> Any:
    with client.session_transaction() as session:
        return session.get(key)


def code_at(secret: str, steps: int = 0) -> str:
    """The TOTP code `steps` time steps from now."""
    totp = pyotp.TOTP(secret)
    return totp.at(int(time.time()) + steps * totp.interval)


def wrong_code(secret: str) -> str:
    """A six-digit code that is valid in none of the accepted time steps."""
    valid = {code_at(secret, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


# --- mail and audit -------------------------------------------------------------------------------


def mailed_link(mailbox: Mailbox, address: str) -> str:
    """The portal path of the link in the last message to `address`."""
    body = mailbox.last_body(address)
    match = _LINK.search(body)
    assert match, body
    return match.group(1)


def open_link(client: FlaskClient, mailbox: Mailbox, address: str) -> str:
    """Open the link of the last message to `address` (its token goes into the session); the address the browser
    is sent on to, which carries no token."""
    link = mailed_link(mailbox, address)
    target = location(client.get(link))
    assert target == link.rsplit("/", 1)[0], target
    return target


def subjects(mailbox: Mailbox, address: str) -> list[str]:
    return [str(make_header(decode_header(message["Subject"]))) for message in mailbox.to(address)]


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
