"""Read-only questions of payments: an organisation's bank accounts, the settlements ready for a payment run (and
why one cannot be paid yet), the runs and the transfers a run froze."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Organisation
from portal.extensions import db
from portal.payments.models import BankAccount, BankAccountStatus, PaymentRun
from portal.payments.sepa import Account, Transfer
from portal.settlements.models import Settlement, SettlementStatus

LIST_LIMIT = 200
NO_ACCOUNT = "Keine bestätigte Bankverbindung"


def account_of(organisation_id: int, status: BankAccountStatus) -> BankAccount | None:
    """The organisation's confirmed account (the one in use) or its pending one (waiting for staff)."""
    query = select(BankAccount).where(BankAccount.organisation_id == organisation_id, BankAccount.status == status)
    return db.session.scalars(query.order_by(BankAccount.id.desc())).first()


@dataclass(frozen=True)
class BankDetails:
    """What the organisation page shows: the account in use and a change waiting for staff."""

    confirmed: BankAccount | None
    pending: BankAccount | None


def bank_details(organisation_id: int) -> BankDetails:
    return BankDetails(
        account_of(organisation_id, BankAccountStatus.CONFIRMED), account_of(organisation_id, BankAccountStatus.PENDING)
    )


def pending_accounts() -> list[BankAccount]:
    """Every bank account waiting for staff, the oldest request first."""
    query = (
        select(BankAccount)
        .where(BankAccount.status == BankAccountStatus.PENDING)
        .options(selectinload(BankAccount.organisation))
        .order_by(BankAccount.requested_at, BankAccount.id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Payable:
    """A released settlement not yet in a run, with the account it would be paid to (None: not payable)."""

    settlement: Settlement
    account: BankAccount | None

    @property
    def problem(self) -> str:
        return "" if self.account else NO_ACCOUNT


def payable() -> list[Payable]:
    """The released settlements without a run, by provider and month, each with its confirmed bank account."""
    query = (
        select(Settlement)
        .join(Organisation, Organisation.id == Settlement.organisation_id)
        .where(Settlement.status == SettlementStatus.RELEASED, Settlement.payment_run_id.is_(None))
        .options(selectinload(Settlement.organisation), selectinload(Settlement.lines))
        .order_by(Organisation.name, Settlement.year, Settlement.month, Settlement.id)
    )
    settlements = list(db.session.scalars(query))
    accounts = confirmed_accounts({item.organisation_id for item in settlements})
    return [Payable(item, accounts.get(item.organisation_id)) for item in settlements]


def confirmed_accounts(organisation_ids: set[int]) -> dict[int, BankAccount]:
    query = select(BankAccount).where(
        BankAccount.organisation_id.in_(organisation_ids), BankAccount.status == BankAccountStatus.CONFIRMED
    )
    return {account.organisation_id: account for account in db.session.scalars(query)}


def runs() -> list[PaymentRun]:
    return list(db.session.scalars(select(PaymentRun).order_by(PaymentRun.id.desc()).limit(LIST_LIMIT)))


def transfers(run: PaymentRun) -> list[Transfer]:
    """The transfers as the run froze them, in the order of the settlements."""
    return [
        Transfer(
            payee=Account(payee["name"], payee["iban"], payee["bic"]),
            purpose=payee["purpose"],
            amount=Decimal(payee["amount"]),
            reference=payee["reference"],
        )
        for _key, payee in sorted(run.payees.items(), key=lambda item: int(item[0]))
    ]
