"""Tables as German Excel files, shared by every export (payments, payment runs, the budget).

A table is a header, body rows and an optional totals row. CSV is what German Excel opens without asking: UTF-8 with
BOM, ";" between cells, decimal comma. XLSX has a bold frozen header, an autofilter and the totals as values, not
formulas. Cells hold user input (provider names, offer titles): no text cell can become a formula in either format.
Amounts are exact Decimals in cents.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.text import FORMULA_STARTS

Value = str | int | Decimal | date | None

CREATOR = "ARGE-Partnerportal"
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "DD.MM.YYYY"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"
BOLD = Font(bold=True)


@dataclass(frozen=True)
class Table:
    """One sheet: `total` is written after the body, and only when there is a body."""

    title: str
    header: Sequence[str]
    body: Sequence[Sequence[Value]]
    total: Sequence[Value] | None = None
    widths: Sequence[int] = field(default_factory=tuple)


def to_csv(table: Table) -> bytes:
    """German Excel's CSV: UTF-8 with BOM (else Excel guesses the encoding), ";" between cells, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_csv_cell(value) for value in values] for values in table.body)
    if table.body and table.total is not None:
        writer.writerow([_csv_cell(value) for value in table.total])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Value) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")  # exact: every value is in cents
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value  # shown as text, never evaluated
    return "" if value is None else str(value)


def to_xlsx(title: str, tables: Sequence[Table]) -> bytes:
    """One workbook with a sheet per table, in the given order."""
    workbook = Workbook()
    workbook.properties.title = title
    workbook.properties.creator = CREATOR
    workbook.remove(workbook.active)
    for table in tables:
        _fill_sheet(workbook.create_sheet(table.title), table)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _fill_sheet(sheet: Any, table: Table) -> None:
    """Bold frozen header, an autofilter over header and body, then the bold totals row (none for no rows)."""
    _append(sheet, table.header, bold=True)
    for values in table.body:
        _append(sheet, values)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{sheet.max_row}"
    if table.body and table.total is not None:
        _append(sheet, table.total, bold=True)
    sheet.freeze_panes = "A2"
    for column, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _append(sheet: Any, values: Sequence[Value], bold: bool = False) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if bold:
            cell.font = BOLD
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl took a text starting with "=" for a formula
            cell.quotePrefix = cell.value.startswith(FORMULA_STARTS)  # stays text when edited in Excel
        elif isinstance(cell.value, Decimal):
            cell.number_format = AMOUNT_FORMAT
        elif isinstance(cell.value, date):
            cell.number_format = DATE_FORMAT
