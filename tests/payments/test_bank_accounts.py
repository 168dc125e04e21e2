"""Bank details: a provider admin enters them, staff confirm or refuse them, the confirmed account stays in use until
its successor is confirmed; every step is audited and the provider's admins get a mail on the decision."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import OrgStatus, User
from portal.errors import ServiceError
from portal.extensions import db
from portal.notifications.models import QueuedMail
from portal.payments import queries, services
from portal.payments.models import BankAccount, BankAccountStatus
from tests.factories import Factories
from tests.reports.helpers import audit, location, page, text

PAGE = "/portal/bankverbindung"
CARITAS = {"holder": "Caritasverband Musterstadt e. V.", "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"}
AWO_IBAN = "DE02120300000000202051"


def accounts() -> list[BankAccount]:
    return list(db.session.scalars(select(BankAccount).order_by(BankAccount.id)))


def mails_to(user: User) -> list[QueuedMail]:
    return list(db.session.scalars(select(QueuedMail).where(QueuedMail.recipient == user.email)))


def test_a_wrong_checksum_is_explained_next_to_the_field_and_nothing_is_stored(client, login, admin):
    login(admin)
    response = client.post(PAGE, data={**CARITAS, "iban": "DE89 3704 0044 0532 0130 01"})
    assert response.status_code == 200
    html = text(response)
    assert 'id="iban-error"' in html
    assert "Die Prüfziffer der IBAN stimmt nicht." in html
    assert 'value="DE89 3704 0044 0532 0130 01"' in html  # nothing typed is lost
    assert accounts() == []


def test_a_bic_of_another_country_is_explained_at_the_bic(client, login, admin):
    login(admin)
    html = text(client.post(PAGE, data={**CARITAS, "bic": "BNPAFRPP"}))
    assert 'id="bic-error"' in html
    assert "Die BIC gehört zu einem anderen Land als die IBAN." in html


def test_an_entered_account_waits_for_staff_who_confirm_it(client, login, admin, staff, mailbox):
    login(admin)
    assert location(client.post(PAGE, data=CARITAS)) == PAGE
    [account] = accounts()
    assert (account.status, account.iban, account.bic) == (
        BankAccountStatus.PENDING,
        "DE89370400440532013000",
        "COBADEFFXXX",
    )
    assert "Wartet auf Bestätigung durch die ARGE" in page(client, PAGE)
    [requested] = audit("bank_account_requested", admin.organisation)
    assert requested.details == "DE89 … 3000"  # never the whole IBAN in the log
    assert "Neue Bankverbindung" in mails_to(staff)[0].subject
    assert client.post(PAGE, data=CARITAS).status_code == 302  # the same again (a double click)
    assert len(accounts()) == 1
    assert len(audit("bank_account_requested", admin.organisation)) == 1

    services.decide_account(staff, account, "confirm")
    assert account.status is BankAccountStatus.CONFIRMED
    assert queries.bank_details(admin.organisation_id).confirmed == account
    [mail] = mails_to(admin)
    assert mail.subject == "Ihre neue Bankverbindung: bestätigt"
    assert "DE89 … 3000" in mail.body
    assert len(audit("bank_account_confirm", admin.organisation)) == 1
    services.decide_account(staff, account, "confirm")  # a double click changes nothing
    assert len(audit("bank_account_confirm", admin.organisation)) == 1


def test_the_confirmed_account_stays_in_use_until_its_successor_is_confirmed(factories: Factories, admin, staff):
    old = factories.bank_account(admin.organisation)
    new = services.request_account(admin, "Caritas Musterstadt", AWO_IBAN, "")
    assert queries.bank_details(admin.organisation_id) == queries.BankDetails(confirmed=old, pending=new)
    changed = services.request_account(admin, "Caritas Musterstadt", "DE02500105170137075030", "")
    assert changed == new  # a second change before the decision replaces the waiting one
    assert [item.iban for item in accounts()] == ["DE89370400440532013000", "DE02500105170137075030"]
    services.decide_account(staff, new, "confirm")
    assert (old.status, new.status) == (BankAccountStatus.REPLACED, BankAccountStatus.CONFIRMED)
    assert audit("bank_account_replace", admin.organisation)[0].details.endswith("ersetzt durch DE02 … 5030")


def test_the_confirmed_account_again_is_no_change(factories: Factories, admin):
    factories.bank_account(admin.organisation, holder="Caritas")
    with pytest.raises(ServiceError, match="schon bestätigt"):
        services.request_account(admin, "Caritas", "DE89370400440532013000", "")


def test_staff_refuse_with_a_reason_the_provider_reads(client, login, factories: Factories, admin, staff, mailbox):
    account = factories.bank_account(admin.organisation, status=BankAccountStatus.PENDING)
    login(staff)
    assert "Bankverbindung bestätigen" in page(client, f"/portal/organisationen/{admin.organisation_id}")
    url = f"/portal/bankverbindungen/{account.id}/refuse"
    html = text(client.post(url, data={"reason": " "}))
    assert "Bitte schreiben Sie dem Träger, warum" in html
    assert 'id="reason-error"' in html
    assert account.status is BankAccountStatus.PENDING
    assert location(client.post(url, data={"reason": "Der Kontoinhaber passt nicht zum Träger."})).endswith(
        "/portal/bankverbindungen"
    )
    db.session.refresh(account)
    assert (account.status, account.decision_reason) == (
        BankAccountStatus.REFUSED,
        "Der Kontoinhaber passt nicht zum Träger.",
    )
    assert "Grund: Der Kontoinhaber passt nicht zum Träger." in mailbox.last_body(admin.email)
    assert client.post(f"/portal/bankverbindungen/{account.id}/maybe", data={}).status_code == 404


def test_staff_see_the_waiting_changes(client, login, factories: Factories, admin, staff):
    factories.bank_account(admin.organisation, status=BankAccountStatus.PENDING, iban=AWO_IBAN)
    login(staff)
    html = page(client, "/portal/bankverbindungen")
    assert admin.organisation.name in html
    assert "DE02 1203 0000 0000 2020 51" in html
    assert "Bisher keine bestätigte Bankverbindung." in html


def test_only_the_providers_admin_changes_the_account(client, login, colleague, factories: Factories):
    factories.bank_account(colleague.organisation)
    login(colleague)
    html = page(client, PAGE)
    assert "DE89 3704 0044 0532 0130 00" in html
    assert "Die Bankverbindung ändert die Administratorin oder der Administrator" in html
    html = text(client.post(PAGE, data={**CARITAS, "iban": AWO_IBAN}))
    assert "Die Bankverbindung ändert die Administratorin" in html
    assert len(accounts()) == 1


def test_another_organisation_never_sees_the_bank_details(client, login, factories: Factories, admin, stranger):
    account = factories.bank_account(admin.organisation, iban=AWO_IBAN)
    login(stranger)
    for path in (PAGE, "/portal/organisation"):
        assert "DE02 1203" not in page(client, path)
    assert client.post(f"/portal/bankverbindungen/{account.id}/confirm").status_code == 403
    with pytest.raises(ServiceError):
        services.decide_account(stranger, account, "confirm")


def test_a_suspended_provider_cannot_change_its_account(factories: Factories, admin):
    admin.organisation.status = OrgStatus.SUSPENDED
    with pytest.raises(ServiceError, match="gesperrt"):
        services.request_account(admin, "Caritas", AWO_IBAN, "")


def test_the_organisation_page_shows_the_account_in_use(client: FlaskClient, login, factories: Factories, admin):
    factories.bank_account(admin.organisation, bic="COBADEFFXXX")
    login(admin)
    html = page(client, "/portal/organisation")
    assert "Bankverbindung für Zahlungen" in html
    assert "DE89 3704 0044 0532 0130 00" in html
    assert "COBADEFFXXX" in html


@pytest.mark.parametrize(
    ("holder", "message"), [("– – –", "Bitte geben Sie die Kontoinhaberin"), ("A" * 71, "höchstens 70 Zeichen")]
)
def test_the_holder_is_needed_and_fits_the_sepa_name(admin, holder, message):
    with pytest.raises(ServiceError, match=message) as raised:
        services.request_account(admin, holder, AWO_IBAN, "")
    assert raised.value.field == "holder"
