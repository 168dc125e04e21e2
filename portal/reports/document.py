"""The report document: plain data (schema teilnahmebericht-v1) frozen at submission, printed and embedded in the PDF.

See portal/reports/schema/ for the schema and its description. Amounts and hours are decimal strings with two
decimals, dates ISO strings; the numbers are those of `build_sheet`, so the portal, the PDF and the exports agree.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from portal.accounts.models import User
from portal.assignments.models import Event
from portal.reports import calc
from portal.reports.models import REPORT_STATUS_LABELS, ParticipationReport
from portal.reports.queries import events_in_month, month_label
from portal.reports.sheet import Row, Sheet

SCHEMA_URL = "https://arge-partnerportal.example/schema/teilnahmebericht-v1.json"
SCHEMA_VERSION = 1
DECLARATION = (
    "Wir versichern, dass die Angaben in diesem Bericht vollständig und richtig sind. Die Anwesenheit wurde täglich "
    "erfasst; Fehlzeiten sind mit dem zutreffenden Kürzel eingetragen. Uns ist bekannt, dass falsche Angaben zur "
    "Rückforderung der Leistungen führen können."
)
CODE_LABELS = {code.value: label for code, label in calc.LABELS.items()} | {"A": "anwesend (Stunden eingetragen)"}


def money(value: Decimal) -> str:
    return str(calc.cents(value))


def build_document(
    report: ParticipationReport, sheet: Sheet, confirmed_by: User, confirmed_at: datetime
) -> dict[str, Any]:
    offer, version = report.offer, report.offer.live_version
    return {
        "schema": SCHEMA_URL,
        "schema_version": SCHEMA_VERSION,
        "arge": {"name": current_app.config["ARGE_NAME"]},
        "provider": {"name": offer.organisation.name},
        "offer": {
            "id": offer.id,
            "title": version.title if version else "",
            "type": version.type_label if version else "",
            "legal_basis": version.legal_basis if version else "",
        },
        "period": _period(sheet),
        "report": _report(report, confirmed_by, confirmed_at),
        "days": [_day(day) for day in sheet.days],
        "codes": CODE_LABELS,
        "participants": [_participant(row) for row in sheet.rows],
        "events": [_event(event) for event in events_in_month(offer.id, report.year, report.month)],
        "totals": _totals(sheet),
        "declaration": DECLARATION,
        "confirmed_by": confirmed_by.name,
        "confirmed_at": confirmed_at.isoformat(),
    }


def _period(sheet: Sheet) -> dict[str, Any]:
    return {
        "year": sheet.year,
        "month": sheet.month,
        "label": month_label(sheet.year, sheet.month),
        "days_in_month": len(sheet.days),
    }


def _report(report: ParticipationReport, confirmed_by: User, confirmed_at: datetime) -> dict[str, Any]:
    return {
        "id": report.id,
        "version": report.number,
        "status": REPORT_STATUS_LABELS[report.status],
        "submitted_at": confirmed_at.isoformat(),
        "due_date": calc.due_date(report.year, report.month).isoformat(),
        "submitted_by": confirmed_by.name,
    }


def _day(day: Any) -> dict[str, Any]:
    return {
        "day": day.number,
        "date": day.day.isoformat(),
        "weekday": day.weekday,
        "weekend": day.weekend,
        "holiday": day.holiday,
    }


def _participant(row: Row) -> dict[str, Any]:
    assignment, totals = row.assignment, row.totals
    return {
        "customer_number": assignment.participant.customer_number,
        "initials": assignment.participant.initials,
        "site": assignment.site,
        "assignment_start": assignment.start_date.isoformat(),
        "assignment_end": assignment.end_date.isoformat(),
        "weekly_hours": str(assignment.weekly_hours),
        "mae_rate": money(assignment.mae_rate),
        "days": [_cell(cell.entry) for cell in row.cells],
        "totals": {
            "days_present": totals.days_present,
            "hours_worked": money(totals.hours_worked),
            "unexcused_days": totals.unexcused_days,
            "mae_payable": money(totals.mae_payable),
            "place_months": money(row.mkp.place_months if row.mkp else calc.ZERO),
            "mkp_claim": money(row.mkp.claim if row.mkp else calc.ZERO),
            "counts": {code.value: count for code, count in totals.counts.items()},
        },
    }


def _cell(entry: calc.DayEntry | None) -> str:
    """A day for machines: hours with a decimal point ("3.5"), else the code, "" for no entry."""
    if entry is not None and entry.code is calc.DayCode.PRESENT:
        return format(entry.hours.normalize(), "f")
    return calc.format_cell(entry)


def _event(event: Event) -> dict[str, Any]:
    participant = event.assignment.participant
    return {
        "date": event.event_date.isoformat(),
        "customer_number": participant.customer_number,
        "initials": participant.initials,
        "kind": event.kind_label,
        "reason": event.reason,
    }


def _totals(sheet: Sheet) -> dict[str, Any]:
    return {
        "participants": len(sheet.rows),
        "days_present": sheet.days_present,
        "hours_worked": money(sheet.hours_worked),
        "mae_payable": money(sheet.mae_payable),
        "place_months": money(sheet.totals.place_months),
        "mkp_per_place_month": money(sheet.mkp_per_place_month),
        "mkp_gross": money(sheet.totals.mkp_gross),
        "mkp_reduction": money(sheet.totals.mkp_reduction),
        "mkp_claim": money(sheet.totals.mkp_claim),
    }
