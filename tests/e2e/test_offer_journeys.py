"""Journeys through offers, review and budget, with the keyboard alone (Tab, Shift+Tab, arrow keys, Space, Enter
and typing; never a mouse click): a provider applies over two sittings and answers a change request; an offer
above the four-eyes threshold needs two approvals and then binds its cost in the budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import ACCOUNTS, DEMO_PASSWORD, OFFER_STEPS, Browsing, LiveServer, tab_to

pytestmark = pytest.mark.browser

PROVIDER = "team@caritas.example"  # a provider without admin rights: only these journeys sign in with it
STAFF, APPROVER = ACCOUNTS["staff"], ACCOUNTS["approver"]
AGH = "Arbeitsgelegenheit mit Mehraufwandsentschädigung (Zusatzjob) (§ 16d SGB II)"
CERTIFICATE = {"name": "bescheinigung.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
# The order of day, month and year in the browser's date field, which follows the browser's language.
DATE_PARTS = """() => new Intl.DateTimeFormat(navigator.language, {day: "2-digit", month: "2-digit", year: "numeric"})
    .formatToParts(new Date(2030, 0, 2)).filter(part => part.type !== "literal").map(part => part.type)"""


class Choice(str):
    """The option of a group of radio buttons to choose with the arrow keys (the label is the legend)."""


class Pick(str):
    """The option of a closed select to choose by typing its first letters."""


TICK = None  # a checkbox to tick with Space
Answer = tuple[str, str | date | None]  # the label of the field, what to enter


@dataclass(frozen=True)
class Application:
    """What the provider enters; the total cost follows from places, period, hours and flat fees."""

    title: str
    places: tuple[int, ...]  # per work site
    days: int
    hours: str
    flat_fees: tuple[str, str, str]  # supervision, material, social work, per place and month
    certificate: bool = False

    def answers(self, slug: str) -> list[Answer]:
        """The answers of a step in the order of the page (the work sites and places: `enter_sites`)."""
        start = date.today() + timedelta(weeks=10)  # beyond the lead time: no warning
        supervision, material, social_work = self.flat_fees
        return {
            "grunddaten": [("Ziel", "Tagesstruktur, Arbeit im Team und Anschluss an den Stadtteil.")],
            "taetigkeit": [
                ("Einsatzfeld", Pick("Handwerk")),
                ("Tätigkeiten", "Fahrräder reparieren, Ersatzteile sortieren, Kundschaft beraten."),
            ],
            "zeitraum": [
                ("Beginn", start),
                ("Ende", start + timedelta(days=self.days)),
                ("Wochenstunden je Teilnehmerin oder Teilnehmer", self.hours),
                ("Verteilung der Arbeitszeit", "Montag bis Donnerstag, 8 bis 13 Uhr"),
            ],
            "zielgruppen": [
                ("Unter 25 Jahren", TICK),
                ("Langzeitarbeitslose", TICK),
                ("Voraussetzungen", "Keine."),
                ("Sind die Einsatzstellen barrierefrei zugänglich?", Choice("Ja")),
            ],
            "betreuung": [
                ("Betreuungsschlüssel", "1:8"),
                ("Qualifikation der Anleitung", "Zweiradmechanikermeisterin mit Ausbildereignung"),
                ("Sozialpädagogische Begleitung", "Wöchentliche Sprechstunde, Hilfe bei Anträgen."),
                ("Anteil der Qualifizierung an der Arbeitszeit (in Prozent)", "20"),
            ],
            "kosten": [
                ("Mehraufwandsentschädigung je Stunde (in Euro)", "1,50"),
                ("Pauschale für Betreuung und Verwaltung je Platz und Monat (in Euro)", supervision),
                ("Pauschale für Sachkosten je Platz und Monat (in Euro)", material),
                ("Pauschale für sozialpädagogische Begleitung je Platz und Monat (in Euro)", social_work),
            ],
            "kriterien": [
                ("Warum ist die Arbeit zusätzlich?", "Ohne die Förderung gäbe es die Werkstatt nicht."),
                ("Warum liegt die Arbeit im öffentlichen Interesse?", "Alle im Stadtteil können sie nutzen."),
                ("Warum ist die Arbeit wettbewerbsneutral?", "Es werden nur gespendete Räder repariert."),
            ],
            "kontakt": [
                ("Name der Ansprechperson", "Karl Kessler"),
                ("Telefon", "0221 998877"),
                ("E-Mail-Adresse", PROVIDER),
            ],
        }.get(slug, [])


SMALL = Application("Fahrradwerkstatt im Veedel", (2, 1), 90, "20", ("100", "50", "0"), certificate=True)
# Twelve places for a year at the full flat fees: well above the four-eyes threshold of 50.000 €.
LARGE = Application("Große Fahrradwerkstatt am Hafen", (6, 6), 364, "30", ("130", "100", "160"))


# --- the keyboard ---------------------------------------------------------------------------------


def activate(page: Page, target: Locator) -> None:
    """Go to a link or button with the keyboard and press Enter; wait for the next page."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def enter(page: Page, label: str, value: str | date | None) -> None:
    """Enter one answer with the keyboard."""
    if isinstance(value, Choice):
        group = page.get_by_role("group", name=label, exact=True)
        option = group.get_by_label(value, exact=True)
        tab_to(page, group)
        for _ in range(group.get_by_role("radio").count()):
            if option.evaluate("element => element === document.activeElement"):
                break
            page.keyboard.press("ArrowDown")  # moves to the next option and chooses it
        page.keyboard.press("Space")  # Tab into a group without a choice focuses the first option, not chosen
        expect(option).to_be_checked()
        return
    field = page.get_by_label(label, exact=True)
    tab_to(page, field)
    if value is TICK:
        page.keyboard.press("Space")
        expect(field).to_be_checked()
    elif isinstance(value, Pick):
        page.keyboard.type(value)
        expect(field.locator("option:checked")).to_have_text(value)
    elif isinstance(value, date):
        parts = {"day": f"{value:%d}", "month": f"{value:%m}", "year": f"{value:%Y}"}
        for part in page.evaluate(DATE_PARTS):
            page.keyboard.type(parts[part])
        expect(field).to_have_value(value.isoformat())
    else:
        page.keyboard.press("ControlOrMeta+A")  # replace what is there
        page.keyboard.type(value)


def enter_sites(page: Page, places: tuple[int, ...]) -> None:
    """Every work site, each further one after "Weitere Einsatzstelle hinzufügen"; then the total, which comes
    before the sites on the page (Shift+Tab)."""
    for number, site_places in enumerate(places, start=1):
        if number > 1:
            activate(page, page.get_by_role("button", name="Weitere Einsatzstelle hinzufügen"))
            expect(page.get_by_role("group", name=f"Einsatzstelle {number}")).to_be_visible()
        for label, value in (
            ("Name", f"Werkstatt {number}"),
            ("Straße und Hausnummer", f"Hafenstraße {number}"),
            ("Postleitzahl", "50667"),
            ("Stadtteil", Pick("Hafen")),
            ("Plätze", str(site_places)),
        ):
            enter(page, f"{label} der Einsatzstelle {number}", value)
    enter(page, "Plätze insgesamt", str(sum(places)))


def fill_steps(page: Page, application: Application, first: str, last: str) -> None:
    """From the step page `first` to `last`, each saved with "Speichern und weiter"."""
    for slug in OFFER_STEPS[OFFER_STEPS.index(first) : OFFER_STEPS.index(last) + 1]:
        assert page.url.endswith(f"/schritt/{slug}")
        if slug == "einsatzstellen":
            enter_sites(page, application.places)
        for label, value in application.answers(slug):
            enter(page, label, value)
        if slug == "kontakt" and application.certificate:
            # Waiting for the file chooser before the focus moves: Playwright turns its interception on meanwhile.
            with page.expect_file_chooser() as chooser:
                tab_to(page, page.get_by_label("Unbedenklichkeitsbescheinigung der Kammer (PDF)"))
                page.keyboard.press("Space")
            chooser.value.set_files(CERTIFICATE)  # type: ignore[arg-type]
        activate(page, page.get_by_role("button", name="Speichern und weiter"))
        expect(page.locator("[data-error-summary]")).to_have_count(0)


def keyboard_log_in(page: Page, email: str) -> None:
    page.goto("/portal/anmelden")
    for label, text in (("E-Mail-Adresse", email), ("Passwort", DEMO_PASSWORD)):
        tab_to(page, page.get_by_label(label, exact=True))
        page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guten Tag")


def start_application(page: Page, application: Application) -> None:
    """From the provider's start page: a new AGH draft, then its first step."""
    activate(page, page.get_by_role("link", name="Angebote", exact=True))
    activate(page, page.get_by_role("link", name="Neues Angebot anlegen"))
    enter(page, "Art des Angebots", Choice(AGH))
    enter(page, "Bezeichnung", application.title)
    activate(page, page.get_by_role("button", name="Entwurf anlegen"))
    expect(page.get_by_role("heading", level=1)).to_have_text(application.title)
    activate(page, page.get_by_role("link", name="Art und Bezeichnung"))


def submit_application(page: Page, button: str) -> None:
    """On "Ihre Angaben prüfen": confirm the declaration and submit."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Angaben prüfen")
    enter(page, "Ich bestätige, dass die Angaben richtig und vollständig sind.", TICK)
    activate(page, page.get_by_role("button", name=button))
    expect_message(page, "Ihr Antrag ist eingereicht.")


def expect_message(page: Page, text: str) -> None:
    """A message box (flashed message or notice) with this text is shown."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def fact(page: Page, label: str) -> Locator:
    """The value of the first fact (description list item) with this label."""
    item = page.locator(".kern-description-list-item").filter(has=page.locator("dt", has_text=label))
    return item.first.locator("dd")


# --- journey 1: provider and staff, keyboard only --------------------------------------------------


def test_provider_applies_answers_a_change_request_and_is_approved(browsing: Browsing, live_server: LiveServer) -> None:
    title = SMALL.title
    provider = browsing.page(fresh=True)
    keyboard_log_in(provider, PROVIDER)
    start_application(provider, SMALL)
    fill_steps(provider, SMALL, "grunddaten", "einsatzstellen")
    activate(provider, provider.get_by_role("button", name="Abmelden"))  # the first sitting ends

    provider = browsing.page(fresh=True)  # a new browser, signed in again
    keyboard_log_in(provider, PROVIDER)
    activate(provider, provider.get_by_role("link", name="Angebote", exact=True))
    activate(provider, provider.get_by_role("link", name=title))
    for slug, status in (("einsatzstellen", "Erledigt"), ("zeitraum", "Nicht begonnen")):
        expect(provider.locator(f"#status-{slug}")).to_have_text(status)
    activate(provider, provider.get_by_role("link", name="Zeitraum und Arbeitszeit"))
    fill_steps(provider, SMALL, "zeitraum", "kontakt")
    expect(fact(provider, "Unbedenklichkeitsbescheinigung")).to_have_text(CERTIFICATE["name"])  # type: ignore[arg-type]
    submit_application(provider, "Antrag einreichen")
    link_to_offer = f"Zum Angebot: {provider.url}\n"  # in the mails to the provider

    # Staff follow the link in their notification and ask for a change.
    staff = browsing.page("staff")
    staff.goto(live_server.link_in_mail(STAFF, "/portal/pruefung/", f"„{title}“ eingereicht"))
    expect(staff.get_by_role("heading", level=1)).to_have_text(title)
    comment = "Bitte beschreiben Sie die Tätigkeiten genauer."
    enter(staff, "Grund", Pick("Angaben unvollständig"))
    enter(staff, "Nachricht an den Träger", comment)
    activate(staff, staff.get_by_role("button", name="An den Träger zurückgeben"))
    expect_message(staff, "Der Antrag ist an den Träger zurückgegeben.")

    # The provider reads the request (mail and offer page), changes the tasks and submits again.
    assert comment in live_server.mails_containing(PROVIDER, link_to_offer)[-1]
    provider.reload()
    expect_message(provider, comment)
    activate(provider, provider.get_by_role("link", name="Tätigkeit und Einsatzfeld"))
    enter(provider, "Tätigkeiten", "Fahrräder reparieren und verkaufen, Ersatzteile sortieren, Kurse begleiten.")
    activate(provider, provider.get_by_role("button", name="Als Entwurf speichern"))
    activate(provider, provider.get_by_role("link", name="Angaben prüfen und einreichen"))
    submit_application(provider, "Erneut einreichen")

    # Staff approve: below the four-eyes threshold, one approval makes the offer live.
    live_server.mails_containing(STAFF, f"„{title}“ eingereicht", count=2)  # submitted again
    staff.reload()
    expect(fact(staff, "Vier-Augen-Prinzip")).to_contain_text("Nein")
    activate(staff, staff.get_by_role("button", name="Genehmigen", exact=True))
    expect_message(staff, "Das Angebot ist genehmigt.")

    assert "Ihr Angebot ist genehmigt" in live_server.mails_containing(PROVIDER, link_to_offer, count=2)[-1]
    provider.reload()
    expect(fact(provider, "Stand")).to_have_text("Genehmigt (veröffentlicht)")
    expect(provider.get_by_text("3 von 3 Plätzen sind frei")).to_be_visible()


# --- journey 2: four-eyes approval and the budget --------------------------------------------------


def euro(text: str) -> Decimal:
    """'1.234,50 €' → Decimal('1234.50')"""
    return Decimal(text.replace("€", "").strip().replace(".", "").replace(",", "."))


def amounts(page: Page, table: str, column: int) -> dict[int, Decimal]:
    """Year → amount of a table whose rows start with the year (row header) and have the amount in a column."""
    rows = page.get_by_role("region", name=table).locator("tbody tr")
    return {int(row.locator("th").inner_text()): euro(row.locator("td").nth(column).inner_text()) for row in rows.all()}


def test_four_eyes_approval_and_the_budget(browsing: Browsing, live_server: LiveServer) -> None:
    approver = browsing.page("approver")
    approver.goto("/portal/budget/")
    budget_table = "Eingliederungsbudget je Jahr: festgelegt, gebunden und frei"
    before = amounts(approver, budget_table, 1)

    provider = browsing.page("provider")
    provider.goto("/portal/")
    start_application(provider, LARGE)
    fill_steps(provider, LARGE, "grunddaten", "kontakt")
    submit_application(provider, "Antrag einreichen")

    # First approval by staff: the offer is not live yet, and they cannot give the second one.
    staff = browsing.page("staff")
    staff.goto("/portal/")
    activate(staff, staff.get_by_role("link", name="Prüfung", exact=True))
    enter(staff, "Status", Pick("Eingereicht"))
    activate(staff, staff.get_by_role("button", name="Liste anzeigen"))
    activate(staff, staff.get_by_role("link", name=LARGE.title))
    expect(fact(staff, "Vier-Augen-Prinzip")).to_contain_text("Ja")
    total = euro(fact(staff, "Gesamtkosten").inner_text())
    assert total > 50_000
    per_year = amounts(staff, "Kosten je Haushaltsjahr", 0)
    assert sum(per_year.values()) == total
    activate(staff, staff.get_by_role("button", name="Erste Freigabe erteilen"))
    expect_message(staff, "Ihre Freigabe ist erteilt.")
    expect(fact(staff, "Stand des Angebots")).to_have_text("Noch nicht genehmigt")
    expect(fact(staff, "Erste Freigabe von")).to_have_text("Stefan Sachs")
    expect(staff.get_by_text("Die zweite Freigabe gibt die Teamleitung.")).to_be_visible()
    expect(staff.get_by_role("button", name="Zweite Freigabe erteilen")).to_have_count(0)
    provider.reload()
    expect(fact(provider, "Stand")).to_have_text("Noch nicht genehmigt")

    # The approver follows the link in the mail and gives the second approval: now the offer is live.
    approver.goto(live_server.link_in_mail(APPROVER, "/portal/pruefung/", "zweite Freigabe nötig"))
    expect(approver.get_by_role("heading", level=1)).to_have_text(LARGE.title)
    activate(approver, approver.get_by_role("button", name="Zweite Freigabe erteilen"))
    expect_message(approver, "Das Angebot ist genehmigt.")
    expect(fact(approver, "Stand des Angebots")).to_have_text("Genehmigt (veröffentlicht)")
    provider.reload()
    expect(fact(provider, "Stand")).to_have_text("Genehmigt (veröffentlicht)")

    # The budget binds exactly the offer's cost, in the years it runs.
    activate(approver, approver.get_by_role("link", name="Budget", exact=True))
    after = amounts(approver, budget_table, 1)
    assert {year: after[year] - before[year] for year in after if after[year] != before[year]} == per_year
    assert sum(after.values()) - sum(before.values()) == total
