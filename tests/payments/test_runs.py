"""Payment runs: which released settlements a run may take, what it freezes, its pain.001 file (valid against the
schema sepaxml ships, summing to the released amounts), CSV and XLSX, and paying it once."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from openpyxl import load_workbook
from sqlalchemy import select

from portal.errors import ServiceError
from portal.extensions import db
from portal.payments import queries, services
from portal.payments.models import BankAccountStatus, PaymentRun, PaymentRunStatus
from portal.payments.sepa import SCHEMA
from portal.settlements.models import SettlementStatus
from portal.submissions import new_token
from tests.factories import TREASURY, Factories
from tests.reports.helpers import audit, location, page, text

RUNS = "/portal/zahlungslaeufe"
NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}
XSD = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"


def parsed(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 (the portal's own file, just made by the test)


@pytest.fixture
def two_providers(factories: Factories, admin, stranger):
    """Two released settlements of November 2026: the admin's organisation with three offers (264,00 € +
    260,00 € + 60,50 € = 584,50 €), the stranger's with one (1.234,56 €); both with a confirmed account."""
    factories.bank_account(admin.organisation, holder="Caritasverband Müller & Söhne e. V.", bic="COBADEFFXXX")
    factories.bank_account(stranger.organisation, iban="DE02120300000000202051", holder="AWO Kreisverband")
    first = factories.released_settlement(
        admin.organisation, 2026, 11, Decimal("264.00"), Decimal("260.00"), Decimal("60.50")
    )
    second = factories.released_settlement(stranger.organisation, 2026, 11, Decimal("1234.56"))
    return first, second


def test_only_released_settlements_without_a_run_are_payable(factories: Factories, admin, two_providers):
    first, second = two_providers
    without = factories.released_settlement(factories.organisation(name="Ohne Konto gGmbH"), 2026, 10, Decimal(9))
    draft = factories.released_settlement(admin.organisation, 2026, 10, Decimal(5))
    draft.status = SettlementStatus.IN_CHECK
    db.session.commit()
    listed = {item.settlement.id: item.problem for item in queries.payable()}
    assert listed == {first.id: "", second.id: "", without.id: "Keine bestätigte Bankverbindung"}
    with pytest.raises(ServiceError, match="Ohne Konto gGmbH: Keine bestätigte Bankverbindung"):
        services.create_run(new_token(), factories.staff(), [first.id, without.id])
    with pytest.raises(ServiceError, match="nicht mehr zur Zahlung offen"):
        services.create_run(new_token(), factories.staff(), [draft.id])
    with pytest.raises(ServiceError, match="mindestens eine"):
        services.create_run(new_token(), factories.staff(), [])
    with pytest.raises(ServiceError, match="gibt es nicht mehr"):
        services.create_run(new_token(), factories.staff(), [first.id, 999999])
    assert db.session.scalars(select(PaymentRun)).all() == []


def test_a_pending_account_does_not_make_a_settlement_payable(factories: Factories, admin):
    factories.bank_account(admin.organisation, status=BankAccountStatus.PENDING)
    settlement = factories.released_settlement(admin.organisation, 2026, 11, Decimal(10))
    assert [item.problem for item in queries.payable() if item.settlement == settlement] == [
        "Keine bestätigte Bankverbindung"
    ]


def test_a_run_freezes_payees_and_takes_each_settlement_once(factories: Factories, admin, staff, two_providers):
    first, second = two_providers
    token = new_token()
    run = services.create_run(token, staff, [second.id, first.id])
    assert services.create_run(token, staff, [second.id, first.id]) == run  # a double click
    assert run.total == Decimal("1819.06")  # 584,50 € + 1.234,56 €
    assert run.message_id.startswith(f"ARGE-ZL-{run.id}-")
    assert run.settlements == [first, second]
    offers = sorted(line.offer_id for line in first.lines)
    assert run.payees[str(first.id)] == {
        "organisation": admin.organisation.name,
        "name": "Caritasverband Mueller Soehne e. V.",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
        "bank_account_id": run.payees[str(first.id)]["bank_account_id"],
        "purpose": f"Abrechnung 2026-11 Angebot Nr. {offers[0]}, {offers[1]}, {offers[2]}",
        "amount": "584.50",
        "reference": f"ABR-{first.id}",
    }
    assert queries.payable() == []
    with pytest.raises(ServiceError, match="nicht mehr zur Zahlung offen"):
        services.create_run(new_token(), staff, [first.id])
    assert len(audit("payment_run_created", run)) == 1
    # A later change of the bank account does not change the run.
    services.request_account(admin, "Neuer Name", "DE02500105170137075030", "")
    assert run.payees[str(first.id)]["iban"] == "DE89370400440532013000"


def test_the_pain001_file_is_valid_and_sums_to_the_released_amounts(client, login, staff, two_providers):
    first, second = two_providers
    run = services.create_run(new_token(), staff, [first.id, second.id])
    login(staff)
    response = client.get(f"{RUNS}/{run.id}/datei/xml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f"zahlungslauf-{run.id}-pain001.xml")
    xmlschema.XMLSchema(XSD).validate(response.get_data(as_text=True))
    root = parsed(response.data)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert [header.findtext(f"p:{name}", namespaces=NS) for name in ("MsgId", "NbOfTxs", "CtrlSum")] == [
        run.message_id,
        "2",
        "1819.06",
    ]
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == TREASURY["SEPA_DEBTOR_IBAN"]
    assert info.findtext("p:Dbtr/p:Nm", namespaces=NS) == TREASURY["SEPA_DEBTOR_NAME"]
    transfers = [
        (
            item.findtext("p:Cdtr/p:Nm", namespaces=NS),
            item.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            item.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            item.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
        )
        for item in info.findall("p:CdtTrfTxInf", NS)
    ]
    assert transfers == [
        ("Caritasverband Mueller Soehne e. V.", "DE89370400440532013000", "584.50", f"ABR-{first.id}"),
        ("AWO Kreisverband", "DE02120300000000202051", "1234.56", f"ABR-{second.id}"),
    ]
    assert sum(Decimal(amount) for _name, _iban, amount, _ref in transfers) == Decimal("1819.06")
    second_download = client.get(f"{RUNS}/{run.id}/datei/xml")
    assert parsed(second_download.data).find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", NS).text == run.message_id
    assert [entry.details for entry in audit("payment_run_downloaded", run)] == [
        f"zahlungslauf-{run.id}-pain001.xml"
    ] * 2


def test_the_csv_and_xlsx_list_every_transfer_and_the_sum(client, login, staff, two_providers):
    first, second = two_providers
    run = services.create_run(new_token(), staff, [first.id, second.id])
    purpose = run.payees[str(first.id)]["purpose"]
    login(staff)
    csv = client.get(f"{RUNS}/{run.id}/datei/csv").get_data().decode("utf-8-sig").splitlines()
    assert csv == [
        "Zahlungsempfänger;IBAN;BIC;Verwendungszweck;Betrag (EUR)",
        f"Caritasverband Mueller Soehne e. V.;DE89370400440532013000;COBADEFFXXX;{purpose};584,50",
        f"AWO Kreisverband;DE02120300000000202051;;Abrechnung 2026-11 Angebot Nr. {second.lines[0].offer_id};1234,56",
        "Summe;;;;1819,06",
    ]
    workbook = load_workbook(io.BytesIO(client.get(f"{RUNS}/{run.id}/datei/xlsx").data))
    rows = list(workbook[f"Zahlungslauf {run.id}"].values)
    assert rows[0] == ("Zahlungsempfänger", "IBAN", "BIC", "Verwendungszweck", "Betrag (EUR)")
    assert [row[4] for row in rows[1:]] == [584.5, 1234.56, 1819.06]
    assert rows[-1][0] == "Summe"
    assert client.get(f"{RUNS}/{run.id}/datei/pdf").status_code == 404


def test_staff_create_a_run_from_the_page_and_mark_it_paid_once(client, login, staff, two_providers):
    first, second = two_providers
    login(staff)
    html = page(client, RUNS)
    assert "Zahlungslauf erstellen" in html
    token = re.search(r'name="form_token" (?:[^>]*?)value="([^"]+)"', html).group(1)
    url = location(client.post(f"{RUNS}/neu", data={"form_token": token, "settlements": [str(first.id)]}))
    run = db.session.scalars(select(PaymentRun)).one()
    assert url == f"{RUNS}/{run.id}"
    html = page(client, url)
    assert ["584,50 €" in html, "1.234,56 €" in html] == [True, False]
    assert second in [item.settlement for item in queries.payable()]
    assert location(client.post(f"{url}/bezahlt", data={"version_id": "0"})) == url  # a page shown before a change
    assert "Jemand anderes hat diese Daten inzwischen geändert." in page(client, url)
    assert db.session.get(PaymentRun, run.id).status is PaymentRunStatus.CREATED
    paid = {"version_id": str(run.version_id)}
    assert location(client.post(f"{url}/bezahlt", data=paid)) == url
    assert location(client.post(f"{url}/bezahlt", data=paid)) == url  # a double click
    db.session.refresh(run)
    db.session.refresh(first)
    assert (run.status, first.status) == (PaymentRunStatus.PAID, SettlementStatus.PAID)
    assert len(audit("payment_run_pay", run)) == 1
    assert [entry.details for entry in audit("settlement_pay", first)] == [
        f"released → paid: Zahlungslauf Nr. {run.id}"
    ]
    assert "Bezahlt, vermerkt am" in page(client, url)


def test_a_run_form_without_a_choice_says_so(client, login, staff, two_providers):
    login(staff)
    html = text(client.post(f"{RUNS}/neu", data={"form_token": new_token()}))
    assert "Bitte wählen Sie mindestens eine Abrechnung." in html
    assert 'id="settlements-error"' in html
    assert client.post(f"{RUNS}/neu", data={"form_token": new_token(), "settlements": "x"}).status_code == 400


def test_providers_see_no_runs(client, login, admin, staff, two_providers):
    first, _second = two_providers
    run = services.create_run(new_token(), staff, [first.id])
    login(admin)
    for path in (RUNS, f"{RUNS}/{run.id}", f"{RUNS}/{run.id}/datei/xml"):
        assert client.get(path).status_code == 403
    with pytest.raises(ServiceError):
        services.mark_paid(admin, run, None)
