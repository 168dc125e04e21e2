"""Staff upload the Jobcenter's export in a real browser: a file with a bad row is refused with that row's error and
stores nothing; a good file shows its preview, with the warning that the offer is full, and is imported once staff
confirm it; every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.e2e.helpers import Browsing, assert_accessible

pytestmark = pytest.mark.browser

OFFER = "Begleitdienst für ältere Menschen"  # the Caritas demo offer, filled to its eight places
HEADER = "Kundennummer;Initialen;Angebot;Einsatzstelle;Beginn;Ende;Wochenstunden;Wochentage;MAE-Satz"
NEW_NUMBER = "987Z654321"  # in no demo assignment


def csv_file(name: str, *lines: str) -> FilePayload:
    return {"name": name, "mimeType": "text/csv", "buffer": "\n".join([HEADER, *lines]).encode()}


def an_assignment_row(provider: Page) -> tuple[str, str]:
    """The participants page of the demo offer and a CSV row for a new Kundennummer with its first assignment's
    period, hours, MAE rate and site."""
    provider.goto("/portal/angebote/")
    provider.get_by_role("link", name=OFFER).click()
    provider.get_by_role("link", name=re.compile("^Teilnehmende, Sofortmeldungen")).click()
    offer_id = re.search(r"/angebote/(\d+)/", provider.url)
    assert offer_id
    table = provider.get_by_role("table", name="Zugewiesene Teilnehmende")
    cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
    start, end = cells[1].split(" bis ")  # after the status
    hours, mae, site = cells[2], cells[3].replace("€", "").strip(), cells[4]
    return provider.url, f"{NEW_NUMBER};Z. T.;{offer_id.group(1)};{site};{start};{end};{hours};Mo–Fr;{mae}"


def test_staff_upload_a_refused_file_and_then_import_a_good_one(browsing: Browsing) -> None:
    provider = browsing.page("provider")
    participants, row = an_assignment_row(provider)
    staff = browsing.page("staff")
    staff.goto("/portal/")
    staff.get_by_role("link", name="Zuweisungen hochladen (CSV oder Excel)").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Zuweisungen hochladen")
    assert_accessible(staff)

    bad = row.replace(";Z. T.;", ";Zora;")
    staff.get_by_label("Datei mit den Zuweisungen").set_input_files(csv_file("fehler.csv", bad))
    staff.get_by_role("button", name="Datei prüfen").click()
    expect(staff.get_by_text("Die Datei lässt sich so nicht importieren")).to_be_visible()
    errors = staff.get_by_role("table", name="Fehler in der Datei")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr th")).to_have_text("2")
    expect(errors.locator("tbody tr td").first).to_have_text("Initialen")
    expect(staff.get_by_role("button", name="Jetzt importieren")).to_have_count(0)
    assert_accessible(staff)

    staff.get_by_label("Datei mit den Zuweisungen").set_input_files(csv_file("zuweisungen.csv", row))
    staff.get_by_role("button", name="Datei prüfen").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Vorschau: 1 Zuweisung")
    preview = staff.get_by_role("table", name="Zuweisungen, die angelegt werden")
    expect(preview.locator("tbody tr")).to_have_count(1)
    expect(preview.locator("tbody tr td").first).to_have_text(NEW_NUMBER)
    assert_accessible(staff)
    provider.goto(participants)
    expect(provider.get_by_text(NEW_NUMBER)).to_have_count(0)  # the preview stored nothing

    expect(preview.locator("tbody tr td").last).to_contain_text("mit dieser Zuweisung wären")  # the offer is full
    staff.get_by_role("button", name="Jetzt importieren").click()
    summary = staff.get_by_role("alert").filter(has_text="Bitte korrigieren Sie die folgende Angabe")
    expect(summary).to_contain_text("Bitte bestätigen Sie, dass Sie trotz der Warnungen importieren möchten.")
    assert_accessible(staff)
    staff.get_by_label("Ich habe die Warnungen zur Belegung gelesen und möchte trotzdem importieren.").check()
    staff.get_by_role("button", name="Jetzt importieren").click()
    expect(staff.get_by_text("„zuweisungen.csv“ sind angelegt")).to_be_visible()
    assert_accessible(staff)
    provider.goto(participants)  # the provider sees the proposed assignment
    expect(provider.get_by_role("row", name=re.compile(NEW_NUMBER))).to_have_count(1)
