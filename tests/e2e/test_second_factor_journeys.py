"""A provider signs in with a passkey (Chromium's virtual authenticator), with TOTP and with a recovery code,
which works once (docs/security.md 4)."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import Browsing, assert_accessible, log_in, submit_login

pytestmark = pytest.mark.browser

EMAIL = "admin@awo.example"  # only here signs in successfully: afterwards the account has app and passkey
WELCOME = "Guten Tag"


def add_virtual_authenticator(page: Page) -> None:
    """A platform authenticator that keeps discoverable credentials and verifies the user without asking."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")


def test_passkey_totp_and_a_recovery_code(browsing: Browsing) -> None:
    page = browsing.page(fresh=True)
    add_virtual_authenticator(page)
    log_in(page, EMAIL)

    # the app, and the recovery codes that come with the first second factor
    page.goto("/portal/konto/zwei-faktor")
    totp = pyotp.TOTP(page.locator("figcaption code").inner_text())
    page.get_by_label("Sicherheitscode").fill(totp.now())
    page.get_by_role("button", name="Einrichten").click()
    codes = page.locator("[data-recovery-code]").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Ich habe die Codes aufgeschrieben – weiter").click()

    # a passkey, added in the account page
    page.get_by_label("Name des Passkeys").fill("Laptop Büro")
    page.get_by_role("button", name="Passkey hinzufügen").click()
    expect(page.locator("main")).to_contain_text("Der Passkey „Laptop Büro“ ist gespeichert.")
    expect(page.get_by_role("cell", name="Laptop Büro", exact=True)).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # without password: the passkey alone (discoverable, user verified)
    page.get_by_role("button", name="Mit Passkey anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(WELCOME)
    sign_out(page)

    # the password, then the passkey as second factor
    submit_login(page, EMAIL)
    assert_accessible(page)  # the second step offers the app and the passkey
    page.get_by_role("button", name="Mit Passkey bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(WELCOME)
    sign_out(page)

    # the password, then the app's code (the next time step: the set-up used the current one)
    submit_login(page, EMAIL)
    page.get_by_label("Sicherheitscode").fill(totp.at(time.time() + totp.interval))
    page.get_by_role("button", name="Bestätigen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(WELCOME)
    sign_out(page)

    # a recovery code works once
    for attempt in range(2):
        submit_login(page, EMAIL)
        page.get_by_role("link", name="Mit einem Wiederherstellungscode anmelden").click()
        page.get_by_label("Wiederherstellungscode").fill(codes[0])
        page.get_by_role("button", name="Anmelden", exact=True).click()
        if attempt == 0:
            expect(page.get_by_role("heading", level=1)).to_contain_text(WELCOME)
            expect(page.locator("main")).to_contain_text("noch 9 Codes sind übrig")
            sign_out(page)
    expect(page.locator("main")).to_contain_text("nicht richtig oder wurde schon benutzt")
    assert_accessible(page)
