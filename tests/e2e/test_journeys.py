"""Journeys through the portal in a real browser: registration to verification, sign-in errors, keyboard focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    Browsing,
    LiveServer,
    assert_accessible,
    assert_focus_visible,
    log_in,
    submit_login,
    tab_to,
)

pytestmark = pytest.mark.browser

ORGANISATION = "Sonnenblume Sozialwerk e. V."
EMAIL = "paula.petersen@sonnenblume.example"
PASSWORD = "Ein ruhiger Fluss im Herbstlicht"
PENDING_BANNER = "Ihre Organisation wird geprüft"
# The registration form in tab order: label and what to type (None: press Space on a checkbox).
# The optional fields (website, public contact, IBAN) are tabbed past.
REGISTRATION = [
    ("Name der Organisation", ORGANISATION),
    ("Rechtsform", "e. V."),
    ("Spitzenverband", "Diakonie"),  # type-ahead in the closed select
    ("Straße und Hausnummer", "Lindenweg 7"),
    ("Postleitzahl", "50670"),
    ("Ort", "Musterstadt"),
    ("Telefon", "0221 445566"),
    ("E-Mail-Adresse der Organisation", "info@sonnenblume.example"),
    ("Unsere Organisation ist als gemeinnützig anerkannt.", None),
    ("Ihr Name", "Paula Petersen"),
    ("Ihre E-Mail-Adresse", EMAIL),
    ("Neues Passwort", PASSWORD),
    ("Neues Passwort wiederholen", PASSWORD),
    ("Ich habe die Datenschutzhinweise gelesen.", None),
]


def test_registration_verification_and_review(browsing: Browsing, live_server: LiveServer) -> None:
    page = browsing.page()
    page.goto("/portal/registrieren")
    for label, text in REGISTRATION:
        tab_to(page, page.get_by_label(label, exact=True))
        if text is None:
            page.keyboard.press("Space")
        else:
            page.keyboard.type(text)
    expect(page.get_by_label("Spitzenverband")).to_have_value("diakonie")
    tab_to(page, page.get_by_role("button", name="Registrieren"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte bestätigen Sie Ihre E-Mail-Adresse")
    assert_accessible(page)

    page.goto(live_server.link_in_mail(EMAIL, "/portal/registrieren/bestaetigen/"))
    assert_accessible(page)
    page.get_by_role("button", name="E-Mail-Adresse bestätigen").click()
    expect(page.locator("main")).to_contain_text("Danke, Ihre E-Mail-Adresse ist bestätigt.")
    log_in(page, EMAIL, PASSWORD)
    expect(page.get_by_text(PENDING_BANNER)).to_be_visible()

    staff = browsing.page("staff")
    staff.goto("/portal/organisationen")
    staff.get_by_role("link", name=ORGANISATION).click()
    staff.get_by_role("button", name="Bestätigen", exact=True).click()
    expect(staff.locator("main")).to_contain_text(f"„{ORGANISATION}“ ist jetzt:")

    provider = browsing.page(fresh=True)
    log_in(provider, EMAIL, PASSWORD)
    expect(provider.get_by_role("heading", level=1)).to_have_text("Guten Tag, Paula Petersen")
    expect(provider.get_by_text(PENDING_BANNER)).to_have_count(0)


def test_wrong_password_shows_german_error(page: Page) -> None:
    submit_login(page, "admin@awo.example", "ein falsches Passwort")
    expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse oder Passwort sind nicht richtig.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")


def test_skip_link_and_visible_focus(page: Page) -> None:
    page.goto("/portal/anmelden")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # Header link, form fields, button, links in the content and the footer: all show where the focus is.
    page.keyboard.press("Shift+Tab")
    assert_focus_visible(page)
    for _ in range(9):
        page.keyboard.press("Tab")
        assert_focus_visible(page)


def test_error_summary_gets_focus_and_links_to_the_field(page: Page) -> None:
    page.goto("/portal/passwort-vergessen")
    page.get_by_label("E-Mail-Adresse").press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Bitte geben Sie Ihre E-Mail-Adresse an.")
    field = page.get_by_label("E-Mail-Adresse")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description("Bitte geben Sie Ihre E-Mail-Adresse an.")
    summary.get_by_role("link").click()
    expect(field).to_be_focused()
