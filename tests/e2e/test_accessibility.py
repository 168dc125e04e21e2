"""axe-core with the WCAG 2.1 A/AA rules on every portal page, for every role, with and without form errors."""

from __future__ import annotations

from datetime import date

import pyotp
import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.helpers import (
    ACCOUNTS,
    OFFER_STEPS,
    PHONE,
    Browsing,
    LiveServer,
    assert_accessible,
    assert_focus_visible,
    assert_no_sideways_scrolling,
    axe_violations,
    crawl,
    log_in,
    submit_empty,
    submit_login,
)

pytestmark = pytest.mark.browser

PENDING_ORG = "Nachbarschaftshilfe Südstadt gGmbH"
# Demo offers (portal/demo_offers.py) of the Caritas: a complete draft and one in review.
COMPLETE_DRAFT = "Unterstützung in der Kleiderkammer"
IN_REVIEW_OFFER = "Fahrradwerkstatt für Geflüchtete"
DRAFT = "{draft}"  # the address of an AGH draft that the `agh_draft` fixture creates
BUDGET_YEAR = f"/portal/budget/{date.today().year}"  # this year's actuals (the demo sets this year's budget)

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
        "/portal/angebote/",
        "/portal/angebote/neu",
        "/portal/angebote/{id}",
        "/portal/angebote/{id}/pruefen",
        *(f"/portal/angebote/{{id}}/schritt/{slug}" for slug in OFFER_STEPS),
        "/portal/berichte/",
        "/portal/berichte/{id}",
        "/portal/angebote/{id}/teilnehmende",
        "/portal/zuweisungen/{id}/meldung",
        "/portal/sachberichte",
        "/portal/sachberichte/{id}",
    },
    "pending": {"/portal/", "/portal/organisation", "/portal/organisation/bearbeiten"},
    "staff": {
        "/portal/",
        "/portal/organisationen",
        "/portal/organisationen/{id}",
        "/portal/konto",
        "/portal/pruefung/",
        "/portal/pruefung/{id}",
        "/portal/budget/",
        "/portal/budget/{id}",  # a year's actuals, linked from the overview and the budget page
        "/portal/berichte/",
        "/portal/berichte/{id}",
        "/portal/berichte/zahlungen",
        "/portal/angebote/{id}/teilnehmende",
        "/portal/angebote/{id}/zuweisungen/neu",
        "/portal/sachberichte",
        "/portal/sachberichte/{id}",
    },
    "approver": {"/portal/pruefung/", "/portal/pruefung/{id}", "/portal/budget/", "/portal/budget/{id}"},
    "admin": {"/portal/benutzer", "/portal/benutzer/einladen", "/portal/protokoll", "/portal/organisationen"},
}
# Where the crawl starts besides the start page: the provider's AGH draft, whose task list links to every step.
CRAWL_STARTS = {"provider": [DRAFT]}
# (role, path, links to follow, the submit button of the form that is sent empty)
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
    ("provider", "/portal/angebote/neu", None, "Entwurf anlegen"),
    *(("provider", f"{DRAFT}/schritt/{slug}", None, "Speichern und weiter") for slug in OFFER_STEPS),
    ("provider", "/portal/angebote/", (COMPLETE_DRAFT, "Angaben prüfen und einreichen"), "Antrag einreichen"),
    ("staff", "/portal/pruefung/", IN_REVIEW_OFFER, "An den Träger zurückgeben"),
    ("staff", "/portal/pruefung/", IN_REVIEW_OFFER, "Antrag ablehnen"),
    ("staff", "/portal/pruefung/", IN_REVIEW_OFFER, "Notiz speichern"),
    ("approver", "/portal/budget/", None, "Budget speichern"),
    ("provider", "/portal/sachberichte", "Weiter bearbeiten (Entwurf)", "Bericht einreichen"),
]
PHONE_FORMS = [
    ("provider", f"{DRAFT}/schritt/einsatzstellen", None, "Speichern und weiter"),
    ("provider", "/portal/angebote/neu", None, "Entwurf anlegen"),
    ("staff", "/portal/pruefung/", IN_REVIEW_OFFER, "An den Träger zurückgeben"),
    ("approver", "/portal/budget/", None, "Budget speichern"),
]
# Pages whose every control in the content is checked for a visible focus
FOCUS_PAGES = [
    ("provider", "/portal/angebote/", COMPLETE_DRAFT),
    ("provider", f"{DRAFT}/schritt/einsatzstellen", None),
    ("staff", "/portal/pruefung/", IN_REVIEW_OFFER),
    ("approver", "/portal/budget/", None),
    ("approver", BUDGET_YEAR, None),
]
PHONE_PAGES = [
    (None, "/portal/anmelden", None),
    (None, "/portal/registrieren", None),
    ("provider", "/portal/organisation", None),
    ("staff", "/portal/organisationen", None),
    ("staff", "/portal/organisationen", PENDING_ORG),
    ("admin", "/portal/benutzer", None),
    ("admin", "/portal/protokoll", None),
    ("provider", "/portal/angebote/", None),
    ("provider", f"{DRAFT}/schritt/kriterien", None),
    ("provider", "/portal/angebote/", (COMPLETE_DRAFT, "Angaben prüfen und einreichen")),
    ("staff", "/portal/pruefung/", None),
    ("staff", "/portal/budget/", None),
    ("provider", "/portal/sachberichte", None),
    ("provider", "/portal/sachberichte", "Weiter bearbeiten (Entwurf)"),
    ("staff", "/portal/", None),  # the overview with its charts
    ("approver", "/portal/", None),
    ("staff", BUDGET_YEAR, None),
]


Follow = str | tuple[str, ...] | None
FOLLOWED: dict[tuple[str, Follow], str] = {}  # where following the links led (the server lives for the session)


def page_id(case: tuple[str | tuple[str, ...] | ViewportSize | None, ...]) -> str:
    def text(part: str | tuple[str, ...] | ViewportSize) -> str:
        if isinstance(part, dict):
            return "phone"
        return " > ".join(part) if isinstance(part, tuple) else part

    return " ".join(text(part) for part in (case[0] or "anonymous", *case[1:]) if part)


@pytest.fixture(scope="session")
def agh_draft(browsing_session: Browsing) -> str:
    """The address of a new AGH draft of the provider admin, with nothing but its type and title."""
    page = browsing_session.page("provider")
    page.goto("/portal/angebote/neu")
    page.get_by_label("Arbeitsgelegenheit", exact=False).check()
    page.get_by_label("Bezeichnung").fill("Entwurf für die Prüfung der Barrierefreiheit")
    page.get_by_role("button", name="Entwurf anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entwurf für die Prüfung der Barrierefreiheit")
    return page.url.removeprefix(browsing_session.server.url)


def address(path: str, request: pytest.FixtureRequest) -> str:
    """The path, with `{draft}` replaced by the AGH draft's address."""
    return path.format(draft=request.getfixturevalue("agh_draft")) if DRAFT in path else path


def open_page(page: Page, path: str, follow: Follow, request: pytest.FixtureRequest) -> None:
    """Open the path, then follow the links with these names; the next time, go straight to where they led."""
    if follow and (path, follow) in FOLLOWED:
        page.goto(FOLLOWED[path, follow])
        return
    page.goto(address(path, request))
    for name in (follow,) if isinstance(follow, str) else follow or ():
        with page.expect_navigation():
            page.get_by_role("link", name=name, exact=True).click()
        FOLLOWED[path, follow] = page.url


@pytest.mark.parametrize(("role", "path", "follow"), PAGES, ids=map(page_id, PAGES))
def test_page(browsing: Browsing, role: str | None, path: str, follow: Follow, request: pytest.FixtureRequest) -> None:
    page = browsing.page(role)
    open_page(page, path, follow, request)
    assert_accessible(page)


@pytest.mark.parametrize("role", REACHABLE)
def test_every_page_of_the_role(browsing: Browsing, role: str, request: pytest.FixtureRequest) -> None:
    page = browsing.page(role)
    starts = ["/portal/", *(address(start, request) for start in CRAWL_STARTS.get(role, []))]
    visited, violations = [], []
    for path in crawl(page, *starts):
        visited.append(path)
        violations.append(axe_violations(page))
    assert REACHABLE[role] <= set(visited), f"not reached by links: {REACHABLE[role] - set(visited)}"
    assert not any(violations), "axe found " + "\n".join(filter(None, violations))


FORM_CASES = [(*case, None) for case in FORMS] + [(*case, PHONE) for case in PHONE_FORMS]


@pytest.mark.parametrize(("role", "path", "follow", "button", "viewport"), FORM_CASES, ids=map(page_id, FORM_CASES))
def test_form_with_errors(
    browsing: Browsing,
    role: str | None,
    path: str,
    follow: Follow,
    button: str,
    viewport: ViewportSize | None,
    request: pytest.FixtureRequest,
) -> None:
    page = browsing.page(role, viewport=viewport)
    open_page(page, path, follow, request)
    submit_empty(page, button)
    assert_accessible(page)
    if viewport:
        assert_no_sideways_scrolling(page)


@pytest.mark.parametrize(("role", "path", "follow"), PHONE_PAGES, ids=map(page_id, PHONE_PAGES))
def test_page_on_phone(
    browsing: Browsing, role: str | None, path: str, follow: Follow, request: pytest.FixtureRequest
) -> None:
    page = browsing.page(role, viewport=PHONE)
    open_page(page, path, follow, request)
    assert_accessible(page)
    assert_no_sideways_scrolling(page)


@pytest.mark.parametrize(("role", "path", "follow"), FOCUS_PAGES, ids=map(page_id, FOCUS_PAGES))
def test_visible_focus(
    browsing: Browsing, role: str | None, path: str, follow: Follow, request: pytest.FixtureRequest
) -> None:
    """From the skip link through every control of the content (WCAG 2.4.7)."""
    page = browsing.page(role)
    open_page(page, path, follow, request)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    main = page.get_by_role("main")
    expect(main).to_be_focused()
    for _ in range(100):
        page.keyboard.press("Tab")
        if not main.evaluate("main => main.contains(document.activeElement)"):
            return
        assert_focus_visible(page)
    pytest.fail("more than 100 controls: is the focus trapped?")


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
    expect(page.locator("[data-recovery-code]")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Ich habe die Codes aufgeschrieben – weiter").click()
    assert_accessible(page)
    submit_empty(page, "Authenticator-App ausschalten")
    assert_accessible(page)
    second = browsing.page(fresh=True)  # not signed in
    submit_login(second, email)
    expect(second.get_by_role("heading", level=1)).to_have_text("Anmeldung bestätigen")
    assert_accessible(second)
    submit_empty(second, "Bestätigen")
    assert_accessible(second)
