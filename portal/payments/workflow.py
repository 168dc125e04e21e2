"""The tables of payments: staff confirm or refuse a provider's new bank account (a confirmed one is replaced when
its successor is confirmed), and a payment run is marked paid once the treasury has paid it."""

from __future__ import annotations

from portal.payments.models import BANK_ACCOUNT_STATUS_LABELS, PAYMENT_RUN_STATUS_LABELS, BankAccount
from portal.payments.models import BankAccountStatus as B
from portal.payments.models import PaymentRunStatus as R
from portal.workflow import Move, Workflow


def _describe_account(account: BankAccount, move: Move[B]) -> str:
    return f"{move.path}: {account.masked_iban}{move.because}"


BANK_ACCOUNTS = Workflow(
    {
        ("confirm", B.PENDING): B.CONFIRMED,
        ("refuse", B.PENDING): B.REFUSED,
        ("replace", B.CONFIRMED): B.REPLACED,
    },
    BANK_ACCOUNT_STATUS_LABELS,
    audit="bank_account_{}".format,
    subject=lambda account: account.organisation,
    describe=_describe_account,
    changed_at="status_changed_at",
    refusal=lambda _action, current: f"Über diese Bankverbindung ist schon entschieden: {current}.",
)

PAYMENT_RUNS = Workflow(
    {("pay", R.CREATED): R.PAID},
    PAYMENT_RUN_STATUS_LABELS,
    audit="payment_run_{}".format,
    changed_at="status_changed_at",
    refusal=lambda _action, current: f"Dieser Zahlungslauf ist schon „{current}“.",
)
