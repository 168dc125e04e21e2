"""The TOTP second factor: setup, sign-in, replay, throttling, reset, duty for every account (docs/security.md 4)."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from portal.accounts.mfa import matching_step
from portal.accounts.models import Role
from portal.extensions import db
from portal.models import utcnow
from tests.accounts.helpers import (
    NEW_PASSWORD,
    NEW_PASSWORD_FORM,
    WRONG_PASSWORD,
    audit,
    code_at,
    location,
    open_link,
    reload,
    session_value,
    sign_in,
    sign_in_with_code,
    signed_in,
    text,
    wrong_code,
)
from tests.factories import DEFAULT_PASSWORD

CODE_REFUSED = "Der Sicherheitscode ist nicht richtig oder wurde schon benutzt."
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # fixed: with the frozen clock every code is deterministic


@pytest.fixture
def totp_user(factories):
    return factories.provider(totp_secret=SECRET)


def test_setting_up_the_second_factor(client, factories, login, clock):
    user = factories.provider()
    login(user)

    page = text(client.get("/portal/konto/zwei-faktor"))
    secret = session_value(client, "totp_secret")
    assert secret in page
    assert "<svg" in page
    assert "Der Code stimmt nicht" in text(client.post("/portal/konto/zwei-faktor", data={"code": wrong_code(secret)}))
    assert not user.has_totp

    response = client.post("/portal/konto/zwei-faktor", data={"code": code_at(secret)})

    assert "Ihre Wiederherstellungscodes" in text(response)  # the first second factor brings them
    assert 'href="/portal/konto"' in text(response)
    assert user.totp_secret == secret
    assert session_value(client, "totp_secret") is None
    assert "Die Anmeldung mit einer Authenticator-App ist eingeschaltet." in text(client.get("/portal/konto"))
    assert audit("totp_enabled")


@pytest.mark.parametrize("code", ["12345", "1234567", "12345a", "", "١٢٣٤٥٦"])
def test_malformed_codes_match_no_step(code, clock):
    assert matching_step(SECRET, code, utcnow()) is None


def test_codes_match_their_step_with_one_step_of_drift(clock):
    now = utcnow()
    steps = [matching_step(SECRET, code_at(SECRET, drift), now) for drift in (-1, 0, 1)]

    assert steps[1] == int(now.timestamp()) // 30
    assert steps == [steps[1] - 1, steps[1], steps[1] + 1]
    assert matching_step(SECRET, code_at(SECRET, 2), now) is None


def test_sign_in_then_asks_for_the_code(client, totp_user, clock):
    assert location(sign_in(client, totp_user.email)) == "/portal/anmelden/code"
    assert not signed_in(client)
    assert "Sicherheitscode" in text(client.get("/portal/anmelden/code"))

    response = client.post("/portal/anmelden/code", data={"code": code_at(SECRET)})

    assert location(response) == "/portal/"
    assert signed_in(client)


def test_the_code_may_contain_a_space_and_next_survives_the_second_step(client, totp_user, clock):
    code = code_at(SECRET)
    sign_in(client, totp_user.email, query_string={"next": "/portal/konto"})

    response = client.post("/portal/anmelden/code", data={"code": f"{code[:3]} {code[3:]}"})

    assert location(response) == "/portal/konto"


def test_a_code_works_only_once(client, totp_user, clock):
    code = code_at(SECRET)
    sign_in_with_code(client, totp_user, code)
    client.post("/portal/abmelden")

    replay = sign_in_with_code(client, totp_user, code)

    assert CODE_REFUSED in text(replay)
    assert not signed_in(client)
    clock.shift(timedelta(seconds=30))
    assert location(client.post("/portal/anmelden/code", data={"code": code_at(SECRET)})) == "/portal/"


def test_a_code_from_an_earlier_step_than_the_last_used_is_refused(client, totp_user, clock):
    sign_in_with_code(client, totp_user, code_at(SECRET, 1))
    client.post("/portal/abmelden")

    assert CODE_REFUSED in text(sign_in_with_code(client, totp_user, code_at(SECRET)))


def test_wrong_codes_are_throttled(client, totp_user, clock):
    sign_in(client, totp_user.email)
    for _ in range(5):
        assert CODE_REFUSED in text(client.post("/portal/anmelden/code", data={"code": wrong_code(SECRET)}))

    response = client.post("/portal/anmelden/code", data={"code": code_at(SECRET)})

    assert CODE_REFUSED in text(response)
    assert not signed_in(client)
    assert audit("login_refused")[-1].details == "Sicherheitscode gesperrt"
    assert len(audit("totp_failed")) == 5


def test_the_second_step_expires_after_five_minutes(client, totp_user, clock):
    sign_in(client, totp_user.email)
    clock.shift(timedelta(minutes=6))

    response = client.post("/portal/anmelden/code", data={"code": code_at(SECRET)})

    assert location(response) == "/portal/anmelden"
    assert not signed_in(client)


def test_the_code_page_needs_a_password_first(client, totp_user, clock):
    assert location(client.get("/portal/anmelden/code")) == "/portal/anmelden"
    assert location(client.get("/portal/anmelden/einrichten")) == "/portal/anmelden"

    sign_in(client, totp_user.email)
    totp_user.active = False
    db.session.commit()

    assert location(client.post("/portal/anmelden/code", data={"code": code_at(SECRET)})) == "/portal/anmelden"


def test_a_password_reset_does_not_bypass_the_second_factor(client, totp_user, mailbox, clock):
    client.post("/portal/passwort-vergessen", data={"email": totp_user.email})
    client.post(open_link(client, mailbox, totp_user.email), data=NEW_PASSWORD_FORM)

    assert totp_user.totp_secret == SECRET
    assert location(sign_in(client, totp_user.email, NEW_PASSWORD)) == "/portal/anmelden/code"
    assert not signed_in(client)


def test_a_password_reset_during_the_second_step_ends_it(client, other_client, totp_user, mailbox, clock):
    sign_in(client, totp_user.email)
    other_client.post("/portal/passwort-vergessen", data={"email": totp_user.email})
    other_client.post(open_link(other_client, mailbox, totp_user.email), data=NEW_PASSWORD_FORM)

    assert location(client.post("/portal/anmelden/code", data={"code": code_at(SECRET)})) == "/portal/anmelden"


def test_the_setup_page_cannot_replace_an_existing_second_factor(client, totp_user, clock):
    """Knowing the password is not enough to register a new authenticator (bypass of the code step)."""
    sign_in(client, totp_user.email)

    assert location(client.get("/portal/anmelden/einrichten")) == "/portal/anmelden/code"
    forged = pyotp.random_base32()
    with client.session_transaction() as session:
        session["totp_secret"] = forged
    client.post("/portal/anmelden/einrichten", data={"code": code_at(forged)})

    assert totp_user.totp_secret == SECRET
    assert not signed_in(client)


def test_a_provider_may_switch_the_second_factor_off_with_the_password(client, totp_user, clock):
    sign_in_with_code(client, totp_user, code_at(SECRET))

    refused = client.post("/portal/konto/zwei-faktor/ausschalten", data={"password": WRONG_PASSWORD})
    assert "Das Passwort ist nicht richtig." in text(refused)
    empty = client.post("/portal/konto/zwei-faktor/ausschalten", data={})
    assert "Bitte geben Sie Ihr Passwort ein." in text(empty)
    assert totp_user.has_totp

    response = client.post("/portal/konto/zwei-faktor/ausschalten", data={"password": DEFAULT_PASSWORD})

    assert location(response) == "/portal/konto"
    assert not totp_user.has_totp
    assert audit("totp_disabled")
    client.post("/portal/abmelden")
    assert location(sign_in(client, totp_user.email)) == "/portal/"


# --- mandatory for every account in production -----------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_account_without_a_second_factor_must_set_one_up(strict_app, factories, role, clock):
    """ASVS 6.3.3: providers handle social data, so they need the second factor as much as ARGE staff."""
    user = factories.user(role)
    db.session.commit()
    browser = strict_app.test_client()

    assert location(sign_in(browser, user.email)) == "/portal/anmelden/einrichten"
    assert location(browser.get("/portal/")) == "/portal/anmelden?next=/portal/"

    page = text(browser.get("/portal/anmelden/einrichten"))
    secret = session_value(browser, "totp_secret")
    assert secret in page
    assert "Der Code stimmt nicht" in text(
        browser.post("/portal/anmelden/einrichten", data={"code": wrong_code(secret)})
    )
    shown = text(browser.post("/portal/anmelden/einrichten", data={"code": code_at(secret)}))

    assert shown.count("data-recovery-code") == 10
    assert 'href="/portal/"' in shown
    assert browser.get("/portal/").status_code == 200
    assert reload(user).totp_secret == secret


def test_accounts_with_a_second_factor_are_asked_for_it(strict_app, factories, clock):
    provider = factories.provider(totp_secret=SECRET)
    db.session.commit()
    browser = strict_app.test_client()

    assert location(sign_in_with_code(browser, provider, code_at(SECRET))) == "/portal/"
    assert browser.get("/portal/").status_code == 200


def test_outside_production_the_second_factor_stays_optional(client, factories):
    for user in (factories.provider(), factories.staff()):
        assert location(sign_in(client, user.email)) == "/portal/"
        client.post("/portal/abmelden")


def test_the_mandatory_second_factor_cannot_be_switched_off(strict_app, factories, clock):
    provider = factories.provider(totp_secret=SECRET)
    db.session.commit()
    browser = strict_app.test_client()
    sign_in_with_code(browser, provider, code_at(SECRET))
    assert "Authenticator-App ausschalten" not in text(browser.get("/portal/konto"))

    response = browser.post("/portal/konto/zwei-faktor/ausschalten", data={"password": DEFAULT_PASSWORD})

    assert "Die Zwei-Faktor-Anmeldung ist vorgeschrieben" in text(response)
    assert reload(provider).totp_secret == SECRET
