"""The money chain in a real browser: the provider adds a receipt to the demo settlement, confirms the payout and
submits it; staff ask for a correction; the provider resubmits; staff release it and, as it lies above the
threshold (1.000 € in the browser tests), an approver gives the second release; staff put it into a payment run and
download the pain.001 file, which validates against its schema and sums to the released amount; the budget page
shows the released money. Every page passes axe-core."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from playwright.sync_api import FilePayload, Page, expect

from portal.payments.sepa import SCHEMA
from tests import pdfs
from tests.e2e.helpers import Browsing, assert_accessible

pytestmark = pytest.mark.browser

XSD = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"
NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}


def receipt_file() -> FilePayload:
    return {"name": "rechnung.pdf", "mimeType": "application/pdf", "buffer": pdfs.clean_pdf()}


def open_settlement(page: Page) -> None:
    page.goto("/portal/abrechnungen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Abrechnungen")
    page.get_by_role("table", name="Abrechnungen").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Abrechnung")


def submit(provider: Page) -> None:
    provider.get_by_label(re.compile("^Ich bestätige, dass die Angaben vollständig")).check()
    provider.get_by_role("button", name="Abrechnung einreichen").click()
    expect(provider.get_by_text("Die Abrechnung ist eingereicht.")).to_be_visible()


def test_a_settlement_from_receipt_to_second_release(browsing: Browsing) -> None:
    provider = browsing.page("provider")
    open_settlement(provider)
    assert_accessible(provider)
    total = provider.get_by_role("table", name="Beträge je Angebot").locator("tfoot td").last.inner_text()

    provider.get_by_label("Betrag in Euro").fill("viel")
    provider.get_by_role("button", name="Beleg speichern").click()
    expect(provider.get_by_role("alert").filter(has_text="Bitte korrigieren Sie")).to_be_visible()
    assert_accessible(provider)
    provider.get_by_role("radio", name="Sachkosten").check()
    provider.get_by_label("Betrag in Euro").fill("12,30")
    provider.get_by_label("Wofür?").fill("Müllsäcke")
    provider.get_by_label("Beleg (PDF)").set_input_files(receipt_file())
    provider.get_by_role("button", name="Beleg speichern").click()
    expect(provider.get_by_text("Der Beleg ist gespeichert.")).to_be_visible()
    expect(provider.get_by_text(re.compile("^Müllsäcke: 12,30 €"))).to_be_visible()

    provider.get_by_role("button", name="Abrechnung einreichen").click()  # without the confirmations
    expect(provider.get_by_role("alert").filter(has_text="Bitte korrigieren Sie")).to_be_visible()
    provider.get_by_label(re.compile("^Ich bestätige, dass wir jeder und jedem")).check()
    provider.get_by_role("button", name="Auszahlung bestätigen").click()
    expect(provider.get_by_text("Die Auszahlung ist bestätigt.")).to_be_visible()
    submit(provider)
    assert provider.get_by_role("table", name="Beträge je Angebot").locator("tfoot td").last.inner_text() != total

    staff = browsing.page("staff")
    open_settlement(staff)
    staff.get_by_role("button", name="Prüfung beginnen").click()
    staff.get_by_label("Was soll der Träger korrigieren?").fill("Bitte den Beleg für die Müllsäcke nachreichen.")
    staff.get_by_role("button", name="Korrektur erbitten").click()
    expect(staff.get_by_text("Der Träger ist um eine Korrektur gebeten.")).to_be_visible()
    assert_accessible(staff)

    provider.reload()
    expect(provider.get_by_text("Bitte den Beleg für die Müllsäcke nachreichen.")).to_be_visible()
    submit(provider)

    staff.reload()
    staff.get_by_role("button", name="Prüfung beginnen").click()
    staff.get_by_role("button", name="Zur Zahlung freigeben").click()
    expect(staff.get_by_text("„Zweite Freigabe ausstehend“")).to_be_visible()
    expect(staff.get_by_role("button", name="Zweite Freigabe geben")).to_have_count(0)  # not staff's

    year = int(re.findall(r"\d{4}", staff.get_by_role("heading", level=1).inner_text())[-1])
    released_before = budget_released(staff, year)

    approver = browsing.page("approver")
    open_settlement(approver)
    assert_accessible(approver)
    approver.get_by_role("button", name="Zweite Freigabe geben").click()
    expect(approver.get_by_text("Die Abrechnung ist „Freigegeben“.")).to_be_visible()
    provider.reload()
    expect(provider.get_by_text("Freigegeben", exact=True)).to_be_visible()
    released = approver.get_by_role("table", name="Beträge je Angebot").locator("tfoot td").last.inner_text()

    assert budget_released(staff, year) == released_before + euro_amount(released)
    pay_and_download(staff, euro_amount(released))


def budget_released(staff: Page, year: int) -> Decimal:
    """What the budget page shows as released by settlements in the year."""
    staff.goto("/portal/budget")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Eingliederungsbudget")
    year_row = staff.get_by_role("row").filter(has=staff.get_by_role("rowheader", name=re.compile(f"^{year}")))
    return euro_amount(year_row.get_by_role("cell").nth(2).inner_text())  # Budget, gebunden, freigegeben, frei


def euro_amount(shown: str) -> Decimal:
    """ "1.234,56 €" as a Decimal."""
    return Decimal(shown.replace("€", "").strip().replace(".", "").replace(",", "."))


def pay_and_download(staff: Page, released: Decimal) -> None:
    """Staff make a payment run of the released settlement, download its pain.001 file and mark it paid."""
    staff.goto("/portal/zahlungslaeufe")
    assert_accessible(staff)
    staff.get_by_role("button", name="Zahlungslauf erstellen").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(re.compile("^Zahlungslauf Nr. "))
    assert_accessible(staff)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="SEPA-Überweisungsdatei (pain.001, XML)").click()
    xml = Path(download.value.path()).read_bytes()
    xmlschema.XMLSchema(XSD).validate(xml.decode())
    root = ET.fromstring(xml)  # noqa: S314 (the portal's own file, just downloaded by the test)
    amounts = [Decimal(node.text or "") for node in root.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)]
    control = Decimal(root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) or "")
    assert released in amounts
    assert control == sum(amounts, Decimal(0))
    staff.get_by_role("button", name="Als bezahlt markieren").click()
    expect(staff.get_by_text(re.compile("^Bezahlt, vermerkt am"))).to_be_visible()
