"""The built site in Chromium under the portal's Content Security Policy: axe-core on every page type at desktop and
phone width, search and filter work, no request to another host, nothing blocked by the CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Mailbox
from tests.e2e.helpers import PHONE, Browsing, LiveServer, assert_accessible
from tests.site.samples import UNIQUE_WORD

pytestmark = pytest.mark.browser

# One page of every type: start page, hand-written pages (with a table, a definition list, Leichte Sprache), the
# catalogue start page, the filter page, offer pages (one with provider text full of markup), group overview and group
# pages, the 404 page.
PAGES = [
    "/",
    "/traeger/",
    "/offene-daten/",
    "/leichte-sprache/",
    "/barrierefreiheit/",
    "/angebote/",
    "/angebote/filtern/",
    "/angebote/1/",
    "/angebote/100/",
    "/angebote/stadtteile/",
    "/angebote/stadtteile/suedstadt/",
    "/gibt-es-nicht/",
]


@pytest.fixture(scope="session")
def site_browsing(chromium, site_url: str) -> Iterator[Browsing]:
    """The e2e tests' browser session, pointed at the built site instead of the portal."""
    session = Browsing(chromium, LiveServer(site_url, Mailbox()))
    yield session
    session.close()


@pytest.fixture
def visit(site_browsing: Browsing) -> Iterator[Browsing]:
    """Afterwards: no request left the site, no server error, the CSP blocked nothing."""
    yield site_browsing
    assert site_browsing.finish_test(None) == []


@pytest.mark.parametrize("path", PAGES)
def test_page_is_accessible_at_desktop_width(visit: Browsing, path: str):
    page = visit.page()
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == "de"
    assert_accessible(page)


@pytest.mark.parametrize("path", PAGES)
def test_page_is_accessible_at_phone_width(visit: Browsing, path: str):
    page = visit.page(viewport=PHONE)
    page.goto(path)
    assert_accessible(page)


def search(page: Page, words: str) -> None:
    """Type like a person once the search index is loaded (Material reads the query on key events)."""
    expect(page.locator(".md-search-result__meta")).to_contain_text("Suchbegriff eingeben", timeout=30_000)
    page.get_by_role("textbox", name="Suche").press_sequentially(words)


def test_search_finds_an_offer_by_a_word_of_its_description(visit: Browsing):
    page = visit.page()
    page.goto("/")
    search(page, UNIQUE_WORD)
    result = page.locator(".md-search-result__link", has_text="Obstwiese am Stadtrand")
    expect(result).to_be_visible()
    assert_accessible(page)
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Obstwiese am Stadtrand")


def test_search_works_on_a_phone(visit: Browsing):
    page = visit.page(viewport=PHONE)
    page.goto("/angebote/")
    page.locator("label.md-header__button[for=__search]").click()
    search(page, UNIQUE_WORD)
    expect(page.locator(".md-search-result__link", has_text="Obstwiese am Stadtrand")).to_be_visible()
    assert_accessible(page)


def test_the_filter_narrows_the_list_at_once(visit: Browsing):
    page = visit.page()
    page.goto("/angebote/filtern/")
    items = page.locator("[data-offer-list] > li")
    total = items.count()
    page.get_by_label("Stadtteil").select_option(label="Altstadt")
    expect(page.locator("[data-offer-count]")).to_have_text(f"1 von {total} Angeboten passen zu Ihrer Auswahl")
    expect(items.filter(has_text="Mittagstisch im Stadtteilzentrum")).to_be_visible()
    assert "stadtteil=altstadt" in page.url
    page.get_by_label("Nur mit freien Plätzen").check()
    expect(page.locator("[data-offer-count]")).to_have_text(f"0 von {total} Angeboten passen zu Ihrer Auswahl")
    page.get_by_role("button", name="Auswahl zurücksetzen").click()
    expect(page.locator("[data-offer-count]")).to_have_text(f"{total} Angebote")


def test_a_filter_link_from_a_district_page_preselects_the_district(visit: Browsing):
    page = visit.page()
    page.goto("/angebote/stadtteile/suedstadt/")
    page.get_by_role("link", name="Diese Angebote weiter filtern").click()
    expect(page.get_by_label("Stadtteil")).to_have_value("suedstadt")
    expect(page.locator("[data-offer-count]")).to_contain_text("passen zu Ihrer Auswahl")


def test_without_javascript_the_filter_page_is_a_plain_list(chromium, site_url: str):
    context = chromium.new_context(java_script_enabled=False, base_url=site_url)
    page = context.new_page()
    page.goto("/angebote/filtern/")
    expect(page.locator("form[data-offer-filter]")).to_be_hidden()
    expect(page.get_by_role("link", name="Obstwiese am Stadtrand")).to_be_visible()
    context.close()


def test_a_visitor_finds_an_offer_by_district_and_reaches_the_portal(visit: Browsing):
    page = visit.page()
    page.goto("/")
    page.get_by_role("link", name="Alle Angebote nach Stadtteil").click()
    page.get_by_role("link", name="Altstadt").click()
    page.get_by_role("link", name="Mittagstisch im Stadtteilzentrum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mittagstisch im Stadtteilzentrum")
    page.goto("/")
    expect(page.get_by_role("link", name="Diese Seite in Leichter Sprache")).to_be_visible()
    expect(page.get_by_role("link", name="Erklärung zur Barrierefreiheit").first).to_be_visible()
    assert page.get_by_role("link", name="Zum Partnerportal").get_attribute("href") == "/portal/"
