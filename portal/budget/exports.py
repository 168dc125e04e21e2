"""The offers that tie up a year's money as a German Excel table (CSV or XLSX), as the budget page lists them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from portal.budget.queries import OfferMoney
from portal.spreadsheets import Table

HEADER = ("Angebot Nr.", "Angebot", "Träger", "Arbeitsfeld", "Stand", "Gebunden", "Freigegeben", "Noch gebunden")
WIDTHS = (12, 40, 32, 22, 26, 16, 16, 16)


def offers_table(year: int, rows: Sequence[OfferMoney]) -> Table:
    """One row per offer, then the sums of the three amounts."""
    body = [
        (row.offer_id, row.title, row.organisation_name, row.field_label, row.state_label, *_amounts([row]))
        for row in rows
    ]
    return Table(f"Budget {year}", HEADER, body, ("Summe", "", "", "", "", *_amounts(rows)), WIDTHS)


def _amounts(rows: Sequence[OfferMoney]) -> tuple[Decimal, Decimal, Decimal]:
    """Committed, released and still bound, summed over the rows."""
    return (
        sum((row.committed for row in rows), Decimal(0)),
        sum((row.released for row in rows), Decimal(0)),
        sum((row.bound for row in rows), Decimal(0)),
    )


def filename(year: int, ext: str) -> str:
    return f"eingliederungsbudget-{year}-angebote.{ext}"
