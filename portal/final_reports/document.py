"""The report document: plain data (schema sachbericht-v1) frozen at submission, with the figures computed from
assignments, events, approved monthly reports and settlements and the provider's narrative. Amounts are strings
with two decimals, as in the report and settlement documents."""

from __future__ import annotations

from typing import Any

from flask import current_app

from portal.accounts.models import User
from portal.final_reports import figures
from portal.final_reports.models import NARRATIVE_LABELS, FinalReport
from portal.final_reports.queries import Figures
from portal.settlements.document import money

SCHEMA_URL = "https://arge-partnerportal.example/schema/sachbericht-v1.json"
SCHEMA_VERSION = 1
DECLARATION = (
    "Wir versichern, dass die Angaben in diesem Bericht vollständig und richtig sind und dass die Mittel für das "
    "Angebot verwendet wurden, wie es bewilligt ist. Uns ist bekannt, dass falsche Angaben zur Rückforderung führen "
    "können."
)


def build_document(report: FinalReport, found: Figures, submitted_by: User | None) -> dict[str, Any]:
    """The document of the report as it stands (submitted_by None: a preview of a draft)."""
    offer, version = report.offer, report.offer.live_version
    return {
        "schema": SCHEMA_URL,
        "schema_version": SCHEMA_VERSION,
        "arge": {"name": current_app.config["ARGE_NAME"]},
        "provider": {"name": offer.organisation.name},
        "offer": {
            "id": offer.id,
            "title": version.title if version else "",
            "places": version.places_total if version else 0,
        },
        "report": {
            "id": report.id,
            "kind": report.kind_label,
            "period_start": report.period_start.isoformat(),
            "period_end": report.period_end.isoformat(),
            "due_date": report.due_date.isoformat(),
        },
        "people": _people(found.people),
        "place_months": money(found.place_months),
        "months_reported": found.months_reported,
        "months_total": found.months_total,
        "money": _money(found.money),
        "approved_cost": money(found.approved_cost),
        "narrative": [
            {"name": name, "label": label, "text": getattr(report, name)} for name, label in NARRATIVE_LABELS.items()
        ],
        "declaration": DECLARATION,
        "submitted_by": submitted_by.name if submitted_by else "",
        "submitted_at": report.submitted_at.isoformat() if submitted_by and report.submitted_at else "",
    }


def _people(people: figures.People) -> dict[str, Any]:
    rate = people.integration_rate
    return {
        "participants": people.participants,
        "entries": people.entries,
        "non_entries": people.non_entries,
        "exits": [
            {"reason": reason, "label": figures.EXIT_LABELS[reason], "count": people.exits[reason]}
            for reason in figures.EXIT_REASONS
        ],
        "exits_total": people.exits_total,
        "integrations": people.integrations,
        "integration_rate": str(rate) if rate is not None else None,
    }


def _money(found: figures.Money) -> dict[str, Any]:
    return {
        "parts": [
            {
                "part": part,
                "label": figures.MONEY_LABELS[part],
                "claimed": money(found.claimed[part]),
                "released": money(found.released[part]),
            }
            for part in figures.MONEY_PARTS
        ],
        "claimed_total": money(found.claimed_total),
        "released_total": money(found.released_total),
    }
