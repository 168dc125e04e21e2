"""Signing in: throttling, password rules, hashing, sessions, timeouts and redirects (docs/security.md 1–3, 5–7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from sqlalchemy import func, select

from portal.accounts.models import LoginAttempt, Role
from portal.accounts.passwords import hash_password, verify_password
from portal.config import PASSWORD_HASH_PARAMETERS
from portal.extensions import db
from tests.accounts.helpers import (
    BAD_LOGIN,
    NEW_PASSWORD,
    REGISTRANT_EMAIL,
    WRONG_PASSWORD,
    audit,
    copy_session,
    location,
    register,
    register_and_verify,
    sign_in,
    signed_in,
    text,
    user_by_email,
)
from tests.factories import DEFAULT_PASSWORD

THROTTLED = "Zu viele fehlgeschlagene Anmeldeversuche"


def fail(client, email, times, **kwargs):
    for _ in range(times):
        assert BAD_LOGIN in text(sign_in(client, email, WRONG_PASSWORD, **kwargs))


def from_ip(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_sign_in_and_out(client, factories):
    user = factories.provider()

    assert location(sign_in(client, user.email.upper())) == "/portal/"
    assert signed_in(client)
    assert user.last_login_at is not None
    assert location(client.get("/portal/anmelden")) == "/portal/"
    assert [entry.actor_id for entry in audit("login")] == [user.id]

    assert location(client.post("/portal/abmelden")) == "/portal/anmelden"
    assert not signed_in(client)


def test_wrong_and_missing_input_is_refused(client, factories):
    user = factories.provider()

    assert BAD_LOGIN in text(sign_in(client, user.email, WRONG_PASSWORD))
    assert BAD_LOGIN in text(sign_in(client, "niemand@example.org"))
    assert "Bitte geben Sie Ihr Passwort ein." in text(client.post("/portal/anmelden", data={"email": user.email}))
    assert not signed_in(client)
    assert [entry.actor_id for entry in audit("login_failed")] == [user.id, None]


def test_deactivated_and_invited_accounts_cannot_sign_in(client, factories):
    deactivated = factories.provider(active=False)
    invited = factories.provider(password_hash="")

    assert BAD_LOGIN in text(sign_in(client, deactivated.email))
    assert BAD_LOGIN in text(sign_in(client, invited.email))


# --- 1. throttling --------------------------------------------------------------------------------


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, factories):
    user = factories.provider()
    fail(client, user.email, 5)

    response = sign_in(client, user.email.upper())

    assert THROTTLED in text(response)
    assert not signed_in(client)
    assert audit("login_refused")[-1].actor_email == user.email


def test_other_accounts_are_not_affected(client, factories):
    user, other = factories.provider(), factories.provider()
    fail(client, user.email, 5)

    assert location(sign_in(client, other.email)) == "/portal/"


def test_the_throttle_is_kept_in_the_database_and_survives_a_restart(client, factories, make_app):
    user = factories.provider()
    fail(client, user.email, 5)
    db.session.commit()

    restarted = make_app().test_client()

    assert THROTTLED in text(sign_in(restarted, user.email))


def test_sign_in_works_again_after_the_window(client, factories, clock):
    user = factories.provider()
    fail(client, user.email, 5)
    clock.shift(timedelta(minutes=14))
    assert THROTTLED in text(sign_in(client, user.email))

    clock.shift(timedelta(minutes=2))

    assert location(sign_in(client, user.email)) == "/portal/"


def earlier_failures(ip, count):
    """Failed attempts from one address on many accounts, as an attacker spraying passwords leaves them."""
    for number in range(count):
        db.session.add(LoginAttempt(kind="password", account=f"geraten{number}@example.org", ip=ip, success=False))
    db.session.commit()


def test_one_address_is_throttled_across_accounts_and_forged_headers_do_not_help(client, factories):
    user = factories.provider()
    earlier_failures("192.0.2.10", 29)
    sign_in(
        client,
        "noch-einer@example.org",
        WRONG_PASSWORD,
        headers={"X-Forwarded-For": "198.51.100.1"},
        **from_ip("192.0.2.10"),
    )
    count = select(func.count(LoginAttempt.id)).where(LoginAttempt.ip == "192.0.2.10")
    assert db.session.scalar(count) == 30

    forged = sign_in(client, user.email, headers={"X-Forwarded-For": "198.51.100.7"}, **from_ip("192.0.2.10"))

    assert THROTTLED in text(forged)
    assert location(sign_in(client, user.email, **from_ip("192.0.2.11"))) == "/portal/"


def test_behind_a_trusted_proxy_only_the_proxys_entry_counts(factories, make_app):
    """The proxy appends the real address; whatever the client put in front of it is ignored."""
    user = factories.provider()
    earlier_failures("192.0.2.20", 29)
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    forged = {"X-Forwarded-For": "203.0.113.1, 192.0.2.20"}
    sign_in(proxied, "noch-einer@example.org", WRONG_PASSWORD, headers=forged)
    assert audit("login_failed")[-1].ip == "192.0.2.20"

    response = sign_in(proxied, user.email, headers={"X-Forwarded-For": "203.0.113.99, 192.0.2.20"})

    assert THROTTLED in text(response)
    assert location(sign_in(proxied, user.email, headers={"X-Forwarded-For": "192.0.2.21"})) == "/portal/"


# --- 2. password rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("elf Zeichen", "Das Passwort muss mindestens 12 Zeichen lang sein."),
        ("x" * 1001, "Das Passwort darf höchstens 1000 Zeichen lang sein."),
        ("Musterstadt im Frühling 2026", "leicht zu erratenden Wörter"),
        ("Mein JOBCENTER-Zugang 2026", "leicht zu erratenden Wörter"),
        ("Grüße von Lindqvist!", "leicht zu erratenden Wörter"),
        ("Sommer, Sonne, Strand", "leicht zu erratenden Wörter"),
        ("abababababababab", "zu wenigen verschiedenen Zeichen"),
    ],
)
def test_weak_passwords_are_refused(client, mailbox, password, message):
    page = text(register(client, password=password))

    assert message in page
    assert user_by_email(REGISTRANT_EMAIL) is None


@pytest.mark.parametrize(
    "password",
    [
        "Lindenblüte7",
        "  Über sieben Brücken musst du gehn – 🌉  ",
        "der Zug nach Köln fährt um halb acht " * 20,
        "Διακονία und Caritas helfen gemeinsam",
    ],
)
def test_long_passphrases_with_spaces_and_unicode_are_kept_unchanged(client, mailbox, password):
    user = register_and_verify(client, mailbox, password=password)

    assert verify_password(user.password_hash, password)
    assert BAD_LOGIN in text(sign_in(client, REGISTRANT_EMAIL, password.strip() + "x"))
    assert location(sign_in(client, REGISTRANT_EMAIL, password)) == "/portal/"


# --- 3. hashing -----------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2id(app, client, mailbox):
    user = register_and_verify(client, mailbox)

    assert user.password_hash.startswith("$argon2id$")
    assert extract_parameters(user.password_hash) == app.config["PASSWORD_HASH_PARAMETERS"]


def test_a_hash_with_other_parameters_is_renewed_at_the_next_sign_in(app, client, factories):
    other = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash(NEW_PASSWORD)
    user = factories.provider(password_hash=other)

    sign_in(client, user.email, WRONG_PASSWORD)
    assert user.password_hash == other

    sign_in(client, user.email, NEW_PASSWORD)
    assert user.password_hash != other
    assert extract_parameters(user.password_hash) == app.config["PASSWORD_HASH_PARAMETERS"]
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_a_weak_hash_is_renewed_with_the_production_parameters(make_app, factories):
    weak = PasswordHasher.from_parameters(CHEAPEST).hash(NEW_PASSWORD)
    user = factories.provider(password_hash=weak)
    production_hashing = make_app(PASSWORD_HASH_PARAMETERS=PASSWORD_HASH_PARAMETERS)

    assert location(sign_in(production_hashing.test_client(), user.email, NEW_PASSWORD)) == "/portal/"

    renewed = user_by_email(user.email)
    assert renewed is not None
    assert extract_parameters(renewed.password_hash) == RFC_9106_LOW_MEMORY == PASSWORD_HASH_PARAMETERS
    assert PasswordHasher().verify(renewed.password_hash, NEW_PASSWORD)


def test_a_current_hash_is_kept(client, factories):
    current = hash_password(NEW_PASSWORD)
    user = factories.provider(password_hash=current)

    sign_in(client, user.email, NEW_PASSWORD)

    assert user.password_hash == current


# --- 5. sessions ----------------------------------------------------------------------------------


def test_the_session_is_cleared_at_sign_in(client, factories, login):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    login(factories.provider())

    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


@pytest.fixture
def copied(app, client, factories, login):
    """A user signed in on `client`, and a second browser holding a copy of that session cookie."""
    user = factories.provider()
    login(user)
    thief = app.test_client()
    copy_session(client, thief)
    assert signed_in(thief)
    return user, thief


def test_a_copied_cookie_stops_working_after_logout(client, copied):
    _user, thief = copied

    client.post("/portal/abmelden")

    assert not signed_in(thief)
    assert audit("logout")


def test_a_copied_cookie_stops_working_after_a_password_change(client, copied):
    _user, thief = copied

    data = {"current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    client.post("/portal/konto/passwort", data=data)

    assert signed_in(client)
    assert not signed_in(thief)


def test_a_copied_cookie_stops_working_after_deactivation(client, copied, admin_client):
    user, thief = copied

    admin_client.post(f"/portal/benutzer/{user.id}/aktiv")

    assert not user.active
    assert not signed_in(thief)
    assert not signed_in(client)


def test_a_role_change_ends_the_sessions_of_that_user(app, factories, login, admin_client):
    staff = factories.user(Role.STAFF)
    browser = app.test_client()
    login(staff, test_client=browser)

    admin_client.post(f"/portal/benutzer/{staff.id}/rolle", data={"role": "approver"})

    assert staff.role == Role.APPROVER
    assert not signed_in(browser)


# --- 6. timeouts ----------------------------------------------------------------------------------


def test_an_idle_session_ends_after_30_minutes(client, factories, login, clock):
    login(factories.provider())
    clock.shift(timedelta(minutes=29))
    assert signed_in(client)
    clock.shift(timedelta(minutes=29))
    assert signed_in(client)

    clock.shift(timedelta(minutes=31))
    response = client.get("/portal/")

    assert location(response) == "/portal/anmelden"
    assert "Ihre Sitzung ist abgelaufen" in text(client.get("/portal/anmelden"))
    assert not signed_in(client)


def test_the_session_cookie_is_resent_only_when_the_last_activity_is_a_minute_old(client, factories, login, clock):
    login(factories.provider())
    client.get("/portal/")  # shows and removes the welcome message, which changes the session once
    clock.shift(timedelta(seconds=59))
    assert "Set-Cookie" not in client.get("/portal/").headers

    clock.shift(timedelta(seconds=1))
    assert "Set-Cookie" in client.get("/portal/").headers
    assert "Set-Cookie" not in client.get("/portal/").headers


def test_every_session_ends_after_12_hours(client, factories, login, clock):
    login(factories.provider())
    for _ in range(24):
        clock.shift(timedelta(minutes=29))
        assert signed_in(client)

    clock.shift(timedelta(minutes=29))

    assert not signed_in(client)


# --- 7. redirects after sign-in -------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/portal/",
        "/\\evil.example",
        "/portal/\\\\evil.example",
        "javascript:alert(1)",
        "/portalevil",
        "",
        "/portal/\r\nSet-Cookie: portal_session=forged",
        "/portal/\x00",
    ],
)
def test_next_leads_only_to_portal_paths(client, factories, target):
    user = factories.provider()

    response = sign_in(client, user.email, query_string={"next": target})

    assert location(response) == "/portal/"


def test_next_leads_back_to_the_requested_page(client, factories):
    user = factories.provider()
    asked = location(client.get("/portal/konto"))
    assert asked == "/portal/anmelden?next=/portal/konto"

    assert location(client.post(asked, data={"email": user.email, "password": DEFAULT_PASSWORD})) == "/portal/konto"
