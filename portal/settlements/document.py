"""The settlement document: plain data (schema abrechnung-v1) frozen at submission, for the provider's records
and the settlement PDF. Amounts are strings with two decimal places, as in the report document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app

from portal.accounts.models import User
from portal.reports.queries import month_label
from portal.settlements import calc
from portal.settlements.models import PROOF_KIND_LABELS, ProofKind, Settlement, SettlementLine

SCHEMA_URL = "https://arge-partnerportal.example/schema/abrechnung-v1.json"
SCHEMA_VERSION = 1
DECLARATION = (
    "Wir versichern, dass die Angaben vollständig und richtig sind, dass wir die Mehraufwandsentschädigung an die "
    "Teilnehmenden ausgezahlt haben und dass die Belege tatsächliche Kosten des Angebots zeigen, die nicht "
    "anderweitig erstattet werden. Uns ist bekannt, dass falsche Angaben zur Rückforderung führen können."
)


def money(value: Decimal) -> str:
    return str(calc.cents(value))


def build_document(settlement: Settlement, submitted_by: User | None) -> dict[str, Any]:
    """The document of the settlement as it stands (submitted_by None: a preview of a draft)."""
    return {
        "schema": SCHEMA_URL,
        "schema_version": SCHEMA_VERSION,
        "arge": {"name": current_app.config["ARGE_NAME"]},
        "provider": {"name": settlement.organisation.name},
        "period": {
            "year": settlement.year,
            "month": settlement.month,
            "label": month_label(settlement.year, settlement.month),
            "due": calc.due_date(settlement.year, settlement.month).isoformat(),
        },
        "settlement": {"id": settlement.id, "status": settlement.status_label},
        "lines": [_line(settlement, line) for line in settlement.lines],
        "payout_confirmed": settlement.payout_confirmed_at is not None,
        "total": money(settlement.total),
        "declaration": DECLARATION,
        "submitted_by": submitted_by.name if submitted_by else "",
        "submitted_at": settlement.submitted_at.isoformat() if submitted_by and settlement.submitted_at else "",
    }


def _line(settlement: Settlement, line: SettlementLine) -> dict[str, Any]:
    version = line.offer.live_version
    report = line.report
    return {
        "offer": {"id": line.offer_id, "title": version.title if version else f"Angebot {line.offer_id}"},
        "report": {"id": line.report_id, "number": report.number if report else None},
        "mae_refund": money(line.mae_refund),
        "mkp_base": money(line.mkp_base),
        "place_months": money(line.place_months),
        "proof": [_proof(settlement, line, kind) for kind in ProofKind],
        "participants": _participants(report.document if report else None),
        "total": money(line.total),
    }


def _proof(settlement: Settlement, line: SettlementLine, kind: ProofKind) -> dict[str, Any]:
    rate = line.proof_rate(kind)
    receipts = settlement.receipts_for(line.offer_id, kind)
    return {
        "kind": PROOF_KIND_LABELS[kind],
        "rate_per_place_month": money(rate),
        "cap": money(calc.proof_cap(rate, line.place_months)),
        "receipts": [
            {
                "description": item.description,
                "amount": money(item.amount),
                "file": item.file_name,
                "sha256": item.file_sha256,
            }
            for item in receipts
        ],
        "third_party": money(getattr(line, f"{kind.value}_third_party")),
        "claim": money(getattr(line, f"{kind.value}_claim")),
    }


def _participants(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each participant's MAE that the provider paid out and claims back, from the approved report."""
    return [
        {
            "customer_number": item["customer_number"],
            "initials": item["initials"],
            "hours_worked": item["totals"]["hours_worked"],
            "mae_rate": item["mae_rate"],
            "mae_payable": item["totals"]["mae_payable"],
        }
        for item in (report or {}).get("participants", [])
    ]
