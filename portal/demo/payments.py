"""Demo bank accounts: each verified demo provider has one, entered by its admin and confirmed by the demo
caseworker through the real services, so that its released settlements can go into a payment run."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.demo.offers import demo_providers
from portal.extensions import db
from portal.payments import queries, services
from portal.payments.models import BankAccountStatus

# Valid German test IBANs (published examples of their banks), by the provider admin's e-mail address.
DEMO_ACCOUNTS = {
    "admin@caritas.example": ("Caritasverband Musterstadt e. V.", "DE89370400440532013000", "COBADEFFXXX"),
    "admin@awo.example": ("AWO Kreisverband Musterstadt e. V.", "DE02120300000000202051", ""),
}


def load_demo_bank_accounts() -> int:
    """Give each verified demo provider without one a confirmed account. Returns the number confirmed."""
    staff = db.session.scalars(select(User).where(User.role == Role.STAFF).order_by(User.id)).first()
    if staff is None:
        return 0
    confirmed = 0
    for admin in demo_providers():
        details = DEMO_ACCOUNTS.get(admin.email)
        if details is None or admin.organisation_id is None:
            continue
        if queries.account_of(admin.organisation_id, BankAccountStatus.CONFIRMED) is not None:
            continue
        account = services.request_account(admin, *details)
        services.decide_account(staff, account, "confirm")
        confirmed += 1
    return confirmed
