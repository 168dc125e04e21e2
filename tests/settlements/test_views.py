"""The settlement pages as a provider and staff use them: start, receipts, third-party funds, payout, submission,
check, correction and release; another provider sees nothing, and every view is logged."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.reports.models import ParticipationReport
from portal.settlements.models import Settlement, SettlementStatus
from tests import pdfs
from tests.reports.helpers import location, page, text, version_on
from tests.reports.test_hostile_uploads import CORPUS

INDEX = "/portal/abrechnungen"


def started(client: FlaskClient) -> str:
    """Open the settlement for October 2025 from the list, as the button does; its address."""
    response = client.post(
        f"{INDEX}/neu", data={"form_token": token(page(client, INDEX)), "year": "2025", "month": "10"}
    )
    return location(response)


def token(html: str) -> str:
    """The one-time token of the page's first creating form."""
    found = re.search(r'name="form_token" (?:[^>]*?)value="([^"]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


def settlement() -> Settlement:
    found = db.session.scalars(select(Settlement)).one()
    db.session.refresh(found)
    return found


def test_a_provider_settles_a_month_and_staff_release_it(
    client: FlaskClient, login, provider: User, staff: User, approved: ParticipationReport
) -> None:
    login(provider)
    assert "Abrechnung für Oktober 2025 beginnen" in page(client, INDEX)
    url = started(client)
    html = page(client, url)
    assert ["264,00 €" in html, "260,00 €" in html, "524,00 €" in html] == [True] * 3
    receipt = {
        "form_token": token(html),
        "offer_id": str(approved.offer_id),
        "kind": "material",
        "amount": "60,50",
        "description": "Gartenhandschuhe",
        "upload": (BytesIO(pdfs.clean_pdf()), "rechnung.pdf"),
    }
    assert client.post(f"{url}/belege", data=receipt).status_code == 302
    assert "584,50 €" in page(client, url)
    bad = client.post(
        f"{url}/drittmittel",
        data={"version_id": version_on(page(client, url)), f"material_{approved.offer_id}": "viel"},
    )
    assert bad.status_code == 200
    assert "Bitte geben Sie eine Zahl mit höchstens 2 Nachkommastellen an" in text(bad)
    refused = client.post(f"{url}/einreichen", data={"version_id": str(settlement().version_id), "confirm": "y"})
    assert "ausgezahlt haben" in text(refused)
    client.post(f"{url}/auszahlung", data={"version_id": str(settlement().version_id), "paid_out": "y"})
    assert (
        client.post(f"{url}/einreichen", data={"version_id": str(settlement().version_id), "confirm": "y"}).status_code
        == 302
    )
    assert settlement().status is SettlementStatus.SUBMITTED

    client.post("/portal/abmelden")
    login(staff)
    assert "Prüfung beginnen" in page(client, url)
    assert client.post(f"{url}/pruefung").status_code == 302
    client.post(f"{url}/freigabe", data={"version_id": str(settlement().version_id)})
    assert settlement().status is SettlementStatus.RELEASED
    views = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "participant_data_viewed")).all()
    assert {entry.actor_email for entry in views if entry.details == "Abrechnung angesehen"} == {
        provider.email,
        staff.email,
    }


def test_another_provider_sees_neither_the_settlement_nor_its_receipts(
    client: FlaskClient, login, provider: User, stranger: User, approved: ParticipationReport
) -> None:
    login(provider)
    url = started(client)
    client.post("/portal/abmelden")
    login(stranger)
    assert client.get(url).status_code == 403
    assert client.get(f"{url}/auszahlungsnachweis").status_code == 403
    assert "Oktober 2025" not in page(client, INDEX)


def test_a_correction_request_needs_a_reason_next_to_the_field(
    client: FlaskClient, login, provider: User, staff: User, approved: ParticipationReport
) -> None:
    login(provider)
    url = started(client)
    client.post(f"{url}/auszahlung", data={"version_id": str(settlement().version_id), "paid_out": "y"})
    client.post(f"{url}/einreichen", data={"version_id": str(settlement().version_id), "confirm": "y"})
    client.post("/portal/abmelden")
    login(staff)
    response = client.post(f"{url}/korrektur", data={"version_id": str(settlement().version_id), "reason": ""})
    assert response.status_code == 200
    assert 'id="reason-error"' in text(response)
    assert settlement().status is SettlementStatus.SUBMITTED


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_pdfs_are_refused_as_receipt_and_as_payout_proof(
    app: Flask, client: FlaskClient, login, provider: User, approved: ParticipationReport, name: str
) -> None:
    """docs/security.md 18: the settlement's two upload routes refuse the hostile corpus of
    tests/reports/test_hostile_uploads.py with its German reason; nothing is stored, nothing is audited."""
    build, reason = CORPUS[name]
    hostile = build()
    login(provider)
    url = started(client)
    before = {path for path in Path(app.config["STORAGE_DIR"]).rglob("*") if path.is_file()}
    receipt = {
        "form_token": token(page(client, url)),
        "offer_id": str(approved.offer_id),
        "kind": "material",
        "amount": "60,50",
        "description": "Gartenhandschuhe",
        "upload": (BytesIO(hostile), "rechnung.pdf"),
    }
    refused = client.post(f"{url}/belege", data=receipt)
    assert (refused.status_code, reason in text(refused)) == (200, True)
    proof = {"version_id": str(settlement().version_id), "paid_out": "y", "proof": (BytesIO(hostile), "liste.pdf")}
    refused = client.post(f"{url}/auszahlung", data=proof)
    assert (refused.status_code, reason in text(refused)) == (200, True)
    assert {path for path in Path(app.config["STORAGE_DIR"]).rglob("*") if path.is_file()} == before
    assert (settlement().receipts, settlement().payout_proof_key) == ([], "")
    stored = select(AuditEntry).where(
        AuditEntry.action.in_(["settlement_receipt_added", "settlement_payout_confirmed"])
    )
    assert list(db.session.scalars(stored)) == []
