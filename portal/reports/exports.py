"""Payment exports of the approved monthly participation reports: one row per participant, sums per provider.

Pure functions on the frozen report documents (plain data, schema version 1): no database, no Flask. Staff download
the rows as two CSV files (payments and sums per provider; German Excel: UTF-8 with BOM, ";" and decimal comma) or
as one XLSX workbook with both sheets. Every amount is an exact Decimal in cents, so both formats add up to the
documents' totals, which are the totals shown in the portal; a document whose participants do not add up to its
totals is refused. Provider names, offer titles and initials are user input: no text cell can become a formula.

The caller selects the approved reports (`queries.approved_documents`): a document is frozen at submission, so the
status written in it is "Eingereicht" and tells nothing about the approval.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portal import spreadsheets
from portal.reports.calc import CENT, ZERO
from portal.reports.queries import month_label
from portal.spreadsheets import Table, Value
from portal.text import clean

Document = Mapping[str, Any]

SCHEMA_VERSION = 1
CHECKED_TOTALS = ("hours_worked", "mae_payable", "mkp_claim")
TOTAL_LABEL = "Summe"

PAYMENT_HEADER = (
    "Träger",
    "Angebot",
    "Angebots-Nr.",
    "Bericht",
    "Fassung",
    "Kundennummer",
    "Kürzel",
    "Anwesenheitstage",
    "Stunden",
    "MAE (€)",
    "MKP (€)",
)
PAYMENT_WIDTHS = (40, 40, 13, 9, 9, 15, 9, 18, 12, 14, 14)
SUMMARY_HEADER = (
    "Träger",
    "Berichte",
    "Teilnehmende",
    "Anwesenheitstage",
    "Stunden",
    "MAE (€)",
    "MKP (€)",
    "Gesamt (€)",
)
SUMMARY_WIDTHS = (40, 10, 14, 18, 12, 14, 14, 14)


@dataclass(frozen=True)
class PaymentRow:
    """One participant of one approved report, with what is paid for them."""

    provider: str
    offer_id: int
    offer_title: str
    report_id: int
    report_version: int
    customer_number: str
    initials: str
    days_present: int
    hours: Decimal
    mae: Decimal
    mkp: Decimal


@dataclass(frozen=True)
class ProviderTotal:
    """The sums of one provider's rows, or of all rows (then `provider` is "Summe").

    `participants` counts rows, as the reports' own totals do: a person in two offers counts twice.
    """

    provider: str
    reports: int
    participants: int
    days_present: int
    hours: Decimal
    mae: Decimal
    mkp: Decimal

    @property
    def total(self) -> Decimal:
        return self.mae + self.mkp


@dataclass(frozen=True)
class PaymentSummary:
    providers: tuple[ProviderTotal, ...]
    total: ProviderTotal


# --- rows and sums -------------------------------------------------------------------------------------------


def payment_rows(documents: Iterable[Document]) -> list[PaymentRow]:
    """The rows of all documents, sorted by provider, offer and Kundennummer; refuses inconsistent documents."""
    documents = list(documents)
    _check_one_report_per_offer_and_month(documents)
    rows = [row for document in documents for row in _document_rows(_checked(document))]
    return sorted(rows, key=_row_order)


def provider_summary(rows: Sequence[PaymentRow]) -> PaymentSummary:
    """Sums per provider (in name order) and the grand total."""
    groups: dict[str, list[PaymentRow]] = defaultdict(list)
    for row in rows:
        groups[row.provider].append(row)
    names = sorted(groups, key=lambda name: (name.casefold(), name))
    return PaymentSummary(tuple(_sums(name, groups[name]) for name in names), _sums(TOTAL_LABEL, rows))


def _sums(label: str, rows: Sequence[PaymentRow]) -> ProviderTotal:
    return ProviderTotal(
        provider=label,
        reports=len({row.report_id for row in rows}),
        participants=len(rows),
        days_present=sum(row.days_present for row in rows),
        hours=sum((row.hours for row in rows), ZERO),
        mae=sum((row.mae for row in rows), ZERO),
        mkp=sum((row.mkp for row in rows), ZERO),
    )


def _row_order(row: PaymentRow) -> tuple[str, str, str, int, str, int]:
    return (
        row.provider.casefold(),
        row.provider,
        row.offer_title.casefold(),
        row.offer_id,
        row.customer_number,
        row.report_id,
    )


def _document_rows(document: Document) -> list[PaymentRow]:
    offer, report = document["offer"], document["report"]
    return [
        PaymentRow(
            provider=_one_line(document["provider"]["name"]),
            offer_id=offer["id"],
            offer_title=_one_line(offer["title"]),
            report_id=report["id"],
            report_version=report["version"],
            customer_number=_one_line(participant["customer_number"]),
            initials=_one_line(participant["initials"]),
            days_present=participant["totals"]["days_present"],
            hours=_cents(participant["totals"]["hours_worked"]),
            mae=_cents(participant["totals"]["mae_payable"]),
            mkp=_cents(participant["totals"]["mkp_claim"]),
        )
        for participant in document["participants"]
    ]


def _one_line(value: str) -> str:
    """Without control characters (which XLSX cannot hold) and on one line."""
    return clean(str(value), keep_newlines=False)


def _cents(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite() or value != value.quantize(CENT):
        raise ValueError(f"not an amount in cents: {text!r}")
    return value


# --- checks --------------------------------------------------------------------------------------------------


def _checked(document: Document) -> Document:
    report_id = document["report"]["id"]
    if document.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"report {report_id}: unknown schema version {document.get('schema_version')!r}")
    for key in CHECKED_TOTALS:
        parts = sum((_cents(participant["totals"][key]) for participant in document["participants"]), ZERO)
        if parts != _cents(document["totals"][key]):
            raise ValueError(f"report {report_id}: the participants' {key} do not add up to the report's total")
    return document


def _check_one_report_per_offer_and_month(documents: Sequence[Document]) -> None:
    """Two reports of one offer and month would pay that month twice."""
    keys = Counter((doc["offer"]["id"], doc["period"]["year"], doc["period"]["month"]) for doc in documents)
    twice = sorted(key for key, count in keys.items() if count > 1)
    if twice:
        raise ValueError(f"more than one report for (offer, year, month): {twice}")


# --- table values --------------------------------------------------------------------------------------------


def _payment_values(row: PaymentRow) -> tuple[Value, ...]:
    return (
        row.provider,
        row.offer_title,
        row.offer_id,
        row.report_id,
        row.report_version,
        row.customer_number,
        row.initials,
        row.days_present,
        row.hours,
        row.mae,
        row.mkp,
    )


def _payment_total_values(total: ProviderTotal) -> tuple[Value, ...]:
    return (total.provider, *[None] * 6, total.days_present, total.hours, total.mae, total.mkp)


def _summary_values(total: ProviderTotal) -> tuple[Value, ...]:
    return (
        total.provider,
        total.reports,
        total.participants,
        total.days_present,
        total.hours,
        total.mae,
        total.mkp,
        total.total,
    )


# --- files ---------------------------------------------------------------------------------------------------


def _payments_table(rows: Sequence[PaymentRow], summary: PaymentSummary) -> Table:
    body = [_payment_values(row) for row in rows]
    return Table("Zahlungen", PAYMENT_HEADER, body, _payment_total_values(summary.total), PAYMENT_WIDTHS)


def _summary_table(summary: PaymentSummary) -> Table:
    body = [_summary_values(total) for total in summary.providers]
    return Table("Summen je Träger", SUMMARY_HEADER, body, _summary_values(summary.total), SUMMARY_WIDTHS)


def to_csv(rows: Sequence[PaymentRow], summary: PaymentSummary) -> bytes:
    """The payments as CSV: a header, one row per participant and a "Summe" row (header only for no rows)."""
    return spreadsheets.to_csv(_payments_table(rows, summary))


def summary_csv(summary: PaymentSummary) -> bytes:
    """The sums per provider as CSV, the second file of the CSV export, with the grand total as "Summe" row."""
    return spreadsheets.to_csv(_summary_table(summary))


def to_xlsx(rows: Sequence[PaymentRow], summary: PaymentSummary, year: int, month: int) -> bytes:
    """One workbook with the sheets "Zahlungen" and "Summen je Träger"; totals as values, not formulas."""
    title = f"Zahlungen {month_label(year, month)}"
    return spreadsheets.to_xlsx(title, [_payments_table(rows, summary), _summary_table(summary)])


def export_filename(year: int, month: int, ext: str, *, summary: bool = False) -> str:
    """zahlungen-2026-10.csv, or zahlungen-je-traeger-2026-10.csv for the sums per provider."""
    name = "zahlungen-je-traeger" if summary else "zahlungen"
    return f"{name}-{year:04d}-{month:02d}.{ext}"
