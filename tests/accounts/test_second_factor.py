"""Recovery codes, passkeys (WebAuthn) and the administrators' reset of a second factor (docs/security.md 4)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.mfa import new_recovery_codes, recovery_digest
from portal.accounts.models import Passkey, RecoveryCode, Role
from portal.config import load_settings
from portal.extensions import db
from tests.accounts.authenticator import Authenticator
from tests.accounts.helpers import (
    WRONG_PASSWORD,
    audit,
    code_at,
    copy_session,
    location,
    reload,
    sign_in,
    signed_in,
    subjects,
    text,
)
from tests.factories import DEFAULT_PASSWORD

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ADMIN_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
CODE_REFUSED = "Der Wiederherstellungscode ist nicht richtig oder wurde schon benutzt."


def recovery_codes_of(page: str) -> list[str]:
    return [part.split("</code>")[0] for part in page.split("<code data-recovery-code>")[1:]]


def set_up_totp(client) -> list[str]:
    """Switch the app on in the account page; the recovery codes the page shows once."""
    client.get("/portal/konto/zwei-faktor")
    with client.session_transaction() as session:
        secret = session["totp_secret"]
    return recovery_codes_of(text(client.post("/portal/konto/zwei-faktor", data={"code": code_at(secret)})))


@pytest.fixture
def totp_user(factories):
    return factories.provider(totp_secret=SECRET)


# --- recovery codes -------------------------------------------------------------------------------


def test_the_first_second_factor_brings_ten_recovery_codes_stored_only_as_digests(client, factories, login, clock):
    user = factories.provider()
    login(user)

    codes = set_up_totp(client)

    assert len(codes) == len(set(codes)) == 10
    assert all(len(code.replace("-", "")) == 24 for code in codes)  # 120 bits
    stored = {entry.code_hash for entry in user.recovery_codes}
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert not any(code in stored for code in codes)
    assert audit("recovery_codes_created")
    assert "Noch 10 unbenutzte Codes" in text(client.get("/portal/konto"))
    assert "data-recovery-code" not in text(client.get("/portal/konto/wiederherstellungscodes"))  # shown once


def test_a_recovery_code_counts_without_case_spaces_and_dashes():
    code = new_recovery_codes()[0]

    assert recovery_digest(f" {code.upper().replace('-', ' ')} ") == recovery_digest(code.replace("-", ""))
    assert recovery_digest(code) == hashlib.sha256(code.replace("-", "").encode()).hexdigest()


def test_a_recovery_code_signs_in_once_instead_of_the_app(client, factories, login, clock):
    user = factories.provider()
    login(user)
    codes = set_up_totp(client)
    client.post("/portal/abmelden")

    assert location(sign_in(client, user.email)) == "/portal/anmelden/code"
    page = text(client.get("/portal/anmelden/code"))
    assert "Mit einem Wiederherstellungscode anmelden" in page
    response = client.post("/portal/anmelden/wiederherstellung", data={"code": f" {codes[0].upper()} "})

    assert location(response) == "/portal/"
    assert "noch 9 Codes sind übrig" in text(client.get("/portal/"))
    assert audit("recovery_code_used")[-1].details == "noch 9 übrig"
    client.post("/portal/abmelden")
    sign_in(client, user.email)
    assert CODE_REFUSED in text(client.post("/portal/anmelden/wiederherstellung", data={"code": codes[0]}))
    assert not signed_in(client)
    assert location(client.post("/portal/anmelden/wiederherstellung", data={"code": codes[1]})) == "/portal/"


def test_the_recovery_page_needs_the_password_first(client, totp_user):
    assert location(client.get("/portal/anmelden/wiederherstellung")) == "/portal/anmelden"
    assert location(sign_in(client, totp_user.email)) == "/portal/anmelden/code"
    assert "Bitte geben Sie einen Wiederherstellungscode ein." in text(
        client.post("/portal/anmelden/wiederherstellung", data={"code": ""})
    )


def test_wrong_recovery_codes_are_throttled(client, totp_user, clock):
    sign_in(client, totp_user.email)
    for _ in range(5):
        assert CODE_REFUSED in text(client.post("/portal/anmelden/wiederherstellung", data={"code": "falsch"}))
    assert audit("login_refused") == []
    client.post("/portal/anmelden/wiederherstellung", data={"code": "falsch"})
    assert audit("login_refused")[-1].details == "Wiederherstellungscode gesperrt"
    assert len(audit("recovery_code_failed")) == 5


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(client, factories, login, clock):
    user = factories.provider()
    login(user)
    old = set_up_totp(client)

    refused = client.post("/portal/konto/wiederherstellungscodes", data={"password": WRONG_PASSWORD})
    assert "Das Passwort ist nicht richtig." in text(refused)
    new = recovery_codes_of(
        text(client.post("/portal/konto/wiederherstellungscodes", data={"password": DEFAULT_PASSWORD}))
    )

    assert len(new) == 10
    assert not set(new) & set(old)
    assert len(audit("recovery_codes_created")) == 2
    client.post("/portal/abmelden")
    sign_in(client, user.email)
    assert CODE_REFUSED in text(client.post("/portal/anmelden/wiederherstellung", data={"code": old[0]}))
    assert location(client.post("/portal/anmelden/wiederherstellung", data={"code": new[0]})) == "/portal/"


def test_a_change_of_the_second_factors_ends_every_other_session(app, client, factories, login, mailbox, clock):
    """ASVS 7.4.3: a session stolen before the change does not outlive it; the one that made it goes on. The
    user is told of each change by mail (6.3.7)."""
    user = factories.provider()
    login(user)
    laptop = app.test_client()
    changes = [
        lambda: set_up_totp(client),
        lambda: add_passkey(client, Authenticator()),
        lambda: client.post("/portal/konto/wiederherstellungscodes", data={"password": DEFAULT_PASSWORD}),
        lambda: client.post(f"/portal/konto/passkeys/{user.passkeys[0].id}/loeschen"),
        lambda: client.post("/portal/konto/zwei-faktor/ausschalten", data={"password": DEFAULT_PASSWORD}),
    ]
    for change in changes:
        copy_session(client, laptop)  # as an attacker who stole the cookie would
        assert signed_in(laptop)
        change()
        assert signed_in(client)
        assert not signed_in(laptop)
    assert subjects(mailbox, user.email) == ["Ihre Zwei-Faktor-Anmeldung wurde geändert"] * len(changes)
    assert "Die Anmeldung mit einer Authenticator-App wurde ausgeschaltet." in mailbox.last_body(user.email)


def test_recovery_codes_need_a_second_factor(client, factories, login):
    login(factories.provider())

    response = client.post("/portal/konto/wiederherstellungscodes", data={"password": DEFAULT_PASSWORD})

    assert "Richten Sie zuerst eine Authenticator-App oder einen Passkey ein." in text(response)
    assert db.session.scalars(select(RecoveryCode)).all() == []


# --- passkeys -------------------------------------------------------------------------------------


def add_passkey(client, authenticator: Authenticator, name: str = "Laptop Büro"):
    options = client.post("/portal/konto/passkeys/optionen", data={"name": name})
    assert options.status_code == 200, text(options)
    return client.post("/portal/konto/passkeys", json=authenticator.create(text(options)))


def passkey_sign_in(client, authenticator: Authenticator, **kwargs):
    options = client.post("/portal/anmelden/passkey/optionen")
    assert options.status_code == 200
    return client.post("/portal/anmelden/passkey", json=authenticator.get(text(options), **kwargs))


@pytest.fixture
def passkey_user(client, factories, login):
    """A provider with one passkey (and the authenticator that holds it), signed out again."""
    user = factories.provider()
    login(user)
    authenticator = Authenticator()
    assert add_passkey(client, authenticator).status_code == 200
    client.post("/portal/abmelden")
    return user, authenticator


def test_a_passkey_is_added_with_a_name_and_listed(client, factories, login):
    user = factories.provider()
    login(user)
    authenticator = Authenticator()

    options = json.loads(text(client.post("/portal/konto/passkeys/optionen", data={"name": "Laptop Büro"})))
    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    response = client.post("/portal/konto/passkeys", json=authenticator.create(json.dumps(options)))

    assert response.get_json() == {"redirect": "/portal/konto/wiederherstellungscodes"}  # no codes yet
    passkey = user.passkeys[0]
    assert (passkey.name, passkey.credential_id, passkey.sign_count) == ("Laptop Büro", authenticator.id, 0)
    assert audit("passkey_added")[-1].details == "Laptop Büro"
    assert "Laptop Büro" in text(client.get("/portal/konto"))
    second = json.loads(text(client.post("/portal/konto/passkeys/optionen", data={"name": "Schlüssel"})))
    assert [item["id"] for item in second["excludeCredentials"]] == [authenticator.id]


def test_a_passkey_needs_a_name_and_a_valid_answer_to_its_own_challenge(client, factories, login):
    user = factories.provider()
    login(user)
    authenticator = Authenticator()

    nameless = client.post("/portal/konto/passkeys/optionen", data={"name": " "})
    assert (nameless.status_code, nameless.get_json()) == (400, {"error": "Bitte geben Sie dem Passkey einen Namen."})
    assert (
        client.post(
            "/portal/konto/passkeys",
            json=authenticator.create(
                json.dumps({"challenge": "AAAA", "rp": {"id": "localhost"}, "user": {"id": "MQ"}})
            ),
        ).status_code
        == 400
    )  # no challenge in the session
    options = text(client.post("/portal/konto/passkeys/optionen", data={"name": "Laptop"}))
    forged = Authenticator(origin="https://evil.example")
    assert client.post("/portal/konto/passkeys", json=forged.create(options)).status_code == 400
    assert client.post("/portal/konto/passkeys", json=authenticator.create(options)).status_code == 400  # used up
    options = text(client.post("/portal/konto/passkeys/optionen", data={"name": "Laptop"}))
    assert client.post("/portal/konto/passkeys", data="kein JSON").status_code == 400
    options = text(client.post("/portal/konto/passkeys/optionen", data={"name": "Laptop"}))
    unverified = Authenticator(user_verified=False)
    assert client.post("/portal/konto/passkeys", json=unverified.create(options)).status_code == 400
    assert user.passkeys == []


def test_a_passkey_signs_in_without_password(client, passkey_user):
    user, authenticator = passkey_user
    assert "Mit Passkey anmelden" in text(client.get("/portal/anmelden"))

    options = json.loads(text(client.post("/portal/anmelden/passkey/optionen")))
    assert options["allowCredentials"] == []  # discoverable: the authenticator knows the account
    assert options["userVerification"] == "required"
    response = client.post("/portal/anmelden/passkey", json=authenticator.get(json.dumps(options)))

    assert response.get_json() == {"redirect": "/portal/"}
    assert signed_in(client)
    assert reload(user).passkeys[0].sign_count == 1
    assert reload(user).passkeys[0].last_used_at is not None
    assert audit("passkey_used")[-1].details == "Laptop Büro"


def test_a_passkey_is_the_second_factor_after_the_password(client, other_client, factories, passkey_user):
    user, authenticator = passkey_user
    other = factories.provider()

    assert location(sign_in(client, user.email)) == "/portal/anmelden/code"
    page = text(client.get("/portal/anmelden/code"))
    assert "Mit Passkey bestätigen" in page
    assert 'name="code"' not in page  # no app set up
    options = json.loads(text(client.post("/portal/anmelden/passkey/optionen")))
    assert [item["id"] for item in options["allowCredentials"]] == [authenticator.id]

    assert client.post("/portal/anmelden/passkey", json=authenticator.get(json.dumps(options))).status_code == 200
    assert signed_in(client)
    # another account's password and this passkey do not go together
    assert location(sign_in(other_client, other.email)) == "/portal/"


def test_the_passkey_of_another_account_does_not_finish_a_pending_sign_in(client, factories, login, passkey_user):
    _user, authenticator = passkey_user
    victim = factories.provider(totp_secret=SECRET)
    sign_in(client, victim.email)

    response = passkey_sign_in(client, authenticator)

    assert response.status_code == 400
    assert not signed_in(client)
    assert audit("passkey_failed")[-1].details == "unbekannter Passkey"


def test_a_replayed_or_cloned_passkey_answer_is_refused(client, passkey_user):
    _user, authenticator = passkey_user
    options = text(client.post("/portal/anmelden/passkey/optionen"))
    answer = authenticator.get(options, count=5)
    assert client.post("/portal/anmelden/passkey", json=answer).status_code == 200
    client.post("/portal/abmelden")

    assert client.post("/portal/anmelden/passkey", json=answer).status_code == 400  # the challenge is used up
    cloned = passkey_sign_in(client, authenticator, count=5)  # the counter did not grow: a copy of the key
    assert cloned.status_code == 400
    assert cloned.get_json()["error"].startswith("Die Anmeldung mit dem Passkey hat nicht geklappt.")
    assert not signed_in(client)
    assert passkey_sign_in(client, authenticator, count=6).status_code == 200


def test_a_passkey_of_a_deactivated_account_does_not_sign_in(client, passkey_user):
    user, authenticator = passkey_user
    user.active = False

    assert passkey_sign_in(client, authenticator).status_code == 400
    assert not signed_in(client)


def test_a_passkey_is_deleted_by_its_owner_only(client, other_client, factories, login, passkey_user):
    user, authenticator = passkey_user
    passkey_id = user.passkeys[0].id
    stranger = factories.provider()
    login(stranger, test_client=other_client)
    assert other_client.post(f"/portal/konto/passkeys/{passkey_id}/loeschen").status_code == 403

    passkey_sign_in(client, authenticator)
    assert location(client.post(f"/portal/konto/passkeys/{passkey_id}/loeschen")) == "/portal/konto"

    assert db.session.get(Passkey, passkey_id) is None
    assert audit("passkey_deleted")[-1].details == "Laptop Büro"


def test_the_last_second_factor_cannot_be_deleted_in_production(strict_app, factories, clock):
    user = factories.provider()
    db.session.commit()
    browser = strict_app.test_client()
    sign_in(browser, user.email)
    browser.get("/portal/anmelden/einrichten")
    with browser.session_transaction() as session:
        secret = session["totp_secret"]
    browser.post("/portal/anmelden/einrichten", data={"code": code_at(secret)})
    assert add_passkey(browser, Authenticator()).get_json() == {"redirect": "/portal/konto"}
    passkey_id = reload(user).passkeys[0].id

    assert location(browser.post("/portal/konto/zwei-faktor/ausschalten", data={"password": DEFAULT_PASSWORD}))
    response = browser.post(f"/portal/konto/passkeys/{passkey_id}/loeschen", follow_redirects=True)

    assert "Die Zwei-Faktor-Anmeldung ist vorgeschrieben" in text(response)
    assert reload(user).passkeys


def test_knowing_the_password_does_not_replace_a_passkey_by_an_app(strict_app, passkey_user, clock):
    user, _authenticator = passkey_user
    db.session.commit()
    browser = strict_app.test_client()

    assert location(sign_in(browser, user.email)) == "/portal/anmelden/code"
    assert location(browser.get("/portal/anmelden/einrichten")) == "/portal/anmelden/code"
    assert not signed_in(browser)


def test_without_any_second_factor_the_recovery_codes_go(client, factories, login, clock):
    user = factories.provider()
    login(user)
    old = set_up_totp(client)
    assert add_passkey(client, Authenticator()).get_json() == {"redirect": "/portal/konto"}  # codes are there
    passkey_id = user.passkeys[0].id
    client.post("/portal/konto/zwei-faktor/ausschalten", data={"password": DEFAULT_PASSWORD})
    assert user.recovery_codes_left == 10  # the passkey is still there

    client.post(f"/portal/konto/passkeys/{passkey_id}/loeschen")

    assert user.recovery_codes == []
    clock.shift(timedelta(seconds=30))
    assert not set(set_up_totp(client)) & set(old)


# --- reset by an administrator --------------------------------------------------------------------


def test_an_admin_resets_a_lost_second_factor(admin_client, admin, other_client, passkey_user, mailbox):
    user, authenticator = passkey_user
    user.totp_secret = SECRET
    db.session.add(RecoveryCode(user=user, code_hash="0" * 64))
    passkey_sign_in(other_client, authenticator)
    assert signed_in(other_client)

    response = admin_client.post(f"/portal/benutzer/{user.id}/zwei-faktor")

    assert location(response) == "/portal/benutzer"
    assert (user.totp_secret, user.passkeys, user.recovery_codes) == ("", [], [])
    assert not signed_in(other_client)
    assert subjects(mailbox, user.email)[-1] == "Ihre Zwei-Faktor-Anmeldung wurde zurückgesetzt"
    assert "Adrian Admin hat die Zwei-Faktor-Anmeldung" in mailbox.last_body(user.email)
    entry = audit("second_factor_reset")[-1]
    assert (entry.actor_id, entry.object_id) == (admin.id, str(user.id))
    assert "ist zurückgesetzt" in text(admin_client.get("/portal/benutzer"))


def test_a_provider_admin_resets_colleagues_of_the_own_organisation_only(client, factories, login, mailbox):
    admin = factories.provider(is_org_admin=True)
    colleague = factories.provider(organisation=admin.organisation, totp_secret=SECRET)
    outsider = factories.provider(totp_secret=SECRET)
    login(admin)
    assert "Zwei-Faktor-Anmeldung zurücksetzen" in text(client.get("/portal/organisation"))

    assert client.post(f"/portal/organisation/mitarbeitende/{outsider.id}/zwei-faktor").status_code == 403
    assert location(client.post(f"/portal/organisation/mitarbeitende/{colleague.id}/zwei-faktor"))

    assert (colleague.totp_secret, outsider.totp_secret) == ("", SECRET)
    assert audit("second_factor_reset")[-1].actor_id == admin.id


def test_nobody_resets_the_own_second_factor_or_one_that_is_not_there(admin_client, admin, factories):
    admin.totp_secret = SECRET
    plain = factories.provider()

    own = admin_client.post(f"/portal/benutzer/{admin.id}/zwei-faktor", follow_redirects=True)
    none = admin_client.post(f"/portal/benutzer/{plain.id}/zwei-faktor", follow_redirects=True)

    assert "Ihre eigene Zwei-Faktor-Anmeldung können Sie nicht zurücksetzen." in text(own)
    assert f"{plain.name} hat keine Zwei-Faktor-Anmeldung eingerichtet." in text(none)
    assert admin.totp_secret == SECRET
    assert audit("second_factor_reset") == []


def test_after_a_reset_the_next_sign_in_leads_to_a_new_set_up(strict_app, factories, clock):
    user = factories.provider(totp_secret=SECRET)
    admin = factories.user(Role.ADMIN, totp_secret=ADMIN_SECRET)
    db.session.commit()
    browser = strict_app.test_client()
    sign_in(browser, admin.email)
    browser.post("/portal/anmelden/code", data={"code": code_at(ADMIN_SECRET)})
    assert location(browser.post(f"/portal/benutzer/{user.id}/zwei-faktor")) == "/portal/benutzer"

    assert location(sign_in(strict_app.test_client(), user.email)) == "/portal/anmelden/einrichten"


def test_passkeys_are_bound_to_the_configured_origin(make_app, monkeypatch, factories, login):
    """PORTAL_WEBAUTHN_ORIGIN (behind a proxy): its host is the RP ID, answers from any other origin are refused."""
    monkeypatch.setenv("PORTAL_WEBAUTHN_ORIGIN", "https://portal.arge.example/")
    assert load_settings()["WEBAUTHN_ORIGIN"] == "https://portal.arge.example"
    user = factories.provider()
    db.session.commit()
    browser = make_app(WEBAUTHN_ORIGIN="https://portal.arge.example").test_client()
    login(user, test_client=browser)

    options = text(browser.post("/portal/konto/passkeys/optionen", data={"name": "Laptop"}))
    assert json.loads(options)["rp"]["id"] == "portal.arge.example"
    assert browser.post("/portal/konto/passkeys", json=Authenticator().create(options)).status_code == 400
    options = text(browser.post("/portal/konto/passkeys/optionen", data={"name": "Laptop"}))
    right = Authenticator(origin="https://portal.arge.example")
    assert browser.post("/portal/konto/passkeys", json=right.create(options)).status_code == 200
