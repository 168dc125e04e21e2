"""`portal demo-data` gives the verified demo providers confirmed bank accounts (valid German test IBANs)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.payments.models import BankAccount, BankAccountStatus
from portal.payments.sepa import valid_iban
from tests.settlements.test_demo import demo_data


def test_the_demo_providers_have_confirmed_bank_accounts(app: Flask) -> None:
    assert "2 Demo-Bankverbindung(en) bestätigt." in demo_data(app)
    accounts = db.session.scalars(select(BankAccount).order_by(BankAccount.id)).all()
    assert [account.status for account in accounts] == [BankAccountStatus.CONFIRMED] * 2
    assert [account.organisation.name for account in accounts] == [
        "Caritasverband Musterstadt e. V.",
        "AWO Kreisverband Musterstadt e. V.",
    ]
    assert all(valid_iban(account.iban) == account.iban for account in accounts)
    assert "Demo-Bankverbindung" not in demo_data(app)  # made once
