"""Every state change of payments; each one commits with its audit entry.

A provider admin enters the organisation's bank account; it waits for staff, who confirm it (the account in use
until then is replaced) or refuse it with a reason, and the provider's admins get a mail either way. Staff put
released settlements into a payment run: the run freezes each payee's name, IBAN, BIC, purpose and amount, so the
files it hands to the treasury never change, and marks them paid once the treasury has paid.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.services import record
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.services import absolute_url, notify_staff, queue_mail
from portal.payments import queries
from portal.payments.models import BankAccount, BankAccountStatus, PaymentRun, PaymentRunStatus
from portal.payments.sepa import NAME_MAX, BankDetailsError, purpose, sepa_text, valid_bic, valid_iban
from portal.payments.workflow import BANK_ACCOUNTS, PAYMENT_RUNS
from portal.reports.queries import month_label
from portal.settlements import services as settlements
from portal.settlements.models import Settlement, SettlementStatus
from portal.settlements.workflow import SETTLEMENTS
from portal.submissions import once
from portal.templating import euro
from portal.transactions import check_version, transactional

DECISIONS = {"confirm": BankAccountStatus.CONFIRMED, "refuse": BankAccountStatus.REFUSED}


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise ServiceError("Bankverbindungen bestätigen und Zahlungsläufe erstellen Beschäftigte der ARGE.")


# --- bank accounts ---------------------------------------------------------------------------------


@transactional
def request_account(user: User, holder: str, iban: str, bic: str) -> BankAccount:
    """The organisation's new bank account, waiting for staff; a second change before their decision replaces the
    waiting one. The same entry again (a double click) changes nothing."""
    organisation = user.organisation
    if organisation is None or not user.is_org_admin:
        raise ServiceError("Die Bankverbindung ändert die Administratorin oder der Administrator des Trägers.")
    if organisation.suspended:
        raise ServiceError("Ihre Organisation ist gesperrt; die Bankverbindung können Sie nach der Aufhebung ändern.")
    db.session.refresh(organisation, with_for_update=True)  # parallel copies wait here, then find the first's
    entry = _checked(holder, iban, bic)
    confirmed = queries.account_of(organisation.id, BankAccountStatus.CONFIRMED)
    pending = queries.account_of(organisation.id, BankAccountStatus.PENDING)
    if pending is not None and _details(pending) == entry:
        return pending
    if pending is None and confirmed is not None and _details(confirmed) == entry:
        raise ServiceError("Diese Bankverbindung ist schon bestätigt und in Gebrauch.", field="iban")
    if pending is None:
        pending = BankAccount(organisation=organisation)
        db.session.add(pending)
    pending.holder, pending.iban, pending.bic = entry
    pending.requested_by_id, pending.requested_at = user.id, utcnow()
    db.session.flush()
    record("bank_account_requested", actor=user, obj=organisation, details=pending.masked_iban)
    notify_staff(
        "bank_account_requested",
        organisation_name=organisation.name,
        link=absolute_url("accounts.organisation_detail", org_id=organisation.id),
    )
    return pending


def _checked(holder: str, iban: str, bic: str) -> tuple[str, str, str]:
    """Holder, IBAN and BIC as stored, or a ServiceError at the field that is wrong."""
    holder = " ".join(holder.split())
    if not sepa_text(holder, NAME_MAX):
        raise ServiceError("Bitte geben Sie die Kontoinhaberin oder den Kontoinhaber an.", field="holder")
    if len(holder) > NAME_MAX:
        raise ServiceError(f"Der Name darf höchstens {NAME_MAX} Zeichen lang sein.", field="holder")
    try:
        compact = valid_iban(iban)
        return holder, compact, valid_bic(bic, compact)
    except BankDetailsError as error:
        raise ServiceError(error.message, field=error.field) from None


def _details(account: BankAccount) -> tuple[str, str, str]:
    return account.holder, account.iban, account.bic


@transactional
def decide_account(actor: User, account: BankAccount, decision: str, reason: str = "") -> None:
    """Staff confirm the waiting account (the one in use so far is replaced) or refuse it with a reason; the
    provider's admins are told. The same decision again changes nothing."""
    _require_staff(actor)
    db.session.refresh(account, with_for_update=True)
    if account.status is DECISIONS[decision]:
        return
    BANK_ACCOUNTS.require(decision, account)
    reason = reason.strip()
    if decision == "refuse" and not reason:
        raise ServiceError("Bitte schreiben Sie dem Träger, warum Sie die Bankverbindung ablehnen.", field="reason")
    if decision == "confirm":
        previous = queries.account_of(account.organisation_id, BankAccountStatus.CONFIRMED)
        if previous is not None:
            BANK_ACCOUNTS.move(previous, "replace", actor, f"ersetzt durch {account.masked_iban}")
    BANK_ACCOUNTS.move(account, decision, actor, reason)
    account.decided_by_id, account.decision_reason = actor.id, reason
    for member in account.organisation.users:
        if member.is_org_admin and member.active:
            queue_mail(
                member.email,
                "bank_account_decided",
                confirmed=decision == "confirm",
                iban=account.masked_iban,
                reason=reason,
                link=absolute_url("payments.bank_account"),
            )


# --- payment runs ----------------------------------------------------------------------------------


@once(PaymentRun)
def create_run(user: User, settlement_ids: Collection[int]) -> PaymentRun:
    """A run of the chosen released settlements, each paid to its organisation's confirmed account. The rows are
    locked first: a settlement another run took meanwhile is refused, never paid twice."""
    _require_staff(user)
    if not settlement_ids:
        raise ServiceError("Bitte wählen Sie mindestens eine Abrechnung.", field="settlements")
    settlements = _locked(settlement_ids)
    accounts = queries.confirmed_accounts({item.organisation_id for item in settlements})
    for item in settlements:
        if item.status is not SettlementStatus.RELEASED or item.payment_run_id is not None:
            raise ServiceError(f"{_name(item)} ist nicht mehr zur Zahlung offen. Bitte wählen Sie neu.", "settlements")
        if item.organisation_id not in accounts:
            raise ServiceError(f"{_name(item)}: {queries.NO_ACCOUNT}.", field="settlements")
    run = PaymentRun(created_by_id=user.id, total=sum(item.total for item in settlements))
    db.session.add(run)
    db.session.flush()
    run.message_id = f"ARGE-ZL-{run.id}-{run.created_at:%Y%m%d%H%M%S}"
    run.payees = {str(item.id): _payee(item, accounts[item.organisation_id]) for item in settlements}
    for item in settlements:
        item.payment_run_id = run.id
    record("payment_run_created", actor=user, obj=run, details=f"{len(settlements)} Abrechnungen, {euro(run.total)}")
    return run


def _locked(settlement_ids: Collection[int]) -> list[Settlement]:
    """The settlements, locked (PostgreSQL) and read again: a parallel run waits here, then finds them taken."""
    query = (
        select(Settlement)
        .where(Settlement.id.in_(settlement_ids))
        .order_by(Settlement.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = list(db.session.scalars(query))
    if len(found) != len(set(settlement_ids)):
        raise ServiceError("Eine der gewählten Abrechnungen gibt es nicht mehr.", field="settlements")
    return found


def _name(settlement: Settlement) -> str:
    return f"Die Abrechnung {month_label(settlement.year, settlement.month)} von {settlement.organisation.name}"


def _payee(settlement: Settlement, account: BankAccount) -> dict[str, Any]:
    """What the file pays, frozen: later changes of the account or the settlement do not change the run."""
    return {
        "organisation": settlement.organisation.name,
        "name": sepa_text(account.holder, NAME_MAX),
        "iban": account.iban,
        "bic": account.bic,
        "bank_account_id": account.id,
        "purpose": purpose(settlement.year, settlement.month, [line.offer_id for line in settlement.lines]),
        "amount": str(settlement.total),
        "reference": f"ABR-{settlement.id}",
    }


@transactional
def mark_paid(user: User, run: PaymentRun, expected: int | None) -> None:
    """The treasury has paid the run: the run and each of its settlements are paid. Once only: the same again
    (a double click, parallel copies) changes nothing."""
    _require_staff(user)
    db.session.refresh(run, with_for_update=True)
    if run.status is PaymentRunStatus.PAID:
        return
    check_version(run, expected)
    PAYMENT_RUNS.move(run, "pay", user, euro(run.total))
    run.paid_by_id = user.id
    for settlement in run.settlements:
        SETTLEMENTS.move(settlement, "pay", user, f"Zahlungslauf Nr. {run.id}")
        settlements.store_pdf(settlement)  # the provider's PDF says "Bezahlt"


@transactional
def record_download(user: User, run: PaymentRun, name: str) -> None:
    """The run's files carry every payee's bank details: each download is in the audit log."""
    _require_staff(user)
    record("payment_run_downloaded", actor=user, obj=run, details=name)
