"""Builds example report documents (schema version 1) for the PDF tests, as the report service would build them.

The values are plausible and consistent (totals are the sums of the grid), but computed here in the simplest way:
the calculations themselves are tested in test_calc.py.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from portal.reports.document import SCHEMA_URL
from portal.reports.queries import MONTH_NAMES as MONTHS
from portal.reports.sheet import WEEKDAYS

# Only the nationwide fixed holidays: enough for examples.
HOLIDAYS = {
    (1, 1): "Neujahr",
    (5, 1): "Tag der Arbeit",
    (10, 3): "Tag der Deutschen Einheit",
    (12, 25): "1. Weihnachtstag",
}
CODES = {
    "A": "anwesend (Stunden)",
    "E": "entschuldigt",
    "UE": "unentschuldigt",
    "K": "krank mit Attest",
    "KK": "Kind krank",
    "U": "Urlaub",
    "F": "Feiertag",
    "-": "nicht zugewiesen",
}
# Every seventh working day of a participant is an absence or a short day, taken from this list in turn. Hours are
# written as the portal shows them, with a decimal comma.
ABSENCES = ["E", "K", "U", "UE", "KK", "4,5"]
MAE_RATE = Decimal("2.00")
# The second participant drops out on the 14th (an event) and is not assigned from the 15th on.
DROPPED_OUT = 1
DROP_OUT_DAY = 14
MKP_PER_PLACE_MONTH = Decimal("250.00")
CENT = Decimal("0.01")


def example_document(participants: int = 8, year: int = 2026, month: int = 10) -> dict[str, Any]:
    days = calendar_days(year, month)
    rows = [participant(index, days) for index in range(participants)]
    return {
        "schema": SCHEMA_URL,
        "schema_version": 1,
        "arge": {"name": "ARGE Musterstadt – Jobcenter"},
        "provider": {"name": "Caritasverband Musterstadt e. V."},
        "offer": {
            "id": 12,
            "title": "Stadtteilgarten Nord",
            "type": "Arbeitsgelegenheit mit Mehraufwandsentschädigung (Zusatzjob)",
            "legal_basis": "§ 16d SGB II",
        },
        "period": {"year": year, "month": month, "label": f"{MONTHS[month - 1]} {year}", "days_in_month": len(days)},
        "report": report_meta(year, month),
        "days": days,
        "codes": dict(CODES),
        "participants": rows,
        "events": events(rows, year, month),
        "totals": offer_totals(rows),
        "declaration": (
            "Wir versichern, dass die Angaben in diesem Bericht vollständig und richtig sind und mit den "
            "Anwesenheitslisten der Einsatzstellen übereinstimmen."
        ),
        "confirmed_by": "Erika Beispiel",
        "confirmed_at": "2026-11-03T09:12:00+00:00",
    }


def calendar_days(year: int, month: int) -> list[dict[str, Any]]:
    days = []
    for day in range(1, calendar.monthrange(year, month)[1] + 1):
        current = date(year, month, day)
        days.append(
            {
                "day": day,
                "date": current.isoformat(),
                "weekday": WEEKDAYS[current.weekday()],
                "weekend": current.weekday() >= 5,
                "holiday": HOLIDAYS.get((month, day), ""),
            }
        )
    return days


def report_meta(year: int, month: int) -> dict[str, Any]:
    due = date(year + month // 12, month % 12 + 1, 10)
    return {
        "id": 5,
        "version": 1,
        "status": "Eingereicht",
        "submitted_at": "2026-11-03T09:12:00+00:00",
        "due_date": due.isoformat(),
        "submitted_by": "Erika Beispiel",
    }


def customer_number(index: int) -> str:
    return f"{100 + index % 900:03d}{'ABCDEFGHJK'[index // 900]}{(456789 + index * 1013) % 1_000_000:06d}"


def participant(index: int, days: list[dict[str, Any]]) -> dict[str, Any]:
    cells = day_cells(index, days)
    return {
        "customer_number": customer_number(index),
        "initials": f"{chr(65 + index % 26)}. {chr(75 + index % 16)}.",
        "site": f"Einsatzstelle {['Nordpark', 'Mühlenweg', 'Am Anger'][index % 3]}",
        "assignment_start": "2026-09-01",
        "assignment_end": "2027-02-28",
        "weekly_hours": "20.0",
        "mae_rate": str(MAE_RATE),
        "days": cells,
        "totals": participant_totals(cells),
    }


def day_cells(index: int, days: list[dict[str, Any]]) -> list[str]:
    cells = []
    for position, day in enumerate(days):
        if index == DROPPED_OUT and position >= DROP_OUT_DAY:
            cells.append("-")
        elif day["holiday"]:
            cells.append("F")
        elif day["weekend"]:
            cells.append("")
        elif (position + index) % 7 == 0:
            cells.append(ABSENCES[(position + index) // 7 % len(ABSENCES)])
        else:
            cells.append("4")
    return cells


def participant_totals(cells: list[str]) -> dict[str, Any]:
    hours = [Decimal(cell.replace(",", ".")) for cell in cells if cell[:1].isdigit()]
    counts = {code: cells.count(code) for code in CODES}
    counts["A"] = len(hours)
    unexcused = counts["UE"]
    mkp = MKP_PER_PLACE_MONTH - reduction(unexcused)
    return {
        "days_present": len(hours),
        "hours_worked": str(sum(hours, Decimal(0)).quantize(CENT)),
        "unexcused_days": unexcused,
        "mae_payable": str((sum(hours, Decimal(0)) * MAE_RATE).quantize(CENT)),
        "place_months": "1.00",
        "mkp_claim": str(mkp.quantize(CENT)),
        "counts": counts,
    }


def reduction(unexcused_days: int) -> Decimal:
    return (MKP_PER_PLACE_MONTH * unexcused_days / 30).quantize(CENT)


def events(rows: list[dict[str, Any]], year: int, month: int) -> list[dict[str, Any]]:
    if len(rows) <= DROPPED_OUT:
        return []
    return [
        {
            "date": date(year, month, DROP_OUT_DAY).isoformat(),
            "customer_number": rows[DROPPED_OUT]["customer_number"],
            "initials": rows[DROPPED_OUT]["initials"],
            "kind": "Abbruch",
            "reason": "Umzug in einen anderen Landkreis",
        }
    ]


def offer_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def total(key: str) -> Decimal:
        return sum((Decimal(row["totals"][key]) for row in rows), Decimal(0))

    gross = total("place_months") * MKP_PER_PLACE_MONTH
    return {
        "participants": len(rows),
        "days_present": sum(row["totals"]["days_present"] for row in rows),
        "hours_worked": str(total("hours_worked").quantize(CENT)),
        "mae_payable": str(total("mae_payable").quantize(CENT)),
        "place_months": str(total("place_months").quantize(CENT)),
        "mkp_per_place_month": str(MKP_PER_PLACE_MONTH),
        "mkp_gross": str(gross.quantize(CENT)),
        "mkp_reduction": str((gross - total("mkp_claim")).quantize(CENT)),
        "mkp_claim": str(total("mkp_claim").quantize(CENT)),
    }
