"""axe-core with the WCAG 2.1 A/AA rules on every portal page, for every role, with and without form errors."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    ACCOUNTS,
    PHONE,
    Browsing,
    LiveServer,
    assert_accessible,
    axe_violations,
    crawl,
    log_in,
    submit_empty,
    submit_login,
)

pytestmark = pytest.mark.browser

PENDING_ORG = "Nachbarschaftshilfe Südstadt gGmbH"

# Pages that no signed-in user reaches by links: (role, None: anonymous; path; link to follow from there)
PAGES = [
    (None, "/portal/anmelden", None),
    (None, "/portal/registrieren", None),
    (None, "/portal/passwort-vergessen", None),
    (None, "/", None),
    (None, "/portal/gibt-es-nicht", None),
    (None, "/portal/passwort-zuruecksetzen/abgelaufen", None),
    (None, "/portal/einladung/abgelaufen", None),
    ("provider", "/portal/benutzer", None),  # 403
]
# Every role's pages are found by following links; the crawl must reach at least these. (The provider without
# admin rights and the approver see the same pages as the provider admin and staff, minus a few forms.)
REACHABLE = {
    "provider": {
        "/portal/",
        "/portal/organisation",
        "/portal/organisation/bearbeiten",
        "/portal/konto",
        "/portal/konto/passwort",
        "/portal/konto/zwei-faktor",
    },
    "pending": {"/portal/", "/portal/organisation", "/portal/organisation/bearbeiten"},
    "staff": {"/portal/", "/portal/organisationen", "/portal/organisationen/{id}", "/portal/konto"},
    "admin": {"/portal/benutzer", "/portal/benutzer/einladen", "/portal/protokoll", "/portal/organisationen"},
}
# (role, path, link to follow, the submit button of the form that is sent empty)
FORMS = [
    (None, "/portal/anmelden", None, "Anmelden"),
    (None, "/portal/registrieren", None, "Registrieren"),
    (None, "/portal/passwort-vergessen", None, "Link anfordern"),
    ("provider", "/portal/organisation/bearbeiten", None, "Speichern"),
    ("provider", "/portal/organisation", None, "Einladung verschicken"),
    ("provider", "/portal/konto/passwort", None, "Passwort ändern"),
    ("provider", "/portal/konto/zwei-faktor", None, "Einrichten"),
    ("staff", "/portal/organisationen", PENDING_ORG, "Sperren"),
    ("admin", "/portal/benutzer/einladen", None, "Einladung verschicken"),
]
PHONE_PAGES = [
    (None, "/portal/anmelden", None),
    (None, "/portal/registrieren", None),
    ("provider", "/portal/organisation", None),
    ("staff", "/portal/organisationen", None),
    ("staff", "/portal/organisationen", PENDING_ORG),
    ("admin", "/portal/benutzer", None),
    ("admin", "/portal/protokoll", None),
]


def page_id(case: tuple[str | None, ...]) -> str:
    return " ".join(part for part in (case[0] or "anonymous", *case[1:]) if part)


def open_page(page: Page, path: str, follow: str | None) -> None:
    page.goto(path)
    if follow:
        page.get_by_role("link", name=follow).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(follow)


@pytest.mark.parametrize(("role", "path", "follow"), PAGES, ids=map(page_id, PAGES))
def test_page(browsing: Browsing, role: str | None, path: str, follow: str | None) -> None:
    page = browsing.page(role)
    open_page(page, path, follow)
    assert_accessible(page)


@pytest.mark.parametrize("role", REACHABLE)
def test_every_page_of_the_role(browsing: Browsing, role: str) -> None:
    page = browsing.page(role)
    visited, violations = [], []
    for path in crawl(page):
        visited.append(path)
        violations.append(axe_violations(page))
    assert REACHABLE[role] <= set(visited), f"not reached by links: {REACHABLE[role] - set(visited)}"
    assert not any(violations), "axe found " + "\n".join(filter(None, violations))


@pytest.mark.parametrize(("role", "path", "follow", "button"), FORMS, ids=map(page_id, FORMS))
def test_form_with_errors(browsing: Browsing, role: str | None, path: str, follow: str | None, button: str) -> None:
    page = browsing.page(role)
    open_page(page, path, follow)
    submit_empty(page, button)
    assert_accessible(page)


@pytest.mark.parametrize(("role", "path", "follow"), PHONE_PAGES, ids=map(page_id, PHONE_PAGES))
def test_page_on_phone(browsing: Browsing, role: str | None, path: str, follow: str | None) -> None:
    page = browsing.page(role, viewport=PHONE)
    open_page(page, path, follow)
    assert_accessible(page)
    # Reflow (WCAG 1.4.10): only wide tables may scroll, inside their own container, never the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_password_reset_pages(browsing: Browsing, live_server: LiveServer) -> None:
    page = browsing.page()
    page.goto("/portal/passwort-vergessen")
    page.get_by_label("E-Mail-Adresse").fill(ACCOUNTS["approver"])
    page.get_by_role("button", name="Link anfordern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte sehen Sie in Ihr Postfach")
    assert_accessible(page)
    page.goto(live_server.link_in_mail(ACCOUNTS["approver"], "/portal/passwort-zuruecksetzen/"))
    assert_accessible(page)
    submit_empty(page, "Passwort speichern")
    assert_accessible(page)


def test_invitation_page(browsing: Browsing, live_server: LiveServer) -> None:
    admin = browsing.page("admin")
    admin.goto("/portal/benutzer/einladen")
    admin.get_by_label("Name").fill("Ina Neumann")
    admin.get_by_label("E-Mail-Adresse").fill("ina.neumann@arge.example")
    admin.get_by_role("button", name="Einladung verschicken").click()
    expect(admin.locator("main")).to_contain_text("Die Einladung an ina.neumann@arge.example ist verschickt.")
    invited = browsing.page()
    invited.goto(live_server.link_in_mail("ina.neumann@arge.example", "/portal/einladung/"))
    assert_accessible(invited)
    submit_empty(invited, "Konto einrichten")
    assert_accessible(invited)


def test_second_factor_pages(browsing: Browsing) -> None:
    """A provider without admin rights switches on the second factor: account page and code page."""
    email = "team@awo.example"  # used only here: after this test the account needs a code to sign in
    page = browsing.page()
    log_in(page, email)
    page.goto("/portal/konto/zwei-faktor")
    secret = page.locator("figcaption code").inner_text()
    page.get_by_label("Sicherheitscode").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Einrichten").click()
    expect(page.locator("main")).to_contain_text("Die Zwei-Faktor-Anmeldung ist eingerichtet.")
    assert_accessible(page)
    submit_empty(page, "Zwei-Faktor-Anmeldung ausschalten")
    assert_accessible(page)
    second = browsing.page(fresh=True)  # not signed in
    submit_login(second, email)
    expect(second.get_by_role("heading", level=1)).to_have_text("Sicherheitscode eingeben")
    assert_accessible(second)
    submit_empty(second, "Bestätigen")
    assert_accessible(second)
