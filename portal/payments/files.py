"""The files of a payment run for the city's treasury: the SEPA credit transfer (pain.001) and the same transfers
as a German Excel CSV and XLSX (payee, IBAN, BIC, purpose, amount and a "Summe" row), all from what the run froze."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app

from portal import spreadsheets
from portal.payments.models import PaymentRun
from portal.payments.queries import transfers
from portal.payments.sepa import Account, credit_transfer

HEADER = ("Zahlungsempfänger", "IBAN", "BIC", "Verwendungszweck", "Betrag (EUR)")
WIDTHS = (40, 26, 13, 60, 14)


@dataclass(frozen=True)
class File:
    data: bytes
    name: str
    mimetype: str


def debtor() -> Account:
    """The city treasury's account that pays (PORTAL_SEPA_DEBTOR_NAME, _IBAN, _BIC)."""
    config = current_app.config
    return Account(config["SEPA_DEBTOR_NAME"], config["SEPA_DEBTOR_IBAN"], config["SEPA_DEBTOR_BIC"])


def table(run: PaymentRun) -> spreadsheets.Table:
    rows = [(item.payee.name, item.payee.iban, item.payee.bic, item.purpose, item.amount) for item in transfers(run)]
    total = sum((row[4] for row in rows), Decimal(0))
    return spreadsheets.Table(f"Zahlungslauf {run.id}", HEADER, rows, ("Summe", "", "", "", total), WIDTHS)


def run_file(run: PaymentRun, kind: str, today: date) -> File | None:
    """The run's file of the kind "xml", "csv" or "xlsx" (None for any other kind)."""
    stem = f"zahlungslauf-{run.id}"
    if kind == "xml":
        data = credit_transfer(debtor(), run.message_id, transfers(run), today)
        return File(data, f"{stem}-pain001.xml", "application/xml")
    if kind == "csv":
        return File(spreadsheets.to_csv(table(run)), f"{stem}.csv", spreadsheets.CSV_MIMETYPE)
    if kind == "xlsx":
        data = spreadsheets.to_xlsx(f"Zahlungslauf {run.id}", [table(run)])
        return File(data, f"{stem}.xlsx", spreadsheets.XLSX_MIMETYPE)
    return None
