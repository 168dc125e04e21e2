"""Assignments in a real browser: staff assign a participant (a bad Kundennummer corrected through the error summary)
and confirm an assignment beyond the places; the provider declines without a reason (refused), then accepts, and
staff receive the answer by mail. Each test works on its own demo offer or assignment, so their order is free."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import ACCOUNTS, Browsing, LiveServer, assert_accessible, tab_to
from tests.e2e.test_offer_journeys import TICK, Choice, User, expect_message

pytestmark = pytest.mark.browser

STAFF = ACCOUNTS["staff"]
ROOMY = "Naturnahe Gestaltung von Schulhöfen"  # a live demo offer without assignments (portal/demo/offers.py)
FULL = "Begleitdienst für ältere Menschen"  # all its places filled by demo assignments (portal/demo/reports.py)
PROPOSED = re.compile(r"^Zuweisung von (419P\d{6}) beantworten$")  # the demo's one proposed assignment of Caritas


def offer_address(browsing: Browsing, title: str) -> str:
    """The portal address of a live Caritas offer, from the provider's list: the portal has no list of live offers
    for staff yet."""
    page = browsing.page("provider")
    page.goto("/portal/angebote/")
    live = page.get_by_role("row").filter(has_text=re.compile(r"ja, \d+ von \d+ Plätzen frei"))
    address = live.get_by_role("link", name=title, exact=True).get_attribute("href")
    assert address
    return address


def assignment_form(user: User, address: str) -> None:
    """From the offer's page over its participants page to the "Teilnehmende zuweisen" form."""
    user.page.goto(address)
    user.activate(user.page.get_by_role("link", name=re.compile("^Teilnehmende, Sofortmeldungen")))
    user.activate(user.page.get_by_role("link", name="Teilnehmende zuweisen"))
    expect(user.page.get_by_role("heading", level=1)).to_have_text("Teilnehmende zuweisen")


def row(page: Page, customer_number: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(customer_number)))


def choose_first_site(page: Page) -> None:
    page.get_by_label("Einsatzstelle").select_option(index=1)  # typing the long label would hit the Space key


def test_staff_assign_a_participant_by_keyboard(browsing: Browsing) -> None:
    staff = User(browsing.page("staff"))
    assignment_form(staff, offer_address(browsing, ROOMY))
    page = staff.page
    assert_accessible(page)
    staff.enter("Kundennummer", "123-456789")  # no letter: not a Kundennummer
    staff.enter("Anfangsbuchstaben", "M. K.")
    staff.enter("Beginn der Zuweisung", date.today())
    choose_first_site(page)
    staff.activate(page.get_by_role("button", name="Zuweisung speichern"))

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text([re.compile("^Kundennummer: Die Kundennummer hat 10 Zeichen")])
    number = page.get_by_label("Kundennummer")
    expect(number).to_have_value("123-456789")  # kept as typed
    expect(number).to_have_accessible_description(re.compile("Die Kundennummer hat 10 Zeichen"))
    expect(page.get_by_label("Anfangsbuchstaben")).to_have_value("M. K.")
    assert_accessible(page)
    tab_to(page, summary.get_by_role("link"))
    page.keyboard.press("Enter")  # the summary's link leads to the field
    expect(number).to_be_focused()

    staff.enter("Kundennummer", "123a456789")
    staff.activate(page.get_by_role("button", name="Zuweisung speichern"))
    expect_message(page, "123A456789 ist dem Angebot zugewiesen.")
    expect(row(page, "123A456789").get_by_role("cell").first).to_have_text("Vorgeschlagen")


def test_staff_confirm_an_assignment_beyond_the_places(browsing: Browsing) -> None:
    address = offer_address(browsing, FULL)
    staff = User(browsing.page("staff"), keyboard=False)
    assignment_form(staff, address)
    page = staff.page
    staff.enter("Kundennummer", "555B123456")
    staff.enter("Anfangsbuchstaben", "O. B.")
    staff.enter("Beginn der Zuweisung", date.today())
    choose_first_site(page)
    confirmation = "Ich habe die Warnung zur Belegung gelesen und möchte trotzdem zuweisen."
    expect(page.get_by_label(confirmation)).to_have_count(0)  # no warning before the check
    warning = page.locator(".kern-alert").filter(has_text="Mehr Zuweisungen als Plätze")
    for _ in range(2):  # saved without the confirmation, twice: the warning stays, nothing is stored
        staff.activate(page.get_by_role("button", name="Zuweisung speichern"))
        expect(warning).to_contain_text(
            re.compile(
                r"Das Angebot hat 8 Plätze; mit dieser Zuweisung wären \d+ belegt\. "
                r"Wenn Sie trotzdem zuweisen möchten, bestätigen Sie das unten\."
            )
        )
        expect(page.get_by_label(confirmation)).not_to_be_checked()
        expect(page.get_by_label("Kundennummer")).to_have_value("555B123456")
    assert_accessible(page)
    participants = browsing.page("staff")
    participants.goto(page.get_by_role("link", name="Zurück zu den Teilnehmenden").get_attribute("href") or "")
    expect(participants.get_by_role("heading", level=2, name="Zugewiesene Teilnehmende")).to_be_visible()
    expect(row(participants, "555B123456")).to_have_count(0)

    staff.enter(confirmation, TICK)
    staff.activate(page.get_by_role("button", name="Zuweisung speichern"))
    expect_message(page, "555B123456 ist dem Angebot zugewiesen.")
    expect(row(page, "555B123456")).to_have_count(1)


def test_provider_declines_without_a_reason_then_accepts(browsing: Browsing, live_server: LiveServer) -> None:
    provider = User(browsing.page("provider"))
    page = provider.page
    page.goto(offer_address(browsing, FULL))
    provider.activate(page.get_by_role("link", name=re.compile("^Teilnehmende, Sofortmeldungen")))
    link = page.get_by_role("link", name=PROPOSED)
    match = PROPOSED.match(link.inner_text())
    assert match
    number = match.group(1)
    status = row(page, number).get_by_role("cell").first
    expect(status).to_have_text("Vorgeschlagen")
    provider.activate(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Zuweisung beantworten")
    assigned = re.search(r"zugewiesen vom (\d\d\.\d\d\.\d{4})", page.locator("main").inner_text())
    assert assigned
    start = datetime.strptime(assigned.group(1), "%d.%m.%Y").date() + timedelta(days=3)

    provider.enter("Antwort", Choice("Abgelehnt"))
    provider.activate(page.get_by_role("button", name="Antwort senden"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Grund: Bitte nennen Sie den Grund (ohne Gesundheitsdaten)."])
    reason = page.get_by_label("Grund")
    expect(reason).to_have_accessible_description(re.compile("Bitte nennen Sie den Grund"))
    assert_accessible(page)

    provider.enter("Antwort", Choice("Angetreten"))
    provider.enter("Tatsächlicher Beginn – optional", start)
    provider.activate(page.get_by_role("button", name="Antwort senden"))
    expect_message(page, "Ihre Antwort „Angetreten“ ist an die ARGE gegangen.")
    expect(status).to_have_text("Angetreten")
    expect(page.get_by_role("link", name=f"Sofortmeldung für {number}")).to_be_visible()
    mail = live_server.mails_containing(STAFF, f"„{FULL}“ beantwortet: Angetreten am {start:%d.%m.%Y}.")[-1]
    assert number not in mail
