"""The settlement's PDF: rendered at submission and again at every later move, PDF/A-3u with the frozen document
attached unchanged, tagged tables with header cells and right-aligned amounts; downloaded by the provider and staff.

October 2025 (tests/settlements/conftest.py): 2 place-months, MAE 2 × 132 € = 264 €, MKP base 260 €; a receipt of
60,50 € for material (cap 2 × 50 € = 100 €) is paid in full: 264 + 260 + 60,50 = 584,50 €.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import BytesIO

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from portal import storage
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.payments import services as payments
from portal.reports.models import ParticipationReport
from portal.settlements import services
from portal.settlements.models import ProofKind, Settlement, SettlementStatus
from portal.submissions import new_token
from tests import pdfs, tagged_pdf
from tests.factories import Factories
from tests.reports.helpers import MONTH, YEAR
from tests.tagged_pdf import Element, TaggedPdf

OVERVIEW = ["Angebot", "Platzmonate", "MAE-Erstattung", "MKP-Grundbetrag", "Sachkosten"]


def submitted(provider: User) -> Settlement:
    settlement = services.start_settlement(new_token(), provider, YEAR, MONTH)
    offer_id = settlement.lines[0].offer_id
    services.add_receipt(
        new_token(),
        provider,
        settlement,
        offer_id,
        ProofKind.MATERIAL,
        Decimal("60.50"),
        "Gartenhandschuhe",
        "rechnung.pdf",
        pdfs.clean_pdf(),
    )
    services.confirm_payout(provider, settlement, "", None, None)
    services.submit(provider, settlement, None)
    return settlement


def stored_pdf(settlement: Settlement) -> bytes:
    path = storage.path_of("settlements", settlement.pdf_key)
    assert path is not None
    return path.read_bytes()


def texts(cells: list[Element]) -> list[str]:
    return [cell.text for cell in cells]


def table(tagged: TaggedPdf, first_header: str) -> Element:
    (found,) = [item for item in tagged.tables() if texts(item.rows()[0])[:1] == [first_header]]
    return found


def status_line(data: bytes) -> str:
    found = re.search(r"Stand: (.+ am \d\d\.\d\d\.\d{4})", PdfReader(BytesIO(data)).pages[0].extract_text())
    assert found
    return found.group(1)


def test_the_submitted_settlement_has_a_tagged_pdf_with_its_document(
    provider: User, approved: ParticipationReport
) -> None:
    settlement = submitted(provider)
    data = stored_pdf(settlement)
    reader = PdfReader(BytesIO(data))
    (attached,) = reader.attachments["abrechnung.json"]
    assert json.loads(attached) == settlement.document
    assert settlement.document is not None
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)U', xmp)
    assert status_line(data) == f"Eingereicht am {settlement.status_changed_at:%d.%m.%Y}"

    tagged = tagged_pdf.read(data)
    title = settlement.document["lines"][0]["offer"]["title"]
    offer = f"Nr. {approved.offer_id}: {title}"
    overview = table(tagged, "Angebot")
    assert texts(overview.rows()[0])[:5] == OVERVIEW
    [line] = overview.rows()[1:]
    assert texts(line) == [offer, "2,00", "264,00 €", "260,00 €", "60,50 €", "0,00 €", "584,50 €"]
    assert (line[0].tag, str(line[0].attributes["Scope"])) == ("TH", "/Row")
    assert tagged.header_texts(line[2]) == [offer, "MAE-Erstattung"]
    assert ["Summe der Abrechnung", "584,50 €"] in [texts(row) for row in tagged.tables()[2].rows()]

    proof = table(tagged, "Teil")
    assert texts(proof.rows()[1]) == ["Sachkosten", "50,00 €", "100,00 €", "60,50 €", "− 0,00 €", "60,50 €"]
    receipts = table(tagged, "Beleg")
    assert texts(receipts.rows()[1])[:2] == ["Gartenhandschuhe", "Sachkosten"]
    people = table(tagged, "Kundennummer")
    rows = people.rows()[1:]
    assert [texts(row)[2:] for row in rows] == [["88,00", "1,50 €", "132,00 €"]] * 2
    for column in range(2, 5):  # hours and amounts are right-aligned
        edges = [tagged.right_edge(row[column]) for row in rows]
        assert max(edges) - min(edges) < 0.5
    money_edges = [tagged.right_edge(cell) for cell in proof.rows()[1][1:]]
    assert money_edges == sorted(money_edges)  # each amount ends at the right of its own column


def test_every_later_move_prints_its_status_on_a_new_pdf_of_the_same_document(
    provider: User, staff: User, approved: ParticipationReport
) -> None:
    settlement = submitted(provider)
    document, keys = settlement.document, [settlement.pdf_key]
    services.take_into_check(staff, settlement)
    assert status_line(stored_pdf(settlement)) == f"In Prüfung am {settlement.status_changed_at:%d.%m.%Y}"
    keys.append(settlement.pdf_key)
    services.release(staff, settlement, None)
    assert settlement.status is SettlementStatus.RELEASED
    data = stored_pdf(settlement)
    assert status_line(data) == f"Freigegeben am {settlement.status_changed_at:%d.%m.%Y}"
    assert json.loads(PdfReader(BytesIO(data)).attachments["abrechnung.json"][0]) == document
    assert document is not None
    assert document["settlement"]["status"] == "Eingereicht"  # the frozen document keeps its status
    assert all(storage.path_of("settlements", key) is None for key in keys)  # the replaced PDFs are gone


def test_the_payment_run_prints_paid_on_the_pdf(
    factories: Factories, provider: User, staff: User, approved: ParticipationReport
) -> None:
    settlement = submitted(provider)
    services.take_into_check(staff, settlement)
    services.release(staff, settlement, None)
    factories.bank_account(provider.organisation)
    run = payments.create_run(new_token(), staff, [settlement.id])
    released_pdf = settlement.pdf_key
    payments.mark_paid(staff, run, None)
    assert settlement.status is SettlementStatus.PAID
    assert status_line(stored_pdf(settlement)) == f"Bezahlt am {settlement.status_changed_at:%d.%m.%Y}"
    assert storage.path_of("settlements", released_pdf) is None


def test_a_draft_has_no_pdf(provider: User, approved: ParticipationReport) -> None:
    settlement = services.start_settlement(new_token(), provider, YEAR, MONTH)
    assert settlement.pdf_key == ""


def downloads(settlement: Settlement) -> int:
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.details == "PDF der Abrechnung heruntergeladen"))
    return len([entry for entry in entries if entry.object_id == str(settlement.id)])


def test_the_provider_and_staff_download_the_pdf_and_nobody_else(
    client: FlaskClient, login, provider: User, stranger: User, staff: User, approved: ParticipationReport
) -> None:
    settlement = services.start_settlement(new_token(), provider, YEAR, MONTH)
    url = f"/portal/abrechnungen/{settlement.id}"
    login(provider)
    assert client.get(f"{url}/pdf").status_code == 404  # a draft has none
    assert "Abrechnung als PDF herunterladen" not in client.get(url).get_data(as_text=True)
    services.confirm_payout(provider, settlement, "", None, None)
    services.submit(provider, settlement, None)
    assert f'href="{url}/pdf"' in client.get(url).get_data(as_text=True)
    with client.get(f"{url}/pdf") as response:
        assert (response.status_code, response.mimetype) == (200, "application/pdf")
        assert response.get_data() == stored_pdf(settlement)
        assert f"abrechnung-{YEAR}-{MONTH:02d}-nr-{settlement.id}.pdf" in response.headers["Content-Disposition"]
    client.post("/portal/abmelden")
    login(stranger)
    assert client.get(f"{url}/pdf").status_code == 403
    client.post("/portal/abmelden")
    login(staff)
    with client.get(f"{url}/pdf") as response:
        assert response.status_code == 200
    assert downloads(settlement) == 2
