"""An example settlement document (schema abrechnung-v1) for the PDF tests, as `settlements.document` builds it.

Hand-computed: offer 12, 2 place-months at 130 € MKP base = 260 €; two participants with 88 h × 1,50 € = 132 € MAE
each = 264 €; material at 50 € per place-month is capped at 100 €: receipts of 80 € and 45,50 € = 125,50 €, less
10 € third-party funds = 115,50 €, so 100 €; no social work. Line and settlement: 264 + 260 + 100 = 624 €.
"""

from __future__ import annotations

from typing import Any

from portal.settlements.document import DECLARATION, SCHEMA_URL


def example_settlement() -> dict[str, Any]:
    participants = [
        {"customer_number": number, "initials": initials, "hours_worked": "88.00", "mae_rate": "1.50",
         "mae_payable": "132.00"}
        for number, initials in (("100A456789", "A. K."), ("101A457802", "B. L."))
    ]  # fmt: skip
    receipts = [
        {"description": "Gartengeräte", "amount": "80.00", "file": "rechnung-1.pdf", "sha256": "ab" * 32},
        {"description": "Saatgut", "amount": "45.50", "file": "rechnung-2.pdf", "sha256": "cd" * 32},
    ]
    proof = [
        {"kind": "Sachkosten", "rate_per_place_month": "50.00", "cap": "100.00", "receipts": receipts,
         "third_party": "10.00", "claim": "100.00"},
        {"kind": "Sozialpädagogische Begleitung", "rate_per_place_month": "0.00", "cap": "0.00", "receipts": [],
         "third_party": "0.00", "claim": "0.00"},
    ]  # fmt: skip
    return {
        "schema": SCHEMA_URL,
        "schema_version": 1,
        "arge": {"name": "ARGE Musterstadt – Jobcenter"},
        "provider": {"name": "Caritasverband Musterstadt e. V."},
        "period": {"year": 2025, "month": 10, "label": "Oktober 2025", "due": "2025-11-30"},
        "settlement": {"id": 7, "status": "Eingereicht"},
        "lines": [
            {
                "offer": {"id": 12, "title": "Stadtteilgarten Nord"},
                "report": {"id": 5, "number": 1},
                "mae_refund": "264.00",
                "mkp_base": "260.00",
                "place_months": "2.0000",
                "proof": proof,
                "participants": participants,
                "total": "624.00",
            }
        ],
        "payout_confirmed": True,
        "total": "624.00",
        "declaration": DECLARATION,
        "submitted_by": "Paula Pflug",
        "submitted_at": "2025-11-03T09:12:00+00:00",
    }
