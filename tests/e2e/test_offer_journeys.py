"""Journeys through offers, review and budget in a real browser: a provider applies over two sittings, answers a
change request and is approved, with the keyboard alone (Tab, Shift+Tab, arrow keys, Space, Enter and typing;
never a mouse click), as are staff; an offer above the four-eyes threshold needs two approvals by different people
and then binds exactly its cost in the budget; the error summary leads to a group of radio buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from tests import pdfs
from tests.e2e.helpers import (
    ACCOUNTS,
    DEMO_PASSWORD,
    OFFER_STEPS,
    Browsing,
    LiveServer,
    assert_focus_visible,
    tab_to,
)

pytestmark = pytest.mark.browser

PROVIDER = "team@caritas.example"  # a provider without admin rights: only these journeys sign in with it
STAFF, APPROVER = ACCOUNTS["staff"], ACCOUNTS["approver"]
FOUR_EYES_THRESHOLD = 50_000  # €, the default of PORTAL_FOUR_EYES_THRESHOLD
AGH = "Arbeitsgelegenheit mit Mehraufwandsentschädigung (Zusatzjob) (§ 16d SGB II)"
CERTIFICATE: FilePayload = {"name": "bescheinigung.pdf", "mimeType": "application/pdf", "buffer": pdfs.clean_pdf()}
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
        answers: dict[str, list[Answer]] = {
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
                ("Sind die Einsatzstellen barrierefrei zugänglich?", Choice("Nein")),  # the second: ArrowDown
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
        }
        return answers.get(slug, [])


SMALL = Application("Fahrradwerkstatt im Veedel", (2, 1), 90, "20", ("100", "50", "0"), certificate=True)
# Twelve places for a year at the full flat fees: well above the four-eyes threshold of 50.000 €.
LARGE = Application("Große Fahrradwerkstatt am Hafen", (6, 6), 364, "30", ("130", "100", "160"))


# --- a user at work -------------------------------------------------------------------------------


@dataclass
class User:
    """A user on a page, by keyboard alone (Tab, Shift+Tab, arrow keys, Space, Enter, typing), or, where the
    keyboard is not the point, by mouse and by filling fields (quicker)."""

    page: Page
    keyboard: bool = True

    def activate(self, target: Locator) -> None:
        """Follow a link or press a button; wait for the next page."""
        with self.page.expect_navigation():
            if self.keyboard:
                tab_to(self.page, target)
                self.page.keyboard.press("Enter")
            else:
                target.click()

    def enter(self, label: str, value: str | date | None) -> None:
        """Enter one answer."""
        if isinstance(value, Choice):
            group = self.page.get_by_role("group", name=label, exact=True)
            option = group.get_by_label(value, exact=True)
            if self.keyboard:
                self._choose(group, option)
            else:
                option.check()
            expect(option).to_be_checked()
            return
        field = self.page.get_by_label(label, exact=True)
        if not self.keyboard:
            self._fill(field, value)
            return
        tab_to(self.page, field)
        if value is TICK:
            self.page.keyboard.press("Space")
            expect(field).to_be_checked()
        elif isinstance(value, Pick):
            self.page.keyboard.type(value)
            expect(field.locator("option:checked")).to_have_text(value)
        elif isinstance(value, date):
            parts = {"day": f"{value:%d}", "month": f"{value:%m}", "year": f"{value:%Y}"}
            for part in self.page.evaluate(DATE_PARTS):
                self.page.keyboard.type(parts[part])
            expect(field).to_have_value(value.isoformat())
        else:
            self.page.keyboard.press("ControlOrMeta+A")  # replace what is there
            self.page.keyboard.type(value)

    def _choose(self, group: Locator, option: Locator) -> None:
        tab_to(self.page, group)
        for _ in range(group.get_by_role("radio").count()):
            if option.evaluate("element => element === document.activeElement"):
                break
            self.page.keyboard.press("ArrowDown")  # moves to the next option and chooses it
        self.page.keyboard.press("Space")  # Tab into a group without a choice focuses the first option, not chosen

    @staticmethod
    def _fill(field: Locator, value: str | date | None) -> None:
        if value is TICK:
            field.check()
        elif isinstance(value, Pick):
            field.select_option(label=value)
        else:
            field.fill(value.isoformat() if isinstance(value, date) else value)

    def log_in(self, email: str) -> None:
        self.page.goto("/portal/anmelden")
        self.enter("E-Mail-Adresse", email)
        self.enter("Passwort", DEMO_PASSWORD)
        self.activate(self.page.get_by_role("button", name="Anmelden", exact=True))
        expect(self.page.get_by_role("heading", level=1)).to_contain_text("Guten Tag")

    def start_application(self, application: Application) -> None:
        """From the provider's start page: a new AGH draft, then its first step."""
        self.activate(self.page.get_by_role("link", name="Angebote", exact=True))
        self.activate(self.page.get_by_role("link", name="Neues Angebot anlegen"))
        self.enter("Art des Angebots", Choice(AGH))
        self.enter("Bezeichnung", application.title)
        self.activate(self.page.get_by_role("button", name="Entwurf anlegen"))
        expect(self.page.get_by_role("heading", level=1)).to_have_text(application.title)
        self.activate(self.page.get_by_role("link", name="Art und Bezeichnung"))

    def fill_steps(self, application: Application, first: str, last: str) -> None:
        """From the step page `first` to `last`, each saved with "Speichern und weiter"."""
        for slug in OFFER_STEPS[OFFER_STEPS.index(first) : OFFER_STEPS.index(last) + 1]:
            assert self.page.url.endswith(f"/schritt/{slug}")
            if slug == "einsatzstellen":
                self.enter_sites(application.places)
            for label, value in application.answers(slug):
                self.enter(label, value)
            if slug == "kontakt" and application.certificate:
                self.upload("Unbedenklichkeitsbescheinigung der Kammer (PDF)", CERTIFICATE)
            self.activate(self.page.get_by_role("button", name="Speichern und weiter"))
            expect(self.page.locator("[data-error-summary]")).to_have_count(0)

    def enter_sites(self, places: tuple[int, ...]) -> None:
        """Every work site, each further one after "Weitere Einsatzstelle hinzufügen"; then the total, which
        comes before the sites on the page (Shift+Tab)."""
        for number, site_places in enumerate(places, start=1):
            if number > 1:
                self.activate(self.page.get_by_role("button", name="Weitere Einsatzstelle hinzufügen"))
                expect(self.page.get_by_role("group", name=f"Einsatzstelle {number}")).to_be_visible()
            for label, value in (
                ("Name", f"Werkstatt {number}"),
                ("Straße und Hausnummer", f"Hafenstraße {number}"),
                ("Postleitzahl", "50667"),
                ("Stadtteil", Pick("Hafen")),
                ("Plätze", str(site_places)),
            ):
                self.enter(f"{label} der Einsatzstelle {number}", value)
        self.enter("Plätze insgesamt", str(sum(places)))

    def upload(self, label: str, file: FilePayload) -> None:
        """Open the file chooser with Space and pick the file."""
        # Waiting for the file chooser before the focus moves: Playwright turns its interception on meanwhile.
        with self.page.expect_file_chooser() as chooser:
            tab_to(self.page, self.page.get_by_label(label))
            self.page.keyboard.press("Space")
        chooser.value.set_files(file)

    def submit_application(self, button: str) -> None:
        """On "Ihre Angaben prüfen": confirm the declaration and submit."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Ihre Angaben prüfen")
        self.enter("Ich bestätige, dass die Angaben richtig und vollständig sind.", TICK)
        self.activate(self.page.get_by_role("button", name=button))
        expect_message(self.page, "Ihr Antrag ist eingereicht.")


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
    provider = User(browsing.page(fresh=True))
    provider.log_in(PROVIDER)
    provider.start_application(SMALL)
    provider.fill_steps(SMALL, "grunddaten", "einsatzstellen")
    provider.activate(provider.page.get_by_role("button", name="Abmelden"))  # the first sitting ends

    provider = User(browsing.page(fresh=True))  # a new browser, signed in again
    provider.log_in(PROVIDER)
    provider.activate(provider.page.get_by_role("link", name="Angebote", exact=True))
    provider.activate(provider.page.get_by_role("link", name=title))
    for slug, status in (("einsatzstellen", "Erledigt"), ("zeitraum", "Nicht begonnen")):
        expect(provider.page.locator(f"#status-{slug}")).to_have_text(status)
    provider.activate(provider.page.get_by_role("link", name="Zeitraum und Arbeitszeit"))
    provider.fill_steps(SMALL, "zeitraum", "kontakt")
    expect(fact(provider.page, "Unbedenklichkeitsbescheinigung")).to_have_text(CERTIFICATE["name"])
    provider.submit_application("Antrag einreichen")
    link_to_offer = f"Zum Angebot: {provider.page.url}\n"  # in the mails to the provider

    # Staff follow the link in their notification and ask for a change.
    staff = User(browsing.page("staff"))
    staff.page.goto(live_server.link_in_mail(STAFF, "/portal/pruefung/", f"„{title}“ eingereicht"))
    expect(staff.page.get_by_role("heading", level=1)).to_have_text(title)
    comment = "Bitte beschreiben Sie die Tätigkeiten genauer."
    staff.enter("Grund", Pick("Angaben unvollständig"))
    staff.enter("Nachricht an den Träger", comment)
    staff.activate(staff.page.get_by_role("button", name="An den Träger zurückgeben"))
    expect_message(staff.page, "Der Antrag ist an den Träger zurückgegeben.")

    # The provider reads the request (mail and offer page), changes the tasks and submits again.
    assert comment in live_server.mails_containing(PROVIDER, link_to_offer)[-1]
    provider.page.reload()
    expect_message(provider.page, comment)
    provider.activate(provider.page.get_by_role("link", name="Tätigkeit und Einsatzfeld"))
    provider.enter("Tätigkeiten", "Fahrräder reparieren und verkaufen, Ersatzteile sortieren, Kurse begleiten.")
    provider.activate(provider.page.get_by_role("button", name="Als Entwurf speichern"))
    provider.activate(provider.page.get_by_role("link", name="Angaben prüfen und einreichen"))
    provider.submit_application("Erneut einreichen")

    # Staff approve: below the four-eyes threshold, one approval makes the offer live.
    live_server.mails_containing(STAFF, f"„{title}“ eingereicht", count=2)  # submitted again
    staff.page.reload()
    expect(fact(staff.page, "Vier-Augen-Prinzip")).to_contain_text("Nein")
    staff.activate(staff.page.get_by_role("button", name="Genehmigen", exact=True))
    expect_message(staff.page, "Das Angebot ist genehmigt.")

    assert "Ihr Angebot ist genehmigt" in live_server.mails_containing(PROVIDER, link_to_offer, count=2)[-1]
    provider.page.reload()
    expect(fact(provider.page, "Stand")).to_have_text("Genehmigt (veröffentlicht)")
    expect(provider.page.get_by_text("3 von 3 Plätzen sind frei")).to_be_visible()


# --- journey 2: four-eyes approval and the budget --------------------------------------------------


def euro(text: str) -> Decimal:
    """'1.234,50 €' → Decimal('1234.50')"""
    return Decimal(text.replace("€", "").strip().replace(".", "").replace(",", "."))


BUDGET = "Eingliederungsbudget je Jahr: festgelegt, gebunden, freigegeben und frei"


def amounts(page: Page, table: str, column: int) -> dict[int, Decimal]:
    """Year → amount of a table whose rows start with the year (row header) and have the amount in a column."""
    region = page.get_by_role("region", name=table)
    expect(region).to_be_visible()
    rows = region.locator("tbody tr")
    return {
        int(row.locator("th").inner_text()[:4]): euro(row.locator("td").nth(column).inner_text()) for row in rows.all()
    }


def test_four_eyes_approval_and_the_budget(browsing: Browsing, live_server: LiveServer) -> None:
    approver = User(browsing.page("approver"))
    approver.page.goto("/portal/budget/")
    before = amounts(approver.page, BUDGET, 1)

    provider = User(browsing.page("provider"), keyboard=False)  # the keyboard journey above covers the form
    provider.page.goto("/portal/")
    provider.start_application(LARGE)
    provider.fill_steps(LARGE, "grunddaten", "kontakt")
    provider.submit_application("Antrag einreichen")

    # Staff find it in the review queue and give the first approval: the offer is not live yet, and the same
    # person cannot give the second.
    staff = User(browsing.page("staff"))
    staff.page.goto("/portal/")
    staff.activate(staff.page.get_by_role("link", name="Prüfung", exact=True))
    staff.enter("Status", Pick("Eingereicht"))
    staff.activate(staff.page.get_by_role("button", name="Liste anzeigen"))
    staff.activate(staff.page.get_by_role("link", name=LARGE.title))
    expect(fact(staff.page, "Vier-Augen-Prinzip")).to_contain_text("Ja")
    total = euro(fact(staff.page, "Gesamtkosten").inner_text())
    assert total > FOUR_EYES_THRESHOLD
    per_year = amounts(staff.page, "Kosten je Haushaltsjahr", 0)
    assert sum(per_year.values()) == total
    staff.activate(staff.page.get_by_role("button", name="Erste Freigabe erteilen"))
    expect_message(staff.page, "Ihre Freigabe ist erteilt.")
    expect(fact(staff.page, "Stand des Angebots")).to_have_text("Noch nicht genehmigt")
    expect(fact(staff.page, "Erste Freigabe von")).to_have_text("Stefan Sachs")
    expect(staff.page.get_by_text("Die zweite Freigabe gibt die Teamleitung.")).to_be_visible()
    expect(staff.page.get_by_role("button", name="Zweite Freigabe erteilen")).to_have_count(0)
    provider.page.reload()
    expect(fact(provider.page, "Stand")).to_have_text("Noch nicht genehmigt")

    # The approver follows the link in the mail and gives the second approval: now the offer is live.
    approver.page.goto(live_server.link_in_mail(APPROVER, "/portal/pruefung/", "zweite Freigabe nötig"))
    expect(approver.page.get_by_role("heading", level=1)).to_have_text(LARGE.title)
    approver.activate(approver.page.get_by_role("button", name="Zweite Freigabe erteilen"))
    expect_message(approver.page, "Das Angebot ist genehmigt.")
    expect(fact(approver.page, "Stand des Angebots")).to_have_text("Genehmigt (veröffentlicht)")
    provider.page.reload()
    expect(fact(provider.page, "Stand")).to_have_text("Genehmigt (veröffentlicht)")

    # The budget binds exactly the offer's cost, in the years it runs.
    approver.activate(approver.page.get_by_role("link", name="Budget", exact=True))
    after = amounts(approver.page, BUDGET, 1)
    assert {year: after[year] - before[year] for year in after if after[year] != before[year]} == per_year
    assert sum(after.values()) - sum(before.values()) == total


def test_error_summary_leads_to_the_radio_buttons(browsing: Browsing) -> None:
    user = User(browsing.page("provider"))
    page = user.page
    page.goto("/portal/angebote/neu")
    user.activate(page.get_by_role("button", name="Entwurf anlegen"))  # nothing chosen, nothing typed
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    tab_to(page, summary.get_by_role("link", name="Art des Angebots: Bitte wählen Sie die Art des Angebots."))
    page.keyboard.press("Enter")
    group = page.get_by_role("group", name="Art des Angebots")
    expect(group).to_be_focused()  # a screen reader reads the legend and the error
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(group.get_by_label(AGH)).to_be_checked()
