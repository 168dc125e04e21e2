"""Journey 3 in a real browser: a provider enters last month's attendance of eight participants with the keyboard
alone (Tab, arrow keys, typing, Space and Enter), corrects a typing error through the error summary, submits,
downloads the PDF/A and finds the portal's totals in its embedded data; staff approve. The report's forms with
their errors pass axe-core."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Route, expect
from pypdf import PdfReader

from portal.reports.queries import MONTH_NAMES as MONTHS
from tests.e2e.helpers import (
    ACCOUNTS,
    PHONE,
    Browsing,
    LiveServer,
    assert_accessible,
    assert_focus_visible,
    assert_no_sideways_scrolling,
    submit_empty,
    tab_to,
)
from tests.e2e.test_offer_journeys import TICK, Choice, User, euro, expect_message, fact

pytestmark = pytest.mark.browser

PROVIDER = "team@caritas.example"
STAFF = ACCOUNTS["staff"]
OFFER = "Begleitdienst für ältere Menschen"  # the Caritas demo offer with eight participants (portal/demo_reports.py)
PARTICIPANTS = 8
ARROWS = {(0, 1): "ArrowRight", (0, -1): "ArrowLeft", (1, 0): "ArrowDown", (-1, 0): "ArrowUp"}


def last_month() -> tuple[int, int, str]:
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return year, month, f"{MONTHS[month - 1]} {year}"


class Grid:
    """The attendance grid, driven by the keyboard: Tab to the grid's one tab stop, then the arrow keys."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def lines(self) -> list[str]:
        return [
            str(name).removeprefix("p-")
            for name in self.page.locator("tbody [id^=p-]").evaluate_all("spans => spans.map(span => span.id)")
        ]

    def working_days(self) -> list[int]:
        """Days that are neither weekend nor holiday (their column headers are not shaded)."""
        texts = self.page.locator("thead th.grid-day:not(.grid-off) .kern-sr-only").all_inner_texts()
        return [int(text.split()[1].split(".")[0]) for text in texts]

    def cell(self, row: int, day: int) -> str:
        return f"#c-{self.lines[row]}-{day}"

    def go_to(self, row: int, day: int) -> None:
        if not str(self.page.evaluate("document.activeElement.id")).startswith("c-"):
            tab_to(self.page, self.page.locator("[data-cell][tabindex='0']"))  # the grid's one tab stop
        focused = str(self.page.evaluate("document.activeElement.id"))
        _, line, current = focused.split("-")
        rows, days = row - self.lines.index(line), day - int(current)
        for count, step in ((abs(rows), (1 if rows > 0 else -1, 0)), (abs(days), (0, 1 if days > 0 else -1))):
            for _ in range(count):
                self.page.keyboard.press(ARROWS[step])
        expect(self.page.locator(self.cell(row, day))).to_be_focused()

    def type(self, row: int, day: int, text: str) -> None:
        """Go to the cell and type; its content is selected on focus, so the typing replaces it."""
        self.go_to(row, day)
        self.page.keyboard.type(text)
        expect(self.page.locator(self.cell(row, day))).to_have_value(text)


def test_provider_reports_a_month_by_keyboard_and_staff_approve(browsing: Browsing, live_server: LiveServer) -> None:
    year, month, label = last_month()
    provider = User(browsing.page(fresh=True))
    provider.log_in(PROVIDER)
    provider.activate(provider.page.get_by_role("link", name="Angebote", exact=True))
    provider.activate(provider.page.get_by_role("link", name=OFFER))
    provider.activate(provider.page.get_by_role("link", name=re.compile("^Teilnehmende, Sofortmeldungen")))
    provider.activate(provider.page.get_by_role("button", name=re.compile(f"^Bericht {label} (beginnen|bearbeiten)$")))
    page, grid = provider.page, Grid(provider.page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Teilnahmebericht {label}")
    expect(page.locator("tbody [id^=p-]")).to_have_count(PARTICIPANTS)

    # A new report is empty: "All present" for each row, then only the exceptions.
    for button in page.get_by_role("button", name="Alle Arbeitstage anwesend").all():
        tab_to(page, button)
        page.keyboard.press("Enter")  # filled in the page (no reload), then saved
    expect(page.locator("[data-grid-status]")).to_have_text(SAVED)
    first, second, third = grid.working_days()[:3]
    grid.type(1, first, "E")
    assert_focus_visible(page)
    grid.type(2, second, "K")
    grid.type(3, third, "3,5")
    grid.type(4, third, "x")  # a typing error
    provider.activate(page.get_by_role("button", name="Entwurf speichern"))

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    error = summary.get_by_role("link", name=re.compile("„x“ verstehen wir nicht"))
    tab_to(page, error)
    page.keyboard.press("Enter")  # the summary's link leads to the cell, which kept the entry
    expect(page.locator(grid.cell(4, third))).to_be_focused()
    expect(page.locator(grid.cell(4, third))).to_have_value("x")
    expect(page.locator(grid.cell(1, first))).to_have_value("E")
    page.keyboard.type("UE")
    provider.activate(page.get_by_role("button", name="Weiter zum Einreichen"))

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Teilnahmebericht {label} einreichen")
    hours, claim = fact(page, "Geleistete Stunden").inner_text(), fact(page, "Anspruch").inner_text()
    provider.enter("Ich bestätige, dass die Angaben vollständig und richtig sind.", TICK)
    provider.activate(page.get_by_role("button", name="Bericht verbindlich einreichen"))
    expect_message(page, "Der Bericht ist eingereicht.")
    expect(fact(page, "Status")).to_have_text("Eingereicht")

    document = downloaded_document(page, "Bericht als PDF herunterladen (Fassung 1)")
    assert (document["period"]["year"], document["period"]["month"]) == (year, month)
    assert len(document["participants"]) == PARTICIPANTS
    assert Decimal(document["totals"]["hours_worked"]) == euro(hours)
    assert Decimal(document["totals"]["mkp_claim"]) == euro(claim)
    assert document["participants"][3]["days"][third - 1] == "3.5"
    assert document["participants"][4]["days"][third - 1] == "UE"

    # Staff follow the link in their mail and approve.
    staff = User(browsing.page("staff"))
    staff.page.goto(live_server.link_in_mail(STAFF, "/portal/berichte/", f"Teilnahmebericht für {label}"))
    expect(staff.page.get_by_role("heading", level=1)).to_have_text(f"Teilnahmebericht {label}")
    staff.enter("Entscheidung", Choice("Genehmigen"))
    staff.activate(staff.page.get_by_role("button", name="Entscheidung speichern"))
    expect_message(staff.page, "Ihre Entscheidung ist gespeichert: Genehmigt.")
    page.reload()
    expect(fact(page, "Status")).to_have_text("Genehmigt")
    expect(page.locator("[data-cell]")).to_have_count(0)  # locked: no input fields any more


def downloaded_document(page: Page, link: str) -> Any:
    """Download the PDF by keyboard: it declares PDF/A-3 and carries the report's data as JSON."""
    tab_to(page, page.get_by_role("link", name=link))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    reader = PdfReader(download.value.path())
    assert reader.xmp_metadata is not None
    assert reader.xmp_metadata.get_element("", "http://www.aiim.org/pdfa/ns/id/", "part")
    assert re.search(rb"pdfaid:part[=>\"]+3", reader.xmp_metadata.stream.get_data())
    return json.loads(reader.attachments["teilnahmebericht.json"][0])


# --- the report forms with errors, checked by axe-core --------------------------------------------


def month_label(months_back: int) -> str:
    today = date.today()
    index = today.year * 12 + today.month - 1 - months_back
    return f"{MONTHS[index % 12]} {index // 12}"


def open_participants(page: Page) -> None:
    page.goto("/portal/angebote/")
    page.get_by_role("link", name=OFFER).click()
    page.get_by_role("link", name=re.compile("^Teilnehmende, Sofortmeldungen")).click()


def correction_draft(page: Page) -> None:
    """The demo's correction draft (three months ago), from the offer's participants page."""
    open_participants(page)
    page.get_by_role("button", name=f"Bericht {month_label(3)} bearbeiten").click()


def grid_with_error(page: Page) -> None:
    correction_draft(page)
    page.locator("[data-cell]").nth(3).fill("zwölf")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    page.locator("[data-cell]").nth(3).fill("4")  # leave the draft complete for the other cases
    page.get_by_role("button", name="Entwurf speichern").click()


def submission_without_declaration(page: Page) -> None:
    correction_draft(page)
    page.get_by_role("button", name="Weiter zum Einreichen").click()
    page.get_by_role("button", name="Bericht verbindlich einreichen").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()


def empty_event(page: Page) -> None:
    open_participants(page)
    page.get_by_role("link", name=re.compile("^Sofortmeldung für")).first.click()
    submit_empty(page, "Meldung absenden")


def scan_that_is_no_pdf(page: Page) -> None:
    open_participants(page)
    page.get_by_role("link", name=f"Bericht {month_label(4)} ansehen").click()
    page.get_by_label("Unterschriebener Bericht (PDF)").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"\xff\xd8\xff\xe0 ein Foto"}
    )
    page.get_by_role("button", name="Unterschriebenen Bericht hochladen").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()


def empty_decision(page: Page) -> None:
    page.goto("/portal/berichte/")
    page.get_by_role("link", name=f"{month_label(2)} (Fassung 1)").click()
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()


FORM_CASES = [
    ("provider", grid_with_error),
    ("provider", submission_without_declaration),
    ("provider", empty_event),
    ("provider", scan_that_is_no_pdf),
    ("staff", empty_decision),
]


@pytest.mark.parametrize(("role", "steps"), FORM_CASES, ids=[steps.__name__ for _, steps in FORM_CASES])
def test_report_form_with_errors(browsing: Browsing, role: str, steps: Any) -> None:
    page = browsing.page(role)
    steps(page)
    assert_accessible(page)


# --- automatic saving ------------------------------------------------------------------------------

SAVED = re.compile(r"^Entwurf gespeichert um \d\d:\d\d Uhr\.$")
GRID_POSTS = "**/portal/berichte/*"


def type_into(page: Page, cell: Locator, text: str) -> None:
    """Click the cell and type: its content is selected on focus, so the typing replaces it (or Backspace empties
    it)."""
    cell.click()
    if text:
        page.keyboard.type(text)
    else:
        page.keyboard.press("Backspace")
    expect(cell).to_have_value(text)


def refuse_posts(route: Route) -> None:
    """The portal is unreachable for the grid's autosave (pages and their forms still load and send)."""
    if route.request.method == "POST" and route.request.resource_type == "fetch":
        route.abort("internetdisconnected")
    else:
        route.continue_()


def test_autosave_keeps_an_entry_across_a_reload(browsing: Browsing) -> None:
    page = browsing.page("provider")
    correction_draft(page)
    cell, status = page.locator("[data-cell]").nth(5), page.locator("[data-grid-status]")
    before = cell.input_value()
    assert before != "2,5"
    type_into(page, cell, "2,5")
    expect(status).to_have_text(SAVED)
    page.reload()
    expect(page.locator("[data-cell]").nth(5)).to_have_value("2,5")
    assert page.evaluate("Object.keys(sessionStorage)") == []  # nothing left waiting in the browser
    type_into(page, page.locator("[data-cell]").nth(5), before)  # leave the draft as the other tests expect it
    expect(status).to_have_text(SAVED)


def test_an_entry_waits_in_the_browser_while_the_portal_is_unreachable(browsing: Browsing) -> None:
    page = browsing.page("provider")
    page.route(GRID_POSTS, refuse_posts)  # before the grid opens: a route set during a navigation may come late
    correction_draft(page)
    cell, status = page.locator("[data-cell]").nth(6), page.locator("[data-grid-status]")
    retry = page.get_by_role("button", name="Erneut speichern")
    before = cell.input_value()
    assert before != "2,75"
    type_into(page, cell, "2,75")
    expect(status).to_have_text(
        "Nicht gespeichert: Das Portal ist gerade nicht erreichbar. Ihre Eingaben sind in diesem Browser aufbewahrt "
        "und gehen nicht verloren."
    )
    expect(retry).to_be_visible()
    assert_accessible(page)

    page.reload()  # still unreachable: the entry comes back from the browser and is tried again
    expect(page.locator("[data-cell]").nth(6)).to_have_value("2,75")
    expect(status).to_have_text(
        "Eine noch nicht gespeicherte Eingabe aus diesem Browser ist wieder eingetragen. Nicht gespeichert: Das "
        "Portal ist gerade nicht erreichbar. Ihre Eingaben sind in diesem Browser aufbewahrt und gehen nicht verloren."
    )
    page.unroute(GRID_POSTS)
    retry.click()
    expect(status).to_have_text(re.compile(r"^Eine noch nicht gespeicherte Eingabe .* Entwurf gespeichert um"))
    expect(retry).to_be_hidden()
    page.reload()
    expect(page.locator("[data-cell]").nth(6)).to_have_value("2,75")
    expect(status).to_have_text("")  # saved: nothing to put back
    type_into(page, page.locator("[data-cell]").nth(6), before)
    expect(status).to_have_text(SAVED)


def test_the_grid_on_a_phone(browsing: Browsing) -> None:
    """Only the grid's own region scrolls sideways, never the page (WCAG 1.4.10)."""
    page = browsing.page("provider", viewport=PHONE)
    correction_draft(page)
    expect(page.get_by_role("region", name=re.compile("^Anwesenheit"))).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scrolling(page)


# --- what the grid enforces ----------------------------------------------------------------------------------


def correction_month() -> date:
    today = date.today()
    index = today.year * 12 + today.month - 1 - 3
    return date(index // 12, index % 12 + 1, 1)


def test_a_week_above_the_weekly_hours_is_refused_with_the_week_named(browsing: Browsing) -> None:
    page = browsing.page("provider")
    correction_draft(page)
    grid, first = Grid(page), correction_month()
    working = set(grid.working_days())
    monday = next(
        first + timedelta(days=offset)
        for offset in range(31)
        if (first + timedelta(days=offset)).weekday() == 0
        and all((first + timedelta(days=offset + step)).day in working for step in range(5))
        and (first + timedelta(days=offset + 4)).month == first.month
    )
    days = [(monday + timedelta(days=step)).day for step in range(5)]
    cells = [page.locator(grid.cell(0, day)) for day in days]
    before = [cell.input_value() for cell in cells]
    for cell in cells:
        cell.fill("8")  # 5 × 8 h = 40 h; the demo assigns at most 30 h a week
    page.get_by_role("button", name="Entwurf speichern").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    week = monday.isocalendar().week
    expect(summary).to_contain_text(
        re.compile(
            rf"In der Woche vom {monday.day}\. bis \d+\. \w+ \(KW {week}\) sind 40 Stunden eingetragen; "
            r"zugewiesen sind (15|20|25|30) Stunden je Woche\."
        )
    )
    assert_accessible(page)
    for cell, value in zip(cells, before, strict=True):
        cell.fill(value)  # leave the draft complete for the other tests
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.locator("[data-error-summary]")).to_have_count(0)


def test_all_present_fills_a_row(browsing: Browsing) -> None:
    page = browsing.page("provider")
    correction_draft(page)
    grid = Grid(page)
    day = grid.working_days()[0]
    cell = page.locator(grid.cell(0, day))
    filled = cell.input_value()
    type_into(page, cell, "")
    expect(page.locator("[data-grid-status]")).to_have_text(SAVED)
    page.get_by_role("button", name="Alle Arbeitstage anwesend").first.click()
    expect(cell).to_have_value(re.compile(r"^\d+(,\d+)?$"))  # the daily hours of the assignment
    expect(page.locator("[data-grid-status]")).to_have_text(SAVED)
    page.reload()
    expect(page.locator(grid.cell(0, day))).to_have_value(cell.input_value())
    assert_accessible(page)
    type_into(page, page.locator(grid.cell(0, day)), filled)  # leave the row as the other tests expect it
    expect(page.locator("[data-grid-status]")).to_have_text(SAVED)
